// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"

namespace Provisio {

// /api/v1/audit: who changed what and when, newest first, filtered by entity,
// actor, action and a time range [since, until). Readable by viewers: the
// log holds no secrets.
class AuditApi : public ApiModule
{
public:
    explicit AuditApi(ServiceContext &ctx) : m_ctx(ctx) { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse list(HttpRequest &request);

    ServiceContext &m_ctx;
};

} // namespace Provisio
