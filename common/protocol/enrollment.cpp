// SPDX-License-Identifier: Apache-2.0
#include "enrollment.h"

#include "crypto/registrationid.h"
#include "device.h"
#include "hub.h"
#include "timeutil.h"

#include <QJsonArray>
#include <QSet>

namespace Provisio {

namespace detail {

void readEnrollmentSettings(JsonReader &reader, Attestation &attestation, QString &iotHubHostName,
                            InitialTwin &initialTwin, QString &provisioningStatus, ReprovisionPolicy &reprovisionPolicy,
                            std::optional<AllocationPolicy> &allocationPolicy, QStringList &iotHubs,
                            std::optional<CustomAllocationDefinition> &customAllocationDefinition,
                            DeviceCapabilities &capabilities, QString &etag, QDateTime &createdDateTimeUtc,
                            QDateTime &lastUpdatedDateTimeUtc)
{
    const QString attestationKey = QStringLiteral("attestation");
    if (!reader.has(attestationKey))
        reader.fail(attestationKey, QStringLiteral("is required"));
    attestation = Attestation::readFrom(reader.child(attestationKey));

    iotHubHostName = reader.optionalString(QStringLiteral("iotHubHostName"));
    initialTwin = InitialTwin::readFrom(reader.child(QStringLiteral("initialTwin")));

    provisioningStatus = reader.optionalString(QStringLiteral("provisioningStatus"), ProvisioningStatus::Enabled);
    if (provisioningStatus != ProvisioningStatus::Enabled && provisioningStatus != ProvisioningStatus::Disabled)
        reader.fail(QStringLiteral("provisioningStatus"), QStringLiteral("must be 'enabled' or 'disabled'"));

    reprovisionPolicy = ReprovisionPolicy::readFrom(reader.child(QStringLiteral("reprovisionPolicy")));

    allocationPolicy.reset();
    if (const auto name = reader.maybeString(QStringLiteral("allocationPolicy"))) {
        allocationPolicy = parseAllocationPolicy(*name);
        if (!allocationPolicy)
            reader.fail(QStringLiteral("allocationPolicy"),
                        QStringLiteral("must be one of hashed, geoLatency, static, custom"));
    }

    const QString hubsKey = QStringLiteral("iotHubs");
    iotHubs = reader.optionalStringList(hubsKey);
    QSet<QString> seen;
    for (qsizetype i = 0; i < iotHubs.size(); ++i) {
        const QString element = hubsKey + QStringLiteral("[%1]").arg(i);
        if (!Hub::isValidHostName(iotHubs.at(i)))
            reader.fail(element, QStringLiteral("must be a hub host name"));
        else if (seen.contains(iotHubs.at(i).toLower()))
            reader.fail(element, QStringLiteral("duplicates an earlier entry"));
        seen.insert(iotHubs.at(i).toLower());
    }

    const QString customKey = QStringLiteral("customAllocationDefinition");
    customAllocationDefinition.reset();
    if (reader.has(customKey))
        customAllocationDefinition = CustomAllocationDefinition::readFrom(reader.child(customKey));
    if (allocationPolicy == AllocationPolicy::Custom && !customAllocationDefinition)
        reader.fail(customKey, QStringLiteral("is required when allocationPolicy is 'custom'"));
    // DPS's static policy means "this one hub", so anything else is a mistake.
    if (allocationPolicy == AllocationPolicy::Static && iotHubs.size() != 1)
        reader.fail(hubsKey, QStringLiteral("must list exactly one hub when allocationPolicy is 'static'"));

    JsonReader caps = reader.child(QStringLiteral("capabilities"));
    caps.allowOnly({"iotEdge"});
    capabilities.iotEdge = caps.optionalBool(QStringLiteral("iotEdge"), false);

    etag = reader.optionalString(QStringLiteral("etag"));
    createdDateTimeUtc = reader.optionalDateTime(QStringLiteral("createdDateTimeUtc"));
    lastUpdatedDateTimeUtc = reader.optionalDateTime(QStringLiteral("lastUpdatedDateTimeUtc"));
}

void writeEnrollmentSettings(QJsonObject &json, const Attestation &attestation, const QString &iotHubHostName,
                             const InitialTwin &initialTwin, const QString &provisioningStatus,
                             const ReprovisionPolicy &reprovisionPolicy,
                             const std::optional<AllocationPolicy> &allocationPolicy, const QStringList &iotHubs,
                             const std::optional<CustomAllocationDefinition> &customAllocationDefinition,
                             const DeviceCapabilities &capabilities, const QString &etag,
                             const QDateTime &createdDateTimeUtc, const QDateTime &lastUpdatedDateTimeUtc)
{
    json.insert(QStringLiteral("attestation"), attestation.toJson());
    if (!iotHubHostName.isEmpty())
        json.insert(QStringLiteral("iotHubHostName"), iotHubHostName);
    json.insert(QStringLiteral("initialTwin"), initialTwin.toJson());
    json.insert(QStringLiteral("provisioningStatus"), provisioningStatus);
    json.insert(QStringLiteral("reprovisionPolicy"), reprovisionPolicy.toJson());
    if (allocationPolicy)
        json.insert(QStringLiteral("allocationPolicy"), allocationPolicyName(*allocationPolicy));
    json.insert(QStringLiteral("iotHubs"), QJsonArray::fromStringList(iotHubs));
    if (customAllocationDefinition)
        json.insert(QStringLiteral("customAllocationDefinition"), customAllocationDefinition->toJson());
    json.insert(QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("iotEdge"), capabilities.iotEdge}});
    if (!etag.isEmpty())
        json.insert(QStringLiteral("etag"), etag);
    if (createdDateTimeUtc.isValid())
        json.insert(QStringLiteral("createdDateTimeUtc"), toIsoUtc(createdDateTimeUtc));
    if (lastUpdatedDateTimeUtc.isValid())
        json.insert(QStringLiteral("lastUpdatedDateTimeUtc"), toIsoUtc(lastUpdatedDateTimeUtc));
}

} // namespace detail

