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
    // The document is read once: the listing pays this per row.
    const std::optional<QJsonObject> doc = readStoredDocument(q.value(4).toString());
    if (unreadable)
        *unreadable = !doc;
    if (doc) {
        DeviceRecord d = DeviceRecord::readFrom(JsonReader(*doc));
        d.serial = q.value(0).toString();
        d.etag = q.value(1).toString();
        d.createdDateTimeUtc = fromIsoUtc(q.value(2).toString()).value_or(QDateTime());
        d.lastUpdatedDateTimeUtc = fromIsoUtc(q.value(3).toString()).value_or(QDateTime());
        return d;
    }
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
    return date.isValid() ? QVariant(toIsoDate(date)) : QVariant();
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

// The cursor key of a sorted listing: [field, order, value, serial]. It
// names its sort so that a cursor replayed under another one is refused
// instead of silently skipping or repeating devices.
QString sortCursorKey(const InventoryStore::Sort &sort, const QString &sortValue, const QString &serial)
{
    const QJsonArray key{QLatin1String(kSortColumns[sort.field].name),
                         sort.descending ? QLatin1String("desc") : QLatin1String("asc"), sortValue, serial};
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

bool InventoryStore::Filter::isEmpty() const
{
    return customerId.isEmpty() && status.isEmpty() && model.isEmpty() && manufacturer.isEmpty() && batch.isEmpty() &&
           text.isEmpty();
}

bool InventoryStore::sqlite() const
{
    return m_db.dialect() == Database::Dialect::Sqlite;
}

namespace {

// The INSERT of devices, many rows at once.
constexpr int kInsertColumns = 12;
const MultiRowInsert &deviceInsert()
{
    static const MultiRowInsert insert(QStringLiteral("INSERT INTO devices (serial, model, manufacturer, batch, "
                                                      "customer_id, status, delivery_date, etag, created, updated, "
                                                      "doc, search_text) VALUES"),
                                       kInsertColumns, 50);
    return insert;
}

// On SQLite the same, with the creation and update times (the same for
// every row of a batch) bound once per statement.
constexpr int kSharedInsertColumns = 2;
const MultiRowInsert &sharedDeviceInsert()
{
    static const MultiRowInsert insert(QStringLiteral("INSERT INTO devices (created, updated, serial, model, "
                                                      "manufacturer, batch, customer_id, status, delivery_date, "
                                                      "etag, doc, search_text) VALUES"),
                                       kInsertColumns, 100, QString(), kSharedInsertColumns);
    return insert;
}

// A new device's values in deviceInsert()'s order; with `sharedTimes`,
// in sharedDeviceInsert()'s without the times.
void appendInsertBinds(QVariantList &binds, DeviceRecord &device, const QString &now, const QDateTime &created,
                       const QString &customerName, bool sharedTimes = false)
{
    device.etag = newEtag();
    device.createdDateTimeUtc = created;
    device.lastUpdatedDateTimeUtc = created;
    binds << device.serial << device.model << device.manufacturer << device.batch << nullIfEmpty(device.customerId)
          << device.status << dateOrNull(device.deliveryDate) << device.etag;
    if (!sharedTimes)
        binds << now << now;
    binds << InventoryStore::documentOf(device) << InventoryStore::searchTextOf(device, customerName);
}

QVariantList insertBinds(DeviceRecord &device, const QString &now, const QDateTime &created,
                         const QString &customerName)
{
    QVariantList binds;
    binds.reserve(kInsertColumns);
    appendInsertBinds(binds, device, now, created, customerName);
    return binds;
}
} // namespace

Result<DeviceRecord> InventoryStore::create(DeviceRecord device)
{
    auto existing = find(device.serial);
    if (!existing)
        return existing.error();
    if (existing->has_value())
        return Error(ErrorCode::Conflict,
                     QStringLiteral("a device with serial '%1' already exists").arg(device.serial));
    auto names = customerNames({device.customerId});
    if (!names)
        return names.error();
    const QString now = nowIso();
    const QVariantList binds =
        insertBinds(device, now, fromIsoUtc(now).value_or(QDateTime()), names->value(device.customerId));
    auto r = m_db.exec(deviceInsert().sql(1), binds);
    if (!r)
        return r.error();
    // Only SQLite has the row id (QPSQL would ask lastval(), an error that
    // aborts the transaction when no sequence was used).
    const qint64 rowid = sqlite() ? r->lastInsertId().toLongLong() : 0;
    r->finish();
    if (auto indexed = indexSearch(rowid, binds.constLast().toString()); !indexed)
        return indexed.error();
    return device;
}

Result<QList<DeviceRecord>> InventoryStore::createMany(QList<DeviceRecord> devices, QStringList *documents,
                                                       PendingSearchRows *pendingSearch)
{
    auto prepared = prepareMany(std::move(devices));
    if (!prepared)
        return prepared.error();
    if (documents)
        *documents = prepared->documents;
    return createMany(std::move(*prepared), pendingSearch);
}

Result<InventoryStore::PreparedDevices> InventoryStore::prepareMany(QList<DeviceRecord> devices)
{
    PreparedDevices out;
    const QString now = nowIso();
    const QDateTime created = fromIsoUtc(now).value_or(QDateTime());
    // The customers' names for the search text (one query per 500).
    QSet<QString> customers;
    for (const DeviceRecord &device : std::as_const(devices))
        customers.insert(device.customerId);
    auto names = customerNames(customers);
    if (!names)
        return names.error();
    // Many rows per statement on both databases: one round trip each on
    // PostgreSQL, and on SQLite a fiftieth of the per-statement work (the
    // statement journal, binding and reset), which had cost as much as the
    // rows themselves.
    const bool native = sqlite();
    const MultiRowInsert &statement = native ? sharedDeviceInsert() : deviceInsert();
    out.documents.reserve(devices.size());
    for (qsizetype from = 0; from < devices.size();) {
        const int rows = statement.rowsFor(devices.size() - from);
        QVariantList binds;
        binds.reserve(rows * kInsertColumns + kSharedInsertColumns);
        if (native)
            binds << now << now;
        QStringList statementSerials;
        statementSerials.reserve(rows);
        for (qsizetype i = from; i < from + rows; ++i) {
            appendInsertBinds(binds, devices[i], now, created, names->value(devices.at(i).customerId), native);
            statementSerials << devices.at(i).serial;
            out.documents.append(binds.at(binds.size() - 2).toString());
        }
        out.binds.append(std::move(binds));
        out.serials.append(std::move(statementSerials));
        from += rows;
    }
    out.devices = std::move(devices);
    return out;
}

Result<QList<DeviceRecord>> InventoryStore::createMany(PreparedDevices prepared, PendingSearchRows *pendingSearch)
{
    const auto conflict = [this](const QStringList &serials) -> Error {
        // Which one: the statement only says that one of them exists.
        auto found = existing(serials);
        const QString serial = found && !found->isEmpty() ? *found->cbegin() : QString();
        if (serial.isEmpty())
            return Error(ErrorCode::Conflict, QStringLiteral("one of the devices conflicts with a stored record"));
        return Error(ErrorCode::Conflict, QStringLiteral("a device with serial '%1' already exists").arg(serial));
    };
    const bool native = sqlite();
    const MultiRowInsert &statement = native ? sharedDeviceInsert() : deviceInsert();
    QStringList serials;
    serials.reserve(prepared.devices.size());
    // SQLite: the new rows' ids, for the search index. A new row takes the
    // id after the table's largest, so a statement's rows are the ids up to
    // the last one it inserted and the batch is one range; that each
    // statement's last id is the previous one's plus its rows confirms it
    // (RETURNING would say so row by row, but SQLite runs it as a trigger
    // that copies every row into a table of its own first).
    qint64 firstRowid = 0;
    qint64 lastRowid = 0;
    bool oneRange = true;
    for (qsizetype s = 0; s < prepared.binds.size(); ++s) {
        const QStringList &statementSerials = prepared.serials.at(s);
        const int rows = int(statementSerials.size());
        auto inserted = m_db.execInsert(statement.sql(rows), prepared.binds.at(s));
        if (!inserted)
            return inserted.error().code == ErrorCode::Conflict ? conflict(statementSerials) : inserted.error();
        if (native) {
            if (s == 0)
                firstRowid = *inserted - rows + 1;
            else
                oneRange = oneRange && *inserted == lastRowid + rows;
            lastRowid = *inserted;
        }
        serials += statementSerials;
    }
    QList<DeviceRecord> &devices = prepared.devices;
    if (!native || serials.isEmpty())
        return devices;
    const bool range = oneRange && lastRowid - firstRowid + 1 == serials.size();
    if (pendingSearch) {
        // The calls of one transaction follow each other's rows when each
        // is one range starting after the previous one's.
        if (pendingSearch->serials.isEmpty()) {
            pendingSearch->firstRowid = firstRowid;
            pendingSearch->oneRange = range;
        } else {
            pendingSearch->oneRange = pendingSearch->oneRange && range && firstRowid == pendingSearch->lastRowid + 1;
        }
        pendingSearch->lastRowid = lastRowid;
        pendingSearch->serials += serials;
        return devices;
    }
    if (auto r = indexSearchRows({firstRowid, lastRowid, range, serials}); !r)
        return r.error();
    return devices;
}

Result<QSet<QString>> InventoryStore::existing(const QStringList &serials)
{
    QSet<QString> found;
    for (const InListChunk &chunk : inListChunks(serials, 500)) {
        // Through SQLite's own binding (selectRows): Qt's looks each of the
        // 500 values up by name, a few percent of an import. On PostgreSQL
        // planned for its values each time: an import into an emptied table
        // grows it by a million rows between two of autovacuum's analyses.
        auto rows = m_db.selectRows(QStringLiteral("SELECT serial FROM devices WHERE serial IN (") +
                                        chunk.placeholders + QLatin1Char(')'),
                                    chunk.binds, 1, Database::Plan::PlanEachRun);
        if (!rows)
            return rows.error();
        for (const QVariantList &row : std::as_const(*rows))
            found.insert(row.at(0).toString());
    }
    return found;
}

Result<std::optional<DeviceRecord>> InventoryStore::find(const QString &serial)
{
    return firstOf(readRows(
        m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM devices WHERE serial = ?"), {serial}),
        fromRowLenient));
}

InventoryStore::FilterSql InventoryStore::filterSql(const Filter &filter)
{
    // The equality filters compare the expressions of the sort indexes
    // (migration 17 dropped the plain column indexes): a filter is a range
    // of one of them, already in serial order. A filter value is never
    // empty, so COALESCE changes no answer.
    FilterSql out;
    const auto equals = [&](const char *column, const QString &value) {
        if (value.isEmpty())
            return;
        out.equalities += QLatin1String(" AND COALESCE(") + QLatin1String(column) + QLatin1String(", '') = ?");
        out.equalityBinds << value;
    };
    equals("customer_id", filter.customerId);
    equals("status", filter.status);
    equals("model", filter.model);
    equals("manufacturer", filter.manufacturer);
    equals("batch", filter.batch);
    out.where = out.equalities;
    out.binds = out.equalityBinds;
    out.text = filter.text.toLower();
    if (!out.text.isEmpty()) {
        out.where += QLatin1String(" AND search_text LIKE ? ESCAPE '\\'");
        out.binds << containsPattern(out.text);
    }
    return out;
}

// A listing row and the value it was ordered by, as the database compared
// it (read back from the query, so the cursor holds what the next page's
// comparison needs, not a re-rendering of the record).
struct InventoryStore::ListedRow
{
    QString serial;
    QString sortValue;
    // list(), and listItems() for an unreadable document.
    DeviceRecord device;
    // listItems(): the record's JSON text (documentOf), UTF-8.
    QByteArray json;
    bool unreadable = false;
};

InventoryStore::ListedRow InventoryStore::listedRowFrom(const Query &q, bool asText)
{
    ListedRow row;
    row.sortValue = q.value(kSortValueColumn).toString();
    if (asText) {
        // What a page is made of, mostly: the stored document is the
        // answer's item as it is, copied rather than parsed and written
        // again when it is what documentOf would write.
        const QString document = q.value(4).toString();
        row.serial = q.value(0).toString();
        if (isDocumentOf(document, row.serial, q.value(1).toString(), q.value(2).toString(), q.value(3).toString())) {
            row.json = document.toUtf8();
            return row;
        }
    }
    row.device = fromRow(q, &row.unreadable);
    row.serial = row.device.serial;
    if (asText && !row.unreadable)
        row.json = documentOf(row.device).toUtf8();
    return row;
}

Result<RecordPage<DeviceRecord>> InventoryStore::list(const Filter &filter, const PageRequest &page, const Sort &sort)
{
    auto rows = listRows(filter, page, sort, false);
    if (!rows)
        return rows.error();
    RecordPage<DeviceRecord> out;
    out.nextCursor = rows->nextCursor;
    out.items.reserve(rows->items.size());
    for (ListedRow &row : rows->items) {
        if (row.unreadable)
            out.unreadable.insert(row.serial);
        out.items.append(std::move(row.device));
    }
    return out;
}

Result<RecordPage<InventoryStore::ListedDevice>> InventoryStore::listItems(const Filter &filter,
                                                                           const PageRequest &page, const Sort &sort)
{
    auto rows = listRows(filter, page, sort, true);
    if (!rows)
        return rows.error();
    RecordPage<ListedDevice> out;
    out.nextCursor = rows->nextCursor;
    out.items.reserve(rows->items.size());
    for (ListedRow &row : rows->items) {
        ListedDevice item;
        if (row.unreadable) {
            out.unreadable.insert(row.serial);
            item.record = std::move(row.device);
        } else {
            item.json = std::move(row.json);
        }
        out.items.append(std::move(item));
    }
    return out;
}

Result<RecordPage<InventoryStore::ListedRow>> InventoryStore::listRows(const Filter &filter, const PageRequest &page,
                                                                       const Sort &sort, bool asText)
{
    const QString expression = QLatin1String(kSortColumns[sort.field].expression);
    const FilterSql conditions = filterSql(filter);
    const QString &equalities = conditions.equalities;
    const QVariantList &equalityBinds = conditions.equalityBinds;
    const QString &where = conditions.where;
    const QVariantList &binds = conditions.binds;
    const QString &text = conditions.text;
    const bool textIndexed = text.size() >= kMinIndexedText;
    std::optional<SortCursor> cursor;
    if (!page.afterKey.isEmpty()) {
        auto parsed = parseSortCursor(page.afterKey, sort);
        if (!parsed)
            return parsed.error();
        cursor = *parsed;
    }

    const QLatin1String direction(sort.descending ? " DESC" : "");
    const QLatin1String beyond(sort.descending ? " < ?" : " > ?");
    const QString byValue = expression + direction + QStringLiteral(", ");
    const QString order = (sort.field == Sort::Serial ? QString() : byValue) + QStringLiteral("serial") + direction;
    const int wanted = page.limit + 1;
    QList<ListedRow> rows;
    const auto read = [&](const QString &sql, const QVariantList &queryBinds) -> Result<int> {
        auto got = readRows(m_db.exec(sql, queryBinds), [asText](const Query &q) { return listedRowFrom(q, asText); });
        if (!got)
            return got.error();
        rows += *got;
        return int(got->size());
    };
    const auto count = [&](const QString &sql, const QVariantList &queryBinds) -> Result<int> {
        auto q = m_db.exec(sql, queryBinds);
        if (!q)
            return q.error();
        const int n = q->next() ? q->value(0).toInt() : 0;
        q->finish();
        return n;
    };
    const QString columns = kColumns + QStringLiteral(", ") + expression;
    // The rows after the cursor `condition` in the listing's order, at
    // most `limit`, each read as an index range (see kOrderedWindow).
    const auto fetch = [&](const QString &condition, const QVariantList &keyBinds, const QString &orderBy,
                           int limit) -> Result<void> {
        const QString tail = QStringLiteral(" ORDER BY ") + orderBy + QStringLiteral(" LIMIT ?");
        if (where.isEmpty()) {
            auto r =
                read(QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM devices WHERE 1=1") + condition + tail,
                     keyBinds + QVariantList{limit});
            return r ? Result<void>() : Result<void>(r.error());
        }
        // 1. The next kOrderedWindow devices in order, filtered.
        const QString window = QStringLiteral("SELECT ") + kColumns +
                               QStringLiteral(", search_text FROM devices WHERE 1=1") + condition +
                               QStringLiteral(" ORDER BY ") + orderBy + QStringLiteral(" LIMIT ?");
        const qsizetype before = rows.size();
        // SQLite reads the window as a co-routine, in its order: without
        // an ORDER BY of its own the outer query stops at the page's last
        // match instead of sorting the whole window first. PostgreSQL's
        // top-N sort of the window keeps the order explicit.
        const QString windowTail = sqlite() ? QStringLiteral(" LIMIT ?") : tail;
        auto inWindow = read(QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM (") + window +
                                 QStringLiteral(") w WHERE 1=1") + where + windowTail,
                             keyBinds + QVariantList{kOrderedWindow} + binds + QVariantList{limit});
        if (!inWindow)
            return inWindow.error();
        if (*inWindow >= limit)
            return {};
        auto windowRows = count(QStringLiteral("SELECT COUNT(*) FROM (SELECT serial FROM devices WHERE 1=1") +
                                    condition + QStringLiteral(" ORDER BY ") + orderBy + QStringLiteral(" LIMIT ?) w"),
                                keyBinds + QVariantList{kOrderedWindow});
        if (!windowRows)
            return windowRows.error();
        if (*windowRows < kOrderedWindow)
            return {}; // the window held the rest of the listing
        // 2. Sparse matches: through the filter's own index, then ordered.
        rows.resize(before);
        bool byText = textIndexed;
        if (byText && !equalities.isEmpty()) {
            // An equality filter that matches fewer devices than the text
            // is the cheaper way in.
            auto few = count(QStringLiteral("SELECT COUNT(*) FROM (SELECT serial FROM devices WHERE 1=1") + equalities +
                                 QStringLiteral(" LIMIT ?) w"),
                             equalityBinds + QVariantList{kOrderedWindow + 1});
            if (!few)
                return few.error();
            byText = *few > kOrderedWindow;
        }
        Result<int> r = 0;
        if (byText && sqlite()) {
            // The FTS5 trigram index finds the candidates (its LIKE has no
            // ESCAPE, so '%' and '_' in the text only widen them); the
            // device's own search_text decides.
            QString prefixed = where;
            prefixed.replace(QLatin1String(" search_text LIKE"), QLatin1String(" d.search_text LIKE"));
            r = read(QStringLiteral("SELECT ") + columns +
                         QStringLiteral(" FROM devices_search s CROSS JOIN devices d ON d.rowid = s.rowid"
                                        " WHERE s.search_text LIKE ?") +
                         prefixed + condition + tail,
                     QVariantList{QString(QLatin1Char('%') + text + QLatin1Char('%'))} + binds + keyBinds +
                         QVariantList{limit});
        } else {
            // PostgreSQL's planner picks the trigram GIN index for the
            // LIKE, or an equality filter's index.
            r = read(QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM devices WHERE 1=1") + where +
                         condition + tail,
                     binds + keyBinds + QVariantList{limit});
        }
        return r ? Result<void>() : Result<void>(r.error());
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
    return pageOf(std::move(rows), page.limit,
                  [&sort](const ListedRow &row) { return sortCursorKey(sort, row.sortValue, row.serial); });
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
    auto indexed = searchRow(serial);
    if (!indexed)
        return indexed.error();
    auto names = customerNames({after.customerId});
    if (!names)
        return names.error();
    const QString text = searchTextOf(after, names->value(after.customerId));
    if (auto r =
            execIfEtag(m_db,
                       QStringLiteral("UPDATE devices SET model = ?, manufacturer = ?, batch = ?, "
                                      "customer_id = ?, status = ?, delivery_date = ?, etag = ?, "
                                      "updated = ?, doc = ?, search_text = ? WHERE serial = ? AND etag = ?"),
                       {after.model, after.manufacturer, after.batch, nullIfEmpty(after.customerId), after.status,
                        dateOrNull(after.deliveryDate), after.etag, now, documentOf(after), text, serial, before.etag},
                       changedMeanwhile(kEntity, serial));
        !r)
        return r.error();
    if (indexed->text != text) {
        if (auto r = unindexSearch(indexed->rowid, indexed->text); !r)
            return r.error();
        if (auto r = indexSearch(indexed->rowid, text); !r)
            return r.error();
    }
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
    auto indexed = searchRow(serial);
    if (!indexed)
        return indexed.error();
    if (auto r = execIfEtag(m_db, QStringLiteral("DELETE FROM devices WHERE serial = ? AND etag = ?"),
                            {serial, before.etag}, changedMeanwhile(kEntity, serial));
        !r)
        return r.error();
    if (auto r = unindexSearch(indexed->rowid, indexed->text); !r)
        return r.error();
    return before;
}

} // namespace Provisio
