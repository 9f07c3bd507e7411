// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "enrollment.h"

namespace Provisio {

// DPS EnrollmentGroup: many devices sharing one group key. Each device's key
// is derived from the group key and its registration id (DESIGN.md), so the
// group never hands out per-device secrets. Field names are Azure's.
struct EnrollmentGroup
{
    QString enrollmentGroupId;
    Attestation attestation;
    QString iotHubHostName; // output
    InitialTwin initialTwin;
    QString provisioningStatus = ProvisioningStatus::Enabled; // ProvisioningStatus::All
    ReprovisionPolicy reprovisionPolicy;
    std::optional<AllocationPolicy> allocationPolicy; // absent: the instance default
    QStringList iotHubs;
    std::optional<CustomAllocationDefinition> customAllocationDefinition;
    DeviceCapabilities capabilities;
    QString etag;
    QDateTime createdDateTimeUtc;
    QDateTime lastUpdatedDateTimeUtc;

    bool isEnabled() const { return provisioningStatus == ProvisioningStatus::Enabled; }

    static Result<EnrollmentGroup> fromJson(const QJsonObject &json);
    static EnrollmentGroup readFrom(JsonReader reader);
    QJsonObject toJson() const;

    // Provisio keeps group ids to the registration id alphabet (DPS allows
    // more, e.g. '#' and '?', which would need escaping in every URL).
    static bool isValidEnrollmentGroupId(const QString &id);
};

} // namespace Provisio
