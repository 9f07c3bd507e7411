// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "jsonreader.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Provisio {

// How DPS picks a hub for a device, with Azure's wire names: "hashed"
// (weighted evenly across linked hubs), "geoLatency", "static" (the one hub
// named by the enrollment) and "custom" (a webhook decides).
enum class AllocationPolicy { Hashed, GeoLatency, Static, Custom };

QString allocationPolicyName(AllocationPolicy policy);
// Exact, case-sensitive match on the wire names, as DPS does.
std::optional<AllocationPolicy> parseAllocationPolicy(const QString &name);

// DPS ReprovisionPolicy: what happens when an already-assigned device
// registers again. Both default to true, as in DPS.
struct ReprovisionPolicy
{
    bool updateHubAssignment = true;
    bool migrateDeviceData = true;

    static Result<ReprovisionPolicy> fromJson(const QJsonObject &json);
    static ReprovisionPolicy readFrom(JsonReader reader);
    QJsonObject toJson() const;
};

// DPS CustomAllocationDefinition: the webhook a "custom" allocation calls and
// the api-version it is called with.
struct CustomAllocationDefinition
{
    QString webhookUrl;
    QString apiVersion;

    static Result<CustomAllocationDefinition> fromJson(const QJsonObject &json);
    static CustomAllocationDefinition readFrom(JsonReader reader);
    QJsonObject toJson() const;
};

} // namespace Provisio
