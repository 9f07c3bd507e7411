// SPDX-License-Identifier: Apache-2.0
#include "inventorystore.h"

#include "database.h"
#include "recordquery.h"

#include "protocol/timeutil.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <iterator>

namespace Provisio {

namespace {
// The document, then the columns that repeat it (what an unreadable
// document's record is rebuilt from). A sorted listing adds its sort value.
const QString kColumns = QStringLiteral(
    "serial, etag, created, updated, doc, model, manufacturer, batch, customer_id, status, delivery_date");
constexpr int kSortValueColumn = 11;
const QString kEntity = QStringLiteral("device");

// A device from a row of kColumns; one whose document cannot be read
// (readStoredDocument) is what the columns say, and `unreadable` is set.
DeviceRecord fromRow(const Query &q, bool *unreadable = nullptr)
{
    const bool readable = readStoredDocument(q.value(4).toString()).has_value();
    if (unreadable)
        *unreadable = !readable;
    if (readable)
        return keyedRecordFromRow(q, &DeviceRecord::serial);
    DeviceRecord d;
    d.serial = q.value(0).toString();
    d.etag = q.value(1).toString();
    d.createdDateTimeUtc = fromIsoUtc(q.value(2).toString()).value_or(QDateTime());
    d.lastUpdatedDateTimeUtc = fromIsoUtc(q.value(3).toString()).value_or(QDateTime());
    d.model = q.value(5).toString();
    d.manufacturer = q.value(6).toString();
    d.batch = q.value(7).toString();
    d.customerId = q.value(8).toString();
    d.status = q.value(9).toString();
    d.deliveryDate = QDate::fromString(q.value(10).toString(), Qt::ISODate);
    return d;
}

DeviceRecord fromRowLenient(const Query &q)
{
    return fromRow(q);
}

QVariant dateOrNull(const QDate &date)
{
    return date.isValid() ? QVariant(date.toString(Qt::ISODate)) : QVariant();
}

// What each sort orders by. The expressions are exactly those of the sort
// indexes (migration 8), or neither database would use the index: a
// missing value is '' so NULLs neither sort differently on SQLite and
// PostgreSQL nor break the keyset comparisons below.
struct SortColumn
{
    const char *name;
    const char *expression;
};
constexpr SortColumn kSortColumns[] = {
    {"serial", "serial"},
    {"model", "COALESCE(model, '')"},
    {"manufacturer", "COALESCE(manufacturer, '')"},
    {"batch", "COALESCE(batch, '')"},
    {"deliveryDate", "COALESCE(delivery_date, '')"},
    {"status", "COALESCE(status, '')"},
    {"customerId", "COALESCE(customer_id, '')"},
};
static_assert(std::size(kSortColumns) == InventoryStore::Sort::CustomerId + 1);

QString sortName(const InventoryStore::Sort &sort)
{
    return QStringLiteral("sort=%1&order=%2")
        .arg(QLatin1String(kSortColumns[sort.field].name),
             sort.descending ? QLatin1String("desc") : QLatin1String("asc"));
}

// A listing row and the value it was ordered by, as the database compared
// it (read back from the query, so the cursor holds what the next page's
// comparison needs, not a re-rendering of the record).
struct SortedRow
{
    DeviceRecord device;
    QString sortValue;
    bool unreadable = false;
};

SortedRow sortedRowFrom(const Query &q)
{
    SortedRow row;
    row.device = fromRow(q, &row.unreadable);
    row.sortValue = q.value(kSortValueColumn).toString();
    return row;
}

// The cursor key of a sorted listing: [field, order, value, serial]. It
// names its sort so that a cursor replayed under another one is refused
// instead of silently skipping or repeating devices.
QString sortCursorKey(const InventoryStore::Sort &sort, const SortedRow &row)
{
    const QJsonArray key{QLatin1String(kSortColumns[sort.field].name),
                         sort.descending ? QLatin1String("desc") : QLatin1String("asc"), row.sortValue,
                         row.device.serial};
    return QString::fromUtf8(QJsonDocument(key).toJson(QJsonDocument::Compact));
}

struct SortCursor
{
    QString value;
    QString serial;
};

Result<SortCursor> parseSortCursor(const QString &afterKey, const InventoryStore::Sort &sort)
{
    const Error invalid(ErrorCode::InvalidInput, QStringLiteral("cursor is not valid"));
    const QJsonArray key = QJsonDocument::fromJson(afterKey.toUtf8()).array();
    if (key.size() != 4)
        return invalid;
    for (const QJsonValue &part : key) {
        if (!part.isString())
            return invalid;
    }
    auto issuedFor = InventoryStore::parseSort(key.at(0).toString(), key.at(1).toString());
    if (!issuedFor || key.at(3).toString().isEmpty())
        return invalid;
    if (issuedFor->field != sort.field || issuedFor->descending != sort.descending)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("cursor belongs to the listing with %1, not %2; list again without the cursor")
                         .arg(sortName(*issuedFor), sortName(sort)));
    return SortCursor{key.at(2).toString(), key.at(3).toString()};
}
} // namespace

QStringList InventoryStore::sortFieldNames()
{
    QStringList names;
    for (const SortColumn &column : kSortColumns)
        names << QLatin1String(column.name);
    return names;
}

Result<InventoryStore::Sort> InventoryStore::parseSort(const std::optional<QString> &field,
                                                       const std::optional<QString> &order)
{
    Sort sort;
    if (field) {
        const int index = int(sortFieldNames().indexOf(*field));
        if (index < 0)
            return Error(ErrorCode::InvalidInput, QStringLiteral("query parameter 'sort' must be one of %1")
                                                      .arg(sortFieldNames().join(QLatin1String(", "))));
        sort.field = Sort::Field(index);
    }
    if (order) {
        if (*order != QLatin1String("asc") && *order != QLatin1String("desc"))
            return Error(ErrorCode::InvalidInput, QStringLiteral("query parameter 'order' must be asc or desc"));
        sort.descending = *order == QLatin1String("desc");
    }
    return sort;
}

