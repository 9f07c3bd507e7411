// SPDX-License-Identifier: Apache-2.0
#include "inventorystore.h"

#include "auditlog.h"
#include "database.h"
#include "recordquery.h"

#include "protocol/timeutil.h"

namespace Provisio {

namespace {
const QString kColumns = QStringLiteral("serial, etag, created, updated, doc");
const QString kEntity = QStringLiteral("device");

DeviceRecord fromRow(const Query &q)
{
    return keyedRecordFromRow(q, &DeviceRecord::serial);
}

QVariant dateOrNull(const QDate &date)
{
    return date.isValid() ? QVariant(date.toString(Qt::ISODate)) : QVariant();
}
} // namespace

Result<DeviceRecord> InventoryStore::create(DeviceRecord device, const QString &actor,
                                            const QString &action)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto existing = find(device.serial);
    if (!existing)
        return existing.error();
    if (existing->has_value())
        return Error(ErrorCode::Conflict,
                     QStringLiteral("a device with serial '%1' already exists").arg(device.serial));
    const QString now = nowIso();
    device.etag = newEtag();
    device.createdDateTimeUtc = fromIsoUtc(now).value_or(QDateTime());
    device.lastUpdatedDateTimeUtc = device.createdDateTimeUtc;
    auto r = m_db.exec(QStringLiteral("INSERT INTO devices (serial, model, manufacturer, batch, customer_id, "
                                      "status, delivery_date, etag, created, updated, doc) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                       {device.serial, device.model, device.manufacturer, device.batch,
                        nullIfEmpty(device.customerId), device.status, dateOrNull(device.deliveryDate),
                        device.etag, now, now, toJsonText(device.toJson())});
    if (!r)
        return r.error();
    r->finish();
    if (auto a = m_audit.record(actor, action, kEntity, device.serial, {}, device.toJson()); !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return device;
}

Result<std::optional<DeviceRecord>> InventoryStore::find(const QString &serial)
{
    return firstOf(readRows(
        m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM devices WHERE serial = ?"), {serial}),
        fromRow));
}

Result<RecordPage<DeviceRecord>> InventoryStore::list(const Filter &filter, const PageRequest &page)
{
    QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM devices WHERE 1=1");
    QVariantList binds;
    const auto equals = [&](const char *column, const QString &value) {
        if (value.isEmpty())
            return;
        sql += QLatin1String(" AND ") + QLatin1String(column) + QLatin1String(" = ?");
        binds << value;
    };
    equals("customer_id", filter.customerId);
    equals("status", filter.status);
    equals("model", filter.model);
    equals("manufacturer", filter.manufacturer);
    equals("batch", filter.batch);
    if (!filter.serialContains.isEmpty()) {
        sql += QLatin1String(" AND LOWER(serial) LIKE ? ESCAPE '\\'");
        binds << containsPattern(filter.serialContains);
    }
    if (!page.afterKey.isEmpty()) {
        sql += QLatin1String(" AND serial > ?");
        binds << page.afterKey;
    }
    sql += QLatin1String(" ORDER BY serial LIMIT ?");
    binds << page.limit + 1;
    auto items = readRows(m_db.exec(sql, binds), fromRow);
    if (!items)
        return items.error();
    return pageOf(*items, page.limit, [](const DeviceRecord &d) { return d.serial; });
}

Result<DeviceRecord> InventoryStore::update(const QString &serial, const QByteArray &ifMatch,
                                            const QString &actor, const QString &action,
                                            const Mutator &mutate)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto current = recordForChange(find(serial), ifMatch, kEntity, QStringLiteral("serial"), serial);
    if (!current)
        return current.error();
    const DeviceRecord before = *current;
    auto changed = mutate(before);
    if (!changed)
        return changed.error();
    DeviceRecord after = *changed;
    const QString now = nowIso();
    after.serial = before.serial;
    after.createdDateTimeUtc = before.createdDateTimeUtc;
    after.lastUpdatedDateTimeUtc = fromIsoUtc(now).value_or(QDateTime());
    after.etag = newEtag();
    if (auto r = execIfEtag(m_db,
                            QStringLiteral("UPDATE devices SET model = ?, manufacturer = ?, batch = ?, "
                                           "customer_id = ?, status = ?, delivery_date = ?, etag = ?, "
                                           "updated = ?, doc = ? WHERE serial = ? AND etag = ?"),
                            {after.model, after.manufacturer, after.batch, nullIfEmpty(after.customerId),
                             after.status, dateOrNull(after.deliveryDate), after.etag, now,
                             toJsonText(after.toJson()), serial, before.etag},
                            changedMeanwhile(kEntity, serial));
        !r)
        return r.error();
    if (auto a = m_audit.record(actor, action, kEntity, serial, before.toJson(), after.toJson()); !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return after;
}

Result<void> InventoryStore::remove(const QString &serial, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto current = recordForChange(find(serial), ifMatch, kEntity, QStringLiteral("serial"), serial);
    if (!current)
        return current.error();
    const DeviceRecord before = *current;
    auto enrolled = m_db.exec(QStringLiteral("SELECT 1 FROM enrollments WHERE serial = ?"), {serial});
    if (!enrolled)
        return enrolled.error();
    const bool referenced = enrolled->next();
    enrolled->finish();
    if (referenced)
        return Error(ErrorCode::Conflict,
                     QStringLiteral("device '%1' has an enrollment; delete the enrollment first").arg(serial));
    if (auto r = execIfEtag(m_db, QStringLiteral("DELETE FROM devices WHERE serial = ? AND etag = ?"),
                            {serial, before.etag}, changedMeanwhile(kEntity, serial));
        !r)
        return r.error();
    if (auto a = m_audit.record(actor, QStringLiteral("delete"), kEntity, serial, before.toJson()); !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return {};
}

} // namespace Provisio
