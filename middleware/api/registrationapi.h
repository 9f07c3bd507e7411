// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "storage/hublinkstore.h"

namespace Provisio {

class RegistrationStore;
struct RegistrationRecord;

// The device -> hub mapping on the CRM API (/api/v1/registrations): list
// (filters hub, status, deviceId), read, and forget a registration (the
// device's next registration is an initial assignment again), and retire
// the hub key of a device or of a group's devices. Hub secrets
// (payload.provisio.hubDeviceKey) are never part of it.
class RegistrationApi : public ApiModule
{
public:
    RegistrationApi(ServiceContext &ctx, RegistrationStore &registrations) : m_ctx(ctx), m_registrations(registrations)
    { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse remove(HttpRequest &request);
    HttpResponse resetTwin(HttpRequest &request);
    // Retire hub keys (Registrations::rotateHubKey / rotateGroupHubKeys).
    HttpResponse rotateHubKey(HttpRequest &request);
    HttpResponse rotateGroupHubKeys(HttpRequest &request);
    QJsonObject present(const RegistrationRecord &record);

    ServiceContext &m_ctx;
    RegistrationStore &m_registrations;
};

} // namespace Provisio
