// SPDX-License-Identifier: Apache-2.0
#include "api/modules.h"

#include "accesspolicyapi.h"
#include "auditapi.h"
#include "customerapi.h"
#include "hubapi.h"
#include "inventoryapi.h"
#include "policyapi.h"
#include "tokenapi.h"

namespace Provisio {

void createCrmModules(ServiceContext &ctx, ApiModules &modules)
{
    modules.push_back(std::make_unique<CustomerApi>(ctx));
    modules.push_back(std::make_unique<InventoryApi>(ctx));
    modules.push_back(std::make_unique<HubApi>(ctx));
    modules.push_back(std::make_unique<PolicyApi>(ctx));
    modules.push_back(std::make_unique<AuditApi>(ctx));
    modules.push_back(std::make_unique<TokenApi>(ctx));
    modules.push_back(std::make_unique<AccessPolicyApi>(ctx));
}

} // namespace Provisio
