// SPDX-License-Identifier: Apache-2.0
// The protocol types' JSON codecs: real DPS-shaped documents survive a round
// trip unchanged, clients' variations (nulls, .NET timestamps, left-out
// defaults) normalize to one form, and every kind of bad input is rejected
// with a message naming the offending field.
#include "protocol/allocation.h"
#include "protocol/apierror.h"
#include "protocol/attestation.h"
#include "protocol/customer.h"
#include "protocol/device.h"
#include "protocol/enrollment.h"
#include "protocol/enrollmentgroup.h"
#include "protocol/hub.h"
#include "protocol/registrationstate.h"
#include "protocol/twin.h"

#include <QJsonDocument>
#include <QTest>

using namespace Provisio;

Q_DECLARE_METATYPE(Provisio::ErrorCode)

namespace {

// Two 32-byte keys, as the middleware generates them.
#define KEY1 "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
#define KEY2 "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlBQkNERUY="

QString s(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON at %d: %s", error.offset, json.constData());
    return doc.object();
}

QByteArray compact(const QJsonObject &obj)
{
    return QJsonDocument(obj).toJson(QJsonDocument::Compact);
}

template<typename T>
Result<QJsonObject> reencodeAs(const QJsonObject &json)
{
    const Result<T> parsed = T::fromJson(json);
    if (!parsed)
        return parsed.error();
    return parsed->toJson();
}

// Parses `json` as the named type and serializes it again.
Result<QJsonObject> reencode(const QString &type, const QJsonObject &json)
{
    if (type == QLatin1String("Enrollment"))
        return reencodeAs<Enrollment>(json);
    if (type == QLatin1String("EnrollmentGroup"))
        return reencodeAs<EnrollmentGroup>(json);
    if (type == QLatin1String("RegistrationState"))
        return reencodeAs<RegistrationState>(json);
    if (type == QLatin1String("RegistrationOperation"))
        return reencodeAs<RegistrationOperation>(json);
    if (type == QLatin1String("DeviceRecord"))
        return reencodeAs<DeviceRecord>(json);
    if (type == QLatin1String("Customer"))
        return reencodeAs<Customer>(json);
    if (type == QLatin1String("Hub")) {
        const Result<Hub> hub = Hub::fromJson(json);
        if (!hub)
            return hub.error();
        return hub->toJson(/*includeSigningKey=*/true);
    }
    if (type == QLatin1String("ApiError"))
        return reencodeAs<ApiError>(json);
    if (type == QLatin1String("InitialTwin"))
        return reencodeAs<InitialTwin>(json);
    if (type == QLatin1String("Attestation"))
        return reencodeAs<Attestation>(json);
    if (type == QLatin1String("ReprovisionPolicy"))
        return reencodeAs<ReprovisionPolicy>(json);
    if (type == QLatin1String("CustomAllocationDefinition"))
        return reencodeAs<CustomAllocationDefinition>(json);
    qFatal("unknown type in test table");
    return Error();
}

const char kEnrollmentFull[] = R"({
  "registrationId": "sensor-0042",
  "deviceId": "sensor-0042",
  "attestation": {"type": "symmetricKey", "symmetricKey": {"primaryKey": ")" KEY1 R"(", "secondaryKey": ")" KEY2 R"("}},
  "iotHubHostName": "hub1.provisio.local",
  "initialTwin": {"tags": {"site": "berlin", "floor": 3},
                  "properties": {"desired": {"telemetryInterval": 30, "thresholds": {"temp": 21.5}}}},
  "provisioningStatus": "enabled",
  "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": false},
  "allocationPolicy": "hashed",
  "iotHubs": ["hub1.provisio.local", "hub2.provisio.local"],
  "capabilities": {"iotEdge": false},
  "etag": "AAAAAAFPSKs=",
  "createdDateTimeUtc": "2024-05-01T12:00:00.123Z",
  "lastUpdatedDateTimeUtc": "2024-05-02T08:30:00.000Z",
  "registrationState": {
    "registrationId": "sensor-0042",
    "createdDateTimeUtc": "2024-05-03T09:00:00.000Z",
    "assignedHub": "hub1.provisio.local",
    "deviceId": "sensor-0042",
    "status": "assigned",
    "substatus": "initialAssignment",
    "lastUpdatedDateTimeUtc": "2024-05-03T09:00:01.500Z",
    "etag": "IjA0MDAxZjI5In0="
  },
  "serial": "SN-2024-0042"
})";

const char kRegistrationAssigned[] = R"({
  "registrationId": "sensor-0042",
  "createdDateTimeUtc": "2024-05-03T09:00:00.000Z",
  "assignedHub": "hub1.provisio.local",
  "deviceId": "sensor-0042",
  "status": "assigned",
  "substatus": "reprovisionedToInitialAssignment",
  "lastUpdatedDateTimeUtc": "2024-05-03T09:00:01.500Z",
  "etag": "IjA0MDAxZjI5In0=",
  "payload": {"provisio": {"hubEndpoint": "10.0.0.5:18883", "hubDeviceKey": ")" KEY2 R"(",
                           "caCertificate": "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"}}
})";

} // namespace

class TestProtocolTypes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void codec_data();
    void codec();
    void invalid_data();
    void invalid();
    void enrollmentFields();
    void registrationOperationNested();
    void allocationPolicyNames();
    void attestationKeys_data();
    void attestationKeys();
    void hubHelpers();
    void httpStatusMapping_data();
    void httpStatusMapping();
    void httpStatusToErrorCode_data();
    void httpStatusToErrorCode();
    void apiErrorFromError();
};

