// SPDX-License-Identifier: Apache-2.0
// InventoryStore: the text `q` searches for each device (searchTextOf) and
// SQLite's FTS5 index of it, which the store writes beside every change of
// a device; the customer's name in it, followed when a customer is renamed.
#include "inventorystore.h"

#include "database.h"
#include "recordquery.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Provisio {

QString InventoryStore::searchTextOf(const DeviceRecord &device, const QString &customerName)
{
    const QChar newline(0x1f); // a separator no one types
    QString text = device.serial + newline + device.model + newline + device.manufacturer + newline + device.batch +
                   newline + device.customerId + newline + device.notes;
    // Last, so that a customer's new name replaces only the end of it
    // (migration 22 appended it to the texts stored before).
    if (!customerName.isEmpty())
        text += newline + customerName;
    return text.toLower();
}

Result<void> InventoryStore::indexSearch(qint64 rowid, const QString &text)
{
    if (!sqlite())
        return {};
    auto r = m_db.exec(QStringLiteral("INSERT INTO devices_search (rowid, search_text) VALUES (?, ?)"), {rowid, text});
    if (!r)
        return r.error();
    r->finish();
    return {};
}

Result<void> InventoryStore::indexSearchRows(const PendingSearchRows &rows)
{
    if (!sqlite() || rows.serials.isEmpty())
        return {};
    // PostgreSQL's GIN index follows the search_text column by itself;
    // SQLite's FTS5 table is written in one statement for the rows (one
    // segment: FTS5 writes its pending terms out at every statement). New
    // rows take the next row ids, so the rows are normally one range of
    // them, read in order; should the ids have had gaps (a table whose
    // largest id was taken), the rows are found again by their serials.
    const bool range = rows.oneRange && rows.lastRowid - rows.firstRowid + 1 == rows.serials.size();
    auto r = range ? m_db.execWrite(QStringLiteral("INSERT INTO devices_search (rowid, search_text) "
                                                   "SELECT rowid, search_text FROM devices "
                                                   "WHERE rowid BETWEEN ? AND ?"),
                                    {rows.firstRowid, rows.lastRowid})
                   : m_db.execWrite(
                         QStringLiteral("INSERT INTO devices_search (rowid, search_text) "
                                        "SELECT rowid, search_text FROM devices "
                                        "WHERE serial IN (SELECT value FROM json_each(?))"),
                         {QString::fromUtf8(
                             QJsonDocument(QJsonArray::fromStringList(rows.serials)).toJson(QJsonDocument::Compact))});
    if (!r)
        return r.error();
    return {};
}

Result<void> InventoryStore::unindexSearch(qint64 rowid, const QString &text)
{
    if (!sqlite())
        return {};
    // An external-content FTS5 table forgets a row by being told its
    // indexed text, exactly as it was indexed.
    auto r = m_db.exec(QStringLiteral("INSERT INTO devices_search (devices_search, rowid, search_text) "
                                      "VALUES ('delete', ?, ?)"),
                       {rowid, text});
    if (!r)
        return r.error();
    r->finish();
    return {};
}

Result<InventoryStore::SearchRow> InventoryStore::searchRow(const QString &serial)
{
    SearchRow row;
    if (!sqlite())
        return row;
    auto r = m_db.exec(QStringLiteral("SELECT rowid, search_text FROM devices WHERE serial = ?"), {serial});
    if (!r)
        return r.error();
    if (r->next()) {
        row.rowid = r->value(0).toLongLong();
        row.text = r->value(1).toString();
    }
    r->finish();
    return row;
}

Result<QHash<QString, QString>> InventoryStore::customerNames(const QSet<QString> &customerIds)
{
    QHash<QString, QString> names;
    QStringList ids;
    for (const QString &id : customerIds) {
        if (!id.isEmpty())
            ids << id;
    }
    for (const InListChunk &chunk : inListChunks(ids, 500)) {
        auto r = m_db.exec(QStringLiteral("SELECT id, name FROM customers WHERE id IN (") + chunk.placeholders +
                               QLatin1Char(')'),
                           chunk.binds);
        if (!r)
            return r.error();
        while (r->next())
            names.insert(r->value(0).toString(), r->value(1).toString());
        r->finish();
    }
    return names;
}

Result<qint64> InventoryStore::reindexCustomer(const QString &customerId, const QString &name)
{
    // The customer's devices a stretch at a time, through the customer
    // index (its range is in serial order): each device's text written
    // again with the new name, and on SQLite its FTS5 row replaced.
    constexpr int kStretch = 500;
    const QString sql = QStringLiteral("SELECT serial, model, manufacturer, batch, customer_id, doc, search_text, ") +
                        (sqlite() ? QStringLiteral("rowid") : QStringLiteral("0")) +
                        QStringLiteral(" FROM devices WHERE COALESCE(customer_id, '') = ? AND serial > ?"
                                       " ORDER BY serial LIMIT ?");
    struct Row
    {
        QString serial;
        QString oldText;
        QString newText;
        qint64 rowid = 0;
    };
    qint64 changed = 0;
    QString after = QStringLiteral(""); // '' rather than a null string, which binds as NULL
    for (;;) {
        auto rows = readRows(m_db.exec(sql, {customerId, after, kStretch}), [&name](const Query &q) {
            DeviceRecord d;
            d.serial = q.value(0).toString();
            d.model = q.value(1).toString();
            d.manufacturer = q.value(2).toString();
            d.batch = q.value(3).toString();
            d.customerId = q.value(4).toString();
            // The notes live in the document only (what the listing
            // reads when the document cannot be read has none).
            if (const auto doc = readStoredDocument(q.value(5).toString()))
                d.notes = doc->value(QLatin1String("notes")).toString();
            return Row{d.serial, q.value(6).toString(), searchTextOf(d, name), q.value(7).toLongLong()};
        });
        if (!rows)
            return rows.error();
        for (const Row &row : std::as_const(*rows)) {
            if (row.newText == row.oldText)
                continue;
            auto r = m_db.exec(QStringLiteral("UPDATE devices SET search_text = ? WHERE serial = ?"),
                               {row.newText, row.serial});
            if (!r)
                return r.error();
            r->finish();
            if (auto u = unindexSearch(row.rowid, row.oldText); !u)
                return u.error();
            if (auto i = indexSearch(row.rowid, row.newText); !i)
                return i.error();
            ++changed;
        }
        if (rows->size() < kStretch)
            return changed;
        after = rows->constLast().serial;
    }
}

} // namespace Provisio
