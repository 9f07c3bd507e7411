// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "protocol/device.h"
#include "recordchange.h"
#include "recordpage.h"
#include "recordutil.h"

#include <QByteArray>
#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <QVariantList>

#include <functional>
#include <optional>

namespace Provisio {

class Database;
class Query;

// The device inventory: what the manufacturer delivered and whom it was sold
// to, keyed by serial, in SQL. Updates are conditional on the etag they were
// based on. The Inventory service owns each change's transaction, audit entry
// and event (the CSV import puts many changes into one transaction).
class InventoryStore
{
public:
    explicit InventoryStore(Database &db) : m_db(db) { }

    struct Filter
    {
        QString customerId;
        QString status;
        QString model;
        QString manufacturer;
        QString batch;
        // Case-insensitive substring of the serial, model, manufacturer,
        // batch, customer id or notes (`q`). Indexed from kMinIndexedText
        // characters on; shorter text is looked for row by row.
        QString text;
        bool isEmpty() const;
    };
    static constexpr int kMinIndexedText = 3;
    // A filtered listing first reads this many devices of its order (one
    // index range) and keeps those that match: when matches are common the
    // page is there. Only when that leaves the page short does it read the
    // matches through the filter's own index (the text index or an
    // equality filter's) and order them, which is then few rows.
    static constexpr int kOrderedWindow = 8000;

    // The order of a listing: one of the columns below, ties broken by
    // serial in the same direction, so every order is total and a cursor
    // (the sort, the last value and serial) names one place in it.
    // Missing values (no model, unsold) sort as the empty string: first
    // ascending, last descending, the same on SQLite and PostgreSQL.
    struct Sort
    {
        enum Field { Serial, Model, Manufacturer, Batch, DeliveryDate, Status, CustomerId };
        Field field = Serial;
        bool descending = false;
    };
    // The API's names for the fields ("serial", "model", ...,
    // "deliveryDate", "status", "customerId"), in Field order.
    static QStringList sortFieldNames();
    // From the query parameters `sort` and `order`, each optional (serial,
    // ascending). InvalidInput naming the allowed values.
    static Result<Sort> parseSort(const std::optional<QString> &field, const std::optional<QString> &order);

    // Conflict when the serial exists.
    Result<DeviceRecord> create(DeviceRecord device);
    // Many new devices at once (the CSV import, inside its transaction):
    // no existence check per row (the caller checked: a duplicate fails the
    // whole call with Conflict), many rows per prepared statement, and the
    // search index written in one statement for all of them. The stored
    // records.
    // `documents`, when given, gets each stored record's JSON text (what
    // the audit entry records), in order.
    //
    // `pendingSearch`, when given, collects the new rows for the search
    // index instead of writing it (SQLite): the caller writes it later with
    // indexSearchRows, once for several calls inside one transaction. FTS5
    // writes a segment of its own at every statement that adds to it, so
    // an import written in many small calls would otherwise make many
    // small segments to merge.
    struct PendingSearchRows
    {
        qint64 firstRowid = 0;
        qint64 lastRowid = 0;
        bool oneRange = true; // the rows are exactly firstRowid..lastRowid
        QStringList serials;  // the rows, for when they are not
    };
    Result<QList<DeviceRecord>> createMany(QList<DeviceRecord> devices, QStringList *documents = nullptr,
                                           PendingSearchRows *pendingSearch = nullptr);
    // createMany in two steps: the values of its statements (the stored
    // documents, search texts, etags; the customers' names read here),
    // which any connection may compute, and the writing of them, which the
    // CSV import runs on its writer thread's connection while its own
    // thread prepares the next part. `documents`: each record's stored
    // JSON text, in order.
    struct PreparedDevices
    {
        QList<DeviceRecord> devices; // as they will be stored
        QStringList documents;
        QList<QVariantList> binds;  // per statement
        QList<QStringList> serials; // per statement, its rows
    };
    Result<PreparedDevices> prepareMany(QList<DeviceRecord> devices);
    Result<QList<DeviceRecord>> createMany(PreparedDevices prepared, PendingSearchRows *pendingSearch = nullptr);
    // Adds the rows createMany collected to the search index (nothing on
    // PostgreSQL, whose index follows the column), in one statement.
    Result<void> indexSearchRows(const PendingSearchRows &rows);
    // Which of `serials` exist (one query per few hundred).
    Result<QSet<QString>> existing(const QStringList &serials);
    // The text `Filter::text` searches for a device: its searchable fields
    // and the name of its customer (`customerName`), lower-cased, apart by
    // U+001F.
    static QString searchTextOf(const DeviceRecord &device, const QString &customerName = {});
    // A customer was renamed: the search text of each of its devices is
    // written again with `name` (a stretch of devices per query, all in
    // the caller's transaction). How many devices changed.
    Result<qint64> reindexCustomer(const QString &customerId, const QString &name);
    // The JSON text a device is stored as: DeviceRecord::toJson() as
    // QJsonDocument writes it (compact), written without building the
    // object, which was most of an import's cost.
    static QString documentOf(const DeviceRecord &device);
    // Whether a stored `document` is exactly the text documentOf writes
    // for the record a listing makes of it (the document read, the columns
    // `serial`, `etag`, `created` and `updated` written over it): its
    // members those documentOf writes, in its order, each string escaped
    // as documentOf escapes it, the columns' members equal to the columns,
    // the dates valid. Documents stored by this version are; anything
    // else is read and written again.
    static bool isDocumentOf(QStringView document, QStringView serial, QStringView etag, QStringView created,
                             QStringView updated);
    Result<std::optional<DeviceRecord>> find(const QString &serial);
    // Ordered by `sort`. InvalidInput when the page's cursor was issued
    // for another sort or is not one of this listing's cursors.
    Result<RecordPage<DeviceRecord>> list(const Filter &filter, const PageRequest &page, const Sort &sort);
    // How many devices match `filter` (the list's filter, without paging):
    // one COUNT over the same conditions, so the same indexes serve it.
    // How many devices list() would page through for the filter, counted
    // up to cap + 1: a result above cap means "more than cap".
    static constexpr qint64 kCountCap = 50000;
    Result<qint64> count(const Filter &filter, qint64 cap = kCountCap);
    Result<RecordPage<DeviceRecord>> list(const Filter &filter, const PageRequest &page)
    {
        return list(filter, page, Sort());
    }
    // list() as the listing's answer writes its items: per device the
    // UTF-8 JSON text documentOf writes for the record list() gives, for a
    // device stored by this version its stored document copied as it is
    // (isDocumentOf), which spares parsing it and writing it again. A
    // device whose document is unreadable has `json` empty and `record`
    // set to what its columns say (its serial is in `unreadable`).
    struct ListedDevice
    {
        QByteArray json;
        DeviceRecord record;
    };
    Result<RecordPage<ListedDevice>> listItems(const Filter &filter, const PageRequest &page, const Sort &sort);