Enrollment Enrollment::readFrom(JsonReader reader)
{
    // activationCode and activationCodeExpiresDateTimeUtc are what the
    // middleware adds to the answer of a create; a client that sends that
    // record back may keep them, and they are ignored like the other
    // read-only members (a code is issued only by the server).
    reader.allowOnly({"registrationId", "deviceId", "attestation", "iotHubHostName", "initialTwin",
                      "provisioningStatus", "reprovisionPolicy", "allocationPolicy", "iotHubs",
                      "customAllocationDefinition", "capabilities", "etag", "createdDateTimeUtc",
                      "lastUpdatedDateTimeUtc", "registrationState", "serial", "activationCode",
                      "activationCodeExpiresDateTimeUtc"});
    Enrollment e;
    e.registrationId = reader.requiredString(QStringLiteral("registrationId"));
    if (!e.registrationId.isEmpty()) {
        if (const auto valid = Crypto::validateRegistrationId(e.registrationId); !valid)
            reader.fail(QStringLiteral("registrationId"), QLatin1String("is invalid: ") + valid.error().message);
    }
    e.deviceId = reader.optionalString(QStringLiteral("deviceId"));
    if (!e.deviceId.isEmpty()) {
        if (const auto valid = Crypto::validateDeviceId(e.deviceId); !valid)
            reader.fail(QStringLiteral("deviceId"), QLatin1String("is invalid: ") + valid.error().message);
    }
    detail::readEnrollmentSettings(reader, e);
    if (reader.has(QStringLiteral("registrationState")))
        e.registrationState = RegistrationState::readFrom(reader.child(QStringLiteral("registrationState")));
    e.serial = reader.optionalString(QStringLiteral("serial"));
    if (!e.serial.isEmpty() && !DeviceRecord::isValidSerial(e.serial))
        reader.fail(QStringLiteral("serial"), QStringLiteral("must be 1 to 64 letters, digits, '-', '_', '.' or ':'"));
    return e;
}

Result<Enrollment> Enrollment::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    Enrollment e = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return e;
}

QJsonObject Enrollment::toJson() const
{
    QJsonObject json{{QStringLiteral("registrationId"), registrationId}};
    if (!deviceId.isEmpty())
        json.insert(QStringLiteral("deviceId"), deviceId);
    detail::writeEnrollmentSettings(json, *this);
    if (registrationState)
        json.insert(QStringLiteral("registrationState"), registrationState->toJson());
    if (!serial.isEmpty())
        json.insert(QStringLiteral("serial"), serial);
    return json;
}

} // namespace Provisio
