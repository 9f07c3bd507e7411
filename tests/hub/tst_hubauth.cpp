// SPDX-License-Identifier: Apache-2.0
//
// The hub plugin's logic without a broker: option parsing, credential
// checks, topic rules, the client table with its expiry heap, the
// revocation list and the control commands.

#include "clientregistry.h"
#include "controlcommand.h"
#include "credentials.h"
#include "hubauthconfig.h"
#include "ingresscredit.h"
#include "protocol/deliveryidentity.h"
#include "revocationlist.h"
#include "signingkeys.h"
#include "topicrules.h"
#include "writelimiter.h"

#include "crypto/keyfingerprint.h"
#include "crypto/keys.h"
#include "crypto/sastoken.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <sys/stat.h>

using namespace Provisio;
using namespace Provisio::HubAuth;

namespace {

const QString kHost = QStringLiteral("hub1.provisio.test");
constexpr qint64 kNow = 1700000000;

QList<QPair<QString, QString>> goodOptions(const QString &revocationFile)
{
    return {
        {QStringLiteral("hub_host"), kHost},
        {QStringLiteral("signing_key"), QStringLiteral("c2lnbmluZy1rZXktZm9yLXRoZS1mdXp6LXRhcmdldCE=")},
        {QStringLiteral("service_policy"), QStringLiteral("provisio-service")},
        {QStringLiteral("service_key"), QStringLiteral("c2VydmljZS1rZXktZm9yLXRoZS1mdXp6LXRhcmdldCE=")},
        {QStringLiteral("revocation_file"), revocationFile},
        {QStringLiteral("max_token_lifetime"), QStringLiteral("3600")},
        {QStringLiteral("clock_skew"), QStringLiteral("60")},
    };
}

} // namespace

class tst_HubAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void config_data();
    void config();
    void deviceCredentials_data();
    void deviceCredentials();
    void serviceCredentials_data();
    void serviceCredentials();
    void nullAndOversizeInputAreRefused();
    void revokedDeviceIsRefusedBeforeCrypto();
    void usernameParsing_data();
    void usernameParsing();
    void topicRules_data();
    void topicRules();
    void registryFindsByIdAndConnection();
    void registryExpiresInOrder();
    void registryKeepsEntryUntilAfterDisconnect();
    void registryCompactsStaleExpiries();
    void revocationListPersistsAtomically();
    void revocationListRefusesCorruptFile();
    void controlCommands();
    void creditCommands_data();
    void creditCommands();
    void creditWindowAdmitsUntilFull_data();
    void creditWindowAdmitsUntilFull();
    void creditGrantsPayOtherSessions();
    void creditDoesNotLeak();
    void creditResumedQueueIsChargedOnce();
    void creditWaitsForSharedSubscriptions();
    void creditGrantTotalsPayOnce();
    void creditForgottenSessionKeepsItsTotals();
    void creditRestoredSessionIsNotForgottenAtOnce();
    void creditUnroutedAdmissionHoldsDevicesBack();
    void filterMatching_data();
    void filterMatching();
    void creditGrantTotalsFollowTheProcess();
    void creditDeliveriesCommand_data();
    void creditDeliveriesCommand();
    void creditConfirmationsPayOncePerDelivery();
    void creditResumeChargesWhatIsNoLongerHeld();
    void creditRestartedHubChargesTheRestoredQueue();
    void writeLimiterPerDeviceAndKind();
    void generationDecidesWhichKeyIsAccepted_data();
    void generationDecidesWhichKeyIsAccepted();
    void generationCommandsOnlyRaise_data();
    void generationCommandsOnlyRaise();
    void generationsPersist();
    void previousKeyDuringOverlap_data();
    void previousKeyDuringOverlap();
    void rotateKeysCommand_data();
    void rotateKeysCommand();
    void keyFileDecidesOnlyWhenItDescendsFromTheConfig();
    void registryCapsExpiriesAtRotation();
    // Costs per CONNECT and per ACL check (-tickcounter / -iterations for figures).
    void benchmarkDeviceConnectCheck();
    void benchmarkReadCheck();

private:
    QTemporaryDir m_dir;
    HubAuthConfig m_config;
    QString deviceKey(const QString &id) const { return *Crypto::deriveKey(m_config.signingKey, id); }
    QByteArray deviceToken(const QString &id, qint64 expiry = kNow + 600) const
    {
        return SasToken::create(kHost + QStringLiteral("/devices/") + id, deviceKey(id), expiry).toUtf8();
    }
};

void tst_HubAuth::initTestCase()
{
    auto config = HubAuthConfig::fromOptions(goodOptions(m_dir.filePath(QStringLiteral("revoked.json"))));
    QVERIFY2(config, qPrintable(config ? QString() : config.error().message));
    m_config = *config;
    QCOMPARE(m_config.maxTokenLifetime, 3600);
    QCOMPARE(m_config.clockSkew, 60);
}

void tst_HubAuth::config_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value"); // "<drop>" removes the option
    QTest::addColumn<QString>("error"); // empty: accepted

    QTest::newRow("all good") << "clock_skew"
                              << "0"
                              << "";
    QTest::newRow("hub_host missing") << "hub_host"
                                      << "<drop>"
                                      << "plugin_opt_hub_host is missing";
    QTest::newRow("hub_host empty") << "hub_host"
                                    << ""
                                    << "plugin_opt_hub_host is missing";
    QTest::newRow("hub_host invalid") << "hub_host"
                                      << "hub_1.example"
                                      << "not a valid host name";
    QTest::newRow("signing_key missing") << "signing_key"
                                         << "<drop>"
                                         << "plugin_opt_signing_key is missing";
    QTest::newRow("signing_key not base64") << "signing_key"
                                            << "abc$"
                                            << "plugin_opt_signing_key: key is not valid base64";
    QTest::newRow("signing_key too short") << "signing_key"
                                           << "c2hvcnQ="
                                           << "too short";
    QTest::newRow("service_policy odd") << "service_policy"
                                        << "a b"
                                        << "plugin_opt_service_policy must be";
    QTest::newRow("service_key = signing_key") << "service_key"
                                               << "c2lnbmluZy1rZXktZm9yLXRoZS1mdXp6LXRhcmdldCE="
                                               << "must differ";
    QTest::newRow("revocation_file relative") << "revocation_file"
                                              << "revoked.json"
                                              << "absolute path";
    QTest::newRow("revocation_file dir missing") << "revocation_file"
                                                 << "/nonexistent-dir/r.json"
                                                 << "does not exist";
    QTest::newRow("lifetime not a number") << "max_token_lifetime"
                                           << "1h"
                                           << "whole number";
    QTest::newRow("device gate given") << "device_gate_seconds"
                                       << "30"
                                       << "";
    QTest::newRow("device gate not a number") << "device_gate_seconds"
                                              << "soon"
                                              << "whole number";
    QTest::newRow("device gate too long") << "device_gate_seconds"
                                          << "3601"
                                          << "between 0 and 3600";
    QTest::newRow("lifetime zero") << "max_token_lifetime"
                                   << "0"
                                   << "between 1 and";
    QTest::newRow("skew negative") << "clock_skew"
                                   << "-1"
                                   << "whole number";
    QTest::newRow("skew too large") << "clock_skew"
                                    << "7200"
                                    << "between 0 and 3600";
    QTest::newRow("unknown option") << "allow_everyone"
                                    << "true"
                                    << "unknown option plugin_opt_allow_everyone";
    QTest::newRow("duplicate option") << "hub_host"
                                      << "<dup>"
                                      << "given twice";
    QTest::newRow("credit window") << "credit_window_messages"
                                   << "2000"
                                   << "";
    QTest::newRow("credit window too small") << "credit_window_messages"
                                             << "99"
                                             << "plugin_opt_credit_window_messages must be a whole number from 100";
    QTest::newRow("credit bytes not a number") << "credit_window_bytes"
                                               << "32M"
                                               << "plugin_opt_credit_window_bytes must be a whole number";
    QTest::newRow("credit bytes too large") << "credit_window_bytes"
                                            << "9999999999"
                                            << "plugin_opt_credit_window_bytes must be";
    QTest::newRow("abandoned too short") << "credit_abandoned_seconds"
                                         << "1"
                                         << "plugin_opt_credit_abandoned_seconds must be";
    QTest::newRow("reported burst") << "reported_burst"
                                    << "3"
                                    << "";
    QTest::newRow("reported rate zero") << "reported_per_minute"
                                        << "0"
                                        << "plugin_opt_reported_per_minute must be";
    QTest::newRow("presence burst negative") << "presence_burst"
                                             << "-1"
                                             << "plugin_opt_presence_burst must be";
    QTest::newRow("presence rate") << "presence_per_minute"
                                   << "12"
                                   << "";
}

void tst_HubAuth::config()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, error);
    auto options = goodOptions(m_dir.filePath(QStringLiteral("revoked.json")));
    bool found = false;
    for (int i = 0; i < options.size(); ++i) {
        if (options[i].first != key)
            continue;
        found = true;
        if (value == QLatin1String("<drop>"))
            options.removeAt(i);
        else if (value == QLatin1String("<dup>"))
            options.append(options[i]);
        else
            options[i].second = value;
        break;
    }
    if (!found)
        options.append({key, value});
    const auto config = HubAuthConfig::fromOptions(options);
    if (error.isEmpty()) {
        QVERIFY2(config, qPrintable(config ? QString() : config.error().message));
        return;
    }
    QVERIFY(!config);
    QVERIFY2(config.error().message.contains(error), qPrintable(config.error().message));
    // Messages name the option, never the secret.
    QVERIFY(!config.error().message.contains(m_config.signingKey));
}

