// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/apimodule.h"

#include <memory>
#include <vector>

namespace Provisio {

using ApiModules = std::vector<std::unique_ptr<ApiModule>>;

// The CRM records API: inventory, customers, hubs, allocation policy, audit
// (api/crmmodules.cpp).
void createCrmModules(ServiceContext &ctx, ApiModules &modules);
// Enrollments, groups, registrations and the DPS-compatible device API
// (api/devicemodules.cpp).
void createDeviceModules(ServiceContext &ctx, ApiModules &modules);

inline void createApiModules(ServiceContext &ctx, ApiModules &modules)
{
    createCrmModules(ctx, modules);
    createDeviceModules(ctx, modules);
}

} // namespace Provisio