void TestProtocolTypes::codec_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected"); // empty: the input comes back unchanged

    // --- round trips of documents in the canonical form ---
    QTest::newRow("Enrollment full") << s("Enrollment") << QByteArray(kEnrollmentFull) << QByteArray();
    QTest::newRow("Enrollment custom allocation") << s("Enrollment") << QByteArray(R"({
        "registrationId": "kiosk-7",
        "attestation": {"type": "symmetricKey", "symmetricKey": {"primaryKey": ")" KEY1 R"("}},
        "initialTwin": {"tags": {}, "properties": {"desired": {}}},
        "provisioningStatus": "disabled",
        "reprovisionPolicy": {"updateHubAssignment": false, "migrateDeviceData": false},
        "allocationPolicy": "custom",
        "iotHubs": [],
        "customAllocationDefinition": {"webhookUrl": "https://alloc.example.com/api/allocate?code=abc",
                                       "apiVersion": "2021-10-01"},
        "capabilities": {"iotEdge": true}
    })") << QByteArray();
    QTest::newRow("Enrollment static") << s("Enrollment") << QByteArray(R"({
        "registrationId": "gw:01",
        "attestation": {"type": "symmetricKey", "symmetricKey": {}},
        "initialTwin": {"tags": {}, "properties": {"desired": {}}},
        "provisioningStatus": "enabled",
        "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": true},
        "allocationPolicy": "static",
        "iotHubs": ["hub2.provisio.local"],
        "capabilities": {"iotEdge": false}
    })") << QByteArray();
    QTest::newRow("EnrollmentGroup full") << s("EnrollmentGroup")
                                          << QByteArray(R"({
        "enrollmentGroupId": "factory-batch-7",
        "attestation": {"type": "symmetricKey", "symmetricKey": {"primaryKey": ")" KEY1 R"(", "secondaryKey": ")" KEY2
                                                        R"("}},
        "initialTwin": {"tags": {"batch": "7"}, "properties": {"desired": {"fw": "1.4.2"}}},
        "provisioningStatus": "enabled",
        "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": true},
        "allocationPolicy": "geoLatency",
        "iotHubs": ["hub-eu.provisio.local", "hub-us.provisio.local"],
        "capabilities": {"iotEdge": false},
        "etag": "AAAAAAFPSKs=",
        "createdDateTimeUtc": "2024-01-15T10:00:00.000Z",
        "lastUpdatedDateTimeUtc": "2024-01-15T10:00:00.000Z"
    })") << QByteArray();
    QTest::newRow("RegistrationState assigned")
        << s("RegistrationState") << QByteArray(kRegistrationAssigned) << QByteArray();
    QTest::newRow("RegistrationState failed") << s("RegistrationState") << QByteArray(R"({
        "registrationId": "sensor-0043",
        "createdDateTimeUtc": "2024-05-03T09:00:00.000Z",
        "status": "failed",
        "substatus": "initialAssignment",
        "errorCode": 400209,
        "errorMessage": "Custom allocation failed with status code: 500",
        "lastUpdatedDateTimeUtc": "2024-05-03T09:00:02.000Z",
        "etag": "IjA1In0="
    })") << QByteArray();
    QTest::newRow("RegistrationOperation assigning") << s("RegistrationOperation") << QByteArray(R"({
        "operationId": "4.d0ad3a16a3e5c2c5.b1d2a1f2-7d3e-4b3c-9a11-93b4c7a5e0f1",
        "status": "assigning"
    })") << QByteArray();
    QTest::newRow("RegistrationOperation assigned")
        << s("RegistrationOperation")
        << QByteArray(R"({"operationId": "4.d0ad3a16a3e5c2c5.b1d2", "status": "assigned", "registrationState": )") +
               QByteArray(kRegistrationAssigned) + QByteArray("}")
        << QByteArray();
    QTest::newRow("DeviceRecord sold") << s("DeviceRecord") << QByteArray(R"({
        "serial": "SN-2024-0042",
        "model": "TH-200",
        "manufacturer": "Acme Sensors GmbH",
        "batch": "B-2024-17",
        "deliveryDate": "2024-03-11",
        "customerId": "c-000017",
        "soldDate": "2024-04-02",
        "status": "sold",
        "notes": "Replacement for SN-2023-0911.\nCalibrated on site.",
        "etag": "W/\"3\"",
        "createdDateTimeUtc": "2024-03-11T08:00:00.000Z",
        "lastUpdatedDateTimeUtc": "2024-04-02T15:12:45.250Z"
    })") << QByteArray();
    QTest::newRow("Customer full") << s("Customer") << QByteArray(R"({
        "id": "c-000017",
        "name": "Müller & Söhne KG",
        "email": "einkauf@mueller-soehne.example",
        "phone": "+49 30 1234567",
        "address": "Hauptstraße 1\n10115 Berlin",
        "notes": "",
        "etag": "7",
        "createdDateTimeUtc": "2024-02-01T09:00:00.000Z",
        "lastUpdatedDateTimeUtc": "2024-02-01T09:00:00.000Z"
    })") << QByteArray();
    QTest::newRow("Hub full") << s("Hub") << QByteArray(R"({
        "name": "eu-1",
        "host": "hub1.provisio.local",
        "port": 8883,
        "endpoint": "203.0.113.10:18883",
        "region": "westeurope",
        "allocationWeight": 3,
        "signingKey": ")" KEY2 R"(",
        "etag": "2",
        "createdDateTimeUtc": "2024-01-01T00:00:00.000Z",
        "lastUpdatedDateTimeUtc": "2024-01-02T00:00:00.000Z"
    })") << QByteArray();
    QTest::newRow("Hub IPv6 endpoint") << s("Hub") << QByteArray(R"({
        "host": "localhost", "port": 1883, "endpoint": "[::1]:18883", "allocationWeight": 0
    })") << QByteArray();
    QTest::newRow("ApiError") << s("ApiError") << QByteArray(R"({
        "errorCode": 401002,
        "trackingId": "b7f0c2a4-5e7d-4c1e-9d3a-2f8f7b9e6a11",
        "message": "Unauthorized",
        "timestampUtc": "2024-05-03T09:00:00.000Z"
    })") << QByteArray();
    QTest::newRow("InitialTwin")
        << s("InitialTwin")
        << QByteArray(R"({"tags": {"a": [1, 2]}, "properties": {"desired": {"$version": 4, "x": null}}})")
        << QByteArray();
    QTest::newRow("Attestation") << s("Attestation")
                                 << QByteArray(R"({"type": "symmetricKey", "symmetricKey": {"primaryKey": ")" KEY1
                                               R"(", "secondaryKey": ")" KEY2 R"("}})")
                                 << QByteArray();
    QTest::newRow("ReprovisionPolicy") << s("ReprovisionPolicy")
                                       << QByteArray(R"({"updateHubAssignment": false, "migrateDeviceData": true})")
                                       << QByteArray();
    QTest::newRow("CustomAllocationDefinition")
        << s("CustomAllocationDefinition")
        << QByteArray(R"({"webhookUrl": "http://127.0.0.1:7071/api/alloc", "apiVersion": "2019-03-31"})")
        << QByteArray();

    // --- what clients send, normalized to the canonical form ---
    QTest::newRow("Enrollment minimal gets defaults")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev-1", "attestation": {"type": "symmetricKey"}})")
        << QByteArray(R"({"registrationId": "dev-1",
            "attestation": {"type": "symmetricKey", "symmetricKey": {}},
            "initialTwin": {"tags": {}, "properties": {"desired": {}}},
            "provisioningStatus": "enabled",
            "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": true},
            "iotHubs": [], "capabilities": {"iotEdge": false}})");
    QTest::newRow("Enrollment SDK nulls and ticks")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev-1", "deviceId": null, "iotHubHostName": null,
            "attestation": {"type": "symmetricKey", "tpm": null, "x509": null,
                            "symmetricKey": {"primaryKey": ")" KEY1 R"(", "secondaryKey": null}},
            "initialTwin": null, "allocationPolicy": null, "customAllocationDefinition": null,
            "iotHubs": null, "capabilities": null, "reprovisionPolicy": null, "registrationState": null,
            "createdDateTimeUtc": "2017-09-28T16:29:42.3447817Z",
            "lastUpdatedDateTimeUtc": "2017-09-28T18:29:42.3447817+02:00", "etag": null})")
        << QByteArray(R"({"registrationId": "dev-1",
            "attestation": {"type": "symmetricKey", "symmetricKey": {"primaryKey": ")" KEY1 R"("}},
            "initialTwin": {"tags": {}, "properties": {"desired": {}}},
            "provisioningStatus": "enabled",
            "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": true},
            "iotHubs": [], "capabilities": {"iotEdge": false},
            "createdDateTimeUtc": "2017-09-28T16:29:42.344Z",
            "lastUpdatedDateTimeUtc": "2017-09-28T16:29:42.344Z"})");
    // A create's 201 answer sent back as is: the activation code members are
    // read-only output and dropped.
    QTest::newRow("Enrollment echoes activation code")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev-1", "serial": "SN-1",
            "attestation": {"type": "symmetricKey"},
            "activationCode": "98ES-67WC-EWAT-ZJSG-G",
            "activationCodeExpiresDateTimeUtc": "2026-12-26T09:55:12.257Z"})")
        << QByteArray(R"({"registrationId": "dev-1",
            "attestation": {"type": "symmetricKey", "symmetricKey": {}},
            "initialTwin": {"tags": {}, "properties": {"desired": {}}},
            "provisioningStatus": "enabled",
            "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": true},
            "iotHubs": [], "capabilities": {"iotEdge": false}, "serial": "SN-1"})");
    QTest::newRow("EnrollmentGroup minimal")
        << s("EnrollmentGroup") << QByteArray(R"({"enrollmentGroupId": "g1", "attestation": {"type": "symmetricKey"},
            "reprovisionPolicy": {"migrateDeviceData": false}})")
        << QByteArray(R"({"enrollmentGroupId": "g1",
            "attestation": {"type": "symmetricKey", "symmetricKey": {}},
            "initialTwin": {"tags": {}, "properties": {"desired": {}}},
            "provisioningStatus": "enabled",
            "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": false},
            "iotHubs": [], "capabilities": {"iotEdge": false}})");
    QTest::newRow("RegistrationState empty payload dropped")
        << s("RegistrationState")
        << QByteArray(R"({"registrationId": "d", "status": "assigning", "payload": {}, "errorCode": null})")
        << QByteArray(R"({"registrationId": "d", "status": "assigning"})");
    QTest::newRow("DeviceRecord minimal")
        << s("DeviceRecord") << QByteArray(R"({"serial": "SN:1_a.b"})")
        << QByteArray(R"({"serial": "SN:1_a.b", "model": "", "manufacturer": "", "batch": "",
                          "status": "inStock", "notes": ""})");
    QTest::newRow("Customer minimal")
        << s("Customer") << QByteArray(R"({"name": "ACME"})")
        << QByteArray(R"({"name": "ACME", "email": "", "phone": "", "address": "", "notes": ""})");
    QTest::newRow("Hub minimal") << s("Hub") << QByteArray(R"({"host": "hub1.provisio.local"})")
                                 << QByteArray(
                                        R"({"host": "hub1.provisio.local", "port": 8883, "allocationWeight": 1})");
}