void tst_HubAuth::deviceCredentials_data()
{
    QTest::addColumn<QByteArray>("clientId");
    QTest::addColumn<QByteArray>("username");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QString>("error"); // empty: accepted

    const QByteArray user = (kHost + QStringLiteral("/dev1/?api-version=2021-04-12")).toUtf8();
    const QString resource = kHost + QStringLiteral("/devices/dev1");
    QTest::newRow("good") << QByteArray("dev1") << user << deviceToken(QStringLiteral("dev1")) << "";
    QTest::newRow("extra query parameters")
        << QByteArray("dev1") << user + "&DeviceClientType=azure-iot-device%2F1.0&model-id=dtmi:x;1"
        << deviceToken(QStringLiteral("dev1")) << "";
    QTest::newRow("old username without '?'")
        << QByteArray("dev1") << (kHost + QStringLiteral("/dev1/api-version=2016-11-14")).toUtf8()
        << deviceToken(QStringLiteral("dev1")) << "";
    QTest::newRow("host in other case") << QByteArray("dev1")
                                        << QByteArray("HUB1.Provisio.Test/dev1/?api-version=2021-04-12")
                                        << deviceToken(QStringLiteral("dev1")) << "";
    QTest::newRow("raw slashes in sr") << QByteArray("dev1") << user
                                       << deviceToken(QStringLiteral("dev1")).replace("%2F", "/") << "";
    QTest::newRow("within skew") << QByteArray("dev1") << user << deviceToken(QStringLiteral("dev1"), kNow - 30) << "";
    QTest::newRow("expired beyond skew") << QByteArray("dev1") << user << deviceToken(QStringLiteral("dev1"), kNow - 61)
                                         << "expired";
    QTest::newRow("lifetime at maximum + skew")
        << QByteArray("dev1") << user << deviceToken(QStringLiteral("dev1"), kNow + 3660) << "";
    QTest::newRow("lifetime over maximum")
        << QByteArray("dev1") << user << deviceToken(QStringLiteral("dev1"), kNow + 3661) << "lifetime";
    QTest::newRow("wrong key") << QByteArray("dev1") << user
                               << SasToken::create(resource, m_config.signingKey, kNow + 600).toUtf8()
                               << "signature does not match";
    QTest::newRow("client id differs") << QByteArray("dev2") << user << deviceToken(QStringLiteral("dev1"))
                                       << "different device";
    // A valid device token for a device named like the middleware's
    // sessions: refused, so such a session can only be the service's.
    QTest::newRow("reserved middleware session id")
        << QByteArray("provisio-mw-0a1b2c")
        << (kHost + QStringLiteral("/provisio-mw-0a1b2c/?api-version=2021-04-12")).toUtf8()
        << deviceToken(QStringLiteral("provisio-mw-0a1b2c")) << "reserved for the middleware";
    QTest::newRow("client id differs in case") << QByteArray("DEV1") << (kHost + QStringLiteral("/DEV1/")).toUtf8()
                                               << deviceToken(QStringLiteral("dev1")) << "different device";
    QTest::newRow("username without trailing slash") << QByteArray("dev1") << (kHost + QStringLiteral("/dev1")).toUtf8()
                                                     << deviceToken(QStringLiteral("dev1")) << "username";
    QTest::newRow("username with junk tail") << QByteArray("dev1") << (kHost + QStringLiteral("/dev1/x")).toUtf8()
                                             << deviceToken(QStringLiteral("dev1")) << "username";
    QTest::newRow("other hub in username") << QByteArray("dev1") << QByteArray("hub2.provisio.test/dev1/")
                                           << deviceToken(QStringLiteral("dev1")) << "username";
    QTest::newRow("other hub in token") << QByteArray("dev1") << user
                                        << SasToken::create(QStringLiteral("hub2.provisio.test/devices/dev1"),
                                                            deviceKey(QStringLiteral("dev1")), kNow + 600)
                                               .toUtf8()
                                        << "different resource";
    QTest::newRow("'+' in id") << QByteArray("dev+1") << (kHost + QStringLiteral("/dev+1/")).toUtf8()
                               << deviceToken(QStringLiteral("dev+1")) << "not a valid device id";
    QTest::newRow("'#' in id") << QByteArray("dev#1") << (kHost + QStringLiteral("/dev#1/")).toUtf8()
                               << deviceToken(QStringLiteral("dev#1")) << "not a valid device id";
    QTest::newRow("'/' in id") << QByteArray("dev/1") << (kHost + QStringLiteral("/dev/1/")).toUtf8()
                               << deviceToken(QStringLiteral("dev/1")) << "not a valid device id";
    QTest::newRow("malformed token") << QByteArray("dev1") << user << QByteArray("SharedAccessSignature sig=x")
                                     << "malformed token";
    QTest::newRow("duplicate field") << QByteArray("dev1") << user << deviceToken(QStringLiteral("dev1")) + "&se=1"
                                     << "malformed token";
    QTest::newRow("device token with skn")
        << QByteArray("dev1") << user
        << SasToken::create(resource, deviceKey(QStringLiteral("dev1")), kNow + 600, QStringLiteral("registration"))
               .toUtf8()
        << "unknown policy";
}

void tst_HubAuth::deviceCredentials()
{
    QFETCH(QByteArray, clientId);
    QFETCH(QByteArray, username);
    QFETCH(QByteArray, password);
    QFETCH(QString, error);
    const CredentialChecker checker(m_config);
    const auto identity = checker.check(clientId.constData(), username.constData(), password.constData(), kNow);
    if (error.isEmpty()) {
        QVERIFY2(identity, qPrintable(identity ? QString() : identity.error().message));
        QCOMPARE(identity->role, Role::Device);
        QCOMPARE(identity->clientId, QString::fromUtf8(clientId));
        QVERIFY(identity->expiry > 0);
        return;
    }
    QVERIFY(!identity);
    QCOMPARE(identity.error().code, ErrorCode::Unauthorized);
    QVERIFY2(identity.error().message.contains(error), qPrintable(identity.error().message));
    const auto token = SasToken::parse(QString::fromUtf8(password));
    if (token)
        QVERIFY(!identity.error().message.contains(token->signature()));
}

void tst_HubAuth::serviceCredentials_data()
{
    QTest::addColumn<QByteArray>("username");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("key"); // "service" or "signing"
    QTest::addColumn<QByteArray>("clientId");
    QTest::addColumn<QString>("error");

    const QByteArray azure = "provisio-service@sas.root.hub1.provisio.test";
    QTest::newRow("azure username, host resource") << azure << kHost << "provisio-service"
                                                   << "service" << QByteArray("mw-1") << "";
    QTest::newRow("host/policy username, devices resource")
        << QByteArray("hub1.provisio.test/provisio-service") << kHost + QStringLiteral("/devices") << "provisio-service"
        << "service" << QByteArray("mw-2") << "";
    QTest::newRow("host/policy/?query username")
        << QByteArray("hub1.provisio.test/provisio-service/?api-version=2021-04-12") << kHost << "provisio-service"
        << "service" << QByteArray("mw-3") << "";
    QTest::newRow("signed with the signing key") << azure << kHost << "provisio-service"
                                                 << "signing" << QByteArray("mw-1") << "signature does not match";
    QTest::newRow("other policy") << azure << kHost << "iothubowner"
                                  << "service" << QByteArray("mw-1") << "unknown policy";
    QTest::newRow("device resource") << azure << kHost + QStringLiteral("/devices/dev1") << "provisio-service"
                                     << "service" << QByteArray("mw-1") << "different resource";
    QTest::newRow("device username") << QByteArray("hub1.provisio.test/mw-1/") << kHost << "provisio-service"
                                     << "service" << QByteArray("mw-1") << "username";
    QTest::newRow("wildcard client id") << azure << kHost << "provisio-service"
                                        << "service" << QByteArray("mw/#") << "client id";
}

void tst_HubAuth::serviceCredentials()
{
    QFETCH(QByteArray, username);
    QFETCH(QString, resource);
    QFETCH(QString, policy);
    QFETCH(QString, key);
    QFETCH(QByteArray, clientId);
    QFETCH(QString, error);
    const QString signingKey = key == QLatin1String("service") ? m_config.serviceKey : m_config.signingKey;
    const QByteArray token = SasToken::create(resource, signingKey, kNow + 600, policy).toUtf8();
    const auto identity =
        CredentialChecker(m_config).check(clientId.constData(), username.constData(), token.constData(), kNow);
    if (error.isEmpty()) {
        QVERIFY2(identity, qPrintable(identity ? QString() : identity.error().message));
        QCOMPARE(identity->role, Role::Service);
        return;
    }
    QVERIFY(!identity);
    QVERIFY2(identity.error().message.contains(error), qPrintable(identity.error().message));
}

void tst_HubAuth::nullAndOversizeInputAreRefused()
{
    const CredentialChecker checker(m_config);
    const QByteArray user = (kHost + QStringLiteral("/dev1/")).toUtf8();
    const QByteArray token = deviceToken(QStringLiteral("dev1"));
    QVERIFY(!checker.check(nullptr, user.constData(), token.constData(), kNow));
    QVERIFY(!checker.check("dev1", nullptr, token.constData(), kNow));
    QVERIFY(!checker.check("dev1", user.constData(), nullptr, kNow));
    QVERIFY(!checker.check("", user.constData(), token.constData(), kNow));
    QVERIFY(!checker.check("dev1", "", token.constData(), kNow));
    QVERIFY(!checker.check("dev1", user.constData(), "", kNow));
    QVERIFY(!checker.check(nullptr, nullptr, nullptr, kNow));
    const QByteArray huge(1 << 20, 'a');
    QVERIFY(!checker.check(huge.constData(), user.constData(), token.constData(), kNow));
    QVERIFY(!checker.check("dev1", huge.constData(), token.constData(), kNow));
    QVERIFY(!checker.check("dev1", user.constData(), huge.constData(), kNow));
    QVERIFY(checker.check("dev1", user.constData(), token.constData(), kNow));
}

void tst_HubAuth::revokedDeviceIsRefusedBeforeCrypto()
{
    const CredentialChecker checker(m_config);
    const QByteArray user = (kHost + QStringLiteral("/dev1/")).toUtf8();
    const QByteArray token = deviceToken(QStringLiteral("dev1"));
    const auto revoked = checker.check("dev1", user.constData(), token.constData(), kNow,
                                       [](const QString &id) { return DeviceStanding{id == QLatin1String("dev1")}; });
    QVERIFY(!revoked);
    QVERIFY(revoked.error().message.contains(QLatin1String("revoked")));
    QVERIFY(checker.check("dev1", user.constData(), token.constData(), kNow,
                          [](const QString &id) { return DeviceStanding{id == QLatin1String("dev2")}; }));
}

void tst_HubAuth::usernameParsing_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("deviceId"); // empty: rejected
    QTest::newRow("azure") << "hub1.provisio.test/dev1/?api-version=2021-04-12"
                           << "dev1";
    QTest::newRow("no query") << "hub1.provisio.test/dev1/"
                              << "dev1";
    QTest::newRow("empty id") << "hub1.provisio.test//?api-version=1"
                              << "";
    QTest::newRow("host only") << "hub1.provisio.test/"
                               << "";
    QTest::newRow("host prefix of longer host") << "hub1.provisio.test.evil/dev1/"
                                                << "";
    QTest::newRow("nested path") << "hub1.provisio.test/dev1/x/?a=b"
                                 << "";
    QTest::newRow("empty") << ""
                           << "";
}

void tst_HubAuth::usernameParsing()
{
    QFETCH(QString, username);
    QFETCH(QString, deviceId);
    const auto id = CredentialChecker::deviceIdFromUsername(username, kHost);
    if (deviceId.isEmpty())
        QVERIFY(!id);
    else
        QCOMPARE(id.value_or(QStringView()).toString(), deviceId);
}

