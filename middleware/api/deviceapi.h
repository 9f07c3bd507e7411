// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "domain/registrar.h"

namespace Provisio {

// The DPS-compatible device registration API (Access::Public: devices
// authenticate with SAS tokens, checked by the Registrar):
//   PUT  /{idScope}/registrations/{registrationId}/register
//   GET  /{idScope}/registrations/{registrationId}/operations/{operationId}
//   POST /{idScope}/registrations/{registrationId}
class DeviceApi : public ApiModule
{
public:
    DeviceApi(ServiceContext &ctx, Registrar &registrar) : m_ctx(ctx), m_registrar(registrar) { }
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
    // registration id syntax, SAS token.
    Result<Registrar::Attestee> admit(const HttpRequest &request);

    ServiceContext &m_ctx;
    Registrar &m_registrar;
};

} // namespace Provisio