void TestProtocolTypes::codec()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);

    const QJsonObject in = parse(input);
    const QJsonObject want = expected.isEmpty() ? in : parse(expected);

    const Result<QJsonObject> once = reencode(type, in);
    QVERIFY2(once.ok(), qPrintable(once.error().message));
    QCOMPARE(compact(*once), compact(want));

    // The canonical form is a fixed point: parsing what we wrote gives it back.
    const Result<QJsonObject> twice = reencode(type, *once);
    QVERIFY2(twice.ok(), qPrintable(twice.error().message));
    QCOMPARE(compact(*twice), compact(want));
}

void TestProtocolTypes::invalid_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("field");   // must appear quoted in the message
    QTest::addColumn<QString>("problem"); // must appear in the message

    const QByteArray att = R"("attestation": {"type": "symmetricKey"})";
    const auto enrollment = [&](const char *extra) -> QByteArray {
        return QByteArray(R"({"registrationId": "dev-1", )") + att + QByteArray(extra) + QByteArray("}");
    };
    const auto group = [&](const char *extra) -> QByteArray {
        return QByteArray(R"({"enrollmentGroupId": "g-1", )") + att + QByteArray(extra) + QByteArray("}");
    };
    const auto withKey = [](const char *key) -> QByteArray {
        return QByteArray(
                   R"({"registrationId": "dev-1", "attestation": {"type": "symmetricKey", "symmetricKey": {"primaryKey": ")") +
               QByteArray(key) + QByteArray(R"("}}})");
    };
    const QByteArray longText(257, 'x');
    const QByteArray longNotes(4097, 'n');

    // Enrollment
    QTest::newRow("E registrationId missing")
        << s("Enrollment") << QByteArray(R"({"attestation": {"type": "symmetricKey"}})") << s("registrationId")
        << s("is required");
    QTest::newRow("E registrationId number")
        << s("Enrollment") << QByteArray(R"({"registrationId": 5, "attestation": {"type": "symmetricKey"}})")
        << s("registrationId") << s("must be a string");
    QTest::newRow("E registrationId empty")
        << s("Enrollment") << QByteArray(R"({"registrationId": "", "attestation": {"type": "symmetricKey"}})")
        << s("registrationId") << s("must not be empty");
    QTest::newRow("E registrationId slash")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev/1", "attestation": {"type": "symmetricKey"}})")
        << s("registrationId") << s("is invalid");
    QTest::newRow("E registrationId ends in dot")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev.", "attestation": {"type": "symmetricKey"}})")
        << s("registrationId") << s("is invalid");
    QTest::newRow("E deviceId hash") << s("Enrollment") << enrollment(R"(, "deviceId": "dev#1")") << s("deviceId")
                                     << s("is invalid");
    QTest::newRow("E deviceId number") << s("Enrollment") << enrollment(R"(, "deviceId": 1)") << s("deviceId")
                                       << s("must be a string");
    QTest::newRow("E unknown top-level") << s("Enrollment") << enrollment(R"(, "provisioningStatuss": "enabled")")
                                         << s("provisioningStatuss") << s("unknown field");
    QTest::newRow("E attestation missing")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev-1"})") << s("attestation") << s("is required");
    QTest::newRow("E attestation string")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev-1", "attestation": "symmetricKey"})")
        << s("attestation") << s("must be an object");
    QTest::newRow("E attestation x509")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev-1", "attestation": {"type": "x509", "x509": {}}})")
        << s("attestation.type") << s("attestation type 'x509' is not supported");
    QTest::newRow("E attestation tpm") << s("Enrollment")
                                       << QByteArray(R"({"registrationId": "dev-1", "attestation": {"type": "tpm"}})")
                                       << s("attestation.type") << s("attestation type 'tpm' is not supported");
    QTest::newRow("E attestation type missing")
        << s("Enrollment") << QByteArray(R"({"registrationId": "dev-1", "attestation": {}})") << s("attestation.type")
        << s("is required");
    QTest::newRow("E attestation tpm alongside")
        << s("Enrollment")
        << QByteArray(
               R"({"registrationId": "dev-1", "attestation": {"type": "symmetricKey", "tpm": {"endorsementKey": "x"}}})")
        << s("attestation.tpm") << s("must be absent");
    QTest::newRow("E attestation unknown")
        << s("Enrollment")
        << QByteArray(R"({"registrationId": "dev-1", "attestation": {"type": "symmetricKey", "key": "x"}})")
        << s("attestation.key") << s("unknown field");
    QTest::newRow("E symmetricKey not object")
        << s("Enrollment")
        << QByteArray(R"({"registrationId": "dev-1", "attestation": {"type": "symmetricKey", "symmetricKey": "x"}})")
        << s("attestation.symmetricKey") << s("must be an object");
    QTest::newRow("E symmetricKey unknown")
        << s("Enrollment")
        << QByteArray(
               R"({"registrationId": "dev-1", "attestation": {"type": "symmetricKey", "symmetricKey": {"primary": "x"}}})")
        << s("attestation.symmetricKey.primary") << s("unknown field");
    QTest::newRow("E primaryKey not base64")
        << s("Enrollment") << withKey("not base64!") << s("attestation.symmetricKey.primaryKey") << s("must be base64");
    QTest::newRow("E primaryKey too short")
        << s("Enrollment") << withKey("c2hvcnQ=") << s("attestation.symmetricKey.primaryKey") << s("16 to 64 bytes");
    QTest::newRow("E secondaryKey number")
        << s("Enrollment")
        << QByteArray(
               R"({"registrationId": "dev-1", "attestation": {"type": "symmetricKey", "symmetricKey": {"secondaryKey": 1}}})")
        << s("attestation.symmetricKey.secondaryKey") << s("must be a string");
    QTest::newRow("E initialTwin array") << s("Enrollment") << enrollment(R"(, "initialTwin": [])") << s("initialTwin")
                                         << s("must be an object");
    QTest::newRow("E initialTwin tags string") << s("Enrollment") << enrollment(R"(, "initialTwin": {"tags": "x"})")
                                               << s("initialTwin.tags") << s("must be an object");
    QTest::newRow("E initialTwin desired array")
        << s("Enrollment") << enrollment(R"(, "initialTwin": {"properties": {"desired": []}})")
        << s("initialTwin.properties.desired") << s("must be an object");
    QTest::newRow("E initialTwin reported")
        << s("Enrollment") << enrollment(R"(, "initialTwin": {"properties": {"reported": {}}})")
        << s("initialTwin.properties.reported") << s("unknown field");
    QTest::newRow("E initialTwin unknown") << s("Enrollment") << enrollment(R"(, "initialTwin": {"desired": {}})")
                                           << s("initialTwin.desired") << s("unknown field");
    QTest::newRow("E provisioningStatus case") << s("Enrollment") << enrollment(R"(, "provisioningStatus": "Enabled")")
                                               << s("provisioningStatus") << s("must be 'enabled' or 'disabled'");
    QTest::newRow("E provisioningStatus bool") << s("Enrollment") << enrollment(R"(, "provisioningStatus": true)")
                                               << s("provisioningStatus") << s("must be a string");
    QTest::newRow("E reprovision bool string")
        << s("Enrollment") << enrollment(R"(, "reprovisionPolicy": {"migrateDeviceData": "yes"})")
        << s("reprovisionPolicy.migrateDeviceData") << s("must be a boolean");
    QTest::newRow("E reprovision unknown")
        << s("Enrollment") << enrollment(R"(, "reprovisionPolicy": {"updateHub": true})")
        << s("reprovisionPolicy.updateHub") << s("unknown field");
    QTest::newRow("E allocationPolicy unknown")
        << s("Enrollment") << enrollment(R"(, "allocationPolicy": "roundRobin")") << s("allocationPolicy")
        << s("must be one of hashed, geoLatency, static, custom");
    QTest::newRow("E allocationPolicy case") << s("Enrollment") << enrollment(R"(, "allocationPolicy": "Hashed")")
                                             << s("allocationPolicy") << s("must be one of");
    QTest::newRow("E allocationPolicy number") << s("Enrollment") << enrollment(R"(, "allocationPolicy": 1)")
                                               << s("allocationPolicy") << s("must be a string");
    QTest::newRow("E iotHubs string") << s("Enrollment") << enrollment(R"(, "iotHubs": "hub1")") << s("iotHubs")
                                      << s("must be an array");
    QTest::newRow("E iotHubs element type")
        << s("Enrollment") << enrollment(R"(, "iotHubs": ["hub1", 2])") << s("iotHubs[1]") << s("must be a string");
    QTest::newRow("E iotHubs element host") << s("Enrollment") << enrollment(R"(, "iotHubs": ["hub1", "hub_2!"])")
                                            << s("iotHubs[1]") << s("must be a hub host name");
    QTest::newRow("E iotHubs duplicate") << s("Enrollment") << enrollment(R"(, "iotHubs": ["hub1", "a", "HUB1"])")
                                         << s("iotHubs[2]") << s("duplicates");
    QTest::newRow("E custom without definition")
        << s("Enrollment") << enrollment(R"(, "allocationPolicy": "custom")") << s("customAllocationDefinition")
        << s("is required when allocationPolicy is 'custom'");
    QTest::newRow("E custom webhook scheme")
        << s("Enrollment")
        << enrollment(
               R"(, "allocationPolicy": "custom", "customAllocationDefinition": {"webhookUrl": "ftp://x.example/a", "apiVersion": "2021-10-01"})")
        << s("customAllocationDefinition.webhookUrl") << s("must be an http or https URL");
    QTest::newRow("E custom apiVersion missing")
        << s("Enrollment")
        << enrollment(
               R"(, "allocationPolicy": "custom", "customAllocationDefinition": {"webhookUrl": "https://x.example/a"})")
        << s("customAllocationDefinition.apiVersion") << s("is required");
    QTest::newRow("E custom unknown")
        << s("Enrollment")
        << enrollment(
               R"(, "customAllocationDefinition": {"webhookUrl": "https://x.example/a", "apiVersion": "1", "secret": "s"})")
        << s("customAllocationDefinition.secret") << s("unknown field");
    QTest::newRow("E static two hubs") << s("Enrollment")
                                       << enrollment(R"(, "allocationPolicy": "static", "iotHubs": ["a", "b"])")
                                       << s("iotHubs") << s("exactly one hub");
    QTest::newRow("E capabilities string bool")
        << s("Enrollment") << enrollment(R"(, "capabilities": {"iotEdge": "true"})") << s("capabilities.iotEdge")
        << s("must be a boolean");
    QTest::newRow("E capabilities unknown")
        << s("Enrollment") << enrollment(R"(, "capabilities": {"iotEdge": true, "gpu": true})") << s("capabilities.gpu")
        << s("unknown field");
    QTest::newRow("E createdDateTimeUtc bad") << s("Enrollment") << enrollment(R"(, "createdDateTimeUtc": "yesterday")")
                                              << s("createdDateTimeUtc") << s("ISO-8601");
    QTest::newRow("E etag number") << s("Enrollment") << enrollment(R"(, "etag": 3)") << s("etag")
                                   << s("must be a string");
    QTest::newRow("E serial space") << s("Enrollment") << enrollment(R"(, "serial": "SN 1")") << s("serial")
                                    << s("letters, digits");
    QTest::newRow("E registrationState status")
        << s("Enrollment") << enrollment(R"(, "registrationState": {"registrationId": "dev-1", "status": "done"})")
        << s("registrationState.status") << s("must be one of unassigned, assigning, assigned, failed, disabled");
    // EnrollmentGroup
    QTest::newRow("G id missing") << s("EnrollmentGroup") << QByteArray(R"({"attestation": {"type": "symmetricKey"}})")
                                  << s("enrollmentGroupId") << s("is required");
    QTest::newRow("G id bad") << s("EnrollmentGroup")
                              << QByteArray(R"({"enrollmentGroupId": "a?b", "attestation": {"type": "symmetricKey"}})")
                              << s("enrollmentGroupId") << s("must be at most 128");
    QTest::newRow("G registrationId unknown")
        << s("EnrollmentGroup") << group(R"(, "registrationId": "dev-1")") << s("registrationId") << s("unknown field");
    QTest::newRow("G serial unknown") << s("EnrollmentGroup") << group(R"(, "serial": "SN-1")") << s("serial")
                                      << s("unknown field");
    QTest::newRow("G attestation missing") << s("EnrollmentGroup") << QByteArray(R"({"enrollmentGroupId": "g-1"})")
                                           << s("attestation") << s("is required");
    QTest::newRow("G x509") << s("EnrollmentGroup")
                            << QByteArray(R"({"enrollmentGroupId": "g-1", "attestation": {"type": "x509"}})")
                            << s("attestation.type") << s("'x509' is not supported");
    QTest::newRow("G desired number") << s("EnrollmentGroup")
                                      << group(R"(, "initialTwin": {"properties": {"desired": 1}})")
                                      << s("initialTwin.properties.desired") << s("must be an object");
    // RegistrationState / RegistrationOperation
    QTest::newRow("R registrationId missing")
        << s("RegistrationState") << QByteArray(R"({"status": "assigned"})") << s("registrationId") << s("is required");
    QTest::newRow("R status missing") << s("RegistrationState") << QByteArray(R"({"registrationId": "d"})")
                                      << s("status") << s("is required");
    QTest::newRow("R status unknown") << s("RegistrationState")
                                      << QByteArray(R"({"registrationId": "d", "status": "Assigned"})") << s("status")
                                      << s("must be one of");
    QTest::newRow("R substatus unknown")
        << s("RegistrationState")
        << QByteArray(R"({"registrationId": "d", "status": "assigned", "substatus": "migrated"})") << s("substatus")
        << s("must be one of initialAssignment");
    QTest::newRow("R errorCode fraction")
        << s("RegistrationState") << QByteArray(R"({"registrationId": "d", "status": "failed", "errorCode": 400.5})")
        << s("errorCode") << s("must be an integer");
    QTest::newRow("R errorCode string") << s("RegistrationState")
                                        << QByteArray(
                                               R"({"registrationId": "d", "status": "failed", "errorCode": "400209"})")
                                        << s("errorCode") << s("must be an integer");
    QTest::newRow("R payload string") << s("RegistrationState")
                                      << QByteArray(R"({"registrationId": "d", "status": "assigned", "payload": "x"})")
                                      << s("payload") << s("must be an object");
    QTest::newRow("R unknown") << s("RegistrationState")
                               << QByteArray(R"({"registrationId": "d", "status": "assigned", "hub": "x"})") << s("hub")
                               << s("unknown field");
    QTest::newRow("O operationId missing") << s("RegistrationOperation") << QByteArray(R"({"status": "assigning"})")
                                           << s("operationId") << s("is required");
    QTest::newRow("O status bad") << s("RegistrationOperation")
                                  << QByteArray(R"({"operationId": "o", "status": "pending"})") << s("status")
                                  << s("must be one of");
    QTest::newRow("O nested missing")
        << s("RegistrationOperation")
        << QByteArray(R"({"operationId": "o", "status": "assigned", "registrationState": {"status": "assigned"}})")
        << s("registrationState.registrationId") << s("is required");
    QTest::newRow("O nested not object")
        << s("RegistrationOperation")
        << QByteArray(R"({"operationId": "o", "status": "assigned", "registrationState": []})")
        << s("registrationState") << s("must be an object");
    QTest::newRow("O unknown") << s("RegistrationOperation")
                               << QByteArray(R"({"operationId": "o", "status": "assigned", "retryAfter": 3})")
                               << s("retryAfter") << s("unknown field");
    // DeviceRecord
    QTest::newRow("D serial missing") << s("DeviceRecord") << QByteArray(R"({"model": "TH-200"})") << s("serial")
                                      << s("is required");
    QTest::newRow("D serial number") << s("DeviceRecord") << QByteArray(R"({"serial": 42})") << s("serial")
                                     << s("must be a string");
    QTest::newRow("D serial chars") << s("DeviceRecord") << QByteArray(R"({"serial": "SN/42"})") << s("serial")
                                    << s("must be 1 to 64 letters");
    QTest::newRow("D serial too long") << s("DeviceRecord")
                                       << QByteArray(R"({"serial": ")") + QByteArray(65, 'S') + QByteArray(R"("})")
                                       << s("serial") << s("must be 1 to 64");
    QTest::newRow("D model too long") << s("DeviceRecord")
                                      << QByteArray(R"({"serial": "S1", "model": ")") + longText + QByteArray(R"("})")
                                      << s("model") << s("must be at most 256 characters");
    QTest::newRow("D manufacturer too long")
        << s("DeviceRecord") << QByteArray(R"({"serial": "S1", "manufacturer": ")") + longText + QByteArray(R"("})")
        << s("manufacturer") << s("must be at most 256 characters");
    QTest::newRow("D batch too long") << s("DeviceRecord")
                                      << QByteArray(R"({"serial": "S1", "batch": ")") + longText + QByteArray(R"("})")
                                      << s("batch") << s("must be at most 256 characters");
    QTest::newRow("D notes too long") << s("DeviceRecord")
                                      << QByteArray(R"({"serial": "S1", "notes": ")") + longNotes + QByteArray(R"("})")
                                      << s("notes") << s("must be at most 4096 characters");
    QTest::newRow("D deliveryDate format")
        << s("DeviceRecord") << QByteArray(R"({"serial": "S1", "deliveryDate": "11.03.2024"})") << s("deliveryDate")
        << s("yyyy-MM-dd");
    QTest::newRow("D soldDate number") << s("DeviceRecord") << QByteArray(R"({"serial": "S1", "soldDate": 20240402})")
                                       << s("soldDate") << s("must be a string");
    QTest::newRow("D status unknown") << s("DeviceRecord") << QByteArray(R"({"serial": "S1", "status": "shipped"})")
                                      << s("status") << s("must be one of inStock, sold, provisioned, retired");
    QTest::newRow("D customerId number") << s("DeviceRecord") << QByteArray(R"({"serial": "S1", "customerId": 17})")
                                         << s("customerId") << s("must be a string");
    QTest::newRow("D unknown") << s("DeviceRecord") << QByteArray(R"({"serial": "S1", "colour": "red"})") << s("colour")
                               << s("unknown field");
    // Customer
    QTest::newRow("C name missing") << s("Customer") << QByteArray(R"({"email": "a@b.c"})") << s("name")
                                    << s("is required");
    QTest::newRow("C name blank") << s("Customer") << QByteArray(R"({"name": "   "})") << s("name")
                                  << s("must not be blank");
    QTest::newRow("C name too long") << s("Customer") << QByteArray(R"({"name": ")") + longText + QByteArray(R"("})")
                                     << s("name") << s("must be at most 256 characters");
    QTest::newRow("C email two at") << s("Customer") << QByteArray(R"({"name": "A", "email": "a@b@c"})") << s("email")
                                    << s("one '@'");
    QTest::newRow("C email no at") << s("Customer") << QByteArray(R"({"name": "A", "email": "ab.c"})") << s("email")
                                   << s("one '@'");
    QTest::newRow("C email space") << s("Customer") << QByteArray(R"({"name": "A", "email": "a b@c.d"})") << s("email")
                                   << s("no spaces");
    QTest::newRow("C email empty local") << s("Customer") << QByteArray(R"({"name": "A", "email": "@c.d"})")
                                         << s("email") << s("e-mail address");
    QTest::newRow("C email number") << s("Customer") << QByteArray(R"({"name": "A", "email": 1})") << s("email")
                                    << s("must be a string");
    QTest::newRow("C phone too long") << s("Customer")
                                      << QByteArray(R"({"name": "A", "phone": ")") + longText + QByteArray(R"("})")
                                      << s("phone") << s("at most 64");
    QTest::newRow("C unknown") << s("Customer") << QByteArray(R"({"name": "A", "vatId": "DE1"})") << s("vatId")
                               << s("unknown field");
    // Hub
    QTest::newRow("H host missing") << s("Hub") << QByteArray(R"({"name": "eu-1"})") << s("host") << s("is required");
    QTest::newRow("H host underscore") << s("Hub") << QByteArray(R"({"host": "hub_1.local"})") << s("host")
                                       << s("must be a valid host name");
    QTest::newRow("H host leading dash") << s("Hub") << QByteArray(R"({"host": "-hub.local"})") << s("host")
                                         << s("must be a valid host name");
    QTest::newRow("H host with port") << s("Hub") << QByteArray(R"({"host": "hub.local:8883"})") << s("host")
                                      << s("must be a valid host name");
    QTest::newRow("H host empty label") << s("Hub") << QByteArray(R"({"host": "hub..local"})") << s("host")
                                        << s("must be a valid host name");
    QTest::newRow("H port zero") << s("Hub") << QByteArray(R"({"host": "h", "port": 0})") << s("port")
                                 << s("must be between 1 and 65535");
    QTest::newRow("H port big") << s("Hub") << QByteArray(R"({"host": "h", "port": 70000})") << s("port")
                                << s("must be between 1 and 65535");
    QTest::newRow("H port string") << s("Hub") << QByteArray(R"({"host": "h", "port": "8883"})") << s("port")
                                   << s("must be an integer");
    QTest::newRow("H endpoint no port") << s("Hub") << QByteArray(R"({"host": "h", "endpoint": "h2.local"})")
                                        << s("endpoint") << s("host:port");
    QTest::newRow("H endpoint port zero")
        << s("Hub") << QByteArray(R"({"host": "h", "endpoint": "h2.local:0"})") << s("endpoint") << s("host:port");
    QTest::newRow("H endpoint port sign")
        << s("Hub") << QByteArray(R"({"host": "h", "endpoint": "h2.local:+80"})") << s("endpoint") << s("host:port");
    QTest::newRow("H endpoint bad host") << s("Hub") << QByteArray(R"({"host": "h", "endpoint": "h 2:80"})")
                                         << s("endpoint") << s("host:port");
    QTest::newRow("H endpoint bare ipv6")
        << s("Hub") << QByteArray(R"({"host": "h", "endpoint": "::1:80"})") << s("endpoint") << s("host:port");
    QTest::newRow("H weight big") << s("Hub") << QByteArray(R"({"host": "h", "allocationWeight": 1001})")
                                  << s("allocationWeight") << s("must be between 0 and 1000");
    QTest::newRow("H weight negative") << s("Hub") << QByteArray(R"({"host": "h", "allocationWeight": -1})")
                                       << s("allocationWeight") << s("must be between 0 and 1000");
    QTest::newRow("H signingKey not base64")
        << s("Hub") << QByteArray(R"({"host": "h", "signingKey": "%%%"})") << s("signingKey") << s("must be base64");
    QTest::newRow("H name bad") << s("Hub") << QByteArray(R"({"host": "h", "name": "eu 1"})") << s("name")
                                << s("must be 1 to 64");
    QTest::newRow("H region number") << s("Hub") << QByteArray(R"({"host": "h", "region": 1})") << s("region")
                                     << s("must be a string");
    QTest::newRow("H unknown") << s("Hub") << QByteArray(R"({"host": "h", "tls": true})") << s("tls")
                               << s("unknown field");
    // ApiError
    QTest::newRow("A errorCode missing") << s("ApiError") << QByteArray(R"({"message": "x"})") << s("errorCode")
                                         << s("is required");
    QTest::newRow("A errorCode string") << s("ApiError") << QByteArray(R"({"errorCode": "401002"})") << s("errorCode")
                                        << s("must be an integer");
    QTest::newRow("A errorCode not DPS form") << s("ApiError") << QByteArray(R"({"errorCode": 401})") << s("errorCode")
                                              << s("must be between 100000 and 599999");
    QTest::newRow("A unknown") << s("ApiError") << QByteArray(R"({"errorCode": 401002, "detail": "x"})") << s("detail")
                               << s("unknown field");
}

void TestProtocolTypes::invalid()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, input);
    QFETCH(QString, field);
    QFETCH(QString, problem);

    const Result<QJsonObject> result = reencode(type, parse(input));
    QVERIFY(!result.ok());
    const Error &error = result.error();
    QCOMPARE(error.code, ErrorCode::InvalidInput);
    const QString quoted = QLatin1Char('\'') + field + QLatin1Char('\'');
    QVERIFY2(error.message.contains(quoted), qPrintable(error.message));
    QVERIFY2(error.message.contains(problem), qPrintable(error.message));
}

