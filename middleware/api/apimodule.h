// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/servicecontext.h"
#include "http/router.h"

namespace Provisio {

// One area of the HTTP API. Handlers hold the request logic; registerRoutes
// only wires paths to them, so the routing table reads like the API docs.
class ApiModule
{
public:
    virtual ~ApiModule() = default;
    virtual void registerRoutes(Router &router) = 0;
};

} // namespace Provisio
