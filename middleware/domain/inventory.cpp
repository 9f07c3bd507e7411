// SPDX-License-Identifier: Apache-2.0
#include "inventory.h"

#include "base/servicecontext.h"
#include "storage/database.h"

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("device");
const QString kSold = QStringLiteral("sold");
} // namespace

Inventory::Inventory(ServiceContext &ctx)
    : m_db(ctx.db), m_store(ctx.db), m_customers(ctx.db), m_changes(ctx.db, ctx.audit, ctx.events)
{ }

Result<DeviceRecord> Inventory::create(const DeviceRecord &device, const QString &actor)
{
    return insert(device, actor, QStringLiteral("create"), EventKind::DeviceCreated);
}

Result<void> Inventory::importMany(const QList<DeviceRecord> &devices, const QString &actor)
{
    if (devices.isEmpty())
        return {};
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    // In batches, so the search index gets one statement per batch and a
    // batch's records are all that is held at once.
    constexpr qsizetype kBatch = 5000;
    for (qsizetype from = 0; from < devices.size(); from += kBatch) {
        QStringList documents;
        auto created = m_store.createMany(devices.mid(from, kBatch), &documents);
        if (!created)
            return created.error();
        // The audit entries and the events from the stored text: each
        // device serialized once.
        QList<AuditLog::Change> changes;
        changes.reserve(created->size());
        for (qsizetype i = 0; i < created->size(); ++i)
            changes.append({created->at(i).serial, QString(), documents.at(i)});
        if (auto r = m_changes.recordMany(EventKind::DeviceImported, actor, QStringLiteral("import"), kEntity, changes);
            !r)
            return r.error();
    }
    if (!tx.commit())
        return commitFailed();
    return {};
}

Result<DeviceRecord> Inventory::update(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                       const InventoryStore::Mutator &mutate)
{
    return change(serial, ifMatch, actor, QStringLiteral("update"), EventKind::DeviceUpdated, mutate);
}

Result<DeviceRecord> Inventory::importOver(const QString &serial, const QString &actor,
                                           const InventoryStore::Mutator &mutate)
{
    return change(serial, QByteArray(), actor, QStringLiteral("import"), EventKind::DeviceImported, mutate);
}

Result<DeviceRecord> Inventory::sell(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                     const QString &customerId, const QDate &soldDate, bool force)
{
    return change(
        serial, ifMatch, actor, QStringLiteral("sell"), EventKind::DeviceSold,
        [&](const DeviceRecord &current) -> Result<DeviceRecord> {
            // Checked inside the transaction, so a customer deleted meanwhile
            // cannot be sold to.
            auto customer = m_customers.find(customerId);
            if (!customer)
                return customer.error();
            if (!customer->has_value())
                // The device in the URL exists; the body is what is wrong.
                return Error(ErrorCode::InvalidInput,
                             QStringLiteral("field 'customerId' names no customer: '%1'").arg(customerId));
            if (!force && !current.customerId.isEmpty() && current.customerId != customerId)
                return Error(ErrorCode::Conflict, QStringLiteral("device '%1' is already sold to customer '%2'; "
                                                                 "return it first or send \"force\": true")
                                                      .arg(serial, current.customerId));
            if (!force && current.status == QLatin1String("retired"))
                return Error(
                    ErrorCode::Conflict,
                    QStringLiteral("device '%1' is retired; send \"force\": true to sell it anyway").arg(serial));
            DeviceRecord next = current;
            next.customerId = customerId;
            next.soldDate = soldDate;
            next.status = kSold;
            return next;
        });
}

Result<DeviceRecord> Inventory::takeBack(const QString &serial, const QByteArray &ifMatch, const QString &actor)
{
    return change(serial, ifMatch, actor, QStringLiteral("return"), EventKind::DeviceReturned,
                  [&](const DeviceRecord &current) -> Result<DeviceRecord> {
                      if (current.customerId.isEmpty() && current.status != kSold)
                          return Error(ErrorCode::Conflict, QStringLiteral("device '%1' is not sold").arg(serial));
                      DeviceRecord next = current;
                      next.customerId.clear();
                      next.soldDate = QDate();
                      next.status = QStringLiteral("inStock");
                      return next;
                  });
}

Result<bool> Inventory::markProvisioned(const QString &serial, const QString &actor)
{
    auto device = m_store.find(serial);
    if (!device)
        return device.error();
    // Retired devices stay retired.
    if (!*device || ((*device)->status != QLatin1String("inStock") && (*device)->status != kSold))
        return false;
    auto updated = change(serial, QByteArray(), actor, QStringLiteral("provisioned"), EventKind::DeviceProvisioned,
                          [](const DeviceRecord &current) -> Result<DeviceRecord> {
                              DeviceRecord next = current;
                              next.status = QStringLiteral("provisioned");
                              return next;
                          });
    if (!updated)
        return updated.error();
    return true;
}

Result<void> Inventory::remove(const QString &serial, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto removed = m_store.remove(serial, ifMatch);
    if (!removed)
        return removed.error();
    if (auto r = m_changes.record(EventKind::DeviceDeleted,
                                  {actor, QStringLiteral("delete"), kEntity, serial, removed->toJson(), {}});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return {};
}

Result<DeviceRecord> Inventory::insert(const DeviceRecord &device, const QString &actor, const QString &action,
                                       EventKind kind)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto created = m_store.create(device);
    if (!created)
        return created.error();
    if (auto r = m_changes.record(kind, {actor, action, kEntity, created->serial, {}, created->toJson()}); !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return created;
}

Result<DeviceRecord> Inventory::change(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                       const QString &action, EventKind kind, const InventoryStore::Mutator &mutate)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto changed = m_store.update(serial, ifMatch, mutate);
    if (!changed)
        return changed.error();
    if (auto r =
            m_changes.record(kind, {actor, action, kEntity, serial, changed->before.toJson(), changed->after.toJson()});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return changed->after;
}

} // namespace Provisio