void TestProtocolTypes::enrollmentFields()
{
    const Result<Enrollment> e = Enrollment::fromJson(parse(kEnrollmentFull));
    QVERIFY(e.ok());
    QCOMPARE(e->registrationId, s("sensor-0042"));
    QCOMPARE(e->attestation.primaryKey, s(KEY1));
    QCOMPARE(e->initialTwin.desiredProperties.value(QStringLiteral("telemetryInterval")).toInt(), 30);
    QCOMPARE(e->initialTwin.tags.value(QStringLiteral("site")).toString(), s("berlin"));
    QVERIFY(e->isEnabled());
    QVERIFY(e->reprovisionPolicy.updateHubAssignment);
    QVERIFY(!e->reprovisionPolicy.migrateDeviceData);
    QCOMPARE(e->allocationPolicy, std::optional<AllocationPolicy>(AllocationPolicy::Hashed));
    QCOMPARE(e->iotHubs, (QStringList{s("hub1.provisio.local"), s("hub2.provisio.local")}));
    QCOMPARE(e->createdDateTimeUtc, QDateTime(QDate(2024, 5, 1), QTime(12, 0, 0, 123), Qt::UTC));
    QVERIFY(e->registrationState.has_value());
    QCOMPARE(e->registrationState->status, s("assigned"));
    QCOMPARE(e->serial, s("SN-2024-0042"));

    // Absent allocation policy stays absent: it means "the instance default".
    const Result<Enrollment> minimal = Enrollment::fromJson(
        parse(R"({"registrationId": "d", "attestation": {"type": "symmetricKey"}, "provisioningStatus": "disabled"})"));
    QVERIFY(minimal.ok());
    QVERIFY(!minimal->allocationPolicy.has_value());
    QVERIFY(!minimal->isEnabled());
    QVERIFY(!minimal->toJson().contains(QStringLiteral("allocationPolicy")));
}

