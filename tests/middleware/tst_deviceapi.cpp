// SPDX-License-Identifier: Apache-2.0
// The enrollment CRM API, the activation exchange and the DPS-compatible
// device API against the real middleware over real HTTPS.

#include "childprocesswatch.h"
#include "devicetestutil.h"
#include "registertogether.h"

#include "crypto/activationcode.h"
#include "crypto/keys.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslSocket>
#include <QtTest>

#include <algorithm>
#include <vector>

using namespace Provisio;
using namespace Provisio::Test;

namespace {
const QString kHubKey = Crypto::generateSymmetricKey(32);
const QString kHubHost = QStringLiteral("hub-main.provisio.test");
} // namespace

class tst_DeviceApi : public QObject
{
    Q_OBJECT

private:
    DeviceFixture f;
    int m_serials = 0;

    QString newSerial()
    {
        const QString serial = QStringLiteral("SN-%1").arg(++m_serials, 5, 10, QLatin1Char('0'));
        const auto r = f.operatorClient->post(
            QStringLiteral("/api/v1/devices"),
            QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("model"), QStringLiteral("K1")}});
        if (r.status != 201)
            qWarning("creating inventory device failed: %d %s", r.status, r.body.constData());
        return serial;
    }
    // An enrollment (no serial) and its primary key.
    QString enroll(const QString &id, QJsonObject extra = {})
    {
        const auto r = f.putEnrollment(id, extra);
        if (r.status != 201 && r.status != 200)
            qWarning("enrollment failed: %d %s", r.status, r.body.constData());
        return DeviceFixture::primaryKey(r.json());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(f.start());
        const auto hub = f.putHub(QStringLiteral("main"), kHubHost, 1, kHubKey);
        QCOMPARE(hub.status, 201);
    }

    void fullFlow()
    {
        const QString serial = newSerial();
        auto created = f.putEnrollment(
            QStringLiteral("Kiosk-0001"),
            QJsonObject{
                {QStringLiteral("serial"), serial},
                {QStringLiteral("initialTwin"),
                 QJsonObject{{QStringLiteral("properties"),
                              QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("rate"), 5}}}}}}}});
        QCOMPARE(created.status, 201);
        const QJsonObject e = created.json();
        QCOMPARE(e.value(QStringLiteral("registrationId")).toString(), QStringLiteral("kiosk-0001"));
        QCOMPARE(e.value(QStringLiteral("deviceId")).toString(), QStringLiteral("kiosk-0001"));
        QCOMPARE(QString::fromLatin1(created.header("ETag")),
                 QLatin1Char('"') + e.value(QStringLiteral("etag")).toString() + QLatin1Char('"'));
        const QString primary = DeviceFixture::primaryKey(e);
        QCOMPARE(QByteArray::fromBase64(primary.toLatin1()).size(), 64);
        QCOMPARE(QByteArray::fromBase64(DeviceFixture::secondaryKey(e).toLatin1()).size(), 64);
        const QString code = e.value(QStringLiteral("activationCode")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-.$"))
                     .match(code)
                     .hasMatch(),
                 qPrintable(code));

        // The end user types it sloppily: lower case, spaces instead of dashes.
        const QString typed = code.toLower().replace(QLatin1Char('-'), QLatin1Char(' '));
        auto exchanged =
            f.device->post(QStringLiteral("/api/v1/activation"),
                           QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("code"), typed}});
        QCOMPARE(exchanged.status, 200);
        const QJsonObject creds = exchanged.json();
        QCOMPARE(creds.value(QStringLiteral("idScope")).toString(), f.mw->idScope());
        QCOMPARE(creds.value(QStringLiteral("registrationId")).toString(), QStringLiteral("kiosk-0001"));
        QCOMPARE(creds.value(QStringLiteral("deviceId")).toString(), QStringLiteral("kiosk-0001"));
        QCOMPARE(creds.value(QStringLiteral("symmetricKey")).toString(), primary);

        // The device registers with what it got.
        auto reg =
            f.registerDevice(QStringLiteral("kiosk-0001"), creds.value(QStringLiteral("symmetricKey")).toString(),
                             QJsonObject{{QStringLiteral("model"), QStringLiteral("K1")}});
        QCOMPARE(reg.status, 202);
        const QJsonObject op = reg.json();
        QCOMPARE(op.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        const QString operationId = op.value(QStringLiteral("operationId")).toString();
        QVERIFY(!operationId.isEmpty());
        const QJsonObject st = DeviceFixture::state(op);
        QCOMPARE(st.value(QStringLiteral("registrationId")).toString(), QStringLiteral("kiosk-0001"));
        QCOMPARE(st.value(QStringLiteral("assignedHub")).toString(), kHubHost);
        QCOMPARE(st.value(QStringLiteral("deviceId")).toString(), QStringLiteral("kiosk-0001"));
        QCOMPARE(st.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        QCOMPARE(st.value(QStringLiteral("substatus")).toString(), QStringLiteral("initialAssignment"));
        QVERIFY(!st.value(QStringLiteral("etag")).toString().isEmpty());
        QVERIFY(st.contains(QStringLiteral("createdDateTimeUtc")));
        QVERIFY(st.contains(QStringLiteral("lastUpdatedDateTimeUtc")));
        const QJsonObject provisio =
            st.value(QStringLiteral("payload")).toObject().value(QStringLiteral("provisio")).toObject();
        QCOMPARE(provisio.value(QStringLiteral("hubEndpoint")).toString(), kHubHost + QStringLiteral(":8883"));
        QCOMPARE(provisio.value(QStringLiteral("hubDeviceKey")).toString(),
                 Crypto::deriveKey(kHubKey, QStringLiteral("kiosk-0001")).value());
        QVERIFY(provisio.value(QStringLiteral("caCertificate"))
                    .toString()
                    .startsWith(QLatin1String("-----BEGIN CERTIFICATE-----")));

        // Polling the operation and the status lookup give the same state.
        auto polled = f.pollOperation(QStringLiteral("kiosk-0001"), primary, operationId);
        QCOMPARE(polled.status, 200);
        QCOMPARE(DeviceFixture::state(polled.json()), st);
        auto lookup = f.statusLookup(QStringLiteral("kiosk-0001"), primary);
        QCOMPARE(lookup.status, 200);
        QCOMPARE(lookup.json(), st);
        auto unknownOp = f.pollOperation(QStringLiteral("kiosk-0001"), primary, QStringLiteral("5.nope"));
        QCOMPARE(unknownOp.status, 404);

        // The CRM sees the device -> hub mapping, without the hub key.
        auto byHub = f.viewer->get(QStringLiteral("/api/v1/registrations?hub=") + kHubHost.toUpper());
        QCOMPARE(byHub.status, 200);
        bool listed = false;
        for (const auto &v : byHub.json().value(QStringLiteral("items")).toArray())
            listed |= v.toObject().value(QStringLiteral("registrationId")).toString() == QLatin1String("kiosk-0001");
        QVERIFY(listed);
        auto one = f.viewer->get(QStringLiteral("/api/v1/registrations/KIOSK-0001"));
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json().value(QStringLiteral("assignedHub")).toString(), kHubHost);
        QCOMPARE(one.json().value(QStringLiteral("hub")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("main"));
        QCOMPARE(one.json()
                     .value(QStringLiteral("twin"))
                     .toObject()
                     .value(QStringLiteral("properties"))
                     .toObject()
                     .value(QStringLiteral("desired"))
                     .toObject()
                     .value(QStringLiteral("rate"))
                     .toInt(),
                 5);
        QVERIFY(!one.body.contains("hubDeviceKey"));
        QVERIFY(!one.body.contains(kHubKey.toUtf8()));
        auto byOtherHub = f.viewer->get(QStringLiteral("/api/v1/registrations?hub=elsewhere.test"));
        QCOMPARE(byOtherHub.json().value(QStringLiteral("items")).toArray().size(), 0);

        // The enrollment shows where its device went.
        auto enrollment = f.operatorClient->get(QStringLiteral("/api/v1/enrollments/kiosk-0001"));
        QCOMPARE(enrollment.json().value(QStringLiteral("iotHubHostName")).toString(), kHubHost);

        // The exchange and the enrollment are audited, without secrets.
        auto audit = f.admin->get(QStringLiteral("/api/v1/audit?entityType=enrollment&entityId=kiosk-0001"));
        if (audit.status == 200) {
            QVERIFY(audit.body.contains(QByteArray(QByteArray("device:") + serial.toUtf8())));
            QVERIFY(!audit.body.contains(primary.toUtf8()));
            QVERIFY(!audit.body.contains(code.toUtf8()));
        }
    }

    void apiVersions_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<int>("status");
        QTest::newRow("2019-03-31") << QStringLiteral("2019-03-31") << 202;
        QTest::newRow("2021-06-01") << QStringLiteral("2021-06-01") << 202;
        QTest::newRow("2021-10-01") << QStringLiteral("2021-10-01") << 202;
        QTest::newRow("2018-09-01-preview") << QStringLiteral("2018-09-01-preview") << 202;
        QTest::newRow("2018-11-01") << QStringLiteral("2018-11-01") << 202;
        QTest::newRow("older") << QStringLiteral("2017-11-15") << 400;
        QTest::newRow("newer") << QStringLiteral("2022-01-01") << 400;
        QTest::newRow("garbage") << QStringLiteral("latest") << 400;
        QTest::newRow("empty") << QString(QLatin1String("")) << 400;
        QTest::newRow("missing") << QString() << 400;
    }
    void apiVersions()
    {
        QFETCH(QString, version);
        QFETCH(int, status);
        static const QString key = enroll(QStringLiteral("api-version-device"));
        const auto r = f.registerWith(QStringLiteral("api-version-device"),
                                      DeviceFixture::sas(f.mw->idScope(), QStringLiteral("api-version-device"), key),
                                      QJsonValue(), version);
        QCOMPARE(r.status, status);
        if (status == 400) {
            QCOMPARE(r.json().value(QStringLiteral("errorCode")).toInt(), 400004);
            QVERIFY(r.json().value(QStringLiteral("message")).toString().contains(QLatin1String("api-version")));
        }
    }

    void badTokens_data()
    {
        QTest::addColumn<QString>("authorization");
        QTest::addColumn<QString>("message");
        const QString id = QStringLiteral("token-device");
        const QString key = enroll(id);
        const QString scope = f.mw->idScope();
        QTest::newRow("wrong key") << DeviceFixture::sas(scope, id, Crypto::generateSymmetricKey(32)) << "unauthorized";
        QTest::newRow("expired") << DeviceFixture::sas(scope, id, key, -3600) << "expired";
        QTest::newRow("other device's resource")
            << DeviceFixture::sas(scope, QStringLiteral("other-device"), key) << "unauthorized";
        QTest::newRow("other scope's resource")
            << DeviceFixture::sas(QStringLiteral("0ne00000000"), id, key) << "unauthorized";
        QTest::newRow("garbage") << QStringLiteral("SharedAccessSignature nonsense") << "unauthorized";
        QTest::newRow("bearer") << QStringLiteral("Bearer abc") << "unauthorized";
        QTest::newRow("missing") << QString() << "unauthorized";
    }
    void badTokens()
    {
        QFETCH(QString, authorization);
        QFETCH(QString, message);
        const auto r = f.registerWith(QStringLiteral("token-device"), authorization);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.json().value(QStringLiteral("errorCode")).toInt(), 401002);
        QCOMPARE(r.json().value(QStringLiteral("message")).toString(), message);
        QVERIFY(!r.json().value(QStringLiteral("trackingId")).toString().isEmpty());
        // Nothing was registered.
        QCOMPARE(f.viewer->get(QStringLiteral("/api/v1/registrations/token-device")).status, 404);
    }

    void secondaryKeyAndSkew()
    {
        const auto created = f.putEnrollment(QStringLiteral("secondary-device"), {});
        const QString secondary = DeviceFixture::secondaryKey(created.json());
        QCOMPARE(f.registerDevice(QStringLiteral("secondary-device"), secondary).status, 202);
        // Expired 60 s ago: within the default 300 s clock skew.
        const auto r =
            f.registerWith(QStringLiteral("secondary-device"),
                           DeviceFixture::sas(f.mw->idScope(), QStringLiteral("secondary-device"), secondary, -60));
        QCOMPARE(r.status, 202);
    }

    void unknownScope()
    {
        const QString key = enroll(QStringLiteral("scope-device"));
        const auto r =
            f.registerWith(QStringLiteral("scope-device"),
                           DeviceFixture::sas(QStringLiteral("0ne00000000"), QStringLiteral("scope-device"), key),
                           QJsonValue(), QStringLiteral("2021-06-01"), QStringLiteral("0ne00000000"));
        QCOMPARE(r.status, 404);
        // The scope is case-insensitive.
        const QString lower = f.mw->idScope().toLower();
        const auto ok = f.registerWith(QStringLiteral("scope-device"),
                                       DeviceFixture::sas(lower, QStringLiteral("scope-device"), key), QJsonValue(),
                                       QStringLiteral("2021-06-01"), lower);
        QCOMPARE(ok.status, 202);
    }

    void badBodies()
    {
        const QString id = QStringLiteral("body-device");
        const QString key = enroll(id);
        const QByteArray auth = DeviceFixture::sas(f.mw->idScope(), id, key).toUtf8();
        const QString path = QLatin1Char('/') + f.mw->idScope() + QStringLiteral("/registrations/") + id +
                             QStringLiteral("/register?api-version=2021-06-01");
        auto mismatch =
            f.device->put(path, QJsonObject{{QStringLiteral("registrationId"), QStringLiteral("someone-else")}},
                          {{"Authorization", auth}});
        QCOMPARE(mismatch.status, 400);
        QVERIFY(mismatch.json().value(QStringLiteral("message")).toString().contains(QLatin1String("does not match")));
        auto malformed = f.device->send("PUT", path, "{not json", {{"Authorization", auth}});
        QCOMPARE(malformed.status, 400);
        auto unknownField =
            f.device->put(path, QJsonObject{{QStringLiteral("registrationId"), id}, {QStringLiteral("bogus"), 1}},
                          {{"Authorization", auth}});
        QCOMPARE(unknownField.status, 400);
        QVERIFY(unknownField.json().value(QStringLiteral("message")).toString().contains(QLatin1String("bogus")));
        // Case differences in the body's id are the same device.
        auto upper = f.device->put(path, QJsonObject{{QStringLiteral("registrationId"), id.toUpper()}},
                                   {{"Authorization", auth}});
        QCOMPARE(upper.status, 202);
        QCOMPARE(f.viewer->get(QStringLiteral("/api/v1/registrations/") + id)
                     .json()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("assigned"));
    }

    void disabledEnrollment()
    {
        const QString id = QStringLiteral("disabled-device");
        const QString key = enroll(id, QJsonObject{{QStringLiteral("provisioningStatus"), QStringLiteral("disabled")}});
        auto r = f.registerDevice(id, key);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("disabled"));
        QCOMPARE(DeviceFixture::state(r.json()).value(QStringLiteral("status")).toString(), QStringLiteral("disabled"));
        QVERIFY(!r.body.contains("hubDeviceKey"));
        QCOMPARE(
            f.operatorClient->post(QStringLiteral("/api/v1/enrollments/") + id + QStringLiteral("/enable"), {}).status,
            200);
        r = f.registerDevice(id, key);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        // Disabling again stops the device at its next registration.
        auto disabled = f.viewer->post(QStringLiteral("/api/v1/enrollments/") + id + QStringLiteral("/disable"), {});
        QCOMPARE(disabled.status, 403);
        disabled = f.operatorClient->post(QStringLiteral("/api/v1/enrollments/") + id + QStringLiteral("/disable"), {});
        QCOMPARE(disabled.json().value(QStringLiteral("provisioningStatus")).toString(), QStringLiteral("disabled"));
        r = f.registerDevice(id, key);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("disabled"));
        QVERIFY(!r.body.contains("hubDeviceKey"));
        const auto lookup = f.statusLookup(id, key);
        QCOMPARE(lookup.json().value(QStringLiteral("status")).toString(), QStringLiteral("disabled"));
        QVERIFY(!lookup.body.contains("hubDeviceKey"));
    }

    void groupEnrollment()
    {
        auto g =
            f.operatorClient->put(QStringLiteral("/api/v1/enrollment-groups/line-a"),
                                  QJsonObject{{QStringLiteral("attestation"),
                                               QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
        QCOMPARE(g.status, 201);
        const QString groupKey = DeviceFixture::primaryKey(g.json());
        QVERIFY(!groupKey.isEmpty());
        // Viewers see the group without keys and cannot ask for device keys.
        auto asViewer = f.viewer->get(QStringLiteral("/api/v1/enrollment-groups/line-a"));
        QCOMPARE(asViewer.status, 200);
        QVERIFY(!asViewer.body.contains(groupKey.toUtf8()));
        QCOMPARE(
            f.viewer->get(QStringLiteral("/api/v1/enrollment-groups/line-a/device-key?registrationId=g-dev-1")).status,
            403);

        auto dk =
            f.operatorClient->get(QStringLiteral("/api/v1/enrollment-groups/line-a/device-key?registrationId=g-dev-1"));
        QCOMPARE(dk.status, 200);
        const QString derived = dk.json().value(QStringLiteral("derivedKey")).toString();
        QCOMPARE(derived, Crypto::deriveKey(groupKey, QStringLiteral("g-dev-1")).value());
        QCOMPARE(f.operatorClient->get(QStringLiteral("/api/v1/enrollment-groups/line-a/device-key")).status, 400);

        auto r = f.registerDevice(QStringLiteral("g-dev-1"), derived);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        // The group key itself is not a device key.
        QCOMPARE(f.registerDevice(QStringLiteral("g-dev-2"), groupKey).status, 401);
        // Another device's derived key does not work either.
        QCOMPARE(f.registerDevice(QStringLiteral("g-dev-2"), derived).status, 401);
        auto rec = f.viewer->get(QStringLiteral("/api/v1/registrations/g-dev-1"));
        QCOMPARE(rec.json().value(QStringLiteral("enrollmentGroupId")).toString(), QStringLiteral("line-a"));

        auto list = f.viewer->get(QStringLiteral("/api/v1/enrollment-groups"));
        QCOMPARE(list.json().value(QStringLiteral("items")).toArray().size(), 1);
        // New group keys: the key checks (which keep the groups read between
        // registrations) turn the old derived key away at once and take the
        // new one.
        QJsonObject rekeyed = g.json();
        const QString newGroupKey = Crypto::generateSymmetricKey(32);
        rekeyed.insert(
            QStringLiteral("attestation"),
            QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")},
                        {QStringLiteral("symmetricKey"), QJsonObject{{QStringLiteral("primaryKey"), newGroupKey}}}});
        auto changed = f.operatorClient->put(QStringLiteral("/api/v1/enrollment-groups/line-a"), rekeyed);
        QVERIFY2(changed.status == 200, changed.body.constData());
        QCOMPARE(f.registerDevice(QStringLiteral("g-dev-1"), derived).status, 401);
        const QString newDerived = Crypto::deriveKey(newGroupKey, QStringLiteral("g-dev-1")).value();
        r = f.registerDevice(QStringLiteral("g-dev-1"), newDerived);
        QVERIFY2(r.status == 202, r.body.constData());
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        // A disabled group turns its devices away with "disabled".
        QJsonObject disabled = changed.json();
        disabled.insert(QStringLiteral("provisioningStatus"), QStringLiteral("disabled"));
        QCOMPARE(f.operatorClient->put(QStringLiteral("/api/v1/enrollment-groups/line-a"), disabled).status, 200);
        r = f.registerDevice(QStringLiteral("g-dev-1"), newDerived);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("disabled"));
        QCOMPARE(f.operatorClient->del(QStringLiteral("/api/v1/enrollment-groups/line-a")).status, 204);
        QCOMPARE(f.registerDevice(QStringLiteral("g-dev-1"), newDerived).status, 401);
    }

    void idempotentRegistration()
    {
        const QString id = QStringLiteral("repeat-device");
        const QString key = enroll(id);
        const auto firstReply = f.registerDevice(id, key);
        const auto first = DeviceFixture::state(firstReply.json());
        const auto secondReply = f.registerDevice(id, key);
        const auto second = DeviceFixture::state(secondReply.json());
        QCOMPARE(second.value(QStringLiteral("assignedHub")), first.value(QStringLiteral("assignedHub")));
        QCOMPARE(second.value(QStringLiteral("etag")), first.value(QStringLiteral("etag")));
        QCOMPARE(second.value(QStringLiteral("substatus")).toString(), QStringLiteral("initialAssignment"));
        QCOMPARE(second.value(QStringLiteral("lastUpdatedDateTimeUtc")),
                 first.value(QStringLiteral("lastUpdatedDateTimeUtc")));
        QVERIFY(secondReply.json().value(QStringLiteral("operationId")) != QJsonValue(QString()));
        // Operation ids begin with the time, so a later operation sorts after
        // an earlier one (the operations' key grows at its end); the rest is
        // random.
        const QString firstOperation = firstReply.json().value(QStringLiteral("operationId")).toString();
        const QString secondOperation = secondReply.json().value(QStringLiteral("operationId")).toString();
        QVERIFY2(secondOperation > firstOperation, qPrintable(firstOperation + QLatin1Char(' ') + secondOperation));
        static const QRegularExpression shape(QStringLiteral("^5\\.[0-9a-f]{16}\\.[0-9a-f]{32}$"));
        QVERIFY2(shape.match(secondOperation).hasMatch(), qPrintable(secondOperation));

        // Forgetting the registration makes the next one initial again.
        auto del = f.operatorClient->del(QStringLiteral("/api/v1/registrations/") + id, {{"If-Match", "\"wrong\""}});
        QCOMPARE(del.status, 412);
        QCOMPARE(f.viewer->del(QStringLiteral("/api/v1/registrations/") + id).status, 403);
        QCOMPARE(f.operatorClient->del(QStringLiteral("/api/v1/registrations/") + id).status, 204);
        QCOMPARE(f.viewer->get(QStringLiteral("/api/v1/registrations/") + id).status, 404);
        QCOMPARE(f.statusLookup(id, key).status, 404);
        const auto third = DeviceFixture::state(f.registerDevice(id, key).json());
        QCOMPARE(third.value(QStringLiteral("substatus")).toString(), QStringLiteral("initialAssignment"));
        QVERIFY(third.value(QStringLiteral("etag")) != first.value(QStringLiteral("etag")));
    }

    // Registrations that arrive together are stored in one transaction
    // (group commit) and each answered after it: every device hears its own
    // assignment, the operation it names is already readable, and a device
    // registering several times at once gets an operation each and one
    // record: each registration after the first reads what the first wrote
    // (its record is not read with the key check while another of the
    // device's is checked or waits for its commit), so all of them report
    // the first one's etag and creation time.
    void registrationsArrivingTogether()
    {
        QStringList ids;
        QHash<QString, QString> keys;
        for (int i = 0; i < 12; ++i) {
            const QString id = QStringLiteral("together-%1").arg(i);
            ids << id;
            keys.insert(id, enroll(id));
        }
        // The same device four times, on four connections, among the others.
        ids.insert(3, ids.first());
        ids.insert(7, ids.first());
        ids << ids.first();

        QNetworkAccessManager nam;
        const auto replies = registerTogether(f, nam, ids, [&keys](const QString &id) { return keys.value(id); });
        for (const auto &reply : replies)
            QVERIFY(reply->isFinished());

        QSet<QString> operationIds;
        QSet<QString> firstDeviceEtags;
        QSet<QString> firstDeviceCreated;
        for (size_t i = 0; i < replies.size(); ++i) {
            QNetworkReply *reply = replies[i].get();
            const QString &id = ids.at(qsizetype(i));
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 202);
            const QJsonObject op = QJsonDocument::fromJson(reply->readAll()).object();
            const QJsonObject state = DeviceFixture::state(op);
            QCOMPARE(op.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
            QCOMPARE(state.value(QStringLiteral("registrationId")).toString(), id);
            QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
            if (id == ids.first()) {
                firstDeviceEtags.insert(state.value(QStringLiteral("etag")).toString());
                firstDeviceCreated.insert(state.value(QStringLiteral("createdDateTimeUtc")).toString());
            }
            const QString operationId = op.value(QStringLiteral("operationId")).toString();
            QVERIFY(!operationId.isEmpty());
            QVERIFY2(!operationIds.contains(operationId), qPrintable(operationId));
            operationIds.insert(operationId);
            const auto polled = f.pollOperation(id, keys.value(id), operationId);
            QCOMPARE(polled.status, 200);
            QCOMPARE(polled.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        }
        QCOMPARE(firstDeviceEtags.size(), 1);
        QCOMPARE(firstDeviceCreated.size(), 1);
        const auto record = f.viewer->get(QStringLiteral("/api/v1/registrations/") + ids.first());
        QCOMPARE(record.status, 200);
        QCOMPARE(record.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        QCOMPARE(record.json().value(QStringLiteral("etag")).toString(), *firstDeviceEtags.cbegin());
    }

    // The hub key in each answer follows both rotations: a device's own
    // (its credential generation, raised per device) and its hub's signing
    // key, also when the devices' registrations are stored and answered as
    // one group (their generations read together, the key's derivation kept
    // from group to group).
    void hubKeysFollowRotations()
    {
        DeviceFixture g;
        QVERIFY(g.start());
        const QString host = QStringLiteral("rotating.provisio.test");
        const QString firstKey = Crypto::generateSymmetricKey(32);
        QCOMPARE(g.putHub(QStringLiteral("rotating"), host, 1, firstKey).status, 201);
        QStringList ids;
        QHash<QString, QString> keys;
        for (int i = 0; i < 6; ++i) {
            const QString id = QStringLiteral("rotating-%1").arg(i);
            const auto e = g.putEnrollment(id, {});
            QCOMPARE(e.status, 201);
            ids << id;
            keys.insert(id, DeviceFixture::primaryKey(e.json()));
        }
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        QFile ca(g.mw->caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
        // All six at once; each device's hub key from its answer.
        const auto registerAll = [&]() {
            QNetworkAccessManager nam;
            QList<QNetworkReply *> replies;
            for (const QString &id : std::as_const(ids)) {
                QNetworkRequest request(QUrl(g.mw->baseUrl() + QLatin1Char('/') + g.mw->idScope() +
                                             QStringLiteral("/registrations/") + id +
                                             QStringLiteral("/register?api-version=2021-06-01")));
                request.setSslConfiguration(ssl);
                request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
                request.setRawHeader("Authorization", DeviceFixture::sas(g.mw->idScope(), id, keys.value(id)).toUtf8());
                replies << nam.put(
                    request,
                    QJsonDocument(QJsonObject{{QStringLiteral("registrationId"), id}}).toJson(QJsonDocument::Compact));
            }
            QHash<QString, QString> hubKeys;
            QDeadlineTimer deadline(30000);
            while (!deadline.hasExpired() && !std::all_of(replies.cbegin(), replies.cend(),
                                                          [](const QNetworkReply *r) { return r->isFinished(); }))
                QTest::qWait(20);
            for (int i = 0; i < replies.size(); ++i) {
                QNetworkReply *reply = replies.at(i);
                if (reply->isFinished() && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 202) {
                    const QJsonObject state = DeviceFixture::state(QJsonDocument::fromJson(reply->readAll()).object());
                    hubKeys.insert(ids.at(i), state.value(QStringLiteral("payload"))
                                                  .toObject()
                                                  .value(QStringLiteral("provisio"))
                                                  .toObject()
                                                  .value(QStringLiteral("hubDeviceKey"))
                                                  .toString());
                }
                delete reply;
            }
            return hubKeys;
        };
        const auto expected = [&](const QString &signingKey, const QHash<QString, quint32> &generations) {
            QHash<QString, QString> out;
            for (const QString &id : std::as_const(ids))
                out.insert(id,
                           Crypto::deriveKey(signingKey, Crypto::hubDeviceKeyDerivationId(id, generations.value(id, 0)))
                               .value());
            return out;
        };
        QCOMPARE(registerAll(), expected(firstKey, {}));

        // Two of the devices' keys retired, one of them twice.
        const auto rotateDevice = [&](const QString &id) {
            return g.operatorClient
                ->post(QStringLiteral("/api/v1/registrations/") + id + QStringLiteral("/rotate-hub-key"), QJsonObject())
                .status;
        };
        QCOMPARE(rotateDevice(ids.at(1)), 200);
        QCOMPARE(rotateDevice(ids.at(1)), 200);
        QCOMPARE(rotateDevice(ids.at(3)), 200);
        const QHash<QString, quint32> generations{{ids.at(1), 2}, {ids.at(3), 1}};
        QCOMPARE(registerAll(), expected(firstKey, generations));

        // The hub's signing key replaced: every answer derives from the new one.
        const auto rotated = g.admin->post(QStringLiteral("/api/v1/hubs/rotating/rotate-key"),
                                           QJsonObject{{QStringLiteral("overlapSeconds"), 0}});
        QCOMPARE(rotated.status, 200);
        const QString secondKey = rotated.json().value(QStringLiteral("signingKey")).toString();
        QVERIFY(!secondKey.isEmpty());
        QVERIFY(secondKey != firstKey);
        QCOMPARE(registerAll(), expected(secondKey, generations));
    }

    // A client that pipelines (a register, then a status lookup on the same
    // connection before the first answer) gets its answers in order, the
    // registration's first and already stored when the lookup reads it.
    void pipelinedRequestsAnsweredInOrder()
    {
        const QString id = QStringLiteral("pipelined-device");
        const QString key = enroll(id);
        const QByteArray auth = DeviceFixture::sas(f.mw->idScope(), id, key).toUtf8();
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("registrationId"), id}}).toJson(QJsonDocument::Compact);
        const QByteArray base = '/' + f.mw->idScope().toUtf8() + "/registrations/" + id.toUtf8();
        const QByteArray requests =
            "PUT " + base + "/register?api-version=2021-06-01 HTTP/1.1\r\nHost: localhost\r\n" +
            "Authorization: " + auth +
            "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" +
            body + "POST " + base + "?api-version=2021-06-01 HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + auth +
            "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" +
            body;

        QSslSocket socket;
        QFile ca(f.mw->caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
        socket.setSslConfiguration(ssl);
        const QUrl url(f.mw->baseUrl());
        socket.connectToHostEncrypted(url.host(), quint16(url.port()));
        QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
        socket.write(requests);

        // Two answers, framed by Content-Length.
        QByteArray received;
        QList<QPair<int, QJsonObject>> answers;
        QDeadlineTimer deadline(15000);
        while (answers.size() < 2 && !deadline.hasExpired()) {
            if (socket.bytesAvailable() == 0 &&
                !socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
                break;
            received += socket.readAll();
            for (;;) {
                const int headEnd = received.indexOf("\r\n\r\n");
                if (headEnd < 0)
                    break;
                const QByteArray head = received.left(headEnd);
                const int at = head.toLower().indexOf("content-length:");
                QVERIFY2(at >= 0, head.constData());
                const int length = head.mid(at + 15, head.indexOf("\r\n", at) - at - 15).trimmed().toInt();
                if (received.size() < headEnd + 4 + length)
                    break;
                answers.append(
                    {head.mid(9, 3).toInt(), QJsonDocument::fromJson(received.mid(headEnd + 4, length)).object()});
                received.remove(0, headEnd + 4 + length);
            }
        }
        QCOMPARE(answers.size(), 2);
        QCOMPARE(answers.at(0).first, 202);
        QCOMPARE(answers.at(0).second.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        QCOMPARE(answers.at(1).first, 200);
        QCOMPARE(answers.at(1).second.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        QCOMPARE(answers.at(1).second.value(QStringLiteral("etag")),
                 DeviceFixture::state(answers.at(0).second).value(QStringLiteral("etag")));
    }

    void enrollmentCrud()
    {
        // Bad input changes nothing.
        auto bad = f.putEnrollment(QStringLiteral("crud-device"),
                                   QJsonObject{{QStringLiteral("colour"), QStringLiteral("red")}});
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.json().value(QStringLiteral("message")).toString().contains(QLatin1String("colour")));
        bad = f.putEnrollment(QStringLiteral("crud device"), {});
        QCOMPARE(bad.status, 400);
        bad = f.putEnrollment(QStringLiteral("crud-device"),
                              QJsonObject{{QStringLiteral("registrationId"), QStringLiteral("other")}});
        QCOMPARE(bad.status, 400);
        // An unknown serial is a bad body (400), not a missing enrollment (404).
        bad = f.putEnrollment(QStringLiteral("crud-device"),
                              QJsonObject{{QStringLiteral("serial"), QStringLiteral("NO-SUCH-SERIAL")}});
        QCOMPARE(bad.status, 400);
        QVERIFY2(bad.json()
                     .value(QStringLiteral("message"))
                     .toString()
                     .contains(QLatin1String("field 'serial' names no inventory device: 'NO-SUCH-SERIAL'")),
                 bad.body.constData());
        bad = f.putEnrollment(
            QStringLiteral("crud-device"),
            QJsonObject{{QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("tpm")}}}});
        QCOMPARE(bad.status, 400);
        QCOMPARE(f.viewer
                     ->put(QStringLiteral("/api/v1/enrollments/crud-device"),
                           QJsonObject{{QStringLiteral("attestation"),
                                        QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}})
                     .status,
                 403);
        QCOMPARE(f.viewer->get(QStringLiteral("/api/v1/enrollments/crud-device")).status, 404);

        const QString givenKey = Crypto::generateSymmetricKey(32);
        auto created =
            f.putEnrollment(QStringLiteral("crud-device"),
                            QJsonObject{{QStringLiteral("deviceId"), QStringLiteral("Crud.Device")},
                                        {QStringLiteral("attestation"),
                                         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")},
                                                     {QStringLiteral("symmetricKey"),
                                                      QJsonObject{{QStringLiteral("primaryKey"), givenKey}}}}}});
        QCOMPARE(created.status, 201);
        QCOMPARE(DeviceFixture::primaryKey(created.json()), givenKey);
        QVERIFY(!created.json().contains(QStringLiteral("activationCode"))); // no serial, no code
        const QString etag = created.json().value(QStringLiteral("etag")).toString();

        // Viewers read without keys, operators with.
        auto asViewer = f.viewer->get(QStringLiteral("/api/v1/enrollments/crud-device"));
        QCOMPARE(asViewer.status, 200);
        QVERIFY(!asViewer.body.contains(givenKey.toUtf8()));
        QVERIFY(DeviceFixture::primaryKey(asViewer.json()).isEmpty());
        QCOMPARE(
            DeviceFixture::primaryKey(f.operatorClient->get(QStringLiteral("/api/v1/enrollments/crud-device")).json()),
            givenKey);

        // Replace: stale If-Match fails and changes nothing; the right one works; keys are kept.
        QJsonObject replacement{
            {QStringLiteral("deviceId"), QStringLiteral("Crud.Device.2")},
            {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}};
        auto stale = f.operatorClient->put(QStringLiteral("/api/v1/enrollments/crud-device"), replacement,
                                           {{"If-Match", "\"stale\""}});
        QCOMPARE(stale.status, 412);
        QCOMPARE(f.operatorClient->get(QStringLiteral("/api/v1/enrollments/crud-device"))
                     .json()
                     .value(QStringLiteral("deviceId"))
                     .toString(),
                 QStringLiteral("Crud.Device"));
        auto replaced = f.operatorClient->put(QStringLiteral("/api/v1/enrollments/crud-device"), replacement,
                                              {{"If-Match", '"' + etag.toUtf8() + '"'}});
        QCOMPARE(replaced.status, 200);
        QCOMPARE(replaced.json().value(QStringLiteral("deviceId")).toString(), QStringLiteral("Crud.Device.2"));
        QCOMPARE(DeviceFixture::primaryKey(replaced.json()), givenKey);
        QVERIFY(replaced.json().value(QStringLiteral("etag")).toString() != etag);

        // Regenerating the primary key locks out the old one.
        auto regen = f.operatorClient->post(QStringLiteral("/api/v1/enrollments/crud-device/regenerate-keys"),
                                            QJsonObject{{QStringLiteral("key"), QStringLiteral("primary")}});
        QCOMPARE(regen.status, 200);
        const QString newKey = DeviceFixture::primaryKey(regen.json());
        QVERIFY(newKey != givenKey);
        QCOMPARE(DeviceFixture::secondaryKey(regen.json()), DeviceFixture::secondaryKey(replaced.json()));
        QCOMPARE(f.operatorClient
                     ->post(QStringLiteral("/api/v1/enrollments/crud-device/regenerate-keys"),
                            QJsonObject{{QStringLiteral("key"), QStringLiteral("tertiary")}})
                     .status,
                 400);
        QCOMPARE(f.registerDevice(QStringLiteral("crud-device"), givenKey).status, 401);
        auto reg = f.registerDevice(QStringLiteral("crud-device"), newKey);
        QCOMPARE(reg.status, 202);
        QCOMPARE(DeviceFixture::state(reg.json()).value(QStringLiteral("deviceId")).toString(),
                 QStringLiteral("Crud.Device.2"));

        // Twin patch reaches the registered device's twin with a new $version.
        const auto before = f.viewer->get(QStringLiteral("/api/v1/registrations/crud-device")).json();
        const int version = before.value(QStringLiteral("twin"))
                                .toObject()
                                .value(QStringLiteral("properties"))
                                .toObject()
                                .value(QStringLiteral("desired"))
                                .toObject()
                                .value(QStringLiteral("$version"))
                                .toInt();
        QVERIFY(version >= 1);
        auto patched = f.operatorClient->patch(
            QStringLiteral("/api/v1/enrollments/crud-device/twin"),
            QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("site"), QStringLiteral("lab")}}},
                        {QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 30}}}});
        QCOMPARE(patched.status, 200);
        QCOMPARE(patched.json()
                     .value(QStringLiteral("initialTwin"))
                     .toObject()
                     .value(QStringLiteral("tags"))
                     .toObject()
                     .value(QStringLiteral("site"))
                     .toString(),
                 QStringLiteral("lab"));
        const auto after = f.viewer->get(QStringLiteral("/api/v1/registrations/crud-device")).json();
        const QJsonObject desired = after.value(QStringLiteral("twin"))
                                        .toObject()
                                        .value(QStringLiteral("properties"))
                                        .toObject()
                                        .value(QStringLiteral("desired"))
                                        .toObject();
        QCOMPARE(desired.value(QStringLiteral("interval")).toInt(), 30);
        QCOMPARE(desired.value(QStringLiteral("$version")).toInt(), version + 1);
        // Removing a property with null (merge patch), reserved names refused.
        patched = f.operatorClient->patch(
            QStringLiteral("/api/v1/enrollments/crud-device/twin"),
            QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), QJsonValue()}}}});
        QCOMPARE(patched.status, 200);
        QVERIFY(!patched.json()
                     .value(QStringLiteral("initialTwin"))
                     .toObject()
                     .value(QStringLiteral("properties"))
                     .toObject()
                     .value(QStringLiteral("desired"))
                     .toObject()
                     .contains(QStringLiteral("interval")));
        QCOMPARE(f.operatorClient
                     ->patch(QStringLiteral("/api/v1/enrollments/crud-device/twin"),
                             QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("$version"), 9}}}})
                     .status,
                 400);

        // Listing pages with a cursor and filters.
        QSet<QString> seen;
        QString cursor;
        int pages = 0;
        do {
            auto page = f.viewer->get(QStringLiteral("/api/v1/enrollments?limit=2") +
                                      (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor));
            QCOMPARE(page.status, 200);
            const QJsonArray items = page.json().value(QStringLiteral("items")).toArray();
            QVERIFY(items.size() <= 2);
            for (const auto &v : items) {
                QVERIFY(!seen.contains(v.toObject().value(QStringLiteral("registrationId")).toString()));
                seen.insert(v.toObject().value(QStringLiteral("registrationId")).toString());
                QVERIFY(DeviceFixture::primaryKey(v.toObject()).isEmpty()); // viewer
            }
            cursor = page.json().value(QStringLiteral("nextCursor")).toString();
            ++pages;
        } while (!cursor.isEmpty() && pages < 100);
        QVERIFY(seen.contains(QStringLiteral("crud-device")));
        QVERIFY(pages > 1);
        auto disabledOnly = f.viewer->get(QStringLiteral("/api/v1/enrollments?provisioningStatus=disabled"));
        for (const auto &v : disabledOnly.json().value(QStringLiteral("items")).toArray())
            QCOMPARE(v.toObject().value(QStringLiteral("provisioningStatus")).toString(), QStringLiteral("disabled"));
        QCOMPARE(f.viewer->get(QStringLiteral("/api/v1/enrollments?provisioningStatus=maybe")).status, 400);
        QCOMPARE(f.viewer->get(QStringLiteral("/api/v1/enrollments?limit=0")).status, 400);

        // Delete: If-Match honoured, then the device is turned away.
        QCOMPARE(
            f.operatorClient->del(QStringLiteral("/api/v1/enrollments/crud-device"), {{"If-Match", "\"old\""}}).status,
            412);
        QCOMPARE(f.operatorClient->del(QStringLiteral("/api/v1/enrollments/crud-device")).status, 204);
        QCOMPARE(f.operatorClient->get(QStringLiteral("/api/v1/enrollments/crud-device")).status, 404);
        QCOMPARE(f.registerDevice(QStringLiteral("crud-device"), newKey).status, 401);
    }

    void activationCodes()
    {
        const QString serial = newSerial();
        const QString other = newSerial();
        auto created = f.putEnrollment(QStringLiteral("act-device"), QJsonObject{{QStringLiteral("serial"), serial}});
        QCOMPARE(created.status, 201);
        const QString first = created.json().value(QStringLiteral("activationCode")).toString();
        // One serial, one enrollment.
        QCOMPARE(
            f.putEnrollment(QStringLiteral("act-device-2"), QJsonObject{{QStringLiteral("serial"), serial}}).status,
            409);

        // A fresh code replaces the unused one.
        QCOMPARE(f.viewer->post(QStringLiteral("/api/v1/enrollments/act-device/activation-code"), {}).status, 403);
        auto fresh = f.operatorClient->post(QStringLiteral("/api/v1/enrollments/act-device/activation-code"), {});
        QCOMPARE(fresh.status, 201);
        const QString second = fresh.json().value(QStringLiteral("activationCode")).toString();
        QVERIFY(second != first);
        QVERIFY(fresh.json().contains(QStringLiteral("expiresDateTimeUtc")));
        auto exchange = [&](const QString &s, const QString &c) {
            return f.device->post(QStringLiteral("/api/v1/activation"),
                                  QJsonObject{{QStringLiteral("serial"), s}, {QStringLiteral("code"), c}});
        };
        auto old = exchange(serial, first);
        QCOMPARE(old.status, 401);
        // A right code with the wrong serial looks exactly like a wrong code.
        auto wrongSerial = exchange(other, second);
        QCOMPARE(wrongSerial.status, 401);
        QCOMPARE(wrongSerial.json().value(QStringLiteral("message")), old.json().value(QStringLiteral("message")));
        // A mistyped check character is caught before any lookup.
        QString typo = second;
        typo[0] = typo.at(0) == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        QCOMPARE(exchange(serial, typo).status, 400);
        QCOMPARE(exchange(serial, QString()).status, 400);

        auto ok = exchange(serial, second);
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.json().value(QStringLiteral("symmetricKey")).toString(), DeviceFixture::primaryKey(created.json()));
        auto again = exchange(serial, second);
        QCOMPARE(again.status, 409);
        QVERIFY(again.json().value(QStringLiteral("message")).toString().contains(QLatin1String("already been used")));

        // Without a serial there is nothing to bind a code to.
        enroll(QStringLiteral("no-serial-device"));
        QCOMPARE(
            f.operatorClient->post(QStringLiteral("/api/v1/enrollments/no-serial-device/activation-code"), {}).status,
            400);
    }

    void restartKeepsRegistrations()
    {
        const QString id = QStringLiteral("restart-device");
        const QString key = enroll(id);
        const auto before = DeviceFixture::state(f.registerDevice(id, key).json());
        QCOMPARE(before.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        QVERIFY(f.mw->restart());
        f.reconnect();
        const auto lookup = f.statusLookup(id, key);
        QCOMPARE(lookup.status, 200);
        QCOMPARE(lookup.json().value(QStringLiteral("etag")), before.value(QStringLiteral("etag")));
        QCOMPARE(lookup.json().value(QStringLiteral("assignedHub")), before.value(QStringLiteral("assignedHub")));
        const auto again = DeviceFixture::state(f.registerDevice(id, key).json());
        QCOMPARE(again.value(QStringLiteral("etag")), before.value(QStringLiteral("etag")));
        auto rec = f.viewer->get(QStringLiteral("/api/v1/registrations/") + id);
        QCOMPARE(rec.json().value(QStringLiteral("assignedHub")).toString(), kHubHost);
    }

    void activationExpiryAndRateLimits()
    {
        // A process of its own: codes that live 1 s, and a fresh rate-limit budget.
        qputenv("PROVISIO_ACTIVATION_TTL_SECONDS", "1");
        DeviceFixture g;
        const bool started = g.start();
        qunsetenv("PROVISIO_ACTIVATION_TTL_SECONDS");
        QVERIFY(started);
        auto device = [&](const QString &serial) {
            return g.operatorClient
                ->post(QStringLiteral("/api/v1/devices"), QJsonObject{{QStringLiteral("serial"), serial}})
                .status;
        };
        auto exchange = [&](const QString &s, const QString &c) {
            return g.device->post(QStringLiteral("/api/v1/activation"),
                                  QJsonObject{{QStringLiteral("serial"), s}, {QStringLiteral("code"), c}});
        };
        QCOMPARE(device(QStringLiteral("EXP-1")), 201);
        auto created = g.putEnrollment(QStringLiteral("exp-device"),
                                       QJsonObject{{QStringLiteral("serial"), QStringLiteral("EXP-1")}});
        QCOMPARE(created.status, 201);
        const QString code = created.json().value(QStringLiteral("activationCode")).toString();
        QTest::qWait(1500);
        auto expired = exchange(QStringLiteral("EXP-1"), code);
        QCOMPARE(expired.status, 409);
        QVERIFY2(expired.json().value(QStringLiteral("message")).toString().contains(QLatin1String("expired")),
                 expired.body.constData());
        int clientAttempts = 1;

        // Five failed attempts for one serial from one client; that client's
        // sixth is refused before the code is even looked at, right code or
        // not, for the first step of its backoff (tst_activationlimits has
        // the rest: other clients, the ceiling, unlock).
        QCOMPARE(device(QStringLiteral("RL-1")), 201);
        auto rl = g.putEnrollment(QStringLiteral("rl-device"),
                                  QJsonObject{{QStringLiteral("serial"), QStringLiteral("RL-1")}});
        const QString rightCode = rl.json().value(QStringLiteral("activationCode")).toString();
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(exchange(QStringLiteral("RL-1"), ActivationCode::format(ActivationCode::generate())).status, 401);
            ++clientAttempts;
        }
        auto limited = exchange(QStringLiteral("RL-1"), rightCode);
        ++clientAttempts; // every attempt counts against the client, refused ones too
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.json().value(QStringLiteral("errorCode")).toInt(), 429001);
        QCOMPARE(limited.header("Retry-After"), QByteArray("2"));
        QVERIFY2(limited.json()
                     .value(QStringLiteral("message"))
                     .toString()
                     .contains(QLatin1String("for this serial from this address")),
                 limited.body.constData());

        // Per client: 20 attempts per 15 minutes, whatever the serials.
        int refusedAt = -1;
        for (int i = 0; i < 30 && refusedAt < 0; ++i) {
            const auto r =
                exchange(QStringLiteral("RANDOM-%1").arg(i), ActivationCode::format(ActivationCode::generate()));
            if (r.status == 429) {
                refusedAt = clientAttempts;
                QVERIFY(r.header("Retry-After").toInt() > 0);
            } else {
                QCOMPARE(r.status, 401);
                ++clientAttempts;
            }
        }
        QCOMPARE(refusedAt, 20);
    }

    void metricsCountRegistrations()
    {
        const auto m = f.viewer->get(QStringLiteral("/metrics"));
        QCOMPARE(m.status, 200);
        QVERIFY2(m.body.contains("provisio_registrations_total{status=\"assigned\"}"), m.body.constData());
    }

    // What a client GETs (or got from a create) it may PUT back unchanged:
    // output-only members are ignored, keys and codes stay as they are.
    void enrollmentRoundTrip()
    {
        const QString serial = newSerial();
        const QString path = QStringLiteral("/api/v1/enrollments/trip-device");
        const auto created =
            f.putEnrollment(QStringLiteral("trip-device"), QJsonObject{{QStringLiteral("serial"), serial}});
        QCOMPARE(created.status, 201);
        const QString code = created.json().value(QStringLiteral("activationCode")).toString();
        QVERIFY(!code.isEmpty());
        QVERIFY(created.json().contains(QStringLiteral("activationCodeExpiresDateTimeUtc")));
        const QString key = DeviceFixture::primaryKey(created.json());

        // The 201 answer as it came, conditional on its own etag.
        const QByteArray etag = '"' + created.json().value(QStringLiteral("etag")).toString().toUtf8() + '"';
        const auto echoed = f.operatorClient->put(path, created.json(), {{"If-Match", etag}});
        QVERIFY2(echoed.status == 200, echoed.body.constData());
        QVERIFY(echoed.header("Location").isEmpty()); // replaced, not created
        QVERIFY(!echoed.json().contains(QStringLiteral("activationCode")));
        QCOMPARE(DeviceFixture::primaryKey(echoed.json()), key);
        QCOMPARE(echoed.json().value(QStringLiteral("serial")).toString(), serial);
        // The create said where the new enrollment lives.
        QCOMPARE(created.header("Location"), QByteArray("/api/v1/enrollments/trip-device"));

        // Once registered, GET adds registrationState and iotHubHostName.
        QCOMPARE(f.registerDevice(QStringLiteral("trip-device"), key).status, 202);
        const auto read = f.operatorClient->get(path);
        QVERIFY(read.json().contains(QStringLiteral("registrationState")));
        QCOMPARE(read.json().value(QStringLiteral("iotHubHostName")).toString(), kHubHost);
        // ...and so does the list, for every item of the page.
        const QJsonArray listed = f.viewer->get(QStringLiteral("/api/v1/enrollments?serial=") + serial)
                                      .json()
                                      .value(QStringLiteral("items"))
                                      .toArray();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().toObject().value(QStringLiteral("iotHubHostName")).toString(), kHubHost);
        QCOMPARE(listed.first()
                     .toObject()
                     .value(QStringLiteral("registrationState"))
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("assigned"));
        const auto again = f.operatorClient->put(path, read.json());
        QVERIFY2(again.status == 200, again.body.constData());
        QCOMPARE(DeviceFixture::primaryKey(again.json()), key);
        // A viewer's copy has no keys: sent back by an operator, the keys stay.
        const auto viewed = f.viewer->get(path);
        QVERIFY(DeviceFixture::primaryKey(viewed.json()).isEmpty());
        const auto fromViewer = f.operatorClient->put(path, viewed.json());
        QVERIFY2(fromViewer.status == 200, fromViewer.body.constData());
        QCOMPARE(DeviceFixture::primaryKey(fromViewer.json()), key);

        // The code issued with the create still opens the enrollment: the
        // echoed code was ignored, not taken as a new one.
        const auto activated =
            f.device->post(QStringLiteral("/api/v1/activation"),
                           QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("code"), code}});
        QCOMPARE(activated.status, 200);
        QCOMPARE(f.operatorClient->del(path).status, 204);
    }

    void groupCreateGivesLocation()
    {
        const QString path = QStringLiteral("/api/v1/enrollment-groups/located-group");
        const auto created = f.operatorClient->put(
            path, QJsonObject{{QStringLiteral("attestation"),
                               QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
        QCOMPARE(created.status, 201);
        QCOMPARE(created.header("Location"), QByteArray("/api/v1/enrollment-groups/located-group"));
        QCOMPARE(f.viewer->get(QString::fromUtf8(created.header("Location"))).status, 200);
        // Sent back as read: replaced, no Location.
        const auto replaced = f.operatorClient->put(path, f.operatorClient->get(path).json());
        QCOMPARE(replaced.status, 200);
        QVERIFY(replaced.header("Location").isEmpty());
        QCOMPARE(f.operatorClient->del(path).status, 204);
    }

    // Enrollments, groups and registrations page like the CRM lists: a
    // cursor only when more follows, none (not null) on the last page.
    void dpsListsPageLikeCrmLists()
    {
        DeviceFixture g;
        QVERIFY(g.start());
        QCOMPARE(g.putHub(QStringLiteral("pager"), QStringLiteral("pager.provisio.test"), 1, kHubKey).status, 201);
        QStringList ids;
        for (int i = 1; i <= 4; ++i) {
            const QString id = QStringLiteral("page-dev-%1").arg(i);
            ids << id;
            const auto e = g.putEnrollment(id, {});
            QCOMPARE(e.status, 201);
            QCOMPARE(g.registerDevice(id, DeviceFixture::primaryKey(e.json())).status, 202);
            QCOMPARE(g.operatorClient
                         ->put(QStringLiteral("/api/v1/enrollment-groups/page-group-%1").arg(i),
                               QJsonObject{{QStringLiteral("attestation"),
                                            QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}})
                         .status,
                     201);
        }
        const QStringList groups{QStringLiteral("page-group-1"), QStringLiteral("page-group-2"),
                                 QStringLiteral("page-group-3"), QStringLiteral("page-group-4")};
        const struct
        {
            QString path;
            QString key;
            QStringList expected;
        } lists[] = {
            {QStringLiteral("/api/v1/enrollments"), QStringLiteral("registrationId"), ids},
            {QStringLiteral("/api/v1/enrollment-groups"), QStringLiteral("enrollmentGroupId"), groups},
            {QStringLiteral("/api/v1/registrations"), QStringLiteral("registrationId"), ids},
        };
        for (const auto &list : lists) {
            const auto all = g.viewer->get(list.path);
            QCOMPARE(all.status, 200);
            QCOMPARE(all.json().value(QStringLiteral("items")).toArray().size(), 4);
            QVERIFY2(!all.json().contains(QStringLiteral("nextCursor")), qPrintable(list.path));

            QStringList walked;
            const auto first = g.viewer->get(list.path + QStringLiteral("?limit=2"));
            QCOMPARE(first.status, 200);
            const QString cursor = first.json().value(QStringLiteral("nextCursor")).toString();
            QVERIFY2(!cursor.isEmpty(), qPrintable(list.path));
            for (const auto &v : first.json().value(QStringLiteral("items")).toArray())
                walked << v.toObject().value(list.key).toString();
            const auto second = g.viewer->get(list.path + QStringLiteral("?limit=2&cursor=") + cursor);
            QCOMPARE(second.status, 200);
            for (const auto &v : second.json().value(QStringLiteral("items")).toArray())
                walked << v.toObject().value(list.key).toString();
            // Full, and the last: no cursor to an empty third page.
            QVERIFY2(!second.json().contains(QStringLiteral("nextCursor")), second.body.constData());
            QCOMPARE(walked, list.expected);
        }
    }

    // A malformed code is a typo caught before any lookup: 400, counted
    // against the client like every attempt but never against the serial.
    void malformedCodesCountOnlyPerClient()
    {
        DeviceFixture g;
        QVERIFY(g.start());
        auto exchange = [&](const QString &s, const QString &c) {
            return g.device->post(QStringLiteral("/api/v1/activation"),
                                  QJsonObject{{QStringLiteral("serial"), s}, {QStringLiteral("code"), c}});
        };
        QCOMPARE(g.operatorClient
                     ->post(QStringLiteral("/api/v1/devices"),
                            QJsonObject{{QStringLiteral("serial"), QStringLiteral("TYPO-1")}})
                     .status,
                 201);
        const auto created = g.putEnrollment(QStringLiteral("typo-device"),
                                             QJsonObject{{QStringLiteral("serial"), QStringLiteral("TYPO-1")}});
        QCOMPARE(created.status, 201);
        const QString code = created.json().value(QStringLiteral("activationCode")).toString();
        QString typo = code;
        typo[0] = typo.at(0) == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');

        // More typos than the serial's budget of five failures.
        int clientAttempts = 0;
        for (int i = 0; i < 7; ++i) {
            const auto r = exchange(QStringLiteral("TYPO-1"), i % 2 ? typo : code.left(10));
            ++clientAttempts;
            QCOMPARE(r.status, 400);
            QCOMPARE(r.json().value(QStringLiteral("errorCode")).toInt(), 400004);
            QVERIFY2(r.json()
                         .value(QStringLiteral("message"))
                         .toString()
                         .contains(i % 2 ? QLatin1String("check character") : QLatin1String("characters plus a check")),
                     r.body.constData());
        }
        // The serial is not locked: the right code still works.
        const auto ok = exchange(QStringLiteral("TYPO-1"), code);
        ++clientAttempts;
        QVERIFY2(ok.status == 200, ok.body.constData());

        // Per client every attempt counts, malformed ones included.
        int refusedAt = -1;
        for (int i = 0; i < 30 && refusedAt < 0; ++i) {
            const auto r = exchange(QStringLiteral("OTHER-%1").arg(i), typo);
            if (r.status == 429) {
                refusedAt = clientAttempts;
                QVERIFY(r.header("Retry-After").toInt() > 0);
            } else {
                QCOMPARE(r.status, 400);
                ++clientAttempts;
            }
        }
        QCOMPARE(refusedAt, 20);
    }

    // Registrations are stored by the database writer on its own connection
    // while CRM changes (each reads, then writes, in one transaction) run on
    // the service's main connection: with both going at once, every answer
    // is still a success. On SQLite a transaction that began reading would
    // fail with SQLITE_BUSY whenever the writer committed in between.
    void registrationsAndCrmWritesTogether()
    {
        constexpr int kDevices = 200;
        QStringList ids;
        QHash<QString, QString> keys;
        for (int i = 0; i < kDevices; ++i) {
            const QString id = QStringLiteral("busy-%1").arg(i);
            ids << id;
            keys.insert(id, enroll(id));
            QVERIFY(!keys.value(id).isEmpty());
        }
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        QFile ca(f.mw->caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
        const QByteArray bearer = "Bearer " + f.operatorClient->bearer().toUtf8();
        // Two managers: each opens up to six connections to the service.
        QNetworkAccessManager devices;
        QNetworkAccessManager crm;
        const auto request = [&](const QString &path, bool withBearer) {
            QNetworkRequest r(QUrl(f.mw->baseUrl() + path));
            r.setSslConfiguration(ssl);
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
            if (withBearer)
                r.setRawHeader("Authorization", bearer);
            return r;
        };
        const auto json = [](const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); };

        // Three rounds: first registrations, then re-registrations of the same
        // devices, each beside CRM writes of its own.
        for (int round = 0; round < 3; ++round) {
            QList<QNetworkReply *> registrations;
            QList<QNetworkReply *> changes;
            for (int i = 0; i < kDevices; ++i) {
                const QString &id = ids.at(i);
                QNetworkRequest r = request(QLatin1Char('/') + f.mw->idScope() + QStringLiteral("/registrations/") +
                                                id + QStringLiteral("/register?api-version=2021-06-01"),
                                            false);
                r.setRawHeader("Authorization", DeviceFixture::sas(f.mw->idScope(), id, keys.value(id)).toUtf8());
                registrations << devices.put(r, json({{QStringLiteral("registrationId"), id}}));
                const QString side = QStringLiteral("crm-side-%1-%2").arg(round).arg(i);
                changes << crm.put(request(QStringLiteral("/api/v1/enrollments/") + side, true),
                                   json({{QStringLiteral("attestation"),
                                          QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}}));
                changes << crm.post(request(QStringLiteral("/api/v1/customers"), true),
                                    json({{QStringLiteral("name"), side}}));
            }
            const auto finished = [](const QList<QNetworkReply *> &replies) {
                return std::all_of(replies.cbegin(), replies.cend(),
                                   [](const QNetworkReply *r) { return r->isFinished(); });
            };
            QTRY_VERIFY_WITH_TIMEOUT(finished(registrations) && finished(changes), 60000);
            for (int i = 0; i < kDevices; ++i) {
                QNetworkReply *reply = registrations.at(i);
                const QByteArray body = reply->readAll();
                QVERIFY2(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 202, body.constData());
                const QJsonObject op = QJsonDocument::fromJson(body).object();
                QVERIFY2(op.value(QStringLiteral("status")).toString() == QLatin1String("assigned"), body.constData());
                QCOMPARE(DeviceFixture::state(op).value(QStringLiteral("registrationId")).toString(), ids.at(i));
            }
            for (QNetworkReply *reply : std::as_const(changes)) {
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                const QByteArray body = reply->readAll();
                QVERIFY2(
                    status == 201 || status == 200,
                    qPrintable(reply->url().path() + QStringLiteral(": %1 ").arg(status) + QString::fromUtf8(body)));
            }
            qDeleteAll(registrations);
            qDeleteAll(changes);
        }
        // What the writer stored is what the CRM reads.
        const auto record = f.viewer->get(QStringLiteral("/api/v1/registrations/") + ids.last());
        QCOMPARE(record.status, 200);
        QCOMPARE(record.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        QCOMPARE(f.viewer->get(QStringLiteral("/api/v1/enrollments/crm-side-2-%1").arg(kDevices - 1)).status, 200);
    }

    // A registration's key check runs off the event loop and counts as a
    // failure only when it is done. A client with many bad registrations in
    // flight at once (each on a connection of its own) must still get no
    // more failed attempts than the limit: the rest are answered 429.
    void failureLimitHoldsWithRequestsInFlight()
    {
        constexpr int kLimit = 10;
        constexpr int kConnections = 40;
        MiddlewareProcess mw({QStringLiteral("--dps-failures-per-address"), QString::number(kLimit)});
        QVERIFY2(mw.start(), qPrintable(mw.lastError()));
        QFile ca(mw.caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
        const QUrl url(mw.baseUrl());
        std::vector<std::unique_ptr<QSslSocket>> sockets;
        for (int i = 0; i < kConnections; ++i) {
            auto socket = std::make_unique<QSslSocket>();
            socket->setSslConfiguration(ssl);
            socket->connectToHostEncrypted(url.host(), quint16(url.port()));
            QVERIFY2(socket->waitForEncrypted(10000), qPrintable(socket->errorString()));
            sockets.push_back(std::move(socket));
        }
        // Every request is written before any answer is read: distinct ids
        // (the per-id limit stays out of it), a key nobody enrolled.
        const QString key = Crypto::generateSymmetricKey(32);
        for (int i = 0; i < kConnections; ++i) {
            const QString id = QStringLiteral("in-flight-%1").arg(i);
            const QByteArray body =
                QJsonDocument(QJsonObject{{QStringLiteral("registrationId"), id}}).toJson(QJsonDocument::Compact);
            sockets[i]->write("PUT /" + mw.idScope().toUtf8() + "/registrations/" + id.toUtf8() +
                              "/register?api-version=2021-06-01 HTTP/1.1\r\nHost: localhost\r\nAuthorization: " +
                              DeviceFixture::sas(mw.idScope(), id, key).toUtf8() +
                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                              QByteArray::number(body.size()) + "\r\n\r\n" + body);
            sockets[i]->flush();
        }
        QHash<int, int> statuses;
        for (auto &socket : sockets) {
            QByteArray received;
            QDeadlineTimer deadline(15000);
            while (!received.contains("\r\n\r\n") && !deadline.hasExpired()) {
                if (socket->bytesAvailable() == 0 &&
                    !socket->waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
                    break;
                received += socket->readAll();
            }
            QVERIFY2(received.startsWith("HTTP/1.1 "), received.left(200).constData());
            ++statuses[received.mid(9, 3).toInt()];
        }
        QCOMPARE(statuses.value(401), kLimit);
        QCOMPARE(statuses.value(429), kConnections - kLimit);
        mw.stop();
    }
};

PROVISIO_TEST_GUILESS_MAIN(tst_DeviceApi)
#include "tst_deviceapi.moc"
