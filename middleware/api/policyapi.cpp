// SPDX-License-Identifier: Apache-2.0
#include "policyapi.h"
#include "requesthelpers.h"

#include "base/servicecontext.h"
#include "base/webhooktarget.h"

#include "domain/allocator.h"
#include "domain/hubs.h"
#include "protocol/allocation.h"
#include "protocol/hub.h"

namespace Provisio {

namespace {
const QString kPolicy = QStringLiteral("allocationPolicy");
const QString kStaticHub = QStringLiteral("staticHub");
const QString kCustom = QStringLiteral("customAllocationDefinition");
const QString kEtag = QStringLiteral("etag");
} // namespace

void PolicyApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString path = QStringLiteral("/api/v1/allocation-policy");
    router.add(M::Get, path, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Put, path, Access::Admin, [this](HttpRequest &r) { return put(r); });
    router.add(M::Get, path + QStringLiteral("/webhook-secret"), Access::Admin,
               [this](HttpRequest &r) { return webhookSecret(r); });
}

HttpResponse PolicyApi::webhookSecret(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("url")}); !q)
        return HttpResponse::error(q.error());
    const QString url = request.queryValue(QStringLiteral("url"));
    if (url.isEmpty())
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("query parameter 'url' (the webhook URL, exactly as configured) is "
                                                  "required"));
    auto secret = Allocator::webhookSecret(m_ctx.settings, url);
    if (!secret)
        return HttpResponse::error(secret.error());
    return HttpResponse::json(QJsonObject{{QStringLiteral("webhookUrl"), url}, {QStringLiteral("secret"), *secret}});
}

HttpResponse PolicyApi::get(HttpRequest &request)
{
    auto policy = Hubs(m_ctx).policy();
    if (!policy)
        return HttpResponse::error(policy.error());
    // Only admins set the policy's webhook; everyone else reads its URL
    // without the secrets it may carry.
    const bool admin = request.principal && request.principal->role == Role::Admin;
    return Requests::recordResponse(admin ? *policy : Requests::withoutWebhookSecrets(*policy),
                                    policy->value(kEtag).toString());
}

HttpResponse PolicyApi::put(HttpRequest &request)
{
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    QJsonObject json = *body;
    json.remove(kEtag); // read-only, may be echoed back from a GET
    JsonReader reader(json);
    reader.allowOnly({"allocationPolicy", "staticHub", "customAllocationDefinition"});
    const QString policyName = reader.requiredString(kPolicy);
    const std::optional<AllocationPolicy> parsed = parseAllocationPolicy(policyName);
    if (reader.ok() && !parsed)
        reader.fail(kPolicy, QStringLiteral("must be one of hashed, geoLatency, static, custom"));
    // Only used while reader.ok(), i.e. when parsing succeeded.
    const AllocationPolicy policy = parsed.value_or(AllocationPolicy::Hashed);
    const QString staticHub = reader.optionalString(kStaticHub);
    CustomAllocationDefinition custom;
    if (reader.ok() && policy == AllocationPolicy::Static && staticHub.isEmpty())
        reader.fail(kStaticHub, QStringLiteral("is required when allocationPolicy is 'static'"));
    if (reader.ok() && policy != AllocationPolicy::Static && reader.has(kStaticHub))
        reader.fail(kStaticHub, QStringLiteral("is only allowed when allocationPolicy is 'static'"));
    if (reader.ok() && policy == AllocationPolicy::Custom) {
        if (!reader.has(kCustom))
            reader.fail(kCustom, QStringLiteral("is required when allocationPolicy is 'custom'"));
        else
            custom = CustomAllocationDefinition::readFrom(reader.child(kCustom));
    }
    if (reader.ok() && policy != AllocationPolicy::Custom && reader.has(kCustom))
        reader.fail(kCustom, QStringLiteral("is only allowed when allocationPolicy is 'custom'"));
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    if (policy == AllocationPolicy::Custom) {
        if (auto ok = WebhookTarget(WebhookTarget::rulesFrom(m_ctx.config)).checkAllocationDefinition(custom); !ok)
            return HttpResponse::error(ok.error());
    }

    auto after =
        Hubs(m_ctx).setPolicy(policy, policyName, staticHub, custom, Requests::ifMatch(request), request.actor());
    if (!after)
        return HttpResponse::error(after.error());
    return Requests::recordResponse(*after, after->value(kEtag).toString());
}

} // namespace Provisio