void TestProtocolTypes::registrationOperationNested()
{
    const QByteArray json = QByteArray(R"({"operationId": "op-1", "status": "assigned", "registrationState": )") +
                            QByteArray(kRegistrationAssigned) + QByteArray("}");
    const Result<RegistrationOperation> op = RegistrationOperation::fromJson(parse(json));
    QVERIFY(op.ok());
    QVERIFY(op->registrationState.has_value());
    const QJsonObject provisio = op->registrationState->payload.value(QStringLiteral("provisio")).toObject();
    QCOMPARE(provisio.value(QStringLiteral("hubEndpoint")).toString(), s("10.0.0.5:18883"));
    QCOMPARE(op->registrationState->assignedHub, s("hub1.provisio.local"));
    QVERIFY(!op->registrationState->errorCode.has_value());

    RegistrationOperation pending;
    pending.operationId = QStringLiteral("op-2");
    QCOMPARE(compact(pending.toJson()), QByteArray(R"({"operationId":"op-2","status":"assigning"})"));
}

void TestProtocolTypes::allocationPolicyNames()
{
    const struct
    {
        AllocationPolicy policy;
        const char *name;
    } table[] = {{AllocationPolicy::Hashed, "hashed"},
                 {AllocationPolicy::GeoLatency, "geoLatency"},
                 {AllocationPolicy::Static, "static"},
                 {AllocationPolicy::Custom, "custom"}};
    for (const auto &row : table) {
        QCOMPARE(allocationPolicyName(row.policy), s(row.name));
        QCOMPARE(parseAllocationPolicy(s(row.name)), std::optional<AllocationPolicy>(row.policy));
    }
    QVERIFY(!parseAllocationPolicy(s("Hashed")));
    QVERIFY(!parseAllocationPolicy(s("geolatency")));
    QVERIFY(!parseAllocationPolicy(QString()));
}

