// SPDX-License-Identifier: Apache-2.0
#include "modules.h"

// CRM API modules
// (inventory, customers, hubs, policy, audit: api/*)

// Device API modules
// (enrollments, groups, registrations, DPS device API: api/*)

namespace Provisio {

void createApiModules(ServiceContext &ctx, std::vector<std::unique_ptr<ApiModule>> &modules)
{
    Q_UNUSED(ctx);
    Q_UNUSED(modules);
    // CRM API modules: add below this line.

    // Device API modules: add below this line.
}

} // namespace Provisio
