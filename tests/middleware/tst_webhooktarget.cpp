// SPDX-License-Identifier: Apache-2.0
// The webhook target rules on their own: which addresses count as public,
// what the allow list's patterns match, and what each URL rule says. The
// end-to-end refusals (configuration and send time) are in tst_webhooks.
#include "base/webhooktarget.h"

#include <QTest>

using namespace Provisio;

class TestWebhookTarget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addressKinds_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("kind"); // empty: public
        QTest::newRow("loopback") << "127.0.0.1"
                                  << "loopback";
        QTest::newRow("loopback 127/8") << "127.10.0.1"
                                        << "loopback";
        QTest::newRow("loopback v6") << "::1"
                                     << "loopback";
        QTest::newRow("mapped loopback") << "::ffff:127.0.0.1"
                                         << "loopback";
        QTest::newRow("unspecified") << "0.0.0.0"
                                     << "unspecified";
        QTest::newRow("unspecified v6") << "::"
                                        << "unspecified";
        QTest::newRow("metadata") << "169.254.169.254"
                                  << "link-local";
        QTest::newRow("link-local v6") << "fe80::1"
                                       << "link-local";
        QTest::newRow("10/8") << "10.0.0.1"
                              << "private";
        QTest::newRow("172.16/12") << "172.31.255.255"
                                   << "private";
        QTest::newRow("192.168/16") << "192.168.0.10"
                                    << "private";
        QTest::newRow("mapped private") << "::ffff:10.1.1.1"
                                        << "private";
        QTest::newRow("fc00::/7") << "fdab::1"
                                  << "private";
        QTest::newRow("100.64/10") << "100.127.0.1"
                                   << "shared (carrier-grade NAT)";
        QTest::newRow("multicast") << "224.0.0.1"
                                   << "multicast";
        QTest::newRow("multicast v6") << "ff02::1"
                                      << "multicast";
        QTest::newRow("broadcast") << "255.255.255.255"
                                   << "broadcast";
        QTest::newRow("reserved 240/4") << "240.0.0.1"
                                        << "reserved";
        QTest::newRow("NAT64 of loopback") << "64:ff9b::7f00:1"
                                           << "reserved";
        QTest::newRow("public v4") << "93.184.216.34"
                                   << "";
        QTest::newRow("172.32 is public") << "172.32.0.1"
                                          << "";
        QTest::newRow("100.128 is public") << "100.128.0.1"
                                           << "";
        QTest::newRow("public v6") << "2606:4700::1111"
                                   << "";
    }
    void addressKinds()
    {
        QFETCH(QString, address);
        QFETCH(QString, kind);
        QCOMPARE(WebhookTarget::nonPublicKind(QHostAddress(address)), kind);
        const WebhookTarget strict({});
        QCOMPARE(bool(strict.checkAddress(QHostAddress(address))), kind.isEmpty());
        // The switch lets every address through.
        const WebhookTarget open({{}, false, true});
        QVERIFY(bool(open.checkAddress(QHostAddress(address))));
    }

    void allowList_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("exact") << "hooks.example.com" << true;
        QTest::newRow("exact, other case") << "HOOKS.Example.com" << true;
        QTest::newRow("below a pattern") << "a.b.corp.example" << true;
        QTest::newRow("pattern's own domain") << "corp.example" << false;
        QTest::newRow("suffix without a dot") << "evilcorp.example" << false;
        QTest::newRow("exact is not a pattern") << "x.hooks.example.com" << false;
        QTest::newRow("ip") << "203.0.114.7" << true;
        QTest::newRow("ipv6, other spelling") << "2001:db9:0::1" << true;
        QTest::newRow("elsewhere") << "example.org" << false;
    }
    void allowList()
    {
        QFETCH(QString, host);
        QFETCH(bool, allowed);
        const QStringList list{QStringLiteral("hooks.example.com"), QStringLiteral("*.corp.example"),
                               QStringLiteral("203.0.114.7"), QStringLiteral("[2001:db9::1]")};
        QCOMPARE(WebhookTarget::hostAllowed(host, list), allowed);
    }

    void urlRules_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mentions"); // empty: accepted
        QTest::newRow("ok") << "https://hooks.example.com/x?code=1"
                            << "";
        QTest::newRow("ok below a pattern") << "https://eu.corp.example:8443/x"
                                            << "";
        QTest::newRow("http") << "http://hooks.example.com/x"
                              << "https://";
        QTest::newRow("ftp") << "ftp://hooks.example.com/x"
                             << "https://";
        QTest::newRow("relative") << "/x"
                                  << "absolute";
        QTest::newRow("user info") << "https://u:p@hooks.example.com/x"
                                   << "user info";
        QTest::newRow("not listed") << "https://example.org/x"
                                    << "not on the allowed webhook hosts";
        QTest::newRow("localhost listed") << "https://localhost/x"
                                          << "loopback";
        QTest::newRow("sub.localhost") << "https://a.localhost/x"
                                       << "not on the allowed";
        QTest::newRow("metadata listed") << "https://169.254.169.254/x"
                                         << "link-local";
    }
    void urlRules()
    {
        QFETCH(QString, url);
        QFETCH(QString, mentions);
        const WebhookTarget target({{QStringLiteral("hooks.example.com"), QStringLiteral("*.corp.example"),
                                     QStringLiteral("localhost"), QStringLiteral("169.254.169.254")},
                                    false,
                                    false});
        const auto r = target.checkUrl(url);
        if (mentions.isEmpty()) {
            QVERIFY2(bool(r), qPrintable(r.error().message));
            return;
        }
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(mentions), qPrintable(r.error().message));
    }

    void noAllowListRefusesEverything()
    {
        const auto r = WebhookTarget({}).checkUrl(QStringLiteral("https://hooks.example.com/x"));
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QLatin1String("--webhook-allowed-hosts")), qPrintable(r.error().message));
    }
};

QTEST_GUILESS_MAIN(TestWebhookTarget)
#include "tst_webhooktarget.moc"
