// SPDX-License-Identifier: Apache-2.0
#include "dpsdevicerequests.h"

#include "base/clientaddress.h"
#include "base/serviceconfig.h"
#include "base/servicecontext.h"
#include "crypto/registrationid.h"
#include "protocol/apierror.h"
#include "protocol/jsonreader.h"
#include "storage/settingsstore.h"

namespace Provisio {

namespace {
constexpr qint64 kFailureWindowMs = 60 * 1000;
}

const QStringList &DpsDeviceRequests::supportedApiVersions()
{
    static const QStringList versions{QStringLiteral("2018-09-01-preview"), QStringLiteral("2018-11-01"),
                                      QStringLiteral("2019-03-31"), QStringLiteral("2021-06-01"),
                                      QStringLiteral("2021-10-01")};
    return versions;
}

DpsDeviceRequests::DpsDeviceRequests(ServiceContext &ctx, Registrar &registrar)
    : m_ctx(ctx), m_registrar(registrar), m_failuresPerAddress(ctx.config.dpsFailuresPerAddress, kFailureWindowMs),
      m_failuresPerRegistration(ctx.config.dpsFailuresPerRegistration, kFailureWindowMs)
{
    m_clock.start();
}

std::optional<Error> DpsDeviceRequests::throttled(const Call &call, int *retryAfter)
{
    const qint64 now = m_clock.elapsed();
    if (const int wait = m_failuresPerAddress.retryAfterSeconds(ClientAddress::limitKey(call.client), now)) {
        *retryAfter = wait;
        return Error(
            ErrorCode::TooManyRequests,
            QStringLiteral("too many failed registration attempts from this address; retry in %1 s").arg(wait));
    }
    const QString id = Crypto::normalizeRegistrationId(call.registrationId);
    if (const int wait = m_failuresPerRegistration.retryAfterSeconds(id, now)) {
        *retryAfter = wait;
        return Error(ErrorCode::TooManyRequests,
                     QStringLiteral("too many failed attempts for this registration id; retry in %1 s").arg(wait));
    }
    return std::nullopt;
}

Result<Registrar::Attestee> DpsDeviceRequests::admit(const Call &call, int *retryAfter)
{
    if (!call.apiVersion)
        return Error(ErrorCode::InvalidInput, QStringLiteral("the api-version query parameter is required"));
    if (!supportedApiVersions().contains(*call.apiVersion))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("api-version '%1' is not supported; use one of %2")
                         .arg(call.apiVersion->left(40), supportedApiVersions().join(QStringLiteral(", "))));
    if (call.idScope.compare(m_ctx.settings.idScope(), Qt::CaseInsensitive) != 0)
        return Error(ErrorCode::NotFound, QStringLiteral("unknown ID scope '%1'").arg(call.idScope.left(64)));
    if (auto valid = Crypto::validateRegistrationId(call.registrationId); !valid)
        return valid.error();
    if (auto limited = throttled(call, retryAfter))
        return *limited;
    auto attestee = m_registrar.authenticate(call.authorization, call.idScope, call.registrationId);
    if (!attestee && attestee.error().code == ErrorCode::Unauthorized) {
        const qint64 now = m_clock.elapsed();
        m_failuresPerAddress.record(ClientAddress::limitKey(call.client), now);
        m_failuresPerRegistration.record(Crypto::normalizeRegistrationId(call.registrationId), now);
    }
    return attestee;
}

DpsDeviceRequests::Answer DpsDeviceRequests::failure(const Error &error, int retryAfter) const
{
    Answer a;
    a.status = ApiError::httpStatusFor(error.code);
    a.error = error;
    a.retryAfter = retryAfter;
    return a;
}

DpsDeviceRequests::Answer DpsDeviceRequests::operationAnswer(const QString &operationStatus, QJsonObject body,
                                                             int status) const
{
    Answer a;
    a.status = status;
    a.body = std::move(body);
    if (operationStatus == QLatin1String("assigning"))
        a.retryAfter = m_ctx.config.registrationRetryAfterSeconds;
    return a;
}

