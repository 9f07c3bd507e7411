// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/apimodule.h"

#include <memory>
#include <vector>

namespace Provisio {

// Creates every API module of the service (one line each in modules.cpp).
void createApiModules(ServiceContext &ctx, std::vector<std::unique_ptr<ApiModule>> &modules);

} // namespace Provisio