void tst_HubAuth::topicRules_data()
{
    QTest::addColumn<bool>("service");
    QTest::addColumn<int>("access");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("allowed");

    const int R = int(Access::Read), W = int(Access::Write), S = int(Access::Subscribe), U = int(Access::Unsubscribe);
    const auto dev = [](const char *name, int access, const char *topic, bool allowed) {
        QTest::newRow(name) << false << access << QString::fromUtf8(topic) << allowed;
    };
    const auto svc = [](const char *name, int access, const char *topic, bool allowed) {
        QTest::newRow(name) << true << access << QString::fromUtf8(topic) << allowed;
    };
    // Device "dev1": publishing.
    dev("pub telemetry", W, "devices/dev1/messages/events/", true);
    dev("pub telemetry bag", W, "devices/dev1/messages/events/a=1&b=2", true);
    dev("pub telemetry no slash", W, "devices/dev1/messages/events", true);
    dev("pub reported", W, "devices/dev1/twin/reported", true);
    dev("pub method response", W, "devices/dev1/methods/res/200/abc", true);
    dev("pub status", W, "devices/dev1/status", true);
    dev("pub method response bad status", W, "devices/dev1/methods/res/2x0/abc", false);
    dev("pub method response no rid", W, "devices/dev1/methods/res/200/", false);
    dev("pub method response deep rid", W, "devices/dev1/methods/res/200/a/b", false);
    dev("pub method response long status", W, "devices/dev1/methods/res/12345678901/a", false);
    dev("pub desired", W, "devices/dev1/twin/desired", false);
    dev("pub stored confirmation", W, "devices/dev1/messages/stored", false);
    dev("pub method request", W, "devices/dev1/methods/reboot/1", false);
    dev("pub reported suffix", W, "devices/dev1/twin/reportedx", false);
    dev("pub status suffix", W, "devices/dev1/status/x", false);
    dev("pub other device", W, "devices/dev2/messages/events/", false);
    dev("pub id prefix", W, "devices/dev10/messages/events/", false);
    dev("pub control", W, "$CONTROL/provisio-hub/v1", false);
    dev("pub sys", W, "$SYS/x", false);
    dev("pub root", W, "devices/dev1", false);
    // Device: reading (delivery).
    dev("read desired", R, "devices/dev1/twin/desired", true);
    dev("read stored confirmation", R, "devices/dev1/messages/stored", true);
    dev("read other's stored confirmation", R, "devices/dev2/messages/stored", false);
    dev("read method request", R, "devices/dev1/methods/reboot/42", true);
    dev("read method response", R, "devices/dev1/methods/res/200", false);
    dev("read own method response", R, "devices/dev1/methods/res/200/42", false);
    dev("read reported", R, "devices/dev1/twin/reported", false);
    dev("read telemetry", R, "devices/dev1/messages/events/", false);
    dev("read other desired", R, "devices/dev2/twin/desired", false);
    dev("read control response", R, "$CONTROL/provisio-hub/v1/response", false);
    // Device: subscribing.
    dev("sub desired", S, "devices/dev1/twin/desired", true);
    dev("sub methods #", S, "devices/dev1/methods/#", true);
    dev("sub stored confirmation", S, "devices/dev1/messages/stored", true);
    dev("sub other's stored confirmation", S, "devices/dev2/messages/stored", false);
    dev("sub stored wildcard", S, "devices/dev1/messages/#", false);
    dev("sub methods +/+", S, "devices/dev1/methods/+/+", true);
    dev("sub methods name/+", S, "devices/dev1/methods/reboot/+", true);
    dev("sub methods +/#", S, "devices/dev1/methods/+/#", true);
    dev("sub methods res", S, "devices/dev1/methods/res/+", false);
    dev("sub methods partial wildcard", S, "devices/dev1/methods/re+/+", false);
    dev("sub methods three levels", S, "devices/dev1/methods/+/+/+", false);
    dev("sub own #", S, "devices/dev1/#", false);
    dev("sub own +", S, "devices/dev1/+", false);
    dev("sub all devices", S, "devices/+/twin/desired", false);
    dev("sub devices #", S, "devices/#", false);
    dev("sub #", S, "#", false);
    dev("sub +/+/twin/desired", S, "+/dev1/twin/desired", false);
    dev("sub other", S, "devices/dev2/twin/desired", false);
    dev("sub share", S, "$share/g/devices/dev1/twin/desired", false);
    dev("sub sys", S, "$SYS/#", false);
    dev("sub control", S, "$CONTROL/provisio-hub/v1/response", false);
    dev("unsubscribe anything", U, "#", true);
    // Service.
    svc("svc pub desired", W, "devices/dev1/twin/desired", true);
    svc("svc pub control", W, "$CONTROL/provisio-hub/v1", true);
    svc("svc pub control response", W, "$CONTROL/provisio-hub/v1/response", false);
    svc("svc pub outside devices", W, "other/topic", false);
    svc("svc pub devices root", W, "devices/", false);
    svc("svc read telemetry", R, "devices/dev1/messages/events/", true);
    svc("svc read control response", R, "$CONTROL/provisio-hub/v1/response", true);
    svc("svc read sys", R, "$SYS/broker/uptime", false);
    svc("svc sub devices #", S, "devices/#", true);
    svc("svc sub share", S, "$share/provisio/devices/#", true);
    svc("svc sub share telemetry", S, "$share/provisio/devices/+/messages/events/#", true);
    svc("svc sub control response", S, "$CONTROL/provisio-hub/v1/response", true);
    svc("svc sub #", S, "#", false);
    svc("svc sub share #", S, "$share/provisio/#", false);
    svc("svc sub share empty group", S, "$share//devices/#", false);
    svc("svc sub share wildcard group", S, "$share/+/devices/#", false);
    svc("svc sub sys", S, "$SYS/#", false);
    svc("svc sub control #", S, "$CONTROL/#", false);
}

void tst_HubAuth::topicRules()
{
    QFETCH(bool, service);
    QFETCH(int, access);
    QFETCH(QString, topic);
    QFETCH(bool, allowed);
    const std::string prefix = devicePrefix("dev1");
    const std::string t = topic.toStdString();
    QCOMPARE(isAllowed(service ? Role::Service : Role::Device, prefix, Access(access), t), allowed);
}

void tst_HubAuth::registryFindsByIdAndConnection()
{
    ClientRegistry registry;
    int first = 0, second = 0;
    registry.add("dev1", &first, Role::Device, kNow + 100);
    QVERIFY(registry.find("dev1", &first));
    QCOMPARE(registry.find("dev1", &first)->prefix, std::string("devices/dev1/"));
    QVERIFY(!registry.find("dev1", &second));
    QVERIFY(!registry.find("dev2", &first));

    // A takeover by a second connection with the same id: the old one's
    // disconnect must leave the new entry alone.
    registry.add("dev1", &second, Role::Device, kNow + 200);
    QVERIFY(!registry.find("dev1", &first));
    registry.removeConnection("dev1", &first);
    QVERIFY(registry.find("dev1", &second));
    registry.removeConnection("dev1", &second);
    QVERIFY(!registry.find("dev1"));
    QCOMPARE(registry.size(), size_t(0));
}

void tst_HubAuth::registryExpiresInOrder()
{
    ClientRegistry registry;
    int c1 = 0, c2 = 0, c3 = 0;
    registry.add("late", &c1, Role::Device, kNow + 300);
    registry.add("early", &c2, Role::Device, kNow + 100);
    registry.add("svc", &c3, Role::Service, kNow + 200);
    QVERIFY(registry.takeExpired(kNow, 10).empty());
    QVERIFY(registry.takeExpired(kNow + 110, 10).empty()); // expiry + grace not yet passed
    QCOMPARE(registry.takeExpired(kNow + 111, 10), std::vector<std::string>{"early"});
    // Reported once; the entry stays until the caller removes it.
    QVERIFY(registry.takeExpired(kNow + 111, 10).empty());
    QVERIFY(registry.find("early", &c2));
    registry.remove("early");
    QCOMPARE(registry.takeExpired(kNow + 1000, 10), (std::vector<std::string>{"svc", "late"}));

    // A reconnect with a fresh token replaces the old expiry.
    ClientRegistry r2;
    r2.add("dev", &c1, Role::Device, kNow + 100);
    r2.add("dev", &c2, Role::Device, kNow + 500);
    QVERIFY(r2.takeExpired(kNow + 200, 0).empty());
    QVERIFY(r2.find("dev", &c2));
    // A client that left is not reported later.
    r2.markDisconnected("dev", &c2);
    r2.purgeDisconnected();
    QVERIFY(r2.takeExpired(kNow + 1000, 0).empty());
}

void tst_HubAuth::registryKeepsEntryUntilAfterDisconnect()
{
    ClientRegistry registry;
    int first = 0, second = 0;
    registry.add("dev1", &first, Role::Device, kNow + 100);
    registry.markDisconnected("dev1", &first);
    // Still there for the Will's write check...
    QVERIFY(registry.find("dev1", &first));
    registry.purgeDisconnected();
    // ...gone at the next tick.
    QVERIFY(!registry.find("dev1"));

    // A reconnect between the disconnect and the tick survives the purge.
    registry.add("dev1", &first, Role::Device, kNow + 100);
    registry.markDisconnected("dev1", &first);
    registry.add("dev1", &second, Role::Device, kNow + 100);
    registry.purgeDisconnected();
    QVERIFY(registry.find("dev1", &second));
    // A disconnect of a connection that is no longer current changes nothing.
    registry.markDisconnected("dev1", &first);
    registry.purgeDisconnected();
    QVERIFY(registry.find("dev1", &second));
}

void tst_HubAuth::registryCompactsStaleExpiries()
{
    ClientRegistry registry;
    int c = 0;
    for (int i = 0; i < 20000; ++i)
        registry.add("flappy", &c, Role::Device, kNow + 1000 + i);
    QCOMPARE(registry.size(), size_t(1));
    QVERIFY2(registry.pendingExpiries() < 2000, qPrintable(QString::number(registry.pendingExpiries())));
    QCOMPARE(registry.takeExpired(kNow + 100000, 0), std::vector<std::string>{"flappy"});
    QVERIFY(registry.takeExpired(kNow + 100000, 0).empty());
}

void tst_HubAuth::revocationListPersistsAtomically()
{
    const QString path = m_dir.filePath(QStringLiteral("list.json"));
    auto list = RevocationList::load(path);
    QVERIFY(list);
    QCOMPARE(list->size(), 0);
    QVERIFY(list->insert(QStringLiteral("b")));
    QVERIFY(list->insert(QStringLiteral("a")));
    QVERIFY(!list->insert(QStringLiteral("a")));
    QVERIFY(list->save());
    struct stat st
    { };
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0600);
    auto again = RevocationList::load(path);
    QVERIFY(again);
    QCOMPARE(again->ids(), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QVERIFY(again->contains(std::string("a")));
    QVERIFY(!again->contains(std::string("c")));
    // No temporary file left behind.
    QCOMPARE(QDir(m_dir.path()).entryList({QStringLiteral("list.json*")}, QDir::Files).size(), 1);
}

void tst_HubAuth::revocationListRefusesCorruptFile()
{
    const QString path = m_dir.filePath(QStringLiteral("corrupt.json"));
    for (const QByteArray &content : {QByteArray("{\"revoked\": [\"a\""), QByteArray("[]"),
                                      QByteArray("{\"revoked\": [\"a/b\"]}"), QByteArray("{\"revoked\": [1]}")}) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
        f.close();
        QVERIFY2(!RevocationList::load(path), content.constData());
    }
}

