// SPDX-License-Identifier: Apache-2.0
#include "serviceapi.h"

#include "base/metrics.h"
#include "storage/database.h"
#include "storage/hubstore.h"
#include "storage/settingsstore.h"

#include <QJsonArray>

namespace Provisio {

void ServiceApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    router.add(M::Get, QStringLiteral("/healthz"), Access::Public, [this](HttpRequest &r) { return health(r); });
    router.add(M::Get, QStringLiteral("/metrics"), Access::Viewer, [this](HttpRequest &r) { return metrics(r); });
    router.add(M::Get, QStringLiteral("/api/v1/service"), Access::Viewer,
               [this](HttpRequest &r) { return service(r); });
    router.add(M::Get, QStringLiteral("/api/v1/whoami"), Access::Viewer, [this](HttpRequest &r) { return whoami(r); });
}

// Who the bearer token belongs to and what it may do, so a client (the CRM
// desktop) can offer only what the role allows without trial requests.
HttpResponse ServiceApi::whoami(HttpRequest &r)
{
    if (!r.principal)
        return HttpResponse::error(Error(ErrorCode::Unauthorized, QStringLiteral("no caller")));
    return HttpResponse::json(QJsonObject{
        {QStringLiteral("tokenId"), r.principal->tokenId},
        {QStringLiteral("name"), r.principal->name},
        {QStringLiteral("role"), roleName(r.principal->role)},
        {QStringLiteral("actor"), r.principal->actor()},
    });
}

HttpResponse ServiceApi::health(HttpRequest &)
{
    if (!m_ctx.db.isHealthy())
        return HttpResponse::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("unavailable")},
                                              {QStringLiteral("database"), QStringLiteral("down")}},
                                  503);
    return HttpResponse::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}});
}

HttpResponse ServiceApi::service(HttpRequest &)
{
    auto hubs = m_ctx.hubs.all();
    if (!hubs)
        return HttpResponse::error(hubs.error());
    QJsonArray linked;
    for (const Hub &h : *hubs)
        linked.append(h.toJson(false));
    return HttpResponse::json(QJsonObject{
        {QStringLiteral("name"), QStringLiteral("provisio-middleware")},
        {QStringLiteral("version"), QStringLiteral(PROVISIO_VERSION)},
        {QStringLiteral("idScope"), m_ctx.settings.idScope()},
        {QStringLiteral("allocationPolicy"),
         m_ctx.settings.value(QStringLiteral("allocationPolicy"), QStringLiteral("hashed"))},
        {QStringLiteral("database"),
         m_ctx.db.dialect() == Database::Dialect::Postgres ? QStringLiteral("postgresql") : QStringLiteral("sqlite")},
        {QStringLiteral("schemaVersion"), m_ctx.db.schemaVersion()},
        {QStringLiteral("hubs"), linked},
    });
}

HttpResponse ServiceApi::metrics(HttpRequest &)
{
    return HttpResponse::text(m_ctx.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
}

} // namespace Provisio
