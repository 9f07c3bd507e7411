// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reading and writing records through Database the same way in every store.
// For store implementations only (it needs database.h).

#include "database.h"
#include "recordutil.h"

#include "protocol/jsonreader.h"
#include "protocol/timeutil.h"

#include <QList>
#include <QStringList>

#include <optional>
#include <type_traits>
#include <utility>

namespace Provisio {

// Maps every row of an executed query through `fromRow` (T(const Query &)),
// then finishes the query.
template<typename FromRow>
auto readRows(Result<Query> q, FromRow fromRow)
    -> Result<QList<std::decay_t<decltype(fromRow(std::declval<const Query &>()))>>>
{
    if (!q)
        return q.error();
    QList<std::decay_t<decltype(fromRow(std::declval<const Query &>()))>> out;
    while (q->next())
        out << fromRow(*q);
    q->finish();
    return out;
}

// A record from a row of the columns (key, etag, created, updated, doc):
// the document read with T::readFrom (a stored document is trusted, and a
// field that no longer validates must not make the record unreadable), then
// the columns the table owns written over it, the key into `key`.
template<typename T>
T keyedRecordFromRow(const Query &q, QString T::*key)
{
    JsonReader reader(fromJsonText(q.value(4).toString()));
    T record = T::readFrom(reader);
    record.*key = q.value(0).toString();
    record.etag = q.value(1).toString();
    record.createdDateTimeUtc = fromIsoUtc(q.value(2).toString()).value_or(QDateTime());
    record.lastUpdatedDateTimeUtc = fromIsoUtc(q.value(3).toString()).value_or(QDateTime());
    return record;
}

// For tables that keep a record as a JSON document in the first selected
// column: reads the documents, finishes the query, then parses each with
// `fromDoc` (Result<T>(const QString &)); the first unreadable one fails all.
template<typename T, typename FromDoc>
Result<QList<T>> readDocs(Result<Query> q, FromDoc fromDoc)
{
    if (!q)
        return q.error();
    QStringList docs;
    while (q->next())
        docs << q->value(0).toString();
    q->finish();
    QList<T> out;
    for (const QString &doc : std::as_const(docs)) {
        Result<T> record = fromDoc(doc);
        if (!record)
            return record.error();
        out << *record;
    }
    return out;
}

// "Find by key": the first record read, or none.
template<typename T>
Result<std::optional<T>> firstOf(Result<QList<T>> records)
{
    if (!records)
        return records.error();
    return records->isEmpty() ? std::optional<T>() : std::optional<T>(records->first());
}

// Runs a write conditional on the etag read before (UPDATE/DELETE ...
// WHERE <key> = ? AND etag = ?). No row affected means the record changed or
// went meanwhile, answered with `mismatch` (a 412).
inline Result<void> execIfEtag(Database &db, const QString &sql, const QVariantList &binds, const Error &mismatch)
{
    auto affected = db.execAffected(sql, binds);
    if (!affected)
        return affected.error();
    if (*affected == 0)
        return mismatch;
    return {};
}

} // namespace Provisio
