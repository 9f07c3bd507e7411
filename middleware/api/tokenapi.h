// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"

namespace Provisio {

// /api/v1/tokens: CRM API tokens, for admins only. A new token's secret is
// in the creating answer and nowhere else; listings never show secrets or
// their hashes.
class TokenApi : public ApiModule
{
public:
    explicit TokenApi(ServiceContext &ctx) : m_ctx(ctx) { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse list(HttpRequest &request);
    HttpResponse create(HttpRequest &request);
    HttpResponse revoke(HttpRequest &request);

    ServiceContext &m_ctx;
};

} // namespace Provisio
