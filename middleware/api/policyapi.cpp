// SPDX-License-Identifier: Apache-2.0
#include "policyapi.h"
#include "crmrequest.h"

#include "protocol/allocation.h"
#include "protocol/hub.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/hubstore.h"
#include "storage/settingsstore.h"

namespace Provisio {

namespace {
// The allocator reads these keys: do not rename them.
const QString kPolicyKey = QStringLiteral("allocationPolicy");
const QString kStaticHubKey = QStringLiteral("allocation.staticHub");
const QString kWebhookUrlKey = QStringLiteral("allocation.webhookUrl");
const QString kWebhookApiVersionKey = QStringLiteral("allocation.webhookApiVersion");
const QString kEtagKey = QStringLiteral("allocation.etag");

const QString kPolicy = QStringLiteral("allocationPolicy");
const QString kStaticHub = QStringLiteral("staticHub");
const QString kCustom = QStringLiteral("customAllocationDefinition");
const QString kEtag = QStringLiteral("etag");
const QString kEntity = QStringLiteral("allocationPolicy");
const QString kEntityId = QStringLiteral("default");
} // namespace

void PolicyApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString path = QStringLiteral("/api/v1/allocation-policy");
    router.add(M::Get, path, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Put, path, Access::Admin, [this](HttpRequest &r) { return put(r); });
}

Result<QJsonObject> PolicyApi::read()
{
    // The etag is created lazily; ensureValue makes instances racing on a
    // fresh database agree on one.
    auto etag = m_ctx.settings.ensureValue(kEtagKey, newEtag());
    if (!etag)
        return etag.error();
    QJsonObject policy{{kPolicy, m_ctx.settings.value(kPolicyKey, QStringLiteral("hashed"))}, {kEtag, *etag}};
    const QString staticHub = m_ctx.settings.value(kStaticHubKey);
    if (!staticHub.isEmpty())
        policy.insert(kStaticHub, staticHub);
    const QString webhookUrl = m_ctx.settings.value(kWebhookUrlKey);
    if (!webhookUrl.isEmpty())
        policy.insert(kCustom,
                      CustomAllocationDefinition{webhookUrl, m_ctx.settings.value(kWebhookApiVersionKey)}.toJson());
    return policy;
}

HttpResponse PolicyApi::get(HttpRequest &)
{
    auto policy = read();
    if (!policy)
        return HttpResponse::error(policy.error());
    return Crm::recordResponse(*policy, policy->value(kEtag).toString());
}

HttpResponse PolicyApi::put(HttpRequest &request)
{
    auto body = Crm::jsonBody(request);
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

    Transaction tx(m_ctx.db);
    if (!tx.isActive())
        return HttpResponse::error(ErrorCode::Unavailable, QStringLiteral("the change could not be committed"));
    if (policy == AllocationPolicy::Static) {
        m_ctx.hubs.invalidate();
        auto hub = m_ctx.hubs.find(staticHub);
        if (!hub)
            return HttpResponse::error(hub.error());
        if (!hub->has_value())
            return HttpResponse::error(ErrorCode::InvalidInput,
                                       QStringLiteral("field 'staticHub' names no linked hub: '%1'").arg(staticHub));
    }
    auto before = read();
    if (!before)
        return HttpResponse::error(before.error());
    const QString currentEtag = before->value(kEtag).toString();
    if (!ifMatchSatisfied(Crm::ifMatch(request), currentEtag))
        return HttpResponse::error(ErrorCode::PreconditionFailed,
                                   QStringLiteral("If-Match does not match the current etag of the allocation policy"));
    const QString etag = newEtag();
    // Swapping the etag first is what makes this read-modify-write safe: a
    // concurrent writer that read the same etag finds it gone and gets 412.
    auto swapped = m_ctx.settings.compareAndSet(kEtagKey, currentEtag, etag);
    if (!swapped)
        return HttpResponse::error(swapped.error());
    if (!*swapped)
        return HttpResponse::error(ErrorCode::PreconditionFailed,
                                   QStringLiteral("the allocation policy was changed meanwhile; read it again"));
    // Settings that do not apply to the new policy are cleared (the empty
    // string: the column is NOT NULL), so the allocator never sees stale ones.
    const QString none = QStringLiteral("");
    const QList<QPair<QString, QString>> values = {
        {kPolicyKey, policyName},
        {kStaticHubKey, policy == AllocationPolicy::Static ? staticHub : none},
        {kWebhookUrlKey, policy == AllocationPolicy::Custom ? custom.webhookUrl : none},
        {kWebhookApiVersionKey, policy == AllocationPolicy::Custom ? custom.apiVersion : none},
    };
    for (const auto &v : values) {
        if (auto r = m_ctx.settings.setValue(v.first, v.second); !r)
            return HttpResponse::error(r.error());
    }
    auto after = read();
    if (!after)
        return HttpResponse::error(after.error());
    if (auto a = m_ctx.audit.record(request.actor(), QStringLiteral("update"), kEntity, kEntityId, *before, *after); !a)
        return HttpResponse::error(a.error());
    if (!tx.commit())
        return HttpResponse::error(ErrorCode::Unavailable, QStringLiteral("the change could not be committed"));
    return Crm::recordResponse(*after, etag);
}

} // namespace Provisio
