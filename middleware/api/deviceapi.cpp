// SPDX-License-Identifier: Apache-2.0
#include "deviceapi.h"

namespace Provisio {

DeviceApi::DeviceApi(DpsDeviceRequests &requests) : m_requests(requests) { }

void DeviceApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    // A registration waiting for its group's commit is answered at once when
    // its client sends another request on the same connection.
    router.addSettle([this] { m_requests.settle(); });
    router.add(
        M::Put, QStringLiteral("/{idScope}/registrations/{registrationId}/register"), Access::Public,
        [this](HttpRequest &r) { return registerDevice(r); }, kMaxBody);
    router.add(
        M::Get, QStringLiteral("/{idScope}/registrations/{registrationId}/operations/{operationId}"), Access::Public,
        [this](HttpRequest &r) {
            return render(m_requests.operationStatus(callOf(r), r.param(QStringLiteral("operationId"))));
        },
        kMaxBody);
    router.add(
        M::Post, QStringLiteral("/{idScope}/registrations/{registrationId}"), Access::Public,
        [this](HttpRequest &r) { return render(m_requests.registrationStatus(callOf(r), r.body)); }, kMaxBody);
}

HttpResponse DeviceApi::registerDevice(const HttpRequest &request)
{
    // Answered at once, or after the group commit that stored it.
    struct Pending
    {
        bool returned = false;
        std::optional<HttpResponse> early;
        std::shared_ptr<DeferredResponse> later;
    };
    auto pending = std::make_shared<Pending>();
    m_requests.registerDevice(callOf(request), request.body, [pending](const DpsDeviceRequests::Answer &answer) {
        if (pending->returned)
            pending->later->complete(render(answer));
        else
            pending->early = render(answer);
    });
    pending->returned = true;
    if (pending->early)
        return std::move(*pending->early);
    pending->later = std::make_shared<DeferredResponse>();
    return HttpResponse::later(pending->later);
}

DpsDeviceRequests::Call DeviceApi::callOf(const HttpRequest &request)
{
    DpsDeviceRequests::Call call;
    if (request.hasQuery(QStringLiteral("api-version")))
        call.apiVersion = request.queryValue(QStringLiteral("api-version"));
    call.idScope = request.param(QStringLiteral("idScope"));
    call.registrationId = request.param(QStringLiteral("registrationId"));
    call.authorization = request.header("Authorization");
    call.client = request.clientAddress;
    return call;
}

HttpResponse DeviceApi::render(const DpsDeviceRequests::Answer &answer)
{
    HttpResponse r = answer.error ? HttpResponse::error(*answer.error)
                     : answer.bodyText.isEmpty()
                         ? HttpResponse::json(answer.body, answer.status)
                         : HttpResponse::text(answer.bodyText, "application/json", answer.status);
    if (answer.retryAfter > 0)
        r.withHeader("Retry-After", QByteArray::number(answer.retryAfter));
    return r;
}

} // namespace Provisio
