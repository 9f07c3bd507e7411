// SPDX-License-Identifier: Apache-2.0
#include "webhooks.h"

#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "storage/database.h"

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("webhook");
} // namespace

Webhooks::Webhooks(ServiceContext &ctx, WebhookStore &store)
    : m_db(ctx.db), m_store(store), m_changes(ctx.db, ctx.audit, ctx.events)
{ }

Result<Webhook> Webhooks::create(Webhook webhook, const QString &actor)
{
    if (webhook.secret.isEmpty())
        webhook.secret = Crypto::randomToken(32);
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto created = m_store.create(webhook);
    if (!created)
        return created.error();
    if (auto r = m_changes.record(EventKind::WebhookCreated,
                                  {actor, QStringLiteral("create"), kEntity, created->id, {}, created->toJson()});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return created;
}

Result<Webhook> Webhooks::update(const QString &id, const QByteArray &ifMatch, const QString &actor,
                                 const WebhookStore::Mutator &mutate)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto changed = m_store.update(id, ifMatch, mutate);
    if (!changed)
        return changed.error();
    // The secret never reaches the audit log; that it changed does.
    QJsonObject after = changed->after.toJson();
    if (changed->after.secret != changed->before.secret)
        after.insert(QStringLiteral("secretRotated"), true);
    if (auto r = m_changes.record(EventKind::WebhookUpdated,
                                  {actor, QStringLiteral("update"), kEntity, id, changed->before.toJson(), after});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return changed->after;
}

Result<void> Webhooks::remove(const QString &id, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto removed = m_store.remove(id, ifMatch);
    if (!removed)
        return removed.error();
    if (auto r = m_changes.record(EventKind::WebhookDeleted,
                                  {actor, QStringLiteral("delete"), kEntity, id, removed->toJson(), {}});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return {};
}

} // namespace Provisio
