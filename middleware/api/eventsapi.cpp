// SPDX-License-Identifier: Apache-2.0
#include "eventsapi.h"

#include "domain/eventbus.h"

#include <QJsonArray>

namespace Provisio {

void EventsApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    router.add(M::Get, QStringLiteral("/api/v1/events"), Access::Viewer, [](HttpRequest &) {
        return HttpResponse::error(
                   ErrorCode::UpgradeRequired,
                   QStringLiteral("/api/v1/events is a WebSocket: connect with wss:// and a bearer token "
                                  "(Authorization header or access_token query parameter)"))
            .withHeader("Upgrade", "websocket");
    });
    router.add(M::Get, QStringLiteral("/api/v1/events/types"), Access::Viewer, [](HttpRequest &) {
        return HttpResponse::json(
            QJsonObject{{QStringLiteral("types"), QJsonArray::fromStringList(EventBus::knownTypes())}});
    });
}

} // namespace Provisio
