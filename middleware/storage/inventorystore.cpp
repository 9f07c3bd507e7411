// SPDX-License-Identifier: Apache-2.0
#include "inventorystore.h"

#include "auditlog.h"
#include "database.h"

#include "protocol/timeutil.h"

namespace Provisio {

namespace {
const QString kColumns = QStringLiteral("serial, etag, created, updated, doc");
const QString kEntity = QStringLiteral("device");

DeviceRecord fromRow(const Query &q)
{
    // readFrom rather than fromJson: a stored document is trusted, and a field
    // that no longer validates must not make the record unreadable.
    JsonReader reader(fromJsonText(q.value(4).toString()));
    DeviceRecord d = DeviceRecord::readFrom(reader);
    d.serial = q.value(0).toString();
    d.etag = q.value(1).toString();
    d.createdDateTimeUtc = fromIsoUtc(q.value(2).toString()).value_or(QDateTime());
    d.lastUpdatedDateTimeUtc = fromIsoUtc(q.value(3).toString()).value_or(QDateTime());
    return d;
}

// NULL rather than '' so the customer_id foreign key accepts unsold devices.
QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant() : QVariant(s);
}

QVariant dateOrNull(const QDate &date)
{
    return date.isValid() ? QVariant(date.toString(Qt::ISODate)) : QVariant();
}

QString containsPattern(const QString &text)
{
    QString escaped = text.toLower();
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

Error commitFailed()
{
    return Error(ErrorCode::Unavailable, QStringLiteral("the change could not be committed"));
}

Error notFound(const QString &serial)
{
    return Error(ErrorCode::NotFound, QStringLiteral("no device with serial '%1'").arg(serial));
}

Error ifMatchFailed(const QString &serial)
{
    return Error(ErrorCode::PreconditionFailed,
                 QStringLiteral("If-Match does not match the current etag of device '%1'").arg(serial));
}

Error changedMeanwhile(const QString &serial)
{
    return Error(ErrorCode::PreconditionFailed,
                 QStringLiteral("device '%1' was changed meanwhile; read it again").arg(serial));
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
    auto q = m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM devices WHERE serial = ?"),
                       {serial});
    if (!q)
        return q.error();
    std::optional<DeviceRecord> out;
    if (q->next())
        out = fromRow(*q);
    q->finish();
    return out;
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
    auto q = m_db.exec(sql, binds);
    if (!q)
        return q.error();
    RecordPage<DeviceRecord> out;
    while (q->next())
        out.items << fromRow(*q);
    q->finish();
    if (out.items.size() > page.limit) {
        out.items.resize(page.limit);
        out.nextCursor = encodeCursor(out.items.constLast().serial);
    }
    return out;
}

Result<DeviceRecord> InventoryStore::update(const QString &serial, const QByteArray &ifMatch,
                                            const QString &actor, const QString &action,
                                            const Mutator &mutate)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto current = find(serial);
    if (!current)
        return current.error();
    if (!current->has_value())
        return notFound(serial);
    const DeviceRecord before = **current;
    if (!ifMatchSatisfied(ifMatch, before.etag))
        return ifMatchFailed(serial);
    auto changed = mutate(before);
    if (!changed)
        return changed.error();
    DeviceRecord after = *changed;
    const QString now = nowIso();
    after.serial = before.serial;
    after.createdDateTimeUtc = before.createdDateTimeUtc;
    after.lastUpdatedDateTimeUtc = fromIsoUtc(now).value_or(QDateTime());
    after.etag = newEtag();
    auto r = m_db.execAffected(
        QStringLiteral("UPDATE devices SET model = ?, manufacturer = ?, batch = ?, customer_id = ?, "
                       "status = ?, delivery_date = ?, etag = ?, updated = ?, doc = ? "
                       "WHERE serial = ? AND etag = ?"),
        {after.model, after.manufacturer, after.batch, nullIfEmpty(after.customerId), after.status,
         dateOrNull(after.deliveryDate), after.etag, now, toJsonText(after.toJson()), serial,
         before.etag});
    if (!r)
        return r.error();
    if (*r == 0)
        return changedMeanwhile(serial);
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
    auto current = find(serial);
    if (!current)
        return current.error();
    if (!current->has_value())
        return notFound(serial);
    const DeviceRecord before = **current;
    if (!ifMatchSatisfied(ifMatch, before.etag))
        return ifMatchFailed(serial);
    auto enrolled = m_db.exec(QStringLiteral("SELECT 1 FROM enrollments WHERE serial = ?"), {serial});
    if (!enrolled)
        return enrolled.error();
    const bool referenced = enrolled->next();
    enrolled->finish();
    if (referenced)
        return Error(ErrorCode::Conflict,
                     QStringLiteral("device '%1' has an enrollment; delete the enrollment first").arg(serial));
    auto r = m_db.execAffected(QStringLiteral("DELETE FROM devices WHERE serial = ? AND etag = ?"),
                               {serial, before.etag});
    if (!r)
        return r.error();
    if (*r == 0)
        return changedMeanwhile(serial);
    if (auto a = m_audit.record(actor, QStringLiteral("delete"), kEntity, serial, before.toJson()); !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return {};
}

} // namespace Provisio
