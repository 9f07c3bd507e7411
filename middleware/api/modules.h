// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/apimodule.h"

#include <memory>
#include <vector>

namespace Provisio {

class DpsDeviceRequests;

using ApiModules = std::vector<std::unique_ptr<ApiModule>>;

// The CRM records API: inventory, customers, hubs, allocation policy, audit
// (api/crmmodules.cpp).
void createCrmModules(ServiceContext &ctx, ApiModules &modules);
// Enrollments, groups, registrations and the DPS-compatible device API
// (api/devicemodules.cpp). Returns the DPS device requests the modules own,
// for the MQTT endpoint to share (valid while the modules live).
DpsDeviceRequests &createDeviceModules(ServiceContext &ctx, ApiModules &modules);

inline DpsDeviceRequests &createApiModules(ServiceContext &ctx, ApiModules &modules)
{
    createCrmModules(ctx, modules);
    return createDeviceModules(ctx, modules);
}

} // namespace Provisio
