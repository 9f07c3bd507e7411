// SPDX-License-Identifier: Apache-2.0
#include "connectioninfo.h"

#include "protocol/jsonreader.h"

namespace Provisio::Kiosk {

QJsonObject ConnectionInfo::toJson() const
{
    return QJsonObject{
        {QStringLiteral("idScope"), idScope},
        {QStringLiteral("registrationId"), registrationId},
        {QStringLiteral("deviceId"), deviceId},
        {QStringLiteral("assignedHub"), assignedHub},
        {QStringLiteral("hubEndpoint"), hubEndpoint},
        {QStringLiteral("hubDeviceKey"), hubDeviceKey},
        {QStringLiteral("caCertificate"), caCertificate},
        {QStringLiteral("provisionedAt"), provisionedAt.toUTC().toString(Qt::ISODateWithMs)},
    };
}

Result<ConnectionInfo> ConnectionInfo::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    reader.allowOnly({"idScope", "registrationId", "deviceId", "assignedHub", "hubEndpoint", "hubDeviceKey",
                      "caCertificate", "provisionedAt"});
    ConnectionInfo info;
    info.idScope = reader.requiredString(QStringLiteral("idScope"));
    info.registrationId = reader.requiredString(QStringLiteral("registrationId"));
    info.deviceId = reader.requiredString(QStringLiteral("deviceId"));
    info.assignedHub = reader.requiredString(QStringLiteral("assignedHub"));
    info.hubEndpoint = reader.requiredString(QStringLiteral("hubEndpoint"));
    info.hubDeviceKey = reader.requiredString(QStringLiteral("hubDeviceKey"));
    info.caCertificate = reader.optionalString(QStringLiteral("caCertificate"));
    info.provisionedAt = reader.optionalDateTime(QStringLiteral("provisionedAt"));
    if (!reader.ok())
        return reader.error();
    return info;
}

bool ConnectionInfo::operator==(const ConnectionInfo &o) const
{
    return idScope == o.idScope && registrationId == o.registrationId && deviceId == o.deviceId &&
           assignedHub == o.assignedHub && hubEndpoint == o.hubEndpoint && hubDeviceKey == o.hubDeviceKey &&
           caCertificate == o.caCertificate && provisionedAt == o.provisionedAt;
}

} // namespace Provisio::Kiosk