void tst_HubAuth::controlCommands()
{
    auto list = RevocationList::load(m_dir.filePath(QStringLiteral("control.json")));
    QVERIFY(list);
    const auto run = [&](const QByteArray &payload, QString *disconnect = nullptr) {
        const ControlOutcome outcome = applyControlCommand(payload, *list);
        if (disconnect)
            *disconnect = outcome.disconnect;
        return QJsonDocument::fromJson(outcome.response).object();
    };
    QString kick;
    QJsonObject r = run(R"({"op":"revoke","deviceId":"dev1","requestId":"1"})", &kick);
    QCOMPARE(r.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(r.value(QStringLiteral("requestId")).toString(), QStringLiteral("1"));
    QCOMPARE(r.value(QStringLiteral("changed")).toBool(), true);
    QCOMPARE(kick, QStringLiteral("dev1"));
    QVERIFY(list->contains(QStringLiteral("dev1")));
    r = run(R"({"op":"revoke","deviceId":"dev1"})", &kick);
    QCOMPARE(r.value(QStringLiteral("changed")).toBool(), false);
    QCOMPARE(kick, QStringLiteral("dev1"));
    r = run(R"({"op":"list","requestId":"2"})");
    QCOMPARE(r.value(QStringLiteral("revoked")).toArray(), QJsonArray{QStringLiteral("dev1")});
    r = run(R"({"op":"restore","deviceId":"dev1"})", &kick);
    QCOMPARE(r.value(QStringLiteral("status")).toInt(), 200);
    QVERIFY(kick.isEmpty());
    QVERIFY(!list->contains(QStringLiteral("dev1")));
    QVERIFY(!RevocationList::load(list->path())->contains(QStringLiteral("dev1")));

    for (const QByteArray &bad :
         {QByteArray("not json"), QByteArray("[]"), QByteArray(R"({"op":"nuke"})"), QByteArray(R"({"op":"revoke"})"),
          QByteArray(R"({"op":"revoke","deviceId":"a+b"})"), QByteArray(R"({"op":"revoke","deviceId":7})"),
          QByteArray(R"({"op":"list","extra":1})"), QByteArray(R"({"op":"list","requestId":5})"),
          QByteArray(5000, ' ')}) {
        r = run(bad, &kick);
        QVERIFY2(r.value(QStringLiteral("status")).toInt() == 400, bad.left(40).constData());
        QVERIFY(r.contains(QStringLiteral("error")));
        QVERIFY(kick.isEmpty());
    }
    QCOMPARE(list->size(), 0);

    // 4 KiB is the limit: a valid command padded with blanks to 4,096 bytes
    // is taken, one byte more is refused unread.
    const QByteArray head = R"({"op":"revoke","deviceId":"dev-big")";
    const QByteArray atLimit = head + QByteArray(kMaxControlPayload - head.size() - 1, ' ') + '}';
    QCOMPARE(atLimit.size(), 4096);
    r = run(atLimit, &kick);
    QCOMPARE(r.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(kick, QStringLiteral("dev-big"));
    QVERIFY(list->contains(QStringLiteral("dev-big")));
    const QByteArray restore = R"({"op":"restore","deviceId":"dev-big")";
    const QByteArray overLimit = restore + QByteArray(kMaxControlPayload - restore.size(), ' ') + '}';
    QCOMPARE(overLimit.size(), 4097);
    r = run(overLimit, &kick);
    QCOMPARE(r.value(QStringLiteral("status")).toInt(), 400);
    QVERIFY2(r.value(QStringLiteral("error")).toString().contains(QLatin1String("4096")),
             qPrintable(r.value(QStringLiteral("error")).toString()));
    QVERIFY(list->contains(QStringLiteral("dev-big")));
}

void tst_HubAuth::creditCommands_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<qint64>("messages"); // -1: refused with 400
    QTest::addColumn<qint64>("bytes");
    QTest::newRow("grant") << QByteArray(R"({"op":"credit","messages":120,"bytes":4096})") << qint64(120)
                           << qint64(4096);
    QTest::newRow("zero") << QByteArray(R"({"op":"credit","messages":0,"bytes":0})") << qint64(0) << qint64(0);
    QTest::newRow("missing bytes") << QByteArray(R"({"op":"credit","messages":1})") << qint64(-1) << qint64(0);
    QTest::newRow("negative") << QByteArray(R"({"op":"credit","messages":-5,"bytes":1})") << qint64(-1) << qint64(0);
    QTest::newRow("fraction") << QByteArray(R"({"op":"credit","messages":1.5,"bytes":1})") << qint64(-1) << qint64(0);
    QTest::newRow("string") << QByteArray(R"({"op":"credit","messages":"1","bytes":1})") << qint64(-1) << qint64(0);
    QTest::newRow("huge") << QByteArray(R"({"op":"credit","messages":1e300,"bytes":1})") << qint64(-1) << qint64(0);
    QTest::newRow("unknown field") << QByteArray(R"({"op":"credit","messages":1,"bytes":1,"deviceId":"x"})")
                                   << qint64(-1) << qint64(0);
    // Running totals with an epoch may pass the per-grant bounds.
    QTest::newRow("totals") << QByteArray(R"({"op":"credit","epoch":"a1b2","messages":5000000000,"bytes":1})")
                            << qint64(5000000000) << qint64(1);
    QTest::newRow("empty epoch") << QByteArray(R"({"op":"credit","epoch":"","messages":1,"bytes":1})") << qint64(-1)
                                 << qint64(0);
    QTest::newRow("epoch not text") << QByteArray(R"({"op":"credit","epoch":7,"messages":1,"bytes":1})") << qint64(-1)
                                    << qint64(0);
    QTest::newRow("epoch control char") << QByteArray(R"({"op":"credit","epoch":"a\nb","messages":1,"bytes":1})")
                                        << qint64(-1) << qint64(0);
    QTest::newRow("epoch too long") << (QByteArray(R"({"op":"credit","epoch":")") + QByteArray(65, 'e') +
                                        QByteArray(R"(","messages":1,"bytes":1})"))
                                    << qint64(-1) << qint64(0);
    QTest::newRow("totals beyond 2^53") << QByteArray(R"({"op":"credit","epoch":"e","messages":1e17,"bytes":1})")
                                        << qint64(-1) << qint64(0);
}

void tst_HubAuth::creditCommands()
{
    QFETCH(QByteArray, payload);
    QFETCH(qint64, messages);
    QFETCH(qint64, bytes);
    auto list = RevocationList::load(m_dir.filePath(QStringLiteral("credit.json")));
    QVERIFY(list);
    const ControlOutcome outcome = applyControlCommand(payload, *list);
    QVERIFY(outcome.disconnect.isEmpty());
    QCOMPARE(list->size(), 0);
    if (messages < 0) {
        QVERIFY(!outcome.isCredit);
        const QJsonObject r = QJsonDocument::fromJson(outcome.response).object();
        QCOMPARE(r.value(QStringLiteral("status")).toInt(), 400);
        QCOMPARE(r.value(QStringLiteral("op")).toString(), QStringLiteral("credit"));
        return;
    }
    QVERIFY(outcome.isCredit);
    QVERIFY(outcome.response.isEmpty()); // grants cost no answer
    QCOMPARE(outcome.creditMessages, messages);
    QCOMPARE(outcome.creditBytes, bytes);
}

void tst_HubAuth::creditDeliveriesCommand_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("count"); // -1: refused with 400
    const quint64 ids[3] = {0x0102030405060708ull, 0xffeeddccbbaa9988ull, 7};
    const QByteArray three = encodeDeliveryIdentities(ids, 3);
    QTest::newRow("three") << (R"({"op":"credit","deliveries":")" + three + R"("})") << 3;
    std::vector<quint64> many(kMaxGrantDeliveries, 42);
    QTest::newRow("the most") << (R"({"op":"credit","deliveries":")" +
                                  encodeDeliveryIdentities(many.data(), int(many.size())) + R"("})")
                              << kMaxGrantDeliveries;
    many.push_back(43);
    QTest::newRow("too many") << (R"({"op":"credit","deliveries":")" +
                                  encodeDeliveryIdentities(many.data(), int(many.size())) + R"("})")
                              << -1;
    QTest::newRow("empty") << QByteArray(R"({"op":"credit","deliveries":""})") << -1;
    QTest::newRow("not 8 bytes each") << (R"({"op":"credit","deliveries":")" + QByteArray(12, 'A').toBase64() + R"("})")
                                      << -1;
    QTest::newRow("not base64") << QByteArray(R"({"op":"credit","deliveries":"AAAA*AAAAAA="})") << -1;
    QTest::newRow("url-safe alphabet") << (R"({"op":"credit","deliveries":")" +
                                           QByteArray(8, char(0xfb)).toBase64(QByteArray::Base64UrlEncoding) + R"("})")
                                       << -1;
    QTest::newRow("not a string") << QByteArray(R"({"op":"credit","deliveries":[1,2]})") << -1;
    QTest::newRow("with counts") << (R"({"op":"credit","messages":3,"bytes":9,"deliveries":")" + three + R"("})") << -1;
}

void tst_HubAuth::creditDeliveriesCommand()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, count);
    auto list = RevocationList::load(m_dir.filePath(QStringLiteral("credit.json")));
    QVERIFY(list);
    const ControlOutcome outcome = applyControlCommand(payload, *list);
    if (count < 0) {
        QVERIFY(!outcome.isCredit);
        QCOMPARE(QJsonDocument::fromJson(outcome.response).object().value(QStringLiteral("status")).toInt(), 400);
        return;
    }
    QVERIFY(outcome.isCredit);
    QVERIFY(outcome.response.isEmpty());
    QCOMPARE(int(outcome.creditDeliveries.size()), count);
    if (count == 3) {
        QCOMPARE(outcome.creditDeliveries[0], 0x0102030405060708ull);
        QCOMPARE(outcome.creditDeliveries[1], 0xffeeddccbbaa9988ull);
        QCOMPARE(outcome.creditDeliveries[2], quint64(7));
    }
}

// A confirmation names its delivery: sent twice (a QoS 1 resend, or a
// stored message delivered again because its PUBACK was lost), it pays once;
// one the hub never charged pays nothing; another session's charge of that
// identity is paid when the sender holds none (a survivor, a successor).
void tst_HubAuth::creditConfirmationsPayOncePerDelivery()
{
    IngressCredit credit({100, 1 << 20, 120});
    credit.sessionConnected("mw-a", false, 1000);
    credit.sessionConnected("mw-b", false, 1000);
    const uint64_t a1 = deliveryIdentity("devices/d1/messages/events/", "{\"seq\":1}");
    const uint64_t a2 = deliveryIdentity("devices/d1/messages/events/", "{\"seq\":2}");
    const uint64_t same = deliveryIdentity("devices/d1/messages/events/", "{}");
    QVERIFY(a1 != a2);
    QCOMPARE(a1, deliveryIdentity("devices/d1/messages/events/", "{\"seq\":1}"));
    // The NUL between topic and payload keeps (topic, payload) pairs apart.
    QVERIFY(deliveryIdentity("a/b", "c") != deliveryIdentity("a/bc", ""));
    credit.charge("mw-a", a1, 9);
    credit.charge("mw-a", a2, 9);
    credit.charge("mw-a", same, 2);
    credit.charge("mw-a", same, 2); // the same bytes twice: counted, not told apart
    credit.charge("mw-b", a1, 9);   // the same message in another session's share
    QCOMPARE(credit.outstandingMessages(), 5);
    QCOMPARE(credit.outstandingBytes(), 31);

    credit.confirm("mw-a", a1);
    credit.confirm("mw-a", a1); // again: pays mw-b's copy (mw-a holds none any more)
    credit.confirm("mw-a", a1); // and a third time: nothing is held under it
    QCOMPARE(credit.outstandingMessages(), 3);
    QCOMPARE(credit.outstandingMessages("mw-b"), 0);
    credit.confirm("mw-a", deliveryIdentity("devices/d1/twin/reported", "{}")); // never charged
    QCOMPARE(credit.outstandingMessages(), 3);
    credit.confirm("mw-a", same);
    credit.confirm("mw-a", same);
    credit.confirm("mw-a", same);
    QCOMPARE(credit.outstandingMessages(), 1);
    QCOMPARE(credit.outstandingBytes(), 9);
    credit.confirm("mw-b", a2); // the sender holds none: the other session's is paid
    QCOMPARE(credit.outstandingMessages(), 0);
    QCOMPARE(credit.outstandingBytes(), 0);
}

// The middleware stored a delivery and confirmed it, and the connection
// dropped before its PUBACK: the broker sends it again after the reconnect
// (a read check of the resumed queue) and the middleware confirms it again.
// The resume charges it anew, because it is no longer held, and the second
// confirmation pays that charge: the window stays exact.
void tst_HubAuth::creditResumeChargesWhatIsNoLongerHeld()
{
    IngressCredit credit({100, 1 << 20, 120});
    int oldConnection = 0;
    int newConnection = 0;
    credit.sessionConnected("mw-a", false, 1000);
    std::vector<uint64_t> ids;
    for (int i = 0; i < 10; ++i) {
        ids.push_back(deliveryIdentity("devices/d/messages/events/", QByteArray::number(i).toStdString()));
        credit.chargeDelivery("mw-a", &oldConnection, ids.back(), 1);
    }
    for (int i = 0; i < 4; ++i)
        credit.confirm("mw-a", ids[size_t(i)]); // stored and confirmed, PUBACK lost
    QCOMPARE(credit.outstandingMessages(), 6);
    credit.sessionDisconnected("mw-a", 1001);
    credit.sessionConnected("mw-a", false, 1002);
    credit.beginResume("mw-a", &newConnection);
    credit.clientDisconnected("mw-a");
    for (const uint64_t id : ids)
        credit.chargeDelivery("mw-a", &newConnection, id, 1); // the whole queue again
    QCOMPARE(credit.outstandingMessages(), 10);               // what the broker holds
    credit.endResume();
    for (const uint64_t id : ids)
        credit.confirm("mw-a", id); // found stored, confirmed (again)
    QCOMPARE(credit.outstandingMessages(), 0);
    credit.confirm("mw-a", ids[0]); // the first grant resent late
    QCOMPARE(credit.outstandingMessages(), 0);
    // Nothing paid in advance either: new charges count in full.
    credit.charge("mw-a", ids[0], 1);
    QCOMPARE(credit.outstandingMessages(), 1);
}

