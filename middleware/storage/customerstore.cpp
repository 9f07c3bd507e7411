// SPDX-License-Identifier: Apache-2.0
#include "customerstore.h"

#include "auditlog.h"
#include "database.h"

#include "crypto/keys.h"
#include "protocol/timeutil.h"

#include <QJsonArray>

namespace Provisio {

namespace {
const QString kColumns = QStringLiteral("id, etag, created, updated, doc, name");
const QString kEntity = QStringLiteral("customer");

Customer fromRow(const Query &q)
{
    // readFrom rather than fromJson: a stored document is trusted, and a field
    // that no longer validates must not make the record unreadable.
    JsonReader reader(fromJsonText(q.value(4).toString()));
    Customer c = Customer::readFrom(reader);
    c.id = q.value(0).toString();
    c.etag = q.value(1).toString();
    c.createdDateTimeUtc = fromIsoUtc(q.value(2).toString()).value_or(QDateTime());
    c.lastUpdatedDateTimeUtc = fromIsoUtc(q.value(3).toString()).value_or(QDateTime());
    return c;
}

QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant() : QVariant(s);
}

// A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped.
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
} // namespace

Result<Customer> CustomerStore::create(Customer customer, const QString &actor)
{
    const QString now = nowIso();
    customer.id = QStringLiteral("cus_") + Crypto::randomToken(9);
    customer.etag = newEtag();
    customer.createdDateTimeUtc = fromIsoUtc(now).value_or(QDateTime());
    customer.lastUpdatedDateTimeUtc = customer.createdDateTimeUtc;

    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto r = m_db.exec(QStringLiteral("INSERT INTO customers (id, name, email, etag, created, updated, doc) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?)"),
                       {customer.id, customer.name, nullIfEmpty(customer.email), customer.etag, now, now,
                        toJsonText(customer.toJson())});
    if (!r)
        return r.error();
    r->finish();
    if (auto a = m_audit.record(actor, QStringLiteral("create"), kEntity, customer.id, {},
                                customer.toJson());
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return customer;
}

Result<std::optional<Customer>> CustomerStore::find(const QString &id)
{
    auto q = m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM customers WHERE id = ?"),
                       {id});
    if (!q)
        return q.error();
    std::optional<Customer> out;
    if (q->next())
        out = fromRow(*q);
    q->finish();
    return out;
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
        const QJsonArray key = QJsonDocument::fromJson(page.afterKey.toUtf8()).array();
        if (key.size() != 2 || !key.at(0).isString() || !key.at(1).isString())
            return Error(ErrorCode::InvalidInput, QStringLiteral("cursor is not valid"));
        sql += QLatin1String(" AND (name > ? OR (name = ? AND id > ?))");
        binds << key.at(0).toString() << key.at(0).toString() << key.at(1).toString();
    }
    sql += QLatin1String(" ORDER BY name, id LIMIT ?");
    binds << page.limit + 1;
    auto q = m_db.exec(sql, binds);
    if (!q)
        return q.error();
    RecordPage<Customer> out;
    while (q->next())
        out.items << fromRow(*q);
    q->finish();
    if (out.items.size() > page.limit) {
        out.items.resize(page.limit);
        const Customer &last = out.items.constLast();
        out.nextCursor = encodeCursor(QString::fromUtf8(
            QJsonDocument(QJsonArray{last.name, last.id}).toJson(QJsonDocument::Compact)));
    }
    return out;
}

Result<Customer> CustomerStore::update(const QString &id, const QByteArray &ifMatch,
                                       const QString &actor, const Mutator &mutate)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto current = find(id);
    if (!current)
        return current.error();
    if (!current->has_value())
        return Error(ErrorCode::NotFound, QStringLiteral("no customer with id '%1'").arg(id));
    const Customer before = **current;
    if (!ifMatchSatisfied(ifMatch, before.etag))
        return Error(ErrorCode::PreconditionFailed,
                     QStringLiteral("If-Match does not match the current etag of customer '%1'").arg(id));
    auto changed = mutate(before);
    if (!changed)
        return changed.error();
    Customer after = *changed;
    const QString now = nowIso();
    after.id = before.id;
    after.createdDateTimeUtc = before.createdDateTimeUtc;
    after.lastUpdatedDateTimeUtc = fromIsoUtc(now).value_or(QDateTime());
    after.etag = newEtag();
    auto r = m_db.execAffected(QStringLiteral("UPDATE customers SET name = ?, email = ?, etag = ?, "
                                              "updated = ?, doc = ? WHERE id = ? AND etag = ?"),
                               {after.name, nullIfEmpty(after.email), after.etag, now,
                                toJsonText(after.toJson()), id, before.etag});
    if (!r)
        return r.error();
    if (*r == 0)
        return Error(ErrorCode::PreconditionFailed,
                     QStringLiteral("customer '%1' was changed meanwhile; read it again").arg(id));
    if (auto a = m_audit.record(actor, QStringLiteral("update"), kEntity, id, before.toJson(),
                                after.toJson());
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return after;
}

Result<void> CustomerStore::remove(const QString &id, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto current = find(id);
    if (!current)
        return current.error();
    if (!current->has_value())
        return Error(ErrorCode::NotFound, QStringLiteral("no customer with id '%1'").arg(id));
    const Customer before = **current;
    if (!ifMatchSatisfied(ifMatch, before.etag))
        return Error(ErrorCode::PreconditionFailed,
                     QStringLiteral("If-Match does not match the current etag of customer '%1'").arg(id));
    auto owned = m_db.exec(QStringLiteral("SELECT COUNT(*) FROM devices WHERE customer_id = ?"), {id});
    if (!owned)
        return owned.error();
    const qint64 devices = owned->next() ? owned->value(0).toLongLong() : 0;
    owned->finish();
    if (devices > 0)
        return Error(ErrorCode::Conflict,
                     QStringLiteral("customer '%1' still has %2 device(s); return or reassign them first")
                         .arg(id)
                         .arg(devices));
    auto r = m_db.execAffected(QStringLiteral("DELETE FROM customers WHERE id = ? AND etag = ?"),
                               {id, before.etag});
    if (!r)
        return r.error();
    if (*r == 0)
        return Error(ErrorCode::PreconditionFailed,
                     QStringLiteral("customer '%1' was changed meanwhile; read it again").arg(id));
    if (auto a = m_audit.record(actor, QStringLiteral("delete"), kEntity, id, before.toJson()); !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return {};
}

} // namespace Provisio
