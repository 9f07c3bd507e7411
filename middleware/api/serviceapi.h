// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"

namespace Provisio {

// /healthz, /metrics and /api/v1/service: what operators and load balancers
// ask of an instance.
class ServiceApi : public ApiModule
{
public:
    explicit ServiceApi(ServiceContext &ctx) : m_ctx(ctx) { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse health(HttpRequest &request);
    HttpResponse service(HttpRequest &request);
    HttpResponse whoami(HttpRequest &request);
    HttpResponse metrics(HttpRequest &request);

    ServiceContext &m_ctx;
};

} // namespace Provisio
