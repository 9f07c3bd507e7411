// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/apimodule.h"
#include "domain/serviceauth.h"
#include "hublink/hublink.h"
#include "storage/accesspolicystore.h"
#include "storage/registrationstore.h"

namespace Provisio {

// The part of IoT Hub's service REST API that Azure's service SDKs use for
// twins and direct methods (azure-iothub's Registry.getTwin / updateTwin,
// Client.invokeDeviceMethod), for the devices of the linked hubs:
//   GET   /twins/{deviceId}           RegistryRead
//   PATCH /twins/{deviceId}           RegistryWrite   {"tags"?, "properties": {"desired"?}}, If-Match
//   POST  /twins/{deviceId}/methods   ServiceConnect  {methodName, responseTimeoutInSeconds, payload}
// Authenticated with ServiceSAS tokens of a hub's shared access policies;
// the token's sr (the hub's host name) selects the hub, and a device on
// another hub is Not Found. The changes go through the same domain paths as
// /api/v1/devices/{deviceId}/twin and /methods.
class HubServiceApi : public ApiModule
{
public:
    HubServiceApi(ServiceContext &ctx, HubLink &link);
    void registerRoutes(Router &router) override;

    static constexpr qint64 kMaxBody = 64 * 1024;

private:
    struct Target
    {
        ServiceAuth::Caller caller;
        RegistrationRecord record;
    };
    // Authenticates for the hub the token names and finds the device on it.
    Result<Target> target(const HttpRequest &request, const QString &right, bool mustBeAssigned);

    HttpResponse getTwin(HttpRequest &request);
    HttpResponse patchTwin(HttpRequest &request);
    HttpResponse invokeMethod(HttpRequest &request);

    QJsonObject twinJson(const RegistrationRecord &record);

    ServiceContext &m_ctx;
    HubLink &m_link;
    RegistrationStore m_registrations;
    AccessPolicyStore m_policies;
    ServiceAuth m_auth;
};

} // namespace Provisio