    // The next devices a batch job acts on: in serial order after `after`,
    // those of the next `scanLimit` devices that match `filter` (the
    // listing's own conditions, filterSql), at most `matchLimit` of them.
    // Reading a bounded range of the serial index per call keeps each call
    // short however sparse the matches are. `scannedTo` is where the next
    // call starts (the last match when `matchLimit` was reached, else the
    // last device read); `exhausted` when no device follows it.
    struct Matches
    {
        QStringList serials;
        QString scannedTo;
        bool exhausted = false;
    };
    Result<Matches> nextMatches(const Filter &filter, const QString &after, int scanLimit, int matchLimit);

    using Mutator = std::function<Result<DeviceRecord>(const DeviceRecord &current)>;
    // NotFound, PreconditionFailed (If-Match mismatch or a concurrent change),
    // or the mutator's error. The serial and creation time cannot change.
    Result<RecordChange<DeviceRecord>> update(const QString &serial, const QByteArray &ifMatch, const Mutator &mutate);
    // Conflict while an enrollment refers to the serial. The removed record.
    Result<DeviceRecord> remove(const QString &serial, const QByteArray &ifMatch);

private:
    // The search index rows of SQLite (PostgreSQL's GIN index follows the
    // column by itself): the FTS5 table is written here, next to the row,
    // rather than by triggers, because FTS5 flushes its pending terms at
    // every statement savepoint a trigger opens (six times slower imports).
    Result<void> indexSearch(qint64 rowid, const QString &text);
    Result<void> unindexSearch(qint64 rowid, const QString &text);
    bool sqlite() const;
    // A filter's SQL conditions (each " AND …"), shared by list() and
    // count(): the equality filters alone, and with the text search.
    struct FilterSql
    {
        QString equalities;
        QVariantList equalityBinds;
        QString where;
        QVariantList binds;
        QString text; // lower-cased
    };
    static FilterSql filterSql(const Filter &filter);
    // A listing's rows in order, read as records (list) or as their JSON
    // text (listItems).
    struct ListedRow;
    static ListedRow listedRowFrom(const Query &q, bool asText);
    Result<RecordPage<ListedRow>> listRows(const Filter &filter, const PageRequest &page, const Sort &sort,
                                           bool asText);
    struct SearchRow
    {
        qint64 rowid = 0;
        QString text;
    };
    // The row id and indexed text of a device (SQLite; empty elsewhere).
    Result<SearchRow> searchRow(const QString &serial);
    // The names of the customers (id -> name) that exist among `customerIds`.
    Result<QHash<QString, QString>> customerNames(const QSet<QString> &customerIds);

    Database &m_db;
};

} // namespace Provisio