Result<DeviceRecord> InventoryStore::create(DeviceRecord device)
{
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
    auto r =
        m_db.exec(QStringLiteral("INSERT INTO devices (serial, model, manufacturer, batch, customer_id, "
                                 "status, delivery_date, etag, created, updated, doc) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                  {device.serial, device.model, device.manufacturer, device.batch, nullIfEmpty(device.customerId),
                   device.status, dateOrNull(device.deliveryDate), device.etag, now, now, toJsonText(device.toJson())});
    if (!r)
        return r.error();
    r->finish();
    return device;
}

Result<std::optional<DeviceRecord>> InventoryStore::find(const QString &serial)
{
    return firstOf(readRows(
        m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM devices WHERE serial = ?"), {serial}),
        fromRowLenient));
}

Result<qint64> InventoryStore::count(const Filter &filter)
{
    QString sql = QStringLiteral("SELECT COUNT(*) FROM devices WHERE 1=1");
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
    auto q = m_db.exec(sql, binds);
    if (!q)
        return q.error();
    qint64 n = 0;
    if (q->next())
        n = q->value(0).toLongLong();
    q->finish();
    return n;
}

Result<RecordPage<DeviceRecord>> InventoryStore::list(const Filter &filter, const PageRequest &page, const Sort &sort)
{
    const QString expression = QLatin1String(kSortColumns[sort.field].expression);
    QString from = QStringLiteral(" FROM devices WHERE 1=1");
    QVariantList binds;
    const auto equals = [&](const char *column, const QString &value) {
        if (value.isEmpty())
            return;
        from += QLatin1String(" AND ") + QLatin1String(column) + QLatin1String(" = ?");
        binds << value;
    };
    equals("customer_id", filter.customerId);
    equals("status", filter.status);
    equals("model", filter.model);
    equals("manufacturer", filter.manufacturer);
    equals("batch", filter.batch);
    if (!filter.serialContains.isEmpty()) {
        from += QLatin1String(" AND LOWER(serial) LIKE ? ESCAPE '\\'");
        binds << containsPattern(filter.serialContains);
    }
    std::optional<SortCursor> cursor;
    if (!page.afterKey.isEmpty()) {
        auto parsed = parseSortCursor(page.afterKey, sort);
        if (!parsed)
            return parsed.error();
        cursor = *parsed;
    }

    const QLatin1String direction(sort.descending ? " DESC" : "");
    const QLatin1String beyond(sort.descending ? " < ?" : " > ?");
    const QString select = QStringLiteral("SELECT ") + kColumns + QStringLiteral(", ") + expression + from;
    const QString byValue = expression + direction + QStringLiteral(", ");
    const QString order = (sort.field == Sort::Serial ? QString() : byValue) + QStringLiteral("serial") + direction;
    const int wanted = page.limit + 1;
    QList<SortedRow> rows;
    const auto fetch = [&](const QString &condition, const QVariantList &keyBinds, const QString &orderBy,
                           int limit) -> Result<void> {
        auto read =
            readRows(m_db.exec(select + condition + QStringLiteral(" ORDER BY ") + orderBy + QStringLiteral(" LIMIT ?"),
                               binds + keyBinds + QVariantList{limit}),
                     sortedRowFrom);
        if (!read)
            return read.error();
        rows += *read;
        return {};
    };
    Result<void> fetched;
    if (!cursor) {
        fetched = fetch(QString(), {}, order, wanted);
    } else if (sort.field == Sort::Serial) {
        fetched = fetch(QStringLiteral(" AND serial") + beyond, {cursor->serial}, order, wanted);
    } else {
        // After (value, serial): first the rest of the devices with the same
        // value, then the later values. Two range reads of the index, each
        // starting where the cursor points; a single row-value comparison
        // is not a seek on SQLite's expression indexes and would read every
        // tie before the cursor (all 100,000 when every device has the
        // same delivery date).
        fetched = fetch(QStringLiteral(" AND ") + expression + QStringLiteral(" = ? AND serial") + beyond,
                        {cursor->value, cursor->serial}, QStringLiteral("serial") + direction, wanted);
        if (fetched && rows.size() < wanted)
            fetched =
                fetch(QStringLiteral(" AND ") + expression + beyond, {cursor->value}, order, wanted - int(rows.size()));
    }
    if (!fetched)
        return fetched.error();
    RecordPage<SortedRow> sorted =
        pageOf(rows, page.limit, [&sort](const SortedRow &row) { return sortCursorKey(sort, row); });
    RecordPage<DeviceRecord> out;
    out.nextCursor = sorted.nextCursor;
    out.items.reserve(sorted.items.size());
    for (SortedRow &row : sorted.items) {
        if (row.unreadable)
            out.unreadable.insert(row.device.serial);
        out.items.append(std::move(row.device));
    }
    return out;
}

Result<RecordChange<DeviceRecord>> InventoryStore::update(const QString &serial, const QByteArray &ifMatch,
                                                          const Mutator &mutate)
{
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
                            {after.model, after.manufacturer, after.batch, nullIfEmpty(after.customerId), after.status,
                             dateOrNull(after.deliveryDate), after.etag, now, toJsonText(after.toJson()), serial,
                             before.etag},
                            changedMeanwhile(kEntity, serial));
        !r)
        return r.error();
    return RecordChange<DeviceRecord>{before, after};
}

Result<DeviceRecord> InventoryStore::remove(const QString &serial, const QByteArray &ifMatch)
{
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
    return before;
}

} // namespace Provisio
