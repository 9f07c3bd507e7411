// SPDX-License-Identifier: Apache-2.0
#include "deviceapi.h"
#include "requesthelpers.h"

#include "base/clientaddress.h"
#include "base/serviceconfig.h"
#include "crypto/registrationid.h"
#include "protocol/jsonreader.h"
#include "storage/settingsstore.h"

namespace Provisio {

const QStringList &DeviceApi::supportedApiVersions()
{
    static const QStringList versions{QStringLiteral("2019-03-31"), QStringLiteral("2021-06-01"),
                                      QStringLiteral("2021-10-01")};
    return versions;
}

namespace {
constexpr qint64 kFailureWindowMs = 60 * 1000;
}

DeviceApi::DeviceApi(ServiceContext &ctx, Registrar &registrar)
    : m_ctx(ctx), m_registrar(registrar), m_failuresPerAddress(ctx.config.dpsFailuresPerAddress, kFailureWindowMs),
      m_failuresPerRegistration(ctx.config.dpsFailuresPerRegistration, kFailureWindowMs)
{
    m_clock.start();
}

std::optional<Error> DeviceApi::throttled(const HttpRequest &request, const QString &registrationId, int *retryAfter)
{
    const qint64 now = m_clock.elapsed();
    const QString address = ClientAddress::limitKey(request.clientAddress);
    if (const int wait = m_failuresPerAddress.retryAfterSeconds(address, now)) {
        *retryAfter = wait;
        return Error(
            ErrorCode::TooManyRequests,
            QStringLiteral("too many failed registration attempts from this address; retry in %1 s").arg(wait));
    }
    const QString id = Crypto::normalizeRegistrationId(registrationId);
    if (const int wait = m_failuresPerRegistration.retryAfterSeconds(id, now)) {
        *retryAfter = wait;
        return Error(ErrorCode::TooManyRequests,
                     QStringLiteral("too many failed attempts for this registration id; retry in %1 s").arg(wait));
    }
    return std::nullopt;
}

void DeviceApi::countFailure(const HttpRequest &request, const QString &registrationId)
{
    const qint64 now = m_clock.elapsed();
    m_failuresPerAddress.record(ClientAddress::limitKey(request.clientAddress), now);
    m_failuresPerRegistration.record(Crypto::normalizeRegistrationId(registrationId), now);
}

HttpResponse DeviceApi::failure(const Error &error, int retryAfter)
{
    HttpResponse r = HttpResponse::error(error);
    if (retryAfter > 0)
        r.withHeader("Retry-After", QByteArray::number(retryAfter));
    return r;
}

void DeviceApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    router.add(
        M::Put, QStringLiteral("/{idScope}/registrations/{registrationId}/register"), Access::Public,
        [this](HttpRequest &r) { return registerDevice(r); }, kMaxBody);
    router.add(
        M::Get, QStringLiteral("/{idScope}/registrations/{registrationId}/operations/{operationId}"), Access::Public,
        [this](HttpRequest &r) { return operationStatus(r); }, kMaxBody);
    router.add(
        M::Post, QStringLiteral("/{idScope}/registrations/{registrationId}"), Access::Public,
        [this](HttpRequest &r) { return registrationStatus(r); }, kMaxBody);
}

Result<Registrar::Attestee> DeviceApi::admit(const HttpRequest &request, int *retryAfter)
{
    if (!request.hasQuery(QStringLiteral("api-version")))
        return Error(ErrorCode::InvalidInput, QStringLiteral("the api-version query parameter is required"));
    const QString version = request.queryValue(QStringLiteral("api-version"));
    if (!supportedApiVersions().contains(version))
        return Error(ErrorCode::InvalidInput, QStringLiteral("api-version '%1' is not supported; use one of %2")
                                                  .arg(version, supportedApiVersions().join(QStringLiteral(", "))));
    const QString scope = request.param(QStringLiteral("idScope"));
    if (scope.compare(m_ctx.settings.idScope(), Qt::CaseInsensitive) != 0)
        return Error(ErrorCode::NotFound, QStringLiteral("unknown ID scope '%1'").arg(scope));
    const QString registrationId = request.param(QStringLiteral("registrationId"));
    if (auto valid = Crypto::validateRegistrationId(registrationId); !valid)
        return valid.error();
    if (auto limited = throttled(request, registrationId, retryAfter))
        return *limited;
    auto attestee = m_registrar.authenticate(request.header("Authorization"), scope, registrationId);
    if (!attestee && attestee.error().code == ErrorCode::Unauthorized)
        countFailure(request, registrationId);
    return attestee;
}

namespace {
HttpResponse operationResponse(const RegistrationOperation &op, int retryAfterSeconds)
{
    HttpResponse r = HttpResponse::json(op.toJson(), 202);
    if (op.status == QLatin1String("assigning"))
        r.withHeader("Retry-After", QByteArray::number(retryAfterSeconds));
    return r;
}
} // namespace

HttpResponse DeviceApi::registerDevice(HttpRequest &request)
{
    int retryAfter = 0;
    auto attestee = admit(request, &retryAfter);
    if (!attestee)
        return failure(attestee.error(), retryAfter);
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    // DPS clients serialize unused attestation members as null.
    reader.allowOnly({"registrationId", "payload", "tpm"});
    const QString bodyId = reader.requiredString(QStringLiteral("registrationId"));
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    if (Crypto::normalizeRegistrationId(bodyId) != attestee->registrationId)
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("registrationId in the body ('%1') does not match the one in the "
                                                  "path ('%2')")
                                       .arg(bodyId, request.param(QStringLiteral("registrationId"))));
    if (body->contains(QStringLiteral("tpm")) && !body->value(QStringLiteral("tpm")).isNull())
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("TPM attestation is not supported; use a symmetric key"));

    auto op = m_registrar.registerDevice(*attestee, body->value(QStringLiteral("payload")));
    if (!op)
        return HttpResponse::error(op.error());
    RegistrationOperation shown = *op;
    if (shown.registrationState)
        shown.registrationState = m_registrar.forDevice(*shown.registrationState);
    return operationResponse(shown, m_ctx.config.registrationRetryAfterSeconds);
}

HttpResponse DeviceApi::operationStatus(HttpRequest &request)
{
    int retryAfter = 0;
    auto attestee = admit(request, &retryAfter);
    if (!attestee)
        return failure(attestee.error(), retryAfter);
    auto op = m_registrar.operation(request.param(QStringLiteral("operationId")), attestee->registrationId);
    if (!op)
        return HttpResponse::error(op.error());
    if (!*op)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no such registration operation"));
    HttpResponse r = operationResponse(**op, m_ctx.config.registrationRetryAfterSeconds);
    // Polling answers 200 once settled, 202 while still assigning, as DPS.
    if ((*op)->status != QLatin1String("assigning"))
        r.status = 200;
    return r;
}

HttpResponse DeviceApi::registrationStatus(HttpRequest &request)
{
    int retryAfter = 0;
    auto attestee = admit(request, &retryAfter);
    if (!attestee)
        return failure(attestee.error(), retryAfter);
    if (!request.body.trimmed().isEmpty()) {
        auto body = parseJsonObject(request.body);
        if (!body)
            return HttpResponse::error(body.error());
    }
    auto state = m_registrar.registrationState(attestee->registrationId);
    if (!state)
        return HttpResponse::error(state.error());
    if (!*state)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("this device has not registered yet"));
    return HttpResponse::json((*state)->toJson());
}

} // namespace Provisio
