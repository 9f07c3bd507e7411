// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"

#include "domain/webhooks.h"

namespace Provisio {

// /api/v1/webhooks (admin only: a webhook decides where event data goes).
//
//   POST   /api/v1/webhooks                 {"url", "events", "secret"?, "enabled"?, "description"?}
//                                           -> 201, the webhook plus "secret" (generated when
//                                              omitted; the only time it is shown)
//   GET    /api/v1/webhooks                 {"items": [...], "nextCursor"?}  (limit, cursor)
//   GET    /api/v1/webhooks/{id}            the webhook, ETag
//   PUT    /api/v1/webhooks/{id}            replace (If-Match); "secret" rotates it, absent keeps it
//   PATCH  /api/v1/webhooks/{id}            JSON merge patch (If-Match)
//   DELETE /api/v1/webhooks/{id}            204 (If-Match); the delivery log goes with it
//   GET    /api/v1/webhooks/{id}/deliveries the delivery log, newest first (status, limit, cursor)
//
// `url` must be https://, or http:// to a loopback address (a receiver on the
// same machine); PROVISIO_WEBHOOK_ALLOW_HTTP=1 lifts that for trusted networks.
// `events` are patterns as EventBus::isKnownPattern accepts them.
class WebhookApi : public ApiModule
{
public:
    WebhookApi(ServiceContext &ctx, WebhookStore &store) : m_ctx(ctx), m_store(store), m_webhooks(ctx, store) { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse create(HttpRequest &request);
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse update(HttpRequest &request, bool merge);
    HttpResponse remove(HttpRequest &request);
    HttpResponse deliveries(HttpRequest &request);

    ServiceContext &m_ctx;
    WebhookStore &m_store;
    Webhooks m_webhooks;
};

} // namespace Provisio