// A broker restarted from its saved state: the plugin starts empty while the
// broker restored the middleware session's queue. Its read checks at the
// session's first CONNECT charge it (nothing of it is held), and whatever
// the middleware confirms from before the restart that the new hub never
// charged pays nothing: no counts survive the restart to be reconciled.
void tst_HubAuth::creditRestartedHubChargesTheRestoredQueue()
{
    IngressCredit credit({100, 1 << 20, 120});
    int connection = 0;
    // A message queued for the absent session after the restart, before it
    // came back.
    const uint64_t queued = deliveryIdentity("devices/d/messages/events/", "new");
    credit.charge("mw-a", queued, 3);
    credit.sessionConnected("mw-a", false, 1000);
    credit.beginResume("mw-a", &connection);
    for (int i = 0; i < 5; ++i)
        credit.chargeDelivery("mw-a", &connection, deliveryIdentity("devices/d/messages/events/", std::to_string(i)),
                              3);
    credit.chargeDelivery("mw-a", &connection, queued, 3); // held already
    credit.endResume();
    QCOMPARE(credit.outstandingMessages(), 6);
    QCOMPARE(credit.outstandingBytes(), 18);
    for (int i = 100; i < 200; ++i) // confirmations of the hub's previous life
        credit.confirm("mw-a", deliveryIdentity("devices/d/messages/events/", std::to_string(i)));
    QCOMPARE(credit.outstandingMessages(), 6);
    for (int i = 0; i < 5; ++i)
        credit.confirm("mw-a", deliveryIdentity("devices/d/messages/events/", std::to_string(i)));
    credit.confirm("mw-a", queued);
    QCOMPARE(credit.outstandingMessages(), 0);
    QCOMPARE(credit.outstandingBytes(), 0);
}

void tst_HubAuth::creditWindowAdmitsUntilFull_data()
{
    QTest::addColumn<qint64>("windowMessages");
    QTest::addColumn<qint64>("windowBytes");
    QTest::addColumn<qint64>("messageBytes");
    QTest::addColumn<qint64>("admitted"); // before the first refusal
    QTest::newRow("messages bound") << qint64(100) << qint64(1 << 20) << qint64(10) << qint64(100);
    QTest::newRow("bytes bound") << qint64(1000) << qint64(1 << 20) << qint64(64 * 1024) << qint64(16);
    // One message is always taken when nothing is outstanding, however big.
    QTest::newRow("one oversized") << qint64(1000) << qint64(1 << 20) << qint64(2 << 20) << qint64(1);
}

void tst_HubAuth::creditWindowAdmitsUntilFull()
{
    QFETCH(qint64, windowMessages);
    QFETCH(qint64, windowBytes);
    QFETCH(qint64, messageBytes);
    QFETCH(qint64, admitted);
    IngressCredit credit({windowMessages, windowBytes, 120});
    credit.sessionConnected("mw-a", false);
    qint64 taken = 0;
    while (credit.mayAdmit(messageBytes, 0) && taken < 10 * windowMessages) {
        credit.charge("mw-a", messageBytes);
        ++taken;
    }
    QCOMPARE(taken, admitted);
    QCOMPARE(credit.outstandingMessages(), admitted);
    QCOMPARE(credit.outstandingBytes(), admitted * messageBytes);
    // A grant for one message makes room for exactly one more.
    credit.grant("mw-a", 1, messageBytes);
    QVERIFY(credit.mayAdmit(messageBytes, 0));
    credit.charge("mw-a", messageBytes);
    QCOMPARE(credit.mayAdmit(messageBytes, 0), false);
    // Everything confirmed: the window is whole again, never more.
    credit.grant("mw-a", admitted + 1000, admitted * messageBytes * 2);
    QCOMPARE(credit.outstandingMessages(), 0);
    QCOMPARE(credit.outstandingBytes(), 0);
    credit.charge("mw-a", messageBytes);
    QCOMPARE(credit.outstandingMessages(), 1);
}

void tst_HubAuth::creditGrantsPayOtherSessions()
{
    IngressCredit credit({100, 1 << 20, 120});
    credit.sessionConnected("mw-a", false);
    credit.sessionConnected("mw-b", false);
    for (int i = 0; i < 60; ++i)
        credit.charge("mw-a", 10);
    for (int i = 0; i < 40; ++i)
        credit.charge("mw-b", 10);
    QVERIFY(!credit.mayAdmit(10, 0));
    // mw-b confirms more than it was charged (it drained mw-a's session
    // after a takeover, or a grant was sent twice): the rest pays mw-a's.
    credit.grant("mw-b", 50, 500);
    QCOMPARE(credit.outstandingMessages("mw-b"), 0);
    QCOMPARE(credit.outstandingMessages("mw-a"), 50);
    QCOMPARE(credit.outstandingMessages(), 50);
    QCOMPARE(credit.outstandingBytes(), 500);
    // A grant from a session the hub never charged still counts.
    credit.grant("mw-unknown", 50, 500);
    QCOMPARE(credit.outstandingMessages(), 0);
    QCOMPARE(credit.outstandingBytes(), 0);
    credit.grant("mw-a", 5, 5); // nothing left: totals stay at zero
    QCOMPARE(credit.outstandingMessages(), 0);
}

void tst_HubAuth::creditDoesNotLeak()
{
    IngressCredit credit({100, 1 << 20, 120});
    credit.sessionConnected("mw-a", false);
    for (int i = 0; i < 100; ++i)
        credit.charge("mw-a", 1);
    QVERIFY(!credit.mayAdmit(1, 0));
    // Its connection drops (stall, kill): nothing is forgotten while no
    // middleware session is connected, however long that lasts.
    credit.sessionDisconnected("mw-a", 1000);
    QVERIFY(credit.forgetAbandoned(1000 + 100000).empty());
    QVERIFY(!credit.mayAdmit(1, 0));
    // It comes back with its session: the queued messages are still owed.
    credit.sessionConnected("mw-a", false);
    QVERIFY(!credit.mayAdmit(1, 0));
    // It comes back clean: the broker threw its queue away, so the charges go.
    credit.sessionConnected("mw-a", true);
    QCOMPARE(credit.outstandingMessages(), 0);
    QVERIFY(credit.mayAdmit(1, 0));

    // An instance gone for good while another runs: forgotten after the
    // abandoned time, not before.
    for (int i = 0; i < 70; ++i)
        credit.charge("mw-a", 1);
    credit.sessionConnected("mw-b", false);
    for (int i = 0; i < 30; ++i)
        credit.charge("mw-b", 1);
    credit.sessionDisconnected("mw-a", 2000);
    QVERIFY(credit.forgetAbandoned(2000 + 119).empty());
    QVERIFY(!credit.mayAdmit(1, 0));
    const auto forgotten = credit.forgetAbandoned(2000 + 120);
    QCOMPARE(forgotten.size(), size_t(1));
    QCOMPARE(forgotten.front().sessionId, std::string("mw-a"));
    QCOMPARE(forgotten.front().messages, 70);
    QCOMPARE(credit.outstandingMessages(), 30);
    QVERIFY(credit.mayAdmit(1, 0));
}

// Replays the events Mosquitto 2.0.11 reports when a middleware session
// with queued messages reconnects (handle_connect.c connect__on_authorised):
// the new connection's basic auth, then the disconnect of the session's
// previous connection, then one read check per queued message.
void tst_HubAuth::creditResumedQueueIsChargedOnce()
{
    IngressCredit credit({100, 1 << 20, 120});
    int oldConnection = 0;
    int newConnection = 0;
    credit.sessionConnected("mw-a", false, 1000);
    for (int i = 0; i < 40; ++i)
        credit.chargeDelivery("mw-a", &oldConnection, 10);
    credit.sessionDisconnected("mw-a", 1001);
    QCOMPARE(credit.outstandingMessages(), 40);

    credit.endResume(); // some other event
    credit.sessionConnected("mw-a", false, 1002);
    credit.beginResume("mw-a", &newConnection);
    credit.clientDisconnected("mw-a"); // the previous connection retired
    for (int i = 0; i < 40; ++i)
        credit.chargeDelivery("mw-a", &newConnection, 10); // the queue's read checks
    QCOMPARE(credit.outstandingMessages(), 40);
    QCOMPARE(credit.outstandingBytes(), 400);
    // Any other event ends the resume: new deliveries are charged again.
    credit.endResume();
    credit.chargeDelivery("mw-a", &newConnection, 10);
    QCOMPARE(credit.outstandingMessages(), 41);
    // A device's disconnect ends a resume as well.
    credit.beginResume("mw-a", &newConnection);
    credit.clientDisconnected("device-7");
    credit.chargeDelivery("mw-a", &newConnection, 10);
    QCOMPARE(credit.outstandingMessages(), 42);
    // Confirming everything empties the account exactly.
    credit.grant("mw-a", 42, 420);
    QCOMPARE(credit.outstandingMessages(), 0);
    QCOMPARE(credit.outstandingBytes(), 0);
}

// Mosquitto 2.0.11 leaves a persistent session's shared subscriptions
// behind when the session reconnects: until the middleware subscribes
// again, device messages reach no one and are charged to no one while
// their publishers get a PUBACK. Devices wait for the re-subscription.
void tst_HubAuth::creditWaitsForSharedSubscriptions()
{
    IngressCredit credit({100, 1 << 20, 120});
    const std::string telemetry = "$share/provisio/devices/+/messages/events/#";
    const std::string presence = "$share/provisio/devices/+/status";
    credit.sessionConnected("mw-a", false, 1000);
    QVERIFY(credit.mayAdmit(10, 1000)); // a first connect has nothing to restore
    credit.subscribed("mw-a", telemetry);
    credit.subscribed("mw-a", presence);
    credit.subscribed("mw-a", "$CONTROL/provisio-hub/v1/response"); // not shared: kept by the broker
    QVERIFY(credit.mayAdmit(10, 1000));

    credit.sessionDisconnected("mw-a", 1010);
    QVERIFY(credit.mayAdmit(10, 1010)); // away: the broker queues for it
    credit.sessionConnected("mw-a", false, 1020);
    QVERIFY(credit.awaitingResubscription(1020));
    QVERIFY(!credit.mayAdmit(10, 1020));
    credit.subscribed("mw-a", telemetry);
    QVERIFY(!credit.mayAdmit(10, 1021)); // one filter still missing
    credit.subscribed("mw-a", presence);
    QVERIFY(credit.mayAdmit(10, 1021));

    // A session that never subscribes again holds devices back only for
    // resubscribeSeconds (120 by default).
    credit.sessionConnected("mw-a", false, 2000);
    QVERIFY(!credit.mayAdmit(10, 2119));
    QVERIFY(credit.mayAdmit(10, 2120));

    // Another connected instance holding the same filters still receives
    // the messages: nothing to wait for (a survivor draining a dead
    // instance's session, another instance while this one reconnects).
    credit.sessionConnected("mw-b", false, 2500);
    credit.subscribed("mw-b", telemetry);
    credit.sessionConnected("mw-a", false, 2501);
    QVERIFY(!credit.mayAdmit(10, 2501)); // mw-b lacks the presence filter
    credit.subscribed("mw-b", presence);
    QVERIFY(credit.mayAdmit(10, 2501));
    credit.sessionDisconnected("mw-b", 2502);
    QVERIFY(!credit.mayAdmit(10, 2502));         // mw-b is gone: mw-a's gap is open again
    credit.sessionConnected("mw-b", true, 2503); // clean: mw-b has no filters any more
    credit.subscribed("mw-a", telemetry);
    credit.subscribed("mw-a", presence);
    QVERIFY(credit.mayAdmit(10, 2503));

    // A survivor draining a dead instance's session unsubscribes its
    // filters: nothing is awaited any more.
    credit.sessionConnected("mw-a", false, 3000);
    credit.unsubscribed("mw-a", telemetry);
    QVERIFY(!credit.mayAdmit(10, 3001));
    credit.unsubscribed("mw-a", presence);
    QVERIFY(credit.mayAdmit(10, 3001));
    // ... and a clean start has no subscriptions to restore.
    credit.subscribed("mw-a", telemetry);
    credit.sessionConnected("mw-a", true, 4000);
    QVERIFY(credit.mayAdmit(10, 4000));
    credit.sessionConnected("mw-a", false, 4001);
    QVERIFY(credit.mayAdmit(10, 4001));
}

