// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>
#include <utility>

namespace Provisio {

// A fresh entity tag for a record that just changed. Random rather than a
// counter, so two middleware instances never hand out the same tag.
QString newEtag();

// Now, in the one timestamp format every table uses (ISO-8601 UTC, ms).
QString nowIso();

QString toJsonText(const QJsonObject &object);
QJsonObject fromJsonText(const QString &text);

// Unreadable records. A stored document can turn out unreadable: damaged
// in the database, edited by hand, or (stored before the JSON limits)
// nested deeper than Qt's parser reads. Such a record never fails a list:
// every list (registrations, enrollments, enrollment groups, inventory, the
// audit log) reports it per item with what its table's columns still say,
// flagged, and with how to repair it (RecordPage::unreadable, api's
// Requests::unreadableItem); reading it alone answers 409 with the same
// advice; DELETE still removes it (docs/api.md, "Unreadable records").
//
// The one test of readability: the object, or nothing when `text` is not a
// JSON object Qt can parse. An empty text is an empty object.
std::optional<QJsonObject> readStoredDocument(const QString &text);
// What a client hears about an unreadable record: what it is, and `repair`
// (the API calls that fix it).
QString unreadableMessage(const QString &what, const QString &id, const QString &repair);

// NULL rather than '' for an optional column, so foreign keys (a device's
// customer_id, for one) accept "none".
QVariant nullIfEmpty(const QString &s);

// A LIKE pattern matching `text` anywhere, case-folded, with LIKE's wildcards
// escaped; use with `LOWER(column) LIKE ? ESCAPE '\\'`.
QString containsPattern(const QString &text);

// `column IN (…)` over many keys (a CRM list page), split into statements
// small enough for every backend's parameter limit: one entry per statement,
// its "?,?,…" and the values to bind. A chunk's list is as long as the next
// power of two (or `chunkSize`), its last key bound again to fill it: the
// database keeps every statement text it prepared, and a list as long as
// its keys made one statement per page size a client asked for (up to
// `chunkSize` of them per query, megabytes each at the top); this way a
// query has at most log2(chunkSize) + 2 texts. Only for IN lists, where a
// key given twice matches the same rows.
struct InListChunk
{
    QString placeholders;
    QVariantList binds;
};
QList<InListChunk> inListChunks(const QStringList &keys, int chunkSize = 200);

// Many rows in one INSERT … VALUES (…), (…), …: statements of 1, 10 and
// `maxRows` rows only, so that a backend prepares three texts, not one per
// batch size. `head` is the INSERT up to and including VALUES; `tail`, when
// given, follows the rows (a RETURNING clause).
//
// With `shared` above 0 the first `shared` columns of every row are the
// same values, bound once: the placeholders are numbered (`?1`, …), the
// statement's values are the shared ones, then each row's others. Numbered
// placeholders are SQLite's; such a statement is for SQLite only.
class MultiRowInsert
{
public:
    MultiRowInsert(const QString &head, int columns, int maxRows, const QString &tail = {}, int shared = 0);
    // How many of the `left` rows still to write the next statement takes.
    int rowsFor(qsizetype left) const { return left >= m_maxRows ? m_maxRows : left >= 10 ? 10 : 1; }
    // The statement of rowsFor()'s answer (1, 10 or maxRows rows).
    const QString &sql(int rows) const { return rows == 1 ? m_one : rows == 10 ? m_ten : m_many; }

private:
    int m_maxRows;
    QString m_one;
    QString m_ten;
    QString m_many;
};

// The error of a store transaction that could not begin or commit.
Error commitFailed();

// Paging: list endpoints take `limit` (1..1000, default 100) and an opaque
// `cursor` (the last key of the previous page, base64url).
struct PageRequest
{
    int limit = 100;
    QString afterKey;
};
Result<PageRequest> parsePageRequest(const QString &limitText, const QString &cursorText);
QString encodeCursor(const QString &key);
// Listings ordered by two columns (a name that may repeat, then the id that
// breaks the tie) use the pair of the last record as their cursor key.
QString pairCursorKey(const QString &first, const QString &second);
// The pair again from a decoded cursor; InvalidInput "cursor is not valid"
// when the key is not such a pair.
Result<std::pair<QString, QString>> parsePairCursorKey(const QString &afterKey);

// If-Match semantics: empty header -> always true; `*` -> true when the
// record exists; otherwise the (quoted or bare, W/ tolerated) tag must equal.
bool ifMatchSatisfied(const QByteArray &ifMatchHeader, const QString &currentEtag);
// The precondition of a change as an error: PreconditionFailed unless
// `ifMatchHeader` fits `currentEtag` (empty: the record does not exist, which
// only an absent If-Match fits).
Result<void> requireIfMatch(const QByteArray &ifMatchHeader, const QString &currentEtag);

// The answers of a change to a keyed record (`entity` as in the audit log,
// "customer"; `keyName` as its key is called, "id"): 404 "no customer with id
// 'x'", 412 when If-Match names another etag, and 412 when the conditional
// write finds the etag changed since the record was read.
Error recordNotFound(const QString &entity, const QString &keyName, const QString &key);
Error ifMatchFailed(const QString &entity, const QString &key);
Error changedMeanwhile(const QString &entity, const QString &key);

// The record a change starts from, given what find() answered: a find error
// as it is, recordNotFound when there is none, ifMatchFailed when `ifMatch`
// does not accept its etag.
template<typename T>
Result<T> recordForChange(Result<std::optional<T>> found, const QByteArray &ifMatch, const QString &entity,
                          const QString &keyName, const QString &key)
{
    if (!found)
        return found.error();
    if (!found->has_value())
        return recordNotFound(entity, keyName, key);
    if (!ifMatchSatisfied(ifMatch, (*found)->etag))
        return ifMatchFailed(entity, key);
    return **found;
}

} // namespace Provisio
