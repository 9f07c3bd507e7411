// SPDX-License-Identifier: Apache-2.0
#include "customerstore.h"

#include "database.h"
#include "recordquery.h"

#include "crypto/keys.h"
#include "protocol/timeutil.h"

namespace Provisio {

namespace {
const QString kColumns = QStringLiteral("id, etag, created, updated, doc, name");
const QString kEntity = QStringLiteral("customer");

Customer fromRow(const Query &q)
{
    return keyedRecordFromRow(q, &Customer::id);
}
} // namespace

Result<Customer> CustomerStore::create(Customer customer)
{
    const QString now = nowIso();
    customer.id = QStringLiteral("cus_") + Crypto::randomToken(9);
    customer.etag = newEtag();
    customer.createdDateTimeUtc = fromIsoUtc(now).value_or(QDateTime());
    customer.lastUpdatedDateTimeUtc = customer.createdDateTimeUtc;
    auto r = m_db.exec(QStringLiteral("INSERT INTO customers (id, name, email, etag, created, updated, doc) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?)"),
                       {customer.id, customer.name, nullIfEmpty(customer.email), customer.etag, now, now,
                        toJsonText(customer.toJson())});
    if (!r)
        return r.error();
    r->finish();
    return customer;
}

Result<std::optional<Customer>> CustomerStore::find(const QString &id)
{
    return firstOf(
        readRows(m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM customers WHERE id = ?"), {id}),
                 fromRow));
}

Result<RecordPage<Customer>> CustomerStore::list(const QString &text, const PageRequest &page)
{
    QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM customers WHERE 1=1");
    QVariantList binds;
    if (!text.isEmpty()) {
        sql += QLatin1String(" AND (LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(email, '')) LIKE ? "
                             "ESCAPE '\\')");
        binds << containsPattern(text) << containsPattern(text);
    }
    if (!page.afterKey.isEmpty()) {
        // The cursor is [name, id] of the last record: names repeat, ids
        // break the tie.
        const auto key = parsePairCursorKey(page.afterKey);
        if (!key)
            return key.error();
        sql += QLatin1String(" AND (name > ? OR (name = ? AND id > ?))");
        binds << key->first << key->first << key->second;
    }
    sql += QLatin1String(" ORDER BY name, id LIMIT ?");
    binds << page.limit + 1;
    auto items = readRows(m_db.exec(sql, binds), fromRow);
    if (!items)
        return items.error();
    return pageOf(*items, page.limit, [](const Customer &c) { return pairCursorKey(c.name, c.id); });
}

Result<RecordChange<Customer>> CustomerStore::update(const QString &id, const QByteArray &ifMatch,
                                                     const Mutator &mutate)
{
    auto current = recordForChange(find(id), ifMatch, kEntity, QStringLiteral("id"), id);
    if (!current)
        return current.error();
    const Customer before = *current;
    auto changed = mutate(before);
    if (!changed)
        return changed.error();
    Customer after = *changed;
    const QString now = nowIso();
    after.id = before.id;
    after.createdDateTimeUtc = before.createdDateTimeUtc;
    after.lastUpdatedDateTimeUtc = fromIsoUtc(now).value_or(QDateTime());
    after.etag = newEtag();
    if (auto r = execIfEtag(
            m_db,
            QStringLiteral("UPDATE customers SET name = ?, email = ?, etag = ?, "
                           "updated = ?, doc = ? WHERE id = ? AND etag = ?"),
            {after.name, nullIfEmpty(after.email), after.etag, now, toJsonText(after.toJson()), id, before.etag},
            changedMeanwhile(kEntity, id));
        !r)
        return r.error();
    return RecordChange<Customer>{before, after};
}

Result<Customer> CustomerStore::remove(const QString &id, const QByteArray &ifMatch)
{
    auto current = recordForChange(find(id), ifMatch, kEntity, QStringLiteral("id"), id);
    if (!current)
        return current.error();
    const Customer before = *current;
    auto owned = m_db.exec(QStringLiteral("SELECT COUNT(*) FROM devices WHERE customer_id = ?"), {id});
    if (!owned)
        return owned.error();
    const qint64 devices = owned->next() ? owned->value(0).toLongLong() : 0;
    owned->finish();
    if (devices > 0)
        return Error(
            ErrorCode::Conflict,
            QStringLiteral("customer '%1' still has %2 device(s); return or reassign them first").arg(id).arg(devices));
    if (auto r = execIfEtag(m_db, QStringLiteral("DELETE FROM customers WHERE id = ? AND etag = ?"), {id, before.etag},
                            changedMeanwhile(kEntity, id));
        !r)
        return r.error();
    return before;
}

} // namespace Provisio