void tst_HubAuth::creditGrantTotalsPayOnce()
{
    IngressCredit credit({100, 1 << 20, 120});
    credit.sessionConnected("mw-a", false);
    credit.sessionConnected("mw-b", false);
    for (int i = 0; i < 60; ++i)
        credit.charge("mw-a", 10);
    for (int i = 0; i < 40; ++i)
        credit.charge("mw-b", 10);
    credit.grantTotals("mw-b", "e1", 30, 300);
    QCOMPARE(credit.outstandingMessages("mw-b"), 10);
    // The same grant again (a QoS 1 resend after a reconnect) pays nothing,
    // so it cannot pay off mw-a's charges either.
    credit.grantTotals("mw-b", "e1", 30, 300);
    QCOMPARE(credit.outstandingMessages("mw-b"), 10);
    QCOMPARE(credit.outstandingMessages("mw-a"), 60);
    // An older total arriving late pays nothing.
    credit.grantTotals("mw-b", "e1", 20, 200);
    QCOMPARE(credit.outstandingMessages(), 70);
    // The next total pays the difference.
    credit.grantTotals("mw-b", "e1", 40, 400);
    QCOMPARE(credit.outstandingMessages("mw-b"), 0);
    QCOMPARE(credit.outstandingMessages(), 60);
    // A restarted process (new epoch) counts from zero.
    for (int i = 0; i < 5; ++i)
        credit.charge("mw-b", 10);
    credit.grantTotals("mw-b", "e2", 5, 50);
    QCOMPARE(credit.outstandingMessages("mw-b"), 0);
    QCOMPARE(credit.outstandingMessages(), 60);
    QCOMPARE(credit.outstandingBytes(), 600);
}

// Two instances; mw-a stalls for longer than the abandoned time while mw-b
// runs, so its charges are forgotten. It was only stalled: it comes back and
// its connection resends its last grant (a QoS 1 resend), then grants what
// it handled since. Its totals since its start must not be paid again: they
// would pay off mw-b's charges for messages nobody confirmed.
void tst_HubAuth::creditForgottenSessionKeepsItsTotals()
{
    IngressCredit credit({1000, 1 << 20, 120});
    credit.sessionConnected("mw-a", false, 1000);
    credit.sessionConnected("mw-b", false, 1000);
    for (int i = 0; i < 500; ++i)
        credit.charge("mw-a", 10);
    credit.grantTotals("mw-a", "ea", 450, 4500);
    QCOMPARE(credit.outstandingMessages("mw-a"), 50);
    credit.sessionDisconnected("mw-a", 1010);
    QCOMPARE(credit.forgetAbandoned(1130).size(), size_t(1));
    QCOMPARE(credit.outstandingMessages(), 0);
    for (int i = 0; i < 80; ++i)
        credit.charge("mw-b", 10);

    credit.sessionConnected("mw-a", false, 1200);
    credit.grantTotals("mw-a", "ea", 450, 4500); // the resend
    QCOMPARE(credit.outstandingMessages("mw-b"), 80);
    QCOMPARE(credit.outstandingMessages(), 80);
    // The 50 it stores now were forgotten already: paying them may settle
    // mw-b's charges, never more than that.
    credit.grantTotals("mw-a", "ea", 500, 5000);
    QCOMPARE(credit.outstandingMessages(), 30);
    QCOMPARE(credit.outstandingBytes(), 300);
}

// After a broker restart the plugin first hears of a session the broker
// restored from its saved state when a message is queued for it (no
// CONNECT yet). It is as absent as any other from then on, not since the
// epoch: its charges go only after the abandoned time.
void tst_HubAuth::creditRestoredSessionIsNotForgottenAtOnce()
{
    IngressCredit credit({100, 1 << 20, 120});
    credit.sessionConnected("mw-b", false, 5000);
    for (int i = 0; i < 40; ++i)
        credit.charge("mw-restored", 10);
    QVERIFY(credit.forgetAbandoned(5001).empty());
    QVERIFY(credit.forgetAbandoned(5120).empty());
    QCOMPARE(credit.outstandingMessages(), 40);
    const auto forgotten = credit.forgetAbandoned(5121);
    QCOMPARE(forgotten.size(), size_t(1));
    QCOMPARE(forgotten.front().messages, 40);
    // Charged again while still away: forgotten again one period later.
    credit.charge("mw-restored", 10);
    QVERIFY(credit.forgetAbandoned(5200).empty());
    QCOMPARE(credit.forgetAbandoned(5241).size(), size_t(1));
}

// Whatever event order Mosquitto takes to lose a middleware's shared
// subscription, the plugin sees the result right after the routing: an
// admitted device message that a known `$share/` filter covers and that was
// charged to no session. Devices are held back from then on until that
// filter is subscribed again (or resubscribeSeconds have passed), so one
// message is lost, not a burst.
void tst_HubAuth::creditUnroutedAdmissionHoldsDevicesBack()
{
    IngressCredit credit({100, 1 << 20, 120});
    const std::string telemetry = "$share/provisio/devices/+/messages/events/#";
    credit.sessionConnected("mw-a", false, 1000);
    credit.subscribed("mw-a", telemetry);
    int connection = 0;

    // Routed and charged: nothing to settle.
    credit.admitted("devices/d1/messages/events/");
    credit.chargeDelivery("mw-a", &connection, 10);
    QCOMPARE(credit.settleAdmission(1000), std::string());
    QVERIFY(credit.mayAdmit(10, 1000));
    // Nothing admitted since: settling again finds nothing.
    QCOMPARE(credit.settleAdmission(1000), std::string());

    // A topic no middleware filter covers (a method response nobody
    // waits for) reaches no one by design.
    credit.admitted("devices/d1/methods/res/200/7");
    QCOMPARE(credit.settleAdmission(1001), std::string());
    QVERIFY(credit.mayAdmit(10, 1001));

    // Covered, admitted, charged to no one: held back from now on.
    credit.admitted("devices/d1/messages/events/a=1");
    QCOMPARE(credit.settleAdmission(1002), telemetry);
    QVERIFY(credit.awaitingResubscription(1002));
    QVERIFY(!credit.mayAdmit(10, 1003));
    // Another filter's subscription does not help; this one's does.
    credit.subscribed("mw-a", "$share/provisio/devices/+/status");
    QVERIFY(!credit.mayAdmit(10, 1003));
    credit.subscribed("mw-a", telemetry);
    QVERIFY(credit.mayAdmit(10, 1003));

    // Without a subscription, devices wait resubscribeSeconds at most.
    credit.admitted("devices/d2/messages/events/");
    QCOMPARE(credit.settleAdmission(2000), telemetry);
    QVERIFY(!credit.mayAdmit(10, 2119));
    QVERIFY(credit.mayAdmit(10, 2120));
    // The same again later holds devices back again.
    credit.admitted("devices/d2/messages/events/");
    QCOMPARE(credit.settleAdmission(3000), telemetry);
    QVERIFY(!credit.mayAdmit(10, 3000));

    // A resumed queue's read checks (not charged again) count as routed.
    credit.subscribed("mw-a", telemetry);
    credit.beginResume("mw-a", &connection);
    credit.admitted("devices/d3/messages/events/");
    credit.chargeDelivery("mw-a", &connection, 10);
    QCOMPARE(credit.settleAdmission(3001), std::string());
}

void tst_HubAuth::filterMatching_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("matches");
    const QString events = QStringLiteral("$share/provisio/devices/+/messages/events/#");
    QTest::newRow("events, trailing slash") << events << "devices/d1/messages/events/" << true;
    QTest::newRow("events, property bag") << events << "devices/d1/messages/events/a=1&b=2" << true;
    QTest::newRow("events, bare") << events << "devices/d1/messages/events" << true;
    QTest::newRow("events, other device level") << events << "devices/d1/x/messages/events" << false;
    QTest::newRow("status") << "$share/provisio/devices/+/status"
                            << "devices/d1/status" << true;
    QTest::newRow("status is not reported") << "$share/provisio/devices/+/status"
                                            << "devices/d1/twin/reported" << false;
    QTest::newRow("twin get") << "$share/provisio/devices/+/twin/get/+"
                              << "devices/d1/twin/get/42" << true;
    QTest::newRow("twin get needs a level") << "$share/provisio/devices/+/twin/get/+"
                                            << "devices/d1/twin/get" << false;
    QTest::newRow("no share prefix") << "devices/+/status"
                                     << "devices/d1/status" << true;
    QTest::newRow("share without a filter") << "$share/provisio"
                                            << "devices/d1/status" << false;
    QTest::newRow("dollar topic and a wildcard") << "#"
                                                 << "$CONTROL/provisio-hub/v1" << false;
    QTest::newRow("empty level") << "devices/+/status"
                                 << "devices//status" << true;
}

void tst_HubAuth::filterMatching()
{
    QFETCH(QString, filter);
    QFETCH(QString, topic);
    QFETCH(bool, matches);
    QCOMPARE(filterMatches(filter.toStdString(), topic.toStdString()), matches);
}

// A middleware renewing its link opens a second session (another client id)
// before it ends the first, and its grants move over with their running
// totals: the new session must not be paid the process's whole history
// again, nor may a late resend over the old session pay twice.
void tst_HubAuth::creditGrantTotalsFollowTheProcess()
{
    IngressCredit credit({100, 1 << 20, 120});
    credit.sessionConnected("mw-a", false);
    credit.sessionConnected("mw-b", false);
    credit.sessionConnected("mw-x", false); // another instance
    for (int i = 0; i < 50; ++i)
        credit.charge("mw-a", 10);
    for (int i = 0; i < 20; ++i)
        credit.charge("mw-x", 10);
    credit.grantTotals("mw-a", "p1", 30, 300);
    QCOMPARE(credit.outstandingMessages("mw-a"), 20);
    // The renewal: mw-a's successor mw-a2 subscribes and gets deliveries,
    // and the process's next total (40: 10 more handled) comes over it.
    credit.sessionConnected("mw-a2", false);
    for (int i = 0; i < 5; ++i)
        credit.charge("mw-a2", 10);
    credit.grantTotals("mw-a2", "p1", 40, 400);
    QCOMPARE(credit.outstandingMessages("mw-a2"), 0);
    QCOMPARE(credit.outstandingMessages(), 20 + 5 + 20 - 10);
    // The old session's last grant sent again late pays nothing.
    credit.grantTotals("mw-a", "p1", 40, 400);
    credit.grantTotals("mw-a", "p1", 35, 350);
    QCOMPARE(credit.outstandingMessages(), 35);
    // Everything of the process handled: the 15 not paid yet, no more.
    credit.grantTotals("mw-a2", "p1", 55, 550);
    QCOMPARE(credit.outstandingMessages(), 20);
    QCOMPARE(credit.outstandingBytes(), 200);
    // Another process's epoch is its own.
    credit.grantTotals("mw-x", "p2", 20, 200);
    QCOMPARE(credit.outstandingMessages(), 0);
}

