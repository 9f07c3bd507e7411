// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "recordutil.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace Provisio {

class Database;

// Append-only record of every change: who, what, when, the record before and
// after. Callers pass records already stripped of secrets (keys, tokens);
// `redactSecrets` is applied again here as a safety net, so a key can never
// end up in the log even when a caller forgets.
class AuditLog
{
public:
    explicit AuditLog(Database &db) : m_db(db) { }

    struct Entry
    {
        qint64 id = 0;
        QString at;
        QString actor;
        QString action; // create, update, delete, sell, regenerateKeys, ...
        QString entityType;
        QString entityId;
        QJsonObject before;
        QJsonObject after;
        // The stored before or after document could not be read
        // (readStoredDocument): the entry comes without it.
        bool unreadable = false;
        QJsonObject toJson() const;
    };

    // Records one change; call inside the same transaction as the change.
    Result<void> record(const QString &actor, const QString &action, const QString &entityType, const QString &entityId,
                        const QJsonObject &before = {}, const QJsonObject &after = {});

    // Many changes of one kind by one actor (the CSV import's new
    // devices): each its own entry, exactly as record() writes it, many
    // rows per statement.
    struct Change
    {
        QString entityId;
        QString before; // the records as JSON text; empty: none
        QString after;
    };
    // `written`, when given, receives each change's text as the entry holds
    // it (redacted): `after`, or `before` when there is no `after`.
    Result<void> recordMany(const QString &actor, const QString &action, const QString &entityType,
                            const QList<Change> &changes, QStringList *written = nullptr);

    struct Filter
    {
        QString entityType;
        QString entityId;
        QString actor;
        QString action;
        QString since; // ISO time, inclusive
        QString until; // ISO time, exclusive
    };
    // Newest first, by (at, id). The cursor key is cursorKey() of the last
    // entry of the previous page (a bare id, as cursors were before, is
    // still understood). Every combination of actor, action and entity type
    // has its own index ending in (at, id) (migrations 21 and 22), read in
    // order from the cursor within the time window: a page reads exactly
    // its own rows, and a combination that matches nothing reads none. An
    // entity id (a handful of entries) is read by its index and the other
    // filters check those entries. A filter holding a control character is
    // refused (InvalidInput): no stored value holds one. On SQLite the
    // CSV import's entries (action `import`, type `device`) are indexed
    // apart, by time and by actor (migration 26): a page their filters
    // could match reads them in a second index range and merges the two.
    // PostgreSQL keeps every entry in every index.
    Result<QList<Entry>> list(const Filter &filter, const PageRequest &page);
    static QString cursorKey(const Entry &entry);

    // Deletes up to `maxRows` of the oldest entries written before `cutoff`
    // (ISO time); the number deleted (less than maxRows: nothing older is
    // left). AuditRetention calls it in bounded rounds.
    Result<int> pruneOlderThan(const QString &cutoff, int maxRows);

    // Replaces the values of secret-bearing keys (primaryKey, secondaryKey,
    // signingKey, hubDeviceKey, token, activationCode, ...) by "***", at any depth.
    static QJsonObject redactSecrets(const QJsonObject &object);
    // The same for a record as JSON text (the text itself when it names no
    // secret key).
    static QString redactedText(const QString &document);

private:
    Database &m_db;
};

} // namespace Provisio