void TestProtocolTypes::attestationKeys_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("valid");
    QTest::newRow("32 bytes") << s(KEY1) << true;
    QTest::newRow("64 bytes") << QString::fromLatin1(QByteArray(64, 'k').toBase64()) << true;
    QTest::newRow("16 bytes") << QString::fromLatin1(QByteArray(16, 'k').toBase64()) << true;
    QTest::newRow("15 bytes") << QString::fromLatin1(QByteArray(15, 'k').toBase64()) << false;
    QTest::newRow("65 bytes") << QString::fromLatin1(QByteArray(65, 'k').toBase64()) << false;
    QTest::newRow("bad char") << s("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZW*=") << false;
    QTest::newRow("non latin1") << QString(s(KEY1)).replace(0, 1, QChar(0x20AC)) << false;
    QTest::newRow("empty") << QString() << false;
}

void TestProtocolTypes::attestationKeys()
{
    QFETCH(QString, key);
    QFETCH(bool, valid);
    QCOMPARE(Attestation::isValidKey(key), valid);
}

void TestProtocolTypes::hubHelpers()
{
    Hub hub;
    hub.host = QStringLiteral("hub1.provisio.local");
    QCOMPARE(hub.dialEndpoint(), s("hub1.provisio.local:8883"));
    hub.port = 18883;
    QCOMPARE(hub.dialEndpoint(), s("hub1.provisio.local:18883"));
    hub.endpoint = QStringLiteral("203.0.113.10:443");
    QCOMPARE(hub.dialEndpoint(), s("203.0.113.10:443"));

    // The signing key is a secret: only serialized when asked for.
    hub.signingKey = QStringLiteral(KEY1);
    QVERIFY(!hub.toJson().contains(QStringLiteral("signingKey")));
    QCOMPARE(hub.toJson(true).value(QStringLiteral("signingKey")).toString(), s(KEY1));

    QVERIFY(Hub::isValidEndpoint(s("localhost:1")));
    QVERIFY(Hub::isValidEndpoint(s("192.168.1.20:8883")));
    QVERIFY(Hub::isValidEndpoint(s("[2001:db8::1]:8883")));
    QVERIFY(!Hub::isValidEndpoint(s("[2001:db8::1]")));
    QVERIFY(!Hub::isValidEndpoint(s(":8883")));
    QVERIFY(!Hub::isValidEndpoint(s("h:65536")));
    QVERIFY(Hub::isValidHostName(s("a")));
    QVERIFY(!Hub::isValidHostName(QString(64, QLatin1Char('a'))));
    QVERIFY(!Hub::isValidHostName(s("hub.")));
}

