// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "dpsdevicerequests.h"

namespace Provisio {

// The DPS-compatible device registration API over HTTP (Access::Public:
// devices authenticate with SAS tokens):
//   PUT  /{idScope}/registrations/{registrationId}/register
//   GET  /{idScope}/registrations/{registrationId}/operations/{operationId}
//   POST /{idScope}/registrations/{registrationId}
// Parse and render only: DpsDeviceRequests holds the logic it shares with
// the MQTT endpoint.
class DeviceApi : public ApiModule
{
public:
    explicit DeviceApi(DpsDeviceRequests &requests);
    void registerRoutes(Router &router) override;

    static constexpr qint64 kMaxBody = 64 * 1024;

private:
    HttpResponse registerDevice(const HttpRequest &request);
    static DpsDeviceRequests::Call callOf(const HttpRequest &request);
    static HttpResponse render(const DpsDeviceRequests::Answer &answer);

    DpsDeviceRequests &m_requests;
};

} // namespace Provisio
