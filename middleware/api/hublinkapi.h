// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/apimodule.h"
#include "hublink/hublink.h"

namespace Provisio {

// The answer to a direct method call as IoT Hub gives it: {status, payload},
// 504 when the device did not answer in time, 409 when its hub is not
// connected. Shared by the CRM route and the IoT Hub service API.
HttpResponse methodOutcomeResponse(const HubLink::MethodOutcome &outcome, const QString &trackingId, const QString &hub,
                                   int timeoutSeconds);

// The HTTP side of the hub link (which the service owns):
//   GET   /api/v1/hubs/{name}/status                  connection state (viewer)
//   GET   /api/v1/devices/{deviceId}/twin             tags, desired, reported (viewer)
//   PATCH /api/v1/devices/{deviceId}/twin             {"tags"?, "desired"?} (operator, If-Match)
//   GET   /api/v1/devices/{deviceId}/telemetry        stored messages, newest first,
//         ?limit=&cursor=&since=&until=             paged (viewer)
//   POST  /api/v1/devices/{deviceId}/methods/{name}   direct method (operator; answered later)
// `/api/v1/devices/{serial}` itself is the CRM inventory; these routes name
// the registration's device id and differ from the inventory's by their
// literal last segments.
class HubLinkApi : public ApiModule
{
public:
    HubLinkApi(ServiceContext &ctx, HubLink &link);
    void registerRoutes(Router &router) override;

private:
    HttpResponse hubStatus(HttpRequest &request);
    HttpResponse getTwin(HttpRequest &request);
    HttpResponse patchTwin(HttpRequest &request);
    HttpResponse telemetry(HttpRequest &request);
    HttpResponse invokeMethod(HttpRequest &request);
    HttpResponse sendCloudMessage(HttpRequest &request);
    HttpResponse cloudMessages(HttpRequest &request);

    Result<RegistrationRecord> registered(const HttpRequest &request, bool mustBeAssigned);
    QJsonObject twinJson(const RegistrationRecord &record);

    ServiceContext &m_ctx;
    RegistrationStore m_registrations;
    HubLink &m_link;
};

} // namespace Provisio
