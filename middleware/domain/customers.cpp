// SPDX-License-Identifier: Apache-2.0
#include "customers.h"

#include "base/servicecontext.h"
#include "storage/database.h"
#include "storage/inventorystore.h"

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("customer");
} // namespace

Customers::Customers(ServiceContext &ctx) : m_db(ctx.db), m_store(ctx.db), m_changes(ctx.db, ctx.audit, ctx.events) { }

Result<Customer> Customers::create(const Customer &customer, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto created = m_store.create(customer);
    if (!created)
        return created.error();
    if (auto r = m_changes.record(EventKind::CustomerCreated,
                                  {actor, QStringLiteral("create"), kEntity, created->id, {}, created->toJson()});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return created;
}

Result<Customer> Customers::update(const QString &id, const QByteArray &ifMatch, const QString &actor,
                                   const CustomerStore::Mutator &mutate)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto changed = m_store.update(id, ifMatch, mutate);
    if (!changed)
        return changed.error();
    // The inventory's search finds devices by their customer's name: a
    // new name is written into each of its devices' search text, in this
    // transaction.
    if (changed->after.name != changed->before.name) {
        if (auto reindexed = InventoryStore(m_db).reindexCustomer(id, changed->after.name); !reindexed)
            return reindexed.error();
    }
    if (auto r = m_changes.record(EventKind::CustomerUpdated, {actor, QStringLiteral("update"), kEntity, id,
                                                               changed->before.toJson(), changed->after.toJson()});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return changed->after;
}

Result<void> Customers::remove(const QString &id, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto removed = m_store.remove(id, ifMatch);
    if (!removed)
        return removed.error();
    if (auto r = m_changes.record(EventKind::CustomerDeleted,
                                  {actor, QStringLiteral("delete"), kEntity, id, removed->toJson(), {}});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return {};
}

} // namespace Provisio