void tst_HubAuth::writeLimiterPerDeviceAndKind()
{
    DeviceWriteLimiter limiter({{3, 60}, {2, 6}});
    qint64 now = 5000;
    for (int i = 0; i < 3; ++i)
        QVERIFY(limiter.allow("dev1", LimitedWrite::ReportedProperties, now));
    QVERIFY(!limiter.allow("dev1", LimitedWrite::ReportedProperties, now));
    // Other devices and the other kind have their own budgets.
    QVERIFY(limiter.allow("dev2", LimitedWrite::ReportedProperties, now));
    QVERIFY(limiter.allow("dev1", LimitedWrite::Presence, now));
    QVERIFY(limiter.allow("dev1", LimitedWrite::Presence, now));
    QVERIFY(!limiter.allow("dev1", LimitedWrite::Presence, now));
    // 60 per minute: one more after a second, not before.
    QVERIFY(!limiter.allow("dev1", LimitedWrite::ReportedProperties, now + 900));
    QVERIFY(limiter.allow("dev1", LimitedWrite::ReportedProperties, now + 1000 + 900));
    QVERIFY(!limiter.allow("dev1", LimitedWrite::ReportedProperties, now + 1000 + 950));
    // 6 per minute: ten seconds per presence write.
    QVERIFY(!limiter.allow("dev1", LimitedWrite::Presence, now + 9000));
    QVERIFY(limiter.allow("dev1", LimitedWrite::Presence, now + 10000));
    // A flood of refused writes does not earn more.
    for (int i = 0; i < 1000; ++i)
        QVERIFY(!limiter.allow("dev1", LimitedWrite::Presence, now + 10000 + i));
    // Compaction keeps only buckets that are not full again.
    QCOMPARE(limiter.size(), size_t(3));
    limiter.compact(now + 10000 + 1000);
    QCOMPARE(limiter.size(), size_t(1)); // dev1's presence is still refilling
    limiter.compact(now + 60 * 60 * 1000);
    QCOMPARE(limiter.size(), size_t(0));
}

void tst_HubAuth::generationDecidesWhichKeyIsAccepted_data()
{
    QTest::addColumn<int>("known"); // the generation the hub holds for dev1
    QTest::addColumn<int>("keyOf"); // the generation of the key the token is signed with
    QTest::addColumn<bool>("accepted");
    QTest::newRow("0, key 0 (devices before rotation)") << 0 << 0 << true;
    QTest::newRow("1, key 0: retired") << 1 << 0 << false;
    QTest::newRow("1, key 1") << 1 << 1 << true;
    QTest::newRow("5, key 4: retired") << 5 << 4 << false;
    QTest::newRow("5, key 5") << 5 << 5 << true;
    QTest::newRow("2, key 3: issued before the hub heard") << 2 << 3 << true;
    QTest::newRow("2, key 6: last of the lookahead") << 2 << int(2 + kGenerationLookahead) << true;
    QTest::newRow("2, key 7: beyond the lookahead") << 2 << int(3 + kGenerationLookahead) << false;
}

void tst_HubAuth::generationDecidesWhichKeyIsAccepted()
{
    QFETCH(int, known);
    QFETCH(int, keyOf);
    QFETCH(bool, accepted);
    const QString id = QStringLiteral("dev1");
    // Generation 0 is the key devices always had; N >= 1 binds "id/N".
    QCOMPARE(Crypto::hubDeviceKeyDerivationId(id, 0), id);
    QCOMPARE(Crypto::hubDeviceKeyDerivationId(id, 3), QStringLiteral("dev1/3"));
    const QString key = *Crypto::deriveKey(m_config.signingKey, Crypto::hubDeviceKeyDerivationId(id, quint32(keyOf)));
    const QByteArray token = SasToken::create(kHost + QStringLiteral("/devices/") + id, key, kNow + 600).toUtf8();
    const QByteArray user = (kHost + QStringLiteral("/dev1/?api-version=2021-04-12")).toUtf8();
    const auto identity =
        CredentialChecker(m_config).check("dev1", user.constData(), token.constData(), kNow, [known](const QString &) {
            return DeviceStanding{false, quint32(known)};
        });
    QCOMPARE(bool(identity), accepted);
    if (accepted)
        QCOMPARE(identity->generation, quint32(keyOf));
    else
        QVERIFY2(identity.error().message.contains(QLatin1String("signature")), qPrintable(identity.error().message));
    // An expired token of the right generation fails for its expiry, not its signature.
    const QByteArray expired = SasToken::create(kHost + QStringLiteral("/devices/") + id, key, kNow - 600).toUtf8();
    const auto late = CredentialChecker(m_config).check("dev1", user.constData(), expired.constData(), kNow,
                                                        [known](const QString &) {
                                                            return DeviceStanding{false, quint32(known)};
                                                        });
    QVERIFY(!late);
    if (accepted)
        QVERIFY2(late.error().message.contains(QLatin1String("expired")), qPrintable(late.error().message));
}

void tst_HubAuth::generationCommandsOnlyRaise_data()
{
    // Commands in order, "op:generation", and what each leaves.
    QTest::addColumn<QStringList>("commands");
    QTest::addColumn<QList<int>>("generations"); // after each command
    QTest::addColumn<QList<bool>>("kicks");      // whether each disconnects dev1
    QTest::newRow("restore raises and kicks")
        << QStringList{QStringLiteral("restore:2")} << QList<int>{2} << QList<bool>{true};
    QTest::newRow("repeated: no second kick") << QStringList{QStringLiteral("restore:2"), QStringLiteral("restore:2")}
                                              << QList<int>{2, 2} << QList<bool>{true, false};
    QTest::newRow("late older command lowers nothing")
        << QStringList{QStringLiteral("restore:3"), QStringLiteral("restore:1")} << QList<int>{3, 3}
        << QList<bool>{true, false};
    QTest::newRow("revoke carries it too; restore after")
        << QStringList{QStringLiteral("revoke:1"), QStringLiteral("restore:1")} << QList<int>{1, 1}
        << QList<bool>{true, false};
    QTest::newRow("without generation: unchanged")
        << QStringList{QStringLiteral("restore:4"), QStringLiteral("restore")} << QList<int>{4, 4}
        << QList<bool>{true, false};
}

void tst_HubAuth::generationCommandsOnlyRaise()
{
    QFETCH(QStringList, commands);
    QFETCH(QList<int>, generations);
    QFETCH(QList<bool>, kicks);
    QTemporaryDir dir;
    auto list = RevocationList::load(dir.filePath(QStringLiteral("g.json")));
    QVERIFY(list);
    for (int i = 0; i < commands.size(); ++i) {
        const QStringList parts = commands.at(i).split(QLatin1Char(':'));
        QJsonObject command{{QStringLiteral("op"), parts.at(0)}, {QStringLiteral("deviceId"), QStringLiteral("dev1")}};
        if (parts.size() > 1)
            command.insert(QStringLiteral("generation"), parts.at(1).toInt());
        const ControlOutcome outcome = applyControlCommand(QJsonDocument(command).toJson(), *list);
        const QJsonObject answer = QJsonDocument::fromJson(outcome.response).object();
        QCOMPARE(answer.value(QStringLiteral("status")).toInt(), 200);
        QCOMPARE(answer.value(QStringLiteral("generation")).toInt(), generations.at(i));
        QCOMPARE(list->generation(QStringLiteral("dev1")), quint32(generations.at(i)));
        const bool revoke = parts.at(0) == QLatin1String("revoke");
        QCOMPARE(outcome.disconnect == QLatin1String("dev1"), kicks.at(i) || revoke);
    }
    // Malformed generations are refused and change nothing.
    const quint32 before = list->generation(QStringLiteral("dev1"));
    for (const QByteArray &bad : {QByteArray(R"({"op":"restore","deviceId":"dev1","generation":-1})"),
                                  QByteArray(R"({"op":"restore","deviceId":"dev1","generation":1.5})"),
                                  QByteArray(R"({"op":"restore","deviceId":"dev1","generation":"9"})"),
                                  QByteArray(R"({"op":"restore","deviceId":"dev1","generation":1e12})")}) {
        const ControlOutcome outcome = applyControlCommand(bad, *list);
        QCOMPARE(QJsonDocument::fromJson(outcome.response).object().value(QStringLiteral("status")).toInt(), 400);
        QVERIFY(outcome.disconnect.isEmpty());
    }
    QCOMPARE(list->generation(QStringLiteral("dev1")), before);
}

void tst_HubAuth::generationsPersist()
{
    const QString path = m_dir.filePath(QStringLiteral("generations.json"));
    auto list = RevocationList::load(path);
    QVERIFY(list);
    QCOMPARE(list->generation(QStringLiteral("dev9")), 0u);
    QVERIFY(list->raiseGeneration(QStringLiteral("dev9"), 7));
    QVERIFY(!list->raiseGeneration(QStringLiteral("dev9"), 6));
    QVERIFY(!list->raiseGeneration(QStringLiteral("dev9"), kMaxGeneration + 1));
    QVERIFY(list->save());
    auto again = RevocationList::load(path);
    QVERIFY(again);
    QCOMPARE(again->generation(QStringLiteral("dev9")), 7u);
    // A file from before generations existed loads with every device at 0.
    QFile old(m_dir.filePath(QStringLiteral("old.json")));
    QVERIFY(old.open(QIODevice::WriteOnly));
    old.write(R"({"revoked":["a"]})");
    old.close();
    auto loaded = RevocationList::load(old.fileName());
    QVERIFY(loaded);
    QCOMPARE(loaded->generationCount(), 0);
    // A corrupt generations entry refuses to start rather than admit old keys.
    for (const QByteArray &content :
         {QByteArray(R"({"revoked":[],"generations":[]})"), QByteArray(R"({"revoked":[],"generations":{"a":-1}})"),
          QByteArray(R"({"revoked":[],"generations":{"a/b":1}})"),
          QByteArray(R"({"revoked":[],"generations":{"a":"1"}})")}) {
        QFile f(m_dir.filePath(QStringLiteral("badgen.json")));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
        f.close();
        QVERIFY2(!RevocationList::load(f.fileName()), content.constData());
    }
}

void tst_HubAuth::benchmarkDeviceConnectCheck()
{
    const CredentialChecker checker(m_config);
    const QByteArray user = (kHost + QStringLiteral("/dev1/?api-version=2021-04-12")).toUtf8();
    const QByteArray token = deviceToken(QStringLiteral("dev1"));
    QBENCHMARK
    {
        QVERIFY(checker.check("dev1", user.constData(), token.constData(), kNow));
    }
}

void tst_HubAuth::benchmarkReadCheck()
{
    ClientRegistry registry;
    std::vector<int> connections(10000);
    for (size_t i = 0; i < connections.size(); ++i)
        registry.add("device-" + std::to_string(i), &connections[i], Role::Device, kNow + 3600);
    const char *clientId = "device-4242";
    const void *connection = &connections[4242];
    bool allowed = false;
    QBENCHMARK
    {
        const auto *entry = registry.find(clientId, connection);
        allowed = entry && isAllowed(entry->role, entry->prefix, Access::Read, "devices/device-4242/twin/desired");
    }
    QVERIFY(allowed);
}

namespace {
const QString kNewSigningKey = QStringLiteral("bmV3LXNpZ25pbmcta2V5LWFmdGVyLXRoZS1yb3RhdGlvbg==");
const QString kNewServiceKey = QStringLiteral("bmV3LXNlcnZpY2Uta2V5LWFmdGVyLXRoZS1yb3RhdGlvbg==");
} // namespace

