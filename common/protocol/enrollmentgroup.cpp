// SPDX-License-Identifier: Apache-2.0
#include "enrollmentgroup.h"

#include "crypto/registrationid.h"

namespace Provisio {

bool EnrollmentGroup::isValidEnrollmentGroupId(const QString &id)
{
    return Crypto::validateRegistrationId(id).ok();
}

EnrollmentGroup EnrollmentGroup::readFrom(JsonReader reader)
{
    reader.allowOnly({"enrollmentGroupId", "attestation", "iotHubHostName", "initialTwin", "provisioningStatus",
                      "reprovisionPolicy", "allocationPolicy", "iotHubs", "customAllocationDefinition", "capabilities",
                      "etag", "createdDateTimeUtc", "lastUpdatedDateTimeUtc"});
    EnrollmentGroup g;
    g.enrollmentGroupId = reader.requiredString(QStringLiteral("enrollmentGroupId"));
    if (!g.enrollmentGroupId.isEmpty() && !isValidEnrollmentGroupId(g.enrollmentGroupId))
        reader.fail(QStringLiteral("enrollmentGroupId"),
                    QStringLiteral("must be at most 128 letters, digits, '-', '.', '_' or ':', "
                                   "ending in a letter, digit or '-'"));
    detail::readEnrollmentSettings(reader, g);
    return g;
}

Result<EnrollmentGroup> EnrollmentGroup::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    EnrollmentGroup g = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return g;
}

QJsonObject EnrollmentGroup::toJson() const
{
    QJsonObject json{{QStringLiteral("enrollmentGroupId"), enrollmentGroupId}};
    detail::writeEnrollmentSettings(json, *this);
    return json;
}

} // namespace Provisio