void TestProtocolTypes::httpStatusMapping_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("dpsCode");
    QTest::newRow("InvalidInput") << ErrorCode::InvalidInput << 400 << 400004;
    QTest::newRow("Unauthorized") << ErrorCode::Unauthorized << 401 << 401002;
    QTest::newRow("Forbidden") << ErrorCode::Forbidden << 403 << 403001;
    QTest::newRow("NotFound") << ErrorCode::NotFound << 404 << 404201;
    QTest::newRow("Conflict") << ErrorCode::Conflict << 409 << 409001;
    QTest::newRow("PreconditionFailed") << ErrorCode::PreconditionFailed << 412 << 412001;
    QTest::newRow("PayloadTooLarge") << ErrorCode::PayloadTooLarge << 413 << 413001;
    QTest::newRow("TooManyRequests") << ErrorCode::TooManyRequests << 429 << 429001;
    QTest::newRow("Unavailable") << ErrorCode::Unavailable << 503 << 503001;
    QTest::newRow("Internal") << ErrorCode::Internal << 500 << 500001;
    QTest::newRow("UpgradeRequired") << ErrorCode::UpgradeRequired << 426 << 426001;
}

void TestProtocolTypes::httpStatusMapping()
{
    QFETCH(ErrorCode, code);
    QFETCH(int, status);
    QFETCH(int, dpsCode);
    QCOMPARE(ApiError::httpStatusFor(code), status);
    QCOMPARE(ApiError::dpsErrorCodeFor(code), dpsCode);
    QCOMPARE(ApiError::errorCodeForHttpStatus(status), code);

    // What a client makes of the body the server sends.
    const ApiError api = ApiError::fromError(Error(code, QStringLiteral("boom")), QStringLiteral("t-1"));
    QCOMPARE(api.httpStatus(), status);
    const Result<ApiError> back = ApiError::fromJson(api.toJson());
    QVERIFY(back.ok());
    QCOMPARE(back->toError().code, code);
    QCOMPARE(back->toError().message, s("boom"));
}

