// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "core/result.h"

#include <QJsonObject>

namespace Provisio {

// /api/v1/allocation-policy: the instance-wide default allocation policy that
// enrollments without their own policy use. Kept in SettingsStore under the
// keys the allocator reads (allocationPolicy, allocation.staticHub,
// allocation.webhookUrl, allocation.webhookApiVersion); `allocation.etag`
// guards concurrent edits. Viewers read; admins change.
// /api/v1/allocation-policy/webhook-secret?url=: a custom allocation
// webhook's own signing secret (Allocator::webhookSecret), admins only.
class PolicyApi : public ApiModule
{
public:
    explicit PolicyApi(ServiceContext &ctx) : m_ctx(ctx) { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse get(HttpRequest &request);
    HttpResponse put(HttpRequest &request);
    HttpResponse webhookSecret(HttpRequest &request);

    ServiceContext &m_ctx;
};

} // namespace Provisio
