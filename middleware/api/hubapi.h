// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "core/result.h"
#include "protocol/hub.h"

namespace Provisio {

// /api/v1/hubs: the hubs devices are allocated to. Viewers read; admins link,
// replace and unlink hubs and rotate their signing keys. A signing key is
// shown exactly once, in the answer that created it; it never appears in
// later answers or in the audit log.
class HubApi : public ApiModule
{
public:
    explicit HubApi(ServiceContext &ctx) : m_ctx(ctx) { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse put(HttpRequest &request);
    HttpResponse remove(HttpRequest &request);
    HttpResponse rotateKey(HttpRequest &request);

    ServiceContext &m_ctx;
};

} // namespace Provisio