DpsDeviceRequests::Answer DpsDeviceRequests::admission(const Call &call)
{
    int retryAfter = 0;
    if (auto attestee = admit(call, &retryAfter); !attestee)
        return failure(attestee.error(), retryAfter);
    return Answer{};
}

Result<Registrar::Attestee> DpsDeviceRequests::admitRegistration(const Call &call, const QByteArray &body,
                                                                 QJsonValue *payload, int *retryAfter)
{
    auto attestee = admit(call, retryAfter);
    if (!attestee)
        return attestee.error();
    auto json = parseJsonObject(body);
    if (!json)
        return json.error();
    JsonReader reader(*json);
    // DPS clients serialize unused attestation members as null.
    reader.allowOnly({"registrationId", "payload", "tpm"});
    const QString bodyId = reader.requiredString(QStringLiteral("registrationId"));
    if (!reader.ok())
        return reader.error();
    if (Crypto::normalizeRegistrationId(bodyId) != attestee->registrationId)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("registrationId in the body ('%1') does not match the one the device "
                                    "authenticated as ('%2')")
                         .arg(bodyId.left(128), call.registrationId));
    if (json->contains(QStringLiteral("tpm")) && !json->value(QStringLiteral("tpm")).isNull())
        return Error(ErrorCode::InvalidInput, QStringLiteral("TPM attestation is not supported; use a symmetric key"));
    *payload = json->value(QStringLiteral("payload"));
    return attestee;
}

void DpsDeviceRequests::registerDevice(const Call &call, const QByteArray &body, Reply reply)
{
    int retryAfter = 0;
    QJsonValue payload;
    auto attestee = admitRegistration(call, body, &payload, &retryAfter);
    if (!attestee) {
        reply(failure(attestee.error(), retryAfter));
        return;
    }
    m_registrar.registerDevice(*attestee, payload, [this, reply = std::move(reply)](Result<Registrar::Answer> op) {
        if (!op) {
            reply(failure(op.error()));
            return;
        }
        Answer answer = operationAnswer(op->operation.status, QJsonObject(), 202);
        answer.bodyText = std::move(op->text);
        reply(std::move(answer));
    });
}

DpsDeviceRequests::Answer DpsDeviceRequests::operationStatus(const Call &call, const QString &operationId)
{
    int retryAfter = 0;
    auto attestee = admit(call, &retryAfter);
    if (!attestee)
        return failure(attestee.error(), retryAfter);
    // This device's registration may still wait for its group's commit
    // (a client that does not wait for the answer): read what it writes.
    m_registrar.settleDevice(attestee->registrationId);
    auto op = m_registrar.operation(operationId, attestee->registrationId);
    if (!op)
        return failure(op.error());
    if (!*op)
        return failure(Error(ErrorCode::NotFound, QStringLiteral("no such registration operation")));
    // Polling answers 200 once settled, 202 while still assigning, as DPS.
    return operationAnswer((*op)->status, (*op)->toJson(), (*op)->status == QLatin1String("assigning") ? 202 : 200);
}

DpsDeviceRequests::Answer DpsDeviceRequests::registrationStatus(const Call &call, const QByteArray &body)
{
    int retryAfter = 0;
    auto attestee = admit(call, &retryAfter);
    if (!attestee)
        return failure(attestee.error(), retryAfter);
    // This device's registration may still wait for its group's commit
    // (a client that does not wait for the answer): read what it writes.
    m_registrar.settleDevice(attestee->registrationId);
    if (!body.trimmed().isEmpty()) {
        if (auto json = parseJsonObject(body); !json)
            return failure(json.error());
    }
    auto state = m_registrar.registrationState(attestee->registrationId);
    if (!state)
        return failure(state.error());
    if (!*state)
        return failure(Error(ErrorCode::NotFound, QStringLiteral("this device has not registered yet")));
    Answer a;
    a.body = (*state)->toJson();
    return a;
}

} // namespace Provisio
