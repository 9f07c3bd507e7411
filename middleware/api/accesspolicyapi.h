// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/apimodule.h"

namespace Provisio {

// Shared access policies for Azure's service SDKs (admin):
//   GET    /api/v1/access-policies                  every policy, no keys
//   POST   /api/v1/access-policies                  {"name", "hub"?, "rights"?} -> policy, key, connectionString (once)
//   DELETE /api/v1/access-policies/{idOrName}       revoke (?hub= for a hub policy's name)
class AccessPolicyApi : public ApiModule
{
public:
    explicit AccessPolicyApi(ServiceContext &ctx) : m_ctx(ctx) { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse list(HttpRequest &request);
    HttpResponse create(HttpRequest &request);
    HttpResponse revoke(HttpRequest &request);

    ServiceContext &m_ctx;
};

} // namespace Provisio