void TestProtocolTypes::httpStatusToErrorCode_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<ErrorCode>("code");
    QTest::newRow("200") << 200 << ErrorCode::None;
    QTest::newRow("202") << 202 << ErrorCode::None;
    QTest::newRow("405") << 405 << ErrorCode::MethodNotAllowed;
    QTest::newRow("415") << 415 << ErrorCode::InvalidInput;
    QTest::newRow("502") << 502 << ErrorCode::Unavailable;
    QTest::newRow("504") << 504 << ErrorCode::Unavailable;
    QTest::newRow("501") << 501 << ErrorCode::Internal;
    QTest::newRow("0 (no response)") << 0 << ErrorCode::Internal;
}

void TestProtocolTypes::httpStatusToErrorCode()
{
    QFETCH(int, status);
    QFETCH(ErrorCode, code);
    QCOMPARE(ApiError::errorCodeForHttpStatus(status), code);
}

void TestProtocolTypes::apiErrorFromError()
{
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    const ApiError api =
        ApiError::fromError(Error(ErrorCode::TooManyRequests, QStringLiteral("slow down")), QStringLiteral("track-9"));
    QCOMPARE(api.errorCode, 429001);
    QCOMPARE(api.trackingId, s("track-9"));
    QCOMPARE(api.message, s("slow down"));
    QVERIFY(api.timestampUtc >= before);
    QVERIFY(api.timestampUtc <= QDateTime::currentDateTimeUtc());

    const QJsonObject json = api.toJson();
    QCOMPARE(json.keys(), (QStringList{s("errorCode"), s("message"), s("timestampUtc"), s("trackingId")}));
    QVERIFY(json.value(QStringLiteral("timestampUtc")).toString().endsWith(QLatin1Char('Z')));

    // A "success" reaching the error path is a bug; it must not produce a 200.
    QCOMPARE(ApiError::fromError(Error(), QString()).httpStatus(), 500);
}

QTEST_GUILESS_MAIN(TestProtocolTypes)
#include "tst_protocoltypes.moc"
