// SPDX-License-Identifier: Apache-2.0
#include "allocation.h"

#include <QUrl>

namespace Provisio {

QString allocationPolicyName(AllocationPolicy policy)
{
    switch (policy) {
    case AllocationPolicy::Hashed:
        return QStringLiteral("hashed");
    case AllocationPolicy::GeoLatency:
        return QStringLiteral("geoLatency");
    case AllocationPolicy::Static:
        return QStringLiteral("static");
    case AllocationPolicy::Custom:
        return QStringLiteral("custom");
    }
    return QStringLiteral("hashed");
}

std::optional<AllocationPolicy> parseAllocationPolicy(const QString &name)
{
    for (AllocationPolicy p :
         {AllocationPolicy::Hashed, AllocationPolicy::GeoLatency, AllocationPolicy::Static, AllocationPolicy::Custom}) {
        if (name == allocationPolicyName(p))
            return p;
    }
    return std::nullopt;
}

ReprovisionPolicy ReprovisionPolicy::readFrom(JsonReader reader)
{
    reader.allowOnly({"updateHubAssignment", "migrateDeviceData"});
    ReprovisionPolicy policy;
    policy.updateHubAssignment = reader.optionalBool(QStringLiteral("updateHubAssignment"), true);
    policy.migrateDeviceData = reader.optionalBool(QStringLiteral("migrateDeviceData"), true);
    return policy;
}

Result<ReprovisionPolicy> ReprovisionPolicy::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    ReprovisionPolicy policy = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return policy;
}

QJsonObject ReprovisionPolicy::toJson() const
{
    return QJsonObject{
        {QStringLiteral("updateHubAssignment"), updateHubAssignment},
        {QStringLiteral("migrateDeviceData"), migrateDeviceData},
    };
}

CustomAllocationDefinition CustomAllocationDefinition::readFrom(JsonReader reader)
{
    reader.allowOnly({"webhookUrl", "apiVersion"});
    CustomAllocationDefinition def;
    def.webhookUrl = reader.requiredString(QStringLiteral("webhookUrl"));
    def.apiVersion = reader.requiredString(QStringLiteral("apiVersion"));
    if (!def.webhookUrl.isEmpty()) {
        const QUrl url(def.webhookUrl, QUrl::StrictMode);
        const QString scheme = url.scheme();
        if (!url.isValid() || url.host().isEmpty() ||
            (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
            reader.fail(QStringLiteral("webhookUrl"), QStringLiteral("must be an http or https URL"));
    }
    return def;
}

Result<CustomAllocationDefinition> CustomAllocationDefinition::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    CustomAllocationDefinition def = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return def;
}

QJsonObject CustomAllocationDefinition::toJson() const
{
    return QJsonObject{
        {QStringLiteral("webhookUrl"), webhookUrl},
        {QStringLiteral("apiVersion"), apiVersion},
    };
}

} // namespace Provisio
