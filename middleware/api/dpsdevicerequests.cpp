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

namespace {
// Whether the authentications of `key` still running could, should they
// fail, take it to its limit.
bool mayReachLimit(RateLimiter &limiter, const QHash<QString, int> &running, const QString &key, qint64 now)
{
    const int n = running.value(key);
    return n > 0 && limiter.recent(key, now) + n >= limiter.limit();
}

void countDown(QHash<QString, int> &running, const QString &key)
{
    if (auto it = running.find(key); it != running.end() && --it.value() <= 0)
        running.erase(it);
}
} // namespace

bool DpsDeviceRequests::checksMayReachLimit(const Call &call)
{
    // A registration's key check runs off the event loop and counts as a
    // failure only once it is done: while the checks still running for a
    // client could take it over a limit, its next request is decided only
    // after them, so that it gets no more failed attempts than the limit
    // however many requests it has in flight.
    const qint64 now = m_clock.elapsed();
    return mayReachLimit(m_failuresPerAddress, m_checkingFrom, ClientAddress::limitKey(call.client), now) ||
           mayReachLimit(m_failuresPerRegistration, m_checkingFor, Crypto::normalizeRegistrationId(call.registrationId),
                         now);
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

std::optional<Error> DpsDeviceRequests::precheck(const Call &call, int *retryAfter)
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
    return throttled(call, retryAfter);
}

void DpsDeviceRequests::countFailure(const Call &call, const Result<Registrar::Attestee> &attestee)
{
    if (attestee || attestee.error().code != ErrorCode::Unauthorized)
        return;
    const qint64 now = m_clock.elapsed();
    m_failuresPerAddress.record(ClientAddress::limitKey(call.client), now);
    m_failuresPerRegistration.record(Crypto::normalizeRegistrationId(call.registrationId), now);
}

Result<Registrar::Attestee> DpsDeviceRequests::admit(const Call &call, int *retryAfter)
{
    // Answered at once (a status lookup, MQTT's CONNECT): the checks
    // running are waited for.
    if (checksMayReachLimit(call))
        m_registrar.settleAuthentications();
    if (auto refused = precheck(call, retryAfter))
        return *refused;
    auto attestee = m_registrar.authenticate(call.authorization, call.idScope, call.registrationId);
    countFailure(call, attestee);
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

Result<void> DpsDeviceRequests::checkRegistrationBody(const Call &call, const Registrar::Attestee &attestee,
                                                      const QByteArray &body, QJsonValue *payload)
{
    auto json = parseJsonObject(body);
    if (!json)
        return json.error();
    JsonReader reader(*json);
    // DPS clients serialize unused attestation members as null.
    reader.allowOnly({"registrationId", "payload", "tpm"});
    const QString bodyId = reader.requiredString(QStringLiteral("registrationId"));
    if (!reader.ok())
        return reader.error();
    if (Crypto::normalizeRegistrationId(bodyId) != attestee.registrationId)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("registrationId in the body ('%1') does not match the one the device "
                                    "authenticated as ('%2')")
                         .arg(bodyId.left(128), call.registrationId));
    if (json->contains(QStringLiteral("tpm")) && !json->value(QStringLiteral("tpm")).isNull())
        return Error(ErrorCode::InvalidInput, QStringLiteral("TPM attestation is not supported; use a symmetric key"));
    *payload = json->value(QStringLiteral("payload"));
    return {};
}

void DpsDeviceRequests::registerDevice(const Call &call, const QByteArray &body, Reply reply)
{
    if (checksMayReachLimit(call)) {
        // Queued behind the checks running: the event loop goes on.
        m_registrar.afterAuthentications(
            Crypto::normalizeRegistrationId(call.registrationId),
            [this, call, body, reply = std::move(reply)]() mutable { registerDevice(call, body, std::move(reply)); });
        return;
    }
    int retryAfter = 0;
    if (auto refused = precheck(call, &retryAfter)) {
        reply(failure(*refused, retryAfter));
        return;
    }
    // The key check (the enrollment read, the SAS token) runs off the event
    // loop; the body is checked after it, so that a device that does not
    // prove who it is hears 401 whatever it sent.
    const QString address = ClientAddress::limitKey(call.client);
    const QString id = Crypto::normalizeRegistrationId(call.registrationId);
    ++m_checkingFrom[address];
    ++m_checkingFor[id];
    m_registrar.authenticateLater(
        call.authorization, call.idScope, call.registrationId,
        [this, call, body, address, id, reply = std::move(reply)](Result<Registrar::Attestee> attestee) {
            countDown(m_checkingFrom, address);
            countDown(m_checkingFor, id);
            countFailure(call, attestee);
            if (!attestee) {
                reply(failure(attestee.error()));
                return;
            }
            QJsonValue payload;
            if (auto checked = checkRegistrationBody(call, *attestee, body, &payload); !checked) {
                reply(failure(checked.error()));
                return;
            }
            m_registrar.registerDevice(*attestee, payload, [this, reply](Result<Registrar::Answer> op) {
                if (!op) {
                    reply(failure(op.error()));
                    return;
                }
                Answer answer = operationAnswer(op->operation.status, QJsonObject(), 202);
                answer.bodyText = std::move(op->text);
                reply(std::move(answer));
            });
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
