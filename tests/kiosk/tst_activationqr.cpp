// SPDX-License-Identifier: Apache-2.0
// ActivationQr::parse: what the kiosk makes of the QR code on an activation
// card (docs/activation-cards.md), and the sentence it shows when the code
// is not a card for this device.
#include "activationqr.h"

#include <QTest>

using Provisio::Kiosk::ActivationQr;
using namespace Qt::Literals::StringLiterals;

class TestActivationQr : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("deviceSerial");
        QTest::addColumn<QString>("serial");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("error"); // a part of the message; empty: accepted

        const QString code = QStringLiteral("98ES67WCEWATZJSGG");
        const QString url = QStringLiteral("https://provisio.example:8443");
        const QString notACard = QStringLiteral("This QR code is not a Provisio activation card.");

        QTest::newRow("good, as the CRM prints it")
            << u"provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G&url=https%3A%2F%2Fprovisio.example%3A8443"_s
            << u"SN-0001"_s << u"SN-0001"_s << code << url << QString();
        QTest::newRow("percent-encoded serial")
            << u"provisio:activate?serial=LOT%207%3AA%2F12&code=98ES-67WC-EWAT-ZJSG-G&url=https%3A%2F%2Fprovisio.example%3A8443"_s
            << u"LOT 7:A/12"_s << u"LOT 7:A/12"_s << code << url << QString();
        QTest::newRow("lower-case hex escapes, code without dashes in lower case")
            << u"provisio:activate?serial=SN-0001&code=98es67wcewatzjsgg&url=https%3a%2f%2fprovisio.example%3a8443%2f"_s
            << u"SN-0001"_s << u"SN-0001"_s << code << url << QString();
        QTest::newRow("members in another order, unknown ones skipped")
            << u"PROVISIO:activate?v=2&url=https%3A%2F%2Fprovisio.example%3A8443&code=98ES-67WC-EWAT-ZJSG-G&serial=SN-0001&x"_s
            << u"SN-0001"_s << u"SN-0001"_s << code << url << QString();
        QTest::newRow("no url") << u"provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G"_s << u"SN-0001"_s
                                << u"SN-0001"_s << code << QString() << QString();
        QTest::newRow("serial case and blanks do not matter")
            << u"provisio:activate?serial=10000000ABCDEF12&code=98ES-67WC-EWAT-ZJSG-G"_s << u" 10000000abcdef12 "_s
            << u"10000000ABCDEF12"_s << code << QString() << QString();
        QTest::newRow("no device serial to check against")
            << u"provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G"_s << QString() << u"SN-0001"_s << code
            << QString() << QString();

        QTest::newRow("missing code") << u"provisio:activate?serial=SN-0001&url=https%3A%2F%2Fprovisio.example%3A8443"_s
                                      << u"SN-0001"_s << QString() << QString() << QString()
                                      << u"holds no activation code"_s;
        QTest::newRow("empty code")
            << u"provisio:activate?serial=SN-0001&code=&url=https%3A%2F%2Fprovisio.example%3A8443"_s << u"SN-0001"_s
            << QString() << QString() << QString() << u"holds no activation code"_s;
        QTest::newRow("missing serial") << u"provisio:activate?code=98ES-67WC-EWAT-ZJSG-G"_s << u"SN-0001"_s
                                        << QString() << QString() << QString() << u"does not say which device"_s;
        QTest::newRow("mistyped code") << u"provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-H"_s
                                       << u"SN-0001"_s << QString() << QString() << QString()
                                       << u"does not check out"_s;
        QTest::newRow("wrong scheme")
            << u"https://provisio.example:8443/activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G"_s << u"SN-0001"_s
            << QString() << QString() << QString() << notACard;
        QTest::newRow("other provisio link") << u"provisio:enroll?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G"_s
                                             << u"SN-0001"_s << QString() << QString() << QString() << notACard;
        QTest::newRow("plain text") << u"Hello, world"_s << u"SN-0001"_s << QString() << QString() << QString()
                                    << notACard;
        QTest::newRow("empty") << QString() << u"SN-0001"_s << QString() << QString() << QString() << notACard;
        QTest::newRow("member given twice")
            << u"provisio:activate?serial=SN-0001&serial=SN-0002&code=98ES-67WC-EWAT-ZJSG-G"_s << u"SN-0001"_s
            << QString() << QString() << QString() << notACard;
        QTest::newRow("wrong serial") << u"provisio:activate?serial=SN-0002&code=98ES-67WC-EWAT-ZJSG-G"_s
                                      << u"SN-0001"_s << QString() << QString() << QString()
                                      << u"This card is for device SN-0002; this device is SN-0001."_s;
        QTest::newRow("plain http url")
            << u"provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G&url=http%3A%2F%2Fprovisio.example"_s
            << u"SN-0001"_s << QString() << QString() << QString() << u"service address"_s;
        QTest::newRow("url with a path")
            << u"provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G&url=https%3A%2F%2Fprovisio.example%2Fapi"_s
            << u"SN-0001"_s << QString() << QString() << QString() << u"service address"_s;
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(QString, deviceSerial);
        QFETCH(QString, serial);
        QFETCH(QString, code);
        QFETCH(QString, url);
        QFETCH(QString, error);

        const auto card = ActivationQr::parse(text, deviceSerial);
        if (!error.isEmpty()) {
            QVERIFY2(!card, qPrintable(card ? card->code : QString()));
            QVERIFY2(card.error().message.contains(error), qPrintable(card.error().message));
            return;
        }
        QVERIFY2(card, qPrintable(card.error().message));
        QCOMPARE(card->serial, serial);
        QCOMPARE(card->code, code);
        QCOMPARE(card->url, url);
    }

    // A mistyped code must not leak into the message: the message is shown
    // on screen and logged.
    void errorsNeverHoldTheCode()
    {
        const auto card =
            ActivationQr::parse(u"provisio:activate?serial=SN-0002&code=98ES-67WC-EWAT-ZJSG-G"_s, u"SN-0001"_s);
        QVERIFY(!card);
        QVERIFY(!card.error().message.contains(u"98ES"_s));
    }
};

QTEST_GUILESS_MAIN(TestActivationQr)
#include "tst_activationqr.moc"