void tst_HubAuth::previousKeyDuringOverlap_data()
{
    QTest::addColumn<QString>("role");      // device or service
    QTest::addColumn<QString>("keyOf");     // old or new
    QTest::addColumn<qint64>("untilDelta"); // previousUntil - now
    QTest::addColumn<bool>("accepted");
    for (const char *role : {"device", "service"}) {
        QTest::addRow("%s: new key", role) << QString::fromLatin1(role) << QStringLiteral("new") << qint64(30) << true;
        QTest::addRow("%s: old key in the overlap", role)
            << QString::fromLatin1(role) << QStringLiteral("old") << qint64(30) << true;
        QTest::addRow("%s: old key in its last second", role)
            << QString::fromLatin1(role) << QStringLiteral("old") << qint64(1) << true;
        QTest::addRow("%s: old key at the deadline", role)
            << QString::fromLatin1(role) << QStringLiteral("old") << qint64(0) << false;
        QTest::addRow("%s: old key after the deadline", role)
            << QString::fromLatin1(role) << QStringLiteral("old") << qint64(-5) << false;
        QTest::addRow("%s: new key after the deadline", role)
            << QString::fromLatin1(role) << QStringLiteral("new") << qint64(-5) << true;
    }
}

// During a rotation's overlap keys of the previous signing key (and the
// previous service key) get in, with an expiry cut to the overlap's end;
// from the deadline on (no clock skew on it) they do not.
void tst_HubAuth::previousKeyDuringOverlap()
{
    QFETCH(QString, role);
    QFETCH(QString, keyOf);
    QFETCH(qint64, untilDelta);
    QFETCH(bool, accepted);
    CredentialChecker checker(m_config);
    checker.setKeys(
        SigningKeys{kNewSigningKey, kNewServiceKey, m_config.signingKey, m_config.serviceKey, kNow + untilDelta});
    const bool old = keyOf == QLatin1String("old");
    QByteArray clientId, user, token;
    if (role == QLatin1String("device")) {
        clientId = "dev1";
        user = (kHost + QStringLiteral("/dev1/?api-version=2021-04-12")).toUtf8();
        const QString key = *Crypto::deriveKey(old ? m_config.signingKey : kNewSigningKey, QStringLiteral("dev1"));
        token = SasToken::create(kHost + QStringLiteral("/devices/dev1"), key, kNow + 600).toUtf8();
    } else {
        clientId = "provisio-mw-1";
        user = (QStringLiteral("provisio-service@sas.root.") + kHost).toUtf8();
        token = SasToken::create(kHost, old ? m_config.serviceKey : kNewServiceKey, kNow + 600,
                                 QStringLiteral("provisio-service"))
                    .toUtf8();
    }
    const auto identity = checker.check(clientId.constData(), user.constData(), token.constData(), kNow);
    QVERIFY2(bool(identity) == accepted, identity ? "accepted" : qPrintable(identity.error().message));
    if (!identity)
        return;
    QCOMPARE(identity->previousKey, old);
    QCOMPARE(identity->expiry, old ? kNow + untilDelta - m_config.clockSkew - 1 : kNow + 600);
    // The hub disconnects an old-key login at the deadline: not a second
    // before it, in the second it is reached.
    if (old) {
        ClientRegistry registry;
        int connection = 0;
        registry.add("c", &connection, identity->role, identity->expiry);
        QVERIFY(registry.takeExpired(kNow + untilDelta - 1, m_config.clockSkew).empty());
        QCOMPARE(registry.takeExpired(kNow + untilDelta, m_config.clockSkew).size(), size_t(1));
    }
}

void tst_HubAuth::rotateKeysCommand_data()
{
    QTest::addColumn<QJsonObject>("command");
    QTest::addColumn<bool>("withFile");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("changed");
    const QJsonObject good{
        {QStringLiteral("op"), QStringLiteral("rotate-keys")}, {QStringLiteral("requestId"), QStringLiteral("hk-1")},
        {QStringLiteral("signingKey"), kNewSigningKey},        {QStringLiteral("serviceKey"), kNewServiceKey},
        {QStringLiteral("replacesKeyId"), QString()}, // filled in below
        {QStringLiteral("previousUntil"), kNow + 60}};
    QTest::newRow("rotation") << good << true << 200 << true;
    QTest::newRow("no key file") << good << false << 400 << false;
    QJsonObject other = good;
    other.insert(QStringLiteral("replacesKeyId"), QStringLiteral("0011223344556677"));
    QTest::newRow("replaces another key") << other << true << 409 << false;
    QJsonObject shortKey = good;
    shortKey.insert(QStringLiteral("signingKey"), QStringLiteral("c2hvcnQ="));
    QTest::newRow("short key") << shortKey << true << 400 << false;
    QJsonObject same = good;
    same.insert(QStringLiteral("serviceKey"), kNewSigningKey);
    QTest::newRow("service key = signing key") << same << true << 400 << false;
    QJsonObject badUntil = good;
    badUntil.insert(QStringLiteral("previousUntil"), QStringLiteral("soon"));
    QTest::newRow("until not a number") << badUntil << true << 400 << false;
    QJsonObject extra = good;
    extra.insert(QStringLiteral("deviceId"), QStringLiteral("dev1"));
    QTest::newRow("unknown field") << extra << true << 400 << false;
}

// A rotation over the control channel: applied only when it names the key
// it replaces and can be persisted; repeated, it changes nothing; the answer
// never carries a key.
void tst_HubAuth::rotateKeysCommand()
{
    QFETCH(QJsonObject, command);
    QFETCH(bool, withFile);
    QFETCH(int, status);
    QFETCH(bool, changed);
    QTemporaryDir dir;
    auto list = RevocationList::load(dir.filePath(QStringLiteral("revoked.json")));
    QVERIFY(list);
    if (command.value(QStringLiteral("replacesKeyId")).toString().isEmpty())
        command.insert(QStringLiteral("replacesKeyId"), Crypto::keyFingerprint(m_config.signingKey));
    const SigningKeys original{m_config.signingKey, m_config.serviceKey, {}, {}, 0};
    SigningKeys keys = original;
    // Larger than a control command may be: refused before it is parsed.
    QJsonObject padded = command;
    padded.insert(QStringLiteral("requestId"), QString(kMaxControlPayload, QLatin1Char('x')));
    const ControlOutcome oversize = applyControlCommand(QJsonDocument(padded).toJson(), *list,
                                                        KeyState{&keys, dir.filePath(QStringLiteral("keys.json"))});
    QCOMPARE(QJsonDocument::fromJson(oversize.response).object().value(QStringLiteral("status")).toInt(), 400);
    QVERIFY(!oversize.keysChanged);
    const QString file = withFile ? dir.filePath(QStringLiteral("keys.json")) : QString();
    const ControlOutcome outcome = applyControlCommand(QJsonDocument(command).toJson(), *list, KeyState{&keys, file});
    const QJsonObject answer = QJsonDocument::fromJson(outcome.response).object();
    QCOMPARE(answer.value(QStringLiteral("status")).toInt(), status);
    QCOMPARE(outcome.keysChanged, changed);
    for (const QString &secret : {kNewSigningKey, kNewServiceKey, m_config.signingKey, m_config.serviceKey})
        QVERIFY(!outcome.response.contains(secret.toUtf8()));
    if (!changed) {
        QCOMPARE(keys.signingKey, original.signingKey);
        QVERIFY(keys.previousSigningKey.isEmpty());
        QVERIFY(file.isEmpty() || !QFileInfo::exists(file));
        return;
    }
    QCOMPARE(answer.value(QStringLiteral("keyId")).toString(), Crypto::keyFingerprint(kNewSigningKey));
    QCOMPARE(keys.signingKey, kNewSigningKey);
    QCOMPARE(keys.previousSigningKey, m_config.signingKey);
    QCOMPARE(keys.previousServiceKey, m_config.serviceKey);
    QCOMPARE(keys.previousUntil, kNow + 60);
    QCOMPARE(QFileInfo(file).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
             QFileDevice::Permissions());
    // The same command again (another middleware instance): 200, no change.
    const ControlOutcome again = applyControlCommand(QJsonDocument(command).toJson(), *list, KeyState{&keys, file});
    QCOMPARE(QJsonDocument::fromJson(again.response).object().value(QStringLiteral("status")).toInt(), 200);
    QVERIFY(!again.keysChanged);
    // A replay of a rotation from the old key to another one cannot turn
    // the keys back: the hub's key is no longer the one it replaces.
    QJsonObject back = command;
    back.insert(QStringLiteral("signingKey"), m_config.signingKey);
    back.insert(QStringLiteral("serviceKey"), m_config.serviceKey);
    const ControlOutcome replay = applyControlCommand(QJsonDocument(back).toJson(), *list, KeyState{&keys, file});
    QCOMPARE(QJsonDocument::fromJson(replay.response).object().value(QStringLiteral("status")).toInt(), 409);
    QCOMPARE(keys.signingKey, kNewSigningKey);
}

// At start the key file wins over the configuration only when it descends
// from it (the configuration is older than the rotation); a file of another
// lineage (the hub linked anew) is ignored; a damaged file stops the hub.
void tst_HubAuth::keyFileDecidesOnlyWhenItDescendsFromTheConfig()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("keys.json"));
    auto none = SigningKeys::load(file, m_config.signingKey, m_config.serviceKey);
    QVERIFY(none);
    QCOMPARE(none->signingKey, m_config.signingKey);

    const SigningKeys rotated{kNewSigningKey, kNewServiceKey, m_config.signingKey, m_config.serviceKey, kNow + 60};
    QVERIFY(rotated.save(file));
    auto fromOldConfig = SigningKeys::load(file, m_config.signingKey, m_config.serviceKey);
    QVERIFY(fromOldConfig);
    QCOMPARE(fromOldConfig->signingKey, kNewSigningKey);
    QCOMPARE(fromOldConfig->previousUntil, kNow + 60);
    auto fromNewConfig = SigningKeys::load(file, kNewSigningKey, kNewServiceKey);
    QVERIFY(fromNewConfig);
    QCOMPARE(fromNewConfig->previousSigningKey, m_config.signingKey);
    const QString unrelated = QStringLiteral("dW5yZWxhdGVkLXNpZ25pbmcta2V5LWZvci1hLW5ldy1odWI=");
    auto fresh = SigningKeys::load(file, unrelated, kNewServiceKey);
    QVERIFY(fresh);
    QCOMPARE(fresh->signingKey, unrelated);
    QVERIFY(fresh->previousSigningKey.isEmpty());

    QFile damaged(file);
    QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
    damaged.write("{\"signingKey\": 1}");
    damaged.close();
    QVERIFY(!SigningKeys::load(file, m_config.signingKey, m_config.serviceKey));
}

// Whoever is connected at a rotation logged in with a key that is the
// previous one from then on: each is due at the end of the overlap.
void tst_HubAuth::registryCapsExpiriesAtRotation()
{
    ClientRegistry registry;
    int a = 0, b = 0;
    registry.add("dev1", &a, Role::Device, kNow + 3600);
    registry.add("provisio-mw-1", &b, Role::Service, kNow + 3600);
    QVERIFY(registry.takeExpired(kNow + 10, 0).empty());
    registry.capExpiries(kNow + 5);
    auto due = registry.takeExpired(kNow + 10, 0);
    std::sort(due.begin(), due.end());
    QCOMPARE(due, (std::vector<std::string>{"dev1", "provisio-mw-1"}));
    // A client that comes back with the new key afterwards is not affected.
    registry.add("dev1", &a, Role::Device, kNow + 3600);
    QVERIFY(registry.takeExpired(kNow + 10, 0).empty());
}

QTEST_GUILESS_MAIN(tst_HubAuth)
#include "tst_hubauth.moc"
