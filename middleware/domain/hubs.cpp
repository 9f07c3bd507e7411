// SPDX-License-Identifier: Apache-2.0
#include "hubs.h"

#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "storage/database.h"
#include "storage/hubstore.h"
#include "storage/recordutil.h"
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
const QString kPolicyEntity = QStringLiteral("allocationPolicy");
const QString kEntityId = QStringLiteral("default");

const QString kEntity = QStringLiteral("hub");
// Hub keys sign device SAS tokens: 32 random bytes as DESIGN.md asks.
constexpr int kGeneratedKeyBytes = 32;

Error etagMismatch(const QString &name)
{
    return Error(ErrorCode::PreconditionFailed,
                 QStringLiteral("If-Match does not match the current etag of hub '%1'").arg(name));
}
} // namespace

Hubs::Hubs(ServiceContext &ctx) : m_db(ctx.db), m_hubs(ctx.hubs), m_settings(ctx.settings), m_changes(ctx) { }

Result<Hub> Hubs::current(const QString &name)
{
    m_hubs.invalidate();
    auto found = m_hubs.find(name);
    if (!found)
        return found.error();
    if (!found->has_value())
        return Error(ErrorCode::NotFound, QStringLiteral("no hub named '%1'").arg(name));
    return **found;
}

Result<Hubs::Saved> Hubs::put(Hub hub, const QByteArray &ifMatch, const QString &actor)
{
    const QString name = hub.name;
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    m_hubs.invalidate();
    auto all = m_hubs.all();
    if (!all)
        return all.error();
    std::optional<Hub> existing;
    for (const Hub &h : *all) {
        if (h.name == name)
            existing = h;
        else if (h.host.compare(hub.host, Qt::CaseInsensitive) == 0)
            // Devices and tokens name their hub by host: two links with one
            // host would make assignments ambiguous.
            return Error(ErrorCode::Conflict, QStringLiteral("hub '%1' already has host '%2'").arg(h.name, h.host));
    }
    if (existing ? !ifMatchSatisfied(ifMatch, existing->etag) : !ifMatch.isEmpty())
        return etagMismatch(name);
    if (hub.signingKey.isEmpty())
        hub.signingKey = existing ? existing->signingKey : Crypto::generateSymmetricKey(kGeneratedKeyBytes);
    // A replacement that keeps the key keeps a rotation's overlap; a new key
    // given explicitly is a hard cut (the hub must be configured anew).
    if (existing && hub.signingKey == existing->signingKey) {
        hub.previousSigningKey = existing->previousSigningKey;
        hub.previousKeyAcceptedUntil = existing->previousKeyAcceptedUntil;
    } else {
        hub.previousSigningKey.clear();
        hub.previousKeyAcceptedUntil = QDateTime();
    }
    auto saved = m_hubs.upsert(hub, existing ? existing->etag : QString());
    if (!saved)
        return saved.error();
    if (auto a = m_changes.record(existing ? EventKind::HubUpdated : EventKind::HubCreated,
                                  {actor, existing ? QStringLiteral("update") : QStringLiteral("create"), kEntity, name,
                                   existing ? existing->toJson(false) : QJsonObject(), saved->toJson(false)});
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    m_hubs.invalidate();
    return Saved{*saved, !existing};
}

Result<void> Hubs::remove(const QString &name, const QByteArray &ifMatch, bool force, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto hub = current(name);
    if (!hub)
        return hub.error();
    if (!ifMatchSatisfied(ifMatch, hub->etag))
        return etagMismatch(name);
    auto assigned = m_hubs.assignedRegistrations(hub->host);
    if (!assigned)
        return assigned.error();
    if (*assigned > 0 && !force)
        return Error(ErrorCode::Conflict, QStringLiteral("%1 registration(s) are assigned to hub '%2'; reprovision "
                                                         "them first or delete with ?force=true")
                                              .arg(*assigned)
                                              .arg(name));
    if (auto r = m_hubs.remove(name, hub->etag); !r)
        return r.error();
    if (auto a = m_changes.record(EventKind::HubDeleted,
                                  {actor, QStringLiteral("delete"), kEntity, name, hub->toJson(false), {}});
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    m_hubs.invalidate();
    return {};
}

Result<Hub> Hubs::rotateKey(const QString &name, const QByteArray &ifMatch, qint64 overlapSeconds, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto hub = current(name);
    if (!hub)
        return hub.error();
    if (!ifMatchSatisfied(ifMatch, hub->etag))
        return etagMismatch(name);
    const Hub before = *hub;
    Hub next = before;
    next.signingKey = Crypto::generateSymmetricKey(kGeneratedKeyBytes);
    // Always kept, also for a hard cut (overlap 0, an "until" of now): the
    // hub link needs the replaced key to log in once more and hand the hub
    // the new one.
    next.previousSigningKey = before.signingKey;
    // Whole seconds: the hub counts in them, so both agree on the deadline.
    next.previousKeyAcceptedUntil =
        QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch() + qMax<qint64>(0, overlapSeconds), Qt::UTC);
    auto saved = m_hubs.upsert(next, before.etag);
    if (!saved)
        return saved.error();
    if (auto a = m_changes.record(EventKind::HubKeyRotated, {actor, QStringLiteral("rotateKey"), kEntity, name,
                                                             before.toJson(false), saved->toJson(false)});
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    m_hubs.invalidate();
    return saved;
}

Result<QJsonObject> Hubs::policy()
{
    // The etag is created lazily; ensureValue makes instances racing on a
    // fresh database agree on one.
    auto etag = m_settings.ensureValue(kEtagKey, newEtag());
    if (!etag)
        return etag.error();
    QJsonObject policy{{kPolicy, m_settings.value(kPolicyKey, QStringLiteral("hashed"))}, {kEtag, *etag}};
    const QString staticHub = m_settings.value(kStaticHubKey);
    if (!staticHub.isEmpty())
        policy.insert(kStaticHub, staticHub);
    const QString webhookUrl = m_settings.value(kWebhookUrlKey);
    if (!webhookUrl.isEmpty())
        policy.insert(kCustom,
                      CustomAllocationDefinition{webhookUrl, m_settings.value(kWebhookApiVersionKey)}.toJson());
    return policy;
}

Result<QJsonObject> Hubs::setPolicy(AllocationPolicy policy, const QString &policyName, const QString &staticHub,
                                    const CustomAllocationDefinition &custom, const QByteArray &ifMatch,
                                    const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    if (policy == AllocationPolicy::Static) {
        m_hubs.invalidate();
        auto hub = m_hubs.find(staticHub);
        if (!hub)
            return hub.error();
        if (!hub->has_value())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("field 'staticHub' names no linked hub: '%1'").arg(staticHub));
    }
    auto before = this->policy();
    if (!before)
        return before.error();
    const QString currentEtag = before->value(kEtag).toString();
    if (!ifMatchSatisfied(ifMatch, currentEtag))
        return Error(ErrorCode::PreconditionFailed,
                     QStringLiteral("If-Match does not match the current etag of the allocation policy"));
    const QString etag = newEtag();
    // Swapping the etag first is what makes this read-modify-write safe: a
    // concurrent writer that read the same etag finds it gone and gets 412.
    auto swapped = m_settings.compareAndSet(kEtagKey, currentEtag, etag);
    if (!swapped)
        return swapped.error();
    if (!*swapped)
        return Error(ErrorCode::PreconditionFailed,
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
        if (auto r = m_settings.setValue(v.first, v.second); !r)
            return r.error();
    }
    auto after = this->policy();
    if (!after)
        return after.error();
    if (auto a = m_changes.record(EventKind::PolicyUpdated,
                                  {actor, QStringLiteral("update"), kPolicyEntity, kEntityId, *before, *after});
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return after;
}

} // namespace Provisio
