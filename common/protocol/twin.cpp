// SPDX-License-Identifier: Apache-2.0
#include "twin.h"

namespace Provisio {

InitialTwin InitialTwin::readFrom(JsonReader reader)
{
    reader.allowOnly({"tags", "properties"});
    InitialTwin twin;
    twin.tags = reader.optionalObject(QStringLiteral("tags"));
    JsonReader properties = reader.child(QStringLiteral("properties"));
    // DPS's TwinProperties also has "reported", but an initial twin cannot
    // set what only the device reports.
    properties.allowOnly({"desired"});
    twin.desiredProperties = properties.optionalObject(QStringLiteral("desired"));
    return twin;
}

Result<InitialTwin> InitialTwin::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    InitialTwin twin = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return twin;
}

QJsonObject InitialTwin::toJson() const
{
    return QJsonObject{
        {QStringLiteral("tags"), tags},
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("desired"), desiredProperties}}},
    };
}

} // namespace Provisio
