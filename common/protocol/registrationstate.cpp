// SPDX-License-Identifier: Apache-2.0
#include "registrationstate.h"

#include "timeutil.h"

namespace Provisio {

namespace {

template<std::size_t N>
bool isOneOf(const QString &value, const QLatin1String (&names)[N])
{
    for (const QLatin1String name : names) {
        if (value == name)
            return true;
    }
    return false;
}

template<std::size_t N>
QString joined(const QLatin1String (&names)[N])
{
    QStringList list;
    for (const QLatin1String name : names)
        list.append(name);
    return list.join(QStringLiteral(", "));
}

QString readStatus(JsonReader &reader)
{
    const QString status = reader.requiredString(QStringLiteral("status"));
    if (!status.isEmpty() && !RegistrationState::isValidStatus(status))
        reader.fail(QStringLiteral("status"), QLatin1String("must be one of ") + joined(RegistrationStatus::All));
    return status;
}

} // namespace

bool RegistrationState::isValidStatus(const QString &status)
{
    return isOneOf(status, RegistrationStatus::All);
}

bool RegistrationState::isValidSubstatus(const QString &substatus)
{
    return isOneOf(substatus, RegistrationSubstatus::All);
}

RegistrationState RegistrationState::readFrom(JsonReader reader)
{
    reader.allowOnly({"registrationId", "createdDateTimeUtc", "assignedHub", "deviceId", "status", "substatus",
                      "errorCode", "errorMessage", "lastUpdatedDateTimeUtc", "etag", "payload"});
    RegistrationState state;
    state.registrationId = reader.requiredString(QStringLiteral("registrationId"));
    state.createdDateTimeUtc = reader.optionalDateTime(QStringLiteral("createdDateTimeUtc"));
    state.assignedHub = reader.optionalString(QStringLiteral("assignedHub"));
    state.deviceId = reader.optionalString(QStringLiteral("deviceId"));
    state.status = readStatus(reader);
    state.substatus = reader.optionalString(QStringLiteral("substatus"));
    if (!state.substatus.isEmpty() && !isValidSubstatus(state.substatus))
        reader.fail(QStringLiteral("substatus"), QLatin1String("must be one of ") + joined(RegistrationSubstatus::All));
    if (const auto code = reader.maybeInt(QStringLiteral("errorCode"), INT_MIN, INT_MAX))
        state.errorCode = int(*code);
    state.errorMessage = reader.optionalString(QStringLiteral("errorMessage"));
    state.lastUpdatedDateTimeUtc = reader.optionalDateTime(QStringLiteral("lastUpdatedDateTimeUtc"));
    state.etag = reader.optionalString(QStringLiteral("etag"));
    state.payload = reader.optionalObject(QStringLiteral("payload"));
    return state;
}

Result<RegistrationState> RegistrationState::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    RegistrationState state = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return state;
}

QJsonObject RegistrationState::toJson() const
{
    QJsonObject json{
        {QStringLiteral("registrationId"), registrationId},
        {QStringLiteral("status"), status},
    };
    if (createdDateTimeUtc.isValid())
        json.insert(QStringLiteral("createdDateTimeUtc"), toIsoUtc(createdDateTimeUtc));
    if (!assignedHub.isEmpty())
        json.insert(QStringLiteral("assignedHub"), assignedHub);
    if (!deviceId.isEmpty())
        json.insert(QStringLiteral("deviceId"), deviceId);
    if (!substatus.isEmpty())
        json.insert(QStringLiteral("substatus"), substatus);
    if (errorCode)
        json.insert(QStringLiteral("errorCode"), *errorCode);
    if (!errorMessage.isEmpty())
        json.insert(QStringLiteral("errorMessage"), errorMessage);
    if (lastUpdatedDateTimeUtc.isValid())
        json.insert(QStringLiteral("lastUpdatedDateTimeUtc"), toIsoUtc(lastUpdatedDateTimeUtc));
    if (!etag.isEmpty())
        json.insert(QStringLiteral("etag"), etag);
    if (!payload.isEmpty())
        json.insert(QStringLiteral("payload"), payload);
    return json;
}

Result<RegistrationOperation> RegistrationOperation::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    reader.allowOnly({"operationId", "status", "registrationState"});
    RegistrationOperation op;
    op.operationId = reader.requiredString(QStringLiteral("operationId"));
    op.status = readStatus(reader);
    if (reader.has(QStringLiteral("registrationState")))
        op.registrationState = RegistrationState::readFrom(reader.child(QStringLiteral("registrationState")));
    if (!reader.ok())
        return reader.error();
    return op;
}

QJsonObject RegistrationOperation::toJson() const
{
    QJsonObject json{
        {QStringLiteral("operationId"), operationId},
        {QStringLiteral("status"), status},
    };
    if (registrationState)
        json.insert(QStringLiteral("registrationState"), registrationState->toJson());
    return json;
}

} // namespace Provisio
