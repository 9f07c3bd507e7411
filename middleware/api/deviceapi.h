// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "domain/ratelimiter.h"
#include "domain/registrar.h"

#include <QElapsedTimer>

#include <optional>

namespace Provisio {

// The DPS-compatible device registration API (Access::Public: devices
// authenticate with SAS tokens, checked by the Registrar):
//   PUT  /{idScope}/registrations/{registrationId}/register
//   GET  /{idScope}/registrations/{registrationId}/operations/{operationId}
//   POST /{idScope}/registrations/{registrationId}
class DeviceApi : public ApiModule
{
public:
    DeviceApi(ServiceContext &ctx, Registrar &registrar);
    void registerRoutes(Router &router) override;

    // The api-versions DPS device clients send that Provisio speaks: the
    // DPS releases from 2019-03-31 through 2021-10-01.
    static const QStringList &supportedApiVersions();

    static constexpr qint64 kMaxBody = 64 * 1024;

private:
    HttpResponse registerDevice(HttpRequest &request);
    HttpResponse operationStatus(HttpRequest &request);
    HttpResponse registrationStatus(HttpRequest &request);
    // The checks every device call starts with: api-version, ID scope,
    // registration id syntax, failure limits, SAS token. `retryAfter` is set
    // when the answer is 429.
    Result<Registrar::Attestee> admit(const HttpRequest &request, int *retryAfter);

    // Failed authentications, counted per client address and per
    // registration id; over either limit a device call is answered 429
    // before any key is derived (an unknown id would try every group).
    std::optional<Error> throttled(const HttpRequest &request, const QString &registrationId, int *retryAfter);
    void countFailure(const HttpRequest &request, const QString &registrationId);
    HttpResponse failure(const Error &error, int retryAfter);

    ServiceContext &m_ctx;
    Registrar &m_registrar;
    RateLimiter m_failuresPerAddress;
    RateLimiter m_failuresPerRegistration;
    QElapsedTimer m_clock;
};

} // namespace Provisio
