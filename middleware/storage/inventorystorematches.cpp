// SPDX-License-Identifier: Apache-2.0
// InventoryStore: how many devices a filter matches (the listing's total)
// and which, a bounded stretch at a time (the batch jobs), read through the
// listing's own conditions.
#include "inventorystore.h"

#include "database.h"

namespace Provisio {

Result<qint64> InventoryStore::count(const Filter &filter, qint64 cap)
{
    // The listing's own conditions (list()), so the total is the
    // number of devices its pages hold; read through the same indexes and
    // stopped after cap + 1 rows, so a broad filter at a million devices
    // costs a bounded read, not a scan.
    const FilterSql conditions = filterSql(filter);
    QString where = conditions.where;
    QVariantList binds = conditions.binds;
    const QString &text = conditions.text;
    QString sql;
    if (text.size() >= kMinIndexedText && sqlite()) {
        where.replace(QLatin1String(" search_text LIKE"), QLatin1String(" d.search_text LIKE"));
        where.replace(QLatin1String(" AND COALESCE("), QLatin1String(" AND COALESCE(d."));
        sql = QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM devices_search s CROSS JOIN devices d"
                             " ON d.rowid = s.rowid WHERE s.search_text LIKE ?") +
              where + QStringLiteral(" LIMIT ?) w");
        binds.prepend(QString(QLatin1Char('%') + text + QLatin1Char('%')));
    } else {
        sql = QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM devices WHERE 1=1") + where +
              QStringLiteral(" LIMIT ?) w");
    }
    binds << cap + 1;
    auto q = m_db.exec(sql, binds);
    if (!q)
        return q.error();
    const qint64 n = q->next() ? q->value(0).toLongLong() : 0;
    q->finish();
    return n;
}

Result<InventoryStore::Matches> InventoryStore::nextMatches(const Filter &filter, const QString &after, int scanLimit,
                                                            int matchLimit)
{
    const FilterSql conditions = filterSql(filter);
    // '' rather than a null string, which would bind as NULL.
    const QString from = after.isEmpty() ? QStringLiteral("") : after;
    const QString window = QStringLiteral("SELECT serial, customer_id, status, model, manufacturer, batch, search_text "
                                          "FROM devices WHERE serial > ? ORDER BY serial LIMIT ?");
    Matches out;
    auto q = m_db.exec(QStringLiteral("SELECT serial FROM (") + window + QStringLiteral(") w WHERE 1=1") +
                           conditions.where + QStringLiteral(" ORDER BY serial LIMIT ?"),
                       QVariantList{from, scanLimit} + conditions.binds + QVariantList{matchLimit});
    if (!q)
        return q.error();
    while (q->next())
        out.serials.append(q->value(0).toString());
    q->finish();
    if (out.serials.size() >= matchLimit) {
        out.scannedTo = out.serials.constLast();
        return out;
    }
    auto last =
        m_db.exec(QStringLiteral("SELECT MAX(serial), COUNT(*) FROM (SELECT serial FROM devices WHERE serial > ? "
                                 "ORDER BY serial LIMIT ?) w"),
                  {from, scanLimit});
    if (!last)
        return last.error();
    qint64 read = 0;
    if (last->next()) {
        out.scannedTo = last->value(0).toString();
        read = last->value(1).toLongLong();
    }
    last->finish();
    out.exhausted = read < scanLimit;
    if (out.scannedTo.isEmpty())
        out.scannedTo = from;
    return out;
}

} // namespace Provisio
