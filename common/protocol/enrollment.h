// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "allocation.h"
#include "attestation.h"
#include "core/result.h"
#include "jsonreader.h"
#include "registrationstate.h"
#include "twin.h"
#include "wirenames.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Provisio {

// DPS DeviceCapabilities.
struct DeviceCapabilities
{
    bool iotEdge = false;
};

// DPS IndividualEnrollment: one device allowed to register, with how it is
// attested and where it may go. Field names and casing are Azure's so
// Azure's service SDKs work unchanged. `serial` is Provisio's own: the
// inventory device the enrollment belongs to.
//
// Read-only server fields (etag, timestamps, registrationState,
// iotHubHostName) are accepted on input because DPS clients send back what
// they got; the server decides whether to honour them.
struct Enrollment
{
    QString registrationId;
    QString deviceId; // empty: the hub device id is the registration id
    Attestation attestation;
    QString iotHubHostName; // output: the hub the device was assigned to
    InitialTwin initialTwin;
    QString provisioningStatus = ProvisioningStatus::Enabled; // ProvisioningStatus::All
    ReprovisionPolicy reprovisionPolicy;
    std::optional<AllocationPolicy> allocationPolicy; // absent: the instance default
    QStringList iotHubs;                              // host names of the hubs it may go to
    std::optional<CustomAllocationDefinition> customAllocationDefinition;
    DeviceCapabilities capabilities;
    QString etag;
    QDateTime createdDateTimeUtc;
    QDateTime lastUpdatedDateTimeUtc;
    std::optional<RegistrationState> registrationState; // output
    QString serial;                                     // Provisio: bound inventory serial, may be empty

    bool isEnabled() const { return provisioningStatus == ProvisioningStatus::Enabled; }

    static Result<Enrollment> fromJson(const QJsonObject &json);
    static Enrollment readFrom(JsonReader reader);
    QJsonObject toJson() const;

    // Id syntax is checked with crypto/registrationid.h, the one definition
    // shared by the DPS API, the CRM and the hub.
};

namespace detail {

// The settings individual enrollments and enrollment groups share, read and
// written once so the two cannot drift apart.
void readEnrollmentSettings(JsonReader &reader, Attestation &attestation, QString &iotHubHostName,
                            InitialTwin &initialTwin, QString &provisioningStatus, ReprovisionPolicy &reprovisionPolicy,
                            std::optional<AllocationPolicy> &allocationPolicy, QStringList &iotHubs,
                            std::optional<CustomAllocationDefinition> &customAllocationDefinition,
                            DeviceCapabilities &capabilities, QString &etag, QDateTime &createdDateTimeUtc,
                            QDateTime &lastUpdatedDateTimeUtc);

template<typename T>
void readEnrollmentSettings(JsonReader &reader, T &e)
{
    readEnrollmentSettings(reader, e.attestation, e.iotHubHostName, e.initialTwin, e.provisioningStatus,
                           e.reprovisionPolicy, e.allocationPolicy, e.iotHubs, e.customAllocationDefinition,
                           e.capabilities, e.etag, e.createdDateTimeUtc, e.lastUpdatedDateTimeUtc);
}

void writeEnrollmentSettings(QJsonObject &json, const Attestation &attestation, const QString &iotHubHostName,
                             const InitialTwin &initialTwin, const QString &provisioningStatus,
                             const ReprovisionPolicy &reprovisionPolicy,
                             const std::optional<AllocationPolicy> &allocationPolicy, const QStringList &iotHubs,
                             const std::optional<CustomAllocationDefinition> &customAllocationDefinition,
                             const DeviceCapabilities &capabilities, const QString &etag,
                             const QDateTime &createdDateTimeUtc, const QDateTime &lastUpdatedDateTimeUtc);

template<typename T>
void writeEnrollmentSettings(QJsonObject &json, const T &e)
{
    writeEnrollmentSettings(json, e.attestation, e.iotHubHostName, e.initialTwin, e.provisioningStatus,
                            e.reprovisionPolicy, e.allocationPolicy, e.iotHubs, e.customAllocationDefinition,
                            e.capabilities, e.etag, e.createdDateTimeUtc, e.lastUpdatedDateTimeUtc);
}

} // namespace detail

} // namespace Provisio
