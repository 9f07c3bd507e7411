// SPDX-License-Identifier: Apache-2.0
#include "auditlog.h"
#include "database.h"

#include <QSet>

#include <algorithm>

namespace Provisio {

namespace {
// The CSV import's entries, which both databases index apart (migrations
// 26 and 27): the condition exactly as the partial indexes state it.
const QLatin1String kImportEntries("action = 'import' AND entity_type = 'device'");
const QLatin1String kImportAction("import");
const QLatin1String kImportType("device");

constexpr QLatin1String kSecretKeyNames[] = {
    QLatin1String("primaryKey"),   QLatin1String("secondaryKey"), QLatin1String("signingKey"),
    QLatin1String("hubDeviceKey"), QLatin1String("token"),        QLatin1String("activationCode"),
    QLatin1String("symmetricKey"), QLatin1String("password"),     QLatin1String("derivedKey"),
    QLatin1String("secret"),
};

const QSet<QString> &secretKeys()
{
    static const QSet<QString> keys = [] {
        QSet<QString> k;
        for (QLatin1String name : kSecretKeyNames)
            k.insert(name);
        return k;
    }();
    return keys;
}

QJsonValue redactValue(const QJsonValue &v);

QJsonArray redactArray(const QJsonArray &a)
{
    QJsonArray out;
    for (const auto &v : a)
        out.append(redactValue(v));
    return out;
}

QJsonValue redactValue(const QJsonValue &v)
{
    if (v.isObject())
        return AuditLog::redactSecrets(v.toObject());
    if (v.isArray())
        return redactArray(v.toArray());
    return v;
}
} // namespace

namespace {
bool holdsSecret(const QJsonObject &object);

bool holdsSecret(const QJsonValue &v)
{
    if (v.isObject())
        return holdsSecret(v.toObject());
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        return std::any_of(a.begin(), a.end(), [](const QJsonValue &item) { return holdsSecret(item); });
    }
    return false;
}

// Whether redactSecrets would change anything: most records (a device, a
// customer) hold no secret, and copying them key by key only to get the
// same object back was most of an audited import's cost. The keys are
// looked up (QJsonObject keeps them sorted), not iterated.
bool holdsSecret(const QJsonObject &object)
{
    for (const QString &key : secretKeys()) {
        const auto it = object.constFind(key);
        if (it != object.constEnd() && !it.value().isObject() && !it.value().isNull())
            return true;
    }
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const auto value = it.value();
        if ((value.isObject() || value.isArray()) && holdsSecret(QJsonValue(value)))
            return true;
    }
    return false;
}
} // namespace

QString AuditLog::redactedText(const QString &document)
{
    // A document in which no quoted text is a secret key has nothing to
    // redact. One pass over its quoted texts (keys and values alike); a
    // backslash anywhere (an escaped quote shifts the pairs, a \u escape
    // could spell a key) sends it the long way, as does a secret key:
    // read, redacted and written again like any other record.
    bool plain = !document.contains(QLatin1Char('\\'));
    for (qsizetype open = document.indexOf(QLatin1Char('"')); plain && open >= 0;) {
        const qsizetype close = document.indexOf(QLatin1Char('"'), open + 1);
        if (close < 0)
            break;
        const QStringView quoted = QStringView(document).mid(open + 1, close - open - 1);
        // An array, not the QSet: walking a hash per quoted text cost more
        // than the import's own writing of the text.
        plain = std::none_of(std::cbegin(kSecretKeyNames), std::cend(kSecretKeyNames),
                             [quoted](QLatin1String key) { return key.size() == quoted.size() && quoted == key; });
        open = document.indexOf(QLatin1Char('"'), close + 1);
    }
    return plain ? document : toJsonText(redactSecrets(fromJsonText(document)));
}

QJsonObject AuditLog::redactSecrets(const QJsonObject &object)
{
    if (!holdsSecret(object))
        return object;
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (secretKeys().contains(it.key()) && !it.value().isObject())
            out.insert(it.key(), it.value().isNull() ? QJsonValue() : QJsonValue(QStringLiteral("***")));
        else
            out.insert(it.key(), redactValue(it.value()));
    }
    return out;
}

QJsonObject AuditLog::Entry::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), QString::number(id)},
                  {QStringLiteral("at"), at},
                  {QStringLiteral("actor"), actor},
                  {QStringLiteral("action"), action},
                  {QStringLiteral("entityType"), entityType},
                  {QStringLiteral("entityId"), entityId}};
    if (!before.isEmpty())
        o.insert(QStringLiteral("before"), before);
    if (!after.isEmpty())
        o.insert(QStringLiteral("after"), after);
    return o;
}

Result<void> AuditLog::record(const QString &actor, const QString &action, const QString &entityType,
                              const QString &entityId, const QJsonObject &before, const QJsonObject &after)
{
    const QJsonObject redactedBefore = redactSecrets(before);
    const QJsonObject redactedAfter = redactSecrets(after);
    auto r = m_db.exec(QStringLiteral("INSERT INTO audit_log (at, actor, action, entity_type, "
                                      "entity_id, before_doc, after_doc) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                       {nowIso(), actor, action, entityType, entityId,
                        before.isEmpty() ? QVariant() : QVariant(toJsonText(redactedBefore)),
                        after.isEmpty() ? QVariant() : QVariant(toJsonText(redactedAfter))});
    if (!r)
        return r.error();
    r->finish();
    return {};
}

Result<void> AuditLog::recordMany(const QString &actor, const QString &action, const QString &entityType,
                                  const QList<Change> &changes, QStringList *written)
{
    if (written) {
        written->clear();
        written->reserve(changes.size());
    }
    // The same rows as record() would write one by one, many per statement.
    // On SQLite the time, actor, action and type, the same in every row,
    // are bound once per statement (numbered placeholders), not once per
    // row: each bound text is converted to UTF-8 and copied.
    constexpr int kColumns = 7;
    constexpr int kShared = 4;
    static const QString head = QStringLiteral(
        "INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES");
    static const MultiRowInsert insert(head, kColumns, 100);
    static const MultiRowInsert sharedInsert(head, kColumns, 200, QString(), kShared);
    const bool shared = m_db.dialect() == Database::Dialect::Sqlite;
    const MultiRowInsert &statement = shared ? sharedInsert : insert;
    const QString at = nowIso();
    QVariantList binds;
    for (qsizetype from = 0; from < changes.size();) {
        const int rows = statement.rowsFor(changes.size() - from);
        binds.clear();
        binds.reserve(rows * kColumns);
        if (shared)
            binds << at << actor << action << entityType;
        for (qsizetype i = from; i < from + rows; ++i) {
            const Change &c = changes.at(i);
            const QString before = c.before.isEmpty() ? QString() : redactedText(c.before);
            const QString after = c.after.isEmpty() ? QString() : redactedText(c.after);
            if (!shared)
                binds << at << actor << action << entityType;
            binds << c.entityId << (before.isEmpty() ? QVariant() : QVariant(before))
                  << (after.isEmpty() ? QVariant() : QVariant(after));
            if (written)
                written->append(after.isEmpty() ? before : after);
        }
        if (auto r = m_db.execWrite(statement.sql(rows), binds); !r)
            return r.error();
        from += rows;
    }
    return {};
}

QString AuditLog::cursorKey(const Entry &entry)
{
    return pairCursorKey(entry.at, QString::number(entry.id));
}

Result<QList<AuditLog::Entry>> AuditLog::list(const Filter &filter, const PageRequest &page)
{
    // No stored actor, action, type or id a filter could mean holds a
    // control character, and PostgreSQL's combination keys rely on the
    // filters not holding their separator (see below).
    for (const QString *value : {&filter.actor, &filter.action, &filter.entityType, &filter.entityId}) {
        if (std::any_of(value->cbegin(), value->cend(),
                        [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; }))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("audit filters (actor, action, entityType, entityId) cannot hold control "
                                        "characters"));
    }
    // The window and the cursor bound `at`; every index ends in (at, id),
    // so they narrow the range the chosen index is read in.
    QString timeSql;
    QVariantList timeBinds;
    if (!filter.since.isEmpty()) {
        timeSql += QLatin1String(" AND at >= ?");
        timeBinds << filter.since;
    }
    if (!filter.until.isEmpty()) {
        timeSql += QLatin1String(" AND at < ?");
        timeBinds << filter.until;
    }
    QString cursorSql;
    QVariantList cursorBinds;
    if (!page.afterKey.isEmpty()) {
        QString afterAt;
        qint64 afterId = 0;
        bool ok = false;
        if (const auto key = parsePairCursorKey(page.afterKey)) {
            afterAt = key->first;
            afterId = key->second.toLongLong(&ok);
            ok = ok && !afterAt.isEmpty();
        } else {
            // A cursor from before entries were ordered by time: the id of
            // the last entry, whose time is looked up.
            afterId = page.afterKey.toLongLong(&ok);
            if (ok) {
                auto q = m_db.exec(QStringLiteral("SELECT at FROM audit_log WHERE id = ?"), {afterId});
                if (!q)
                    return q.error();
                ok = q->next();
                afterAt = ok ? q->value(0).toString() : QString();
                q->finish();
            }
        }
        if (!ok)
            return Error(ErrorCode::InvalidInput, QStringLiteral("cursor is not valid"));
        // `at <= ?` bounds the index range; the rest only breaks ties.
        cursorSql = QStringLiteral(" AND at <= ? AND (at < ? OR id < ?)");
        cursorBinds << afterAt << afterAt << afterId;
    }
    const bool byEntity = !filter.entityId.isEmpty();
    static const char *const kCombinationIndex[] = {
        "audit_at",   "audit_actor",      "audit_action",      "audit_actor_action",
        "audit_type", "audit_actor_type", "audit_type_action", "audit_actor_action_type",
    };
    const int combination =
        (filter.actor.isEmpty() ? 0 : 1) | (filter.action.isEmpty() ? 0 : 2) | (filter.entityType.isEmpty() ? 0 : 4);
    const bool sqlite = m_db.dialect() == Database::Dialect::Sqlite;
    // The import's entries are in indexes of their own (migrations 26 and
    // 27): a page whose filters they could match reads them apart, one
    // range of one of those, and merges the two pages.
    const bool importsApart = !byEntity;
    const bool importsMatch = (filter.action.isEmpty() || filter.action == kImportAction) &&
                              (filter.entityType.isEmpty() || filter.entityType == kImportType);
    const bool othersMatch = !(filter.action == kImportAction && filter.entityType == kImportType);
    const auto read = [&](const QString &sql, const QVariantList &binds) -> Result<QList<Entry>> {
        auto q = m_db.exec(sql, binds);
        if (!q)
            return q.error();
        QList<Entry> out;
        while (q->next()) {
            Entry e;
            e.id = q->value(0).toLongLong();
            e.at = q->value(1).toString();
            e.actor = q->value(2).toString();
            e.action = q->value(3).toString();
            e.entityType = q->value(4).toString();
            e.entityId = q->value(5).toString();
            const auto before = readStoredDocument(q->value(6).toString());
            const auto after = readStoredDocument(q->value(7).toString());
            e.before = before.value_or(QJsonObject());
            e.after = after.value_or(QJsonObject());
            e.unreadable = !before || !after;
            out << e;
        }
        q->finish();
        return out;
    };
    static const QString select = QStringLiteral("SELECT id, at, actor, action, entity_type, entity_id, before_doc, "
                                                 "after_doc FROM audit_log");
    static const QString order = QStringLiteral(" ORDER BY at DESC, id DESC LIMIT ?");

    QList<Entry> imports;
    if (importsApart && importsMatch) {
        // Every entry of these indexes has the import's action and type:
        // only the actor and the time are left to look for.
        QString sql = select;
        if (sqlite)
            sql += QLatin1String(" INDEXED BY ") +
                   (filter.actor.isEmpty() ? QLatin1String("audit_import_at") : QLatin1String("audit_import_actor"));
        sql += QLatin1String(" WHERE ") + kImportEntries;
        QVariantList binds;
        if (!filter.actor.isEmpty() && sqlite) {
            sql += QLatin1String(" AND actor = ?");
            binds << filter.actor;
        } else if (!filter.actor.isEmpty()) {
            // PostgreSQL's import actor index is keyed by actor and action
            // joined (migration 27), an exact key as the others' are (below).
            sql += QLatin1String(" AND actor || chr(31) || action = ?");
            binds << QString(filter.actor + QChar(31) + kImportAction);
        }
        sql += timeSql + cursorSql + order;
        binds << timeBinds << cursorBinds << page.limit;
        auto r = read(sql, binds);
        if (!r)
            return r.error();
        imports = std::move(*r);
    }
    if (importsApart && !othersMatch)
        return imports;

    // Without an entity id, the filters given are exactly the leading
    // columns of their combination's index (migration 23). With one, its
    // index is read (a handful of entries) and the others are written so
    // that no index serves them (`column || ''`): no planner, SQLite or
    // PostgreSQL, is tempted to read a broad filter's index instead.
    // SQLite is told the index: its estimate of a range bounded three times
    // (window and cursor) made it prefer one filter's index over the
    // combination's. PostgreSQL's indexes are keyed by the values joined
    // with a separator (see migration 23; one filter's by its value and the
    // separator after it, migration 27), which the page looks up, and
    // nothing else: the key is exact, as no filter holds the separator
    // (refused above) and an entry holding it in a value has a key with more
    // separators than the filter's. (Checking the columns
    // too made PostgreSQL guess the page would find almost nothing and
    // read and sort the whole window instead.)
    const QLatin1String index(byEntity ? "audit_entity_id" : kCombinationIndex[combination]);
    const bool joinedKey = !sqlite && !byEntity && combination != 0;
    QString sql = select;
    if (sqlite)
        sql += QLatin1String(" INDEXED BY ") + index;
    sql += QLatin1String(" WHERE 1=1");
    if (importsApart) {
        // The indexes' own condition, as they state it: neither SQLite nor
        // PostgreSQL reads a partial index for a query that does not imply
        // it.
        sql += QLatin1String(" AND NOT (") + kImportEntries + QLatin1Char(')');
    }
    QVariantList binds;
    if (joinedKey) {
        // In the order the index joins them (type + action: type first).
        QStringList columns, values;
        const auto add = [&](const char *column, const QString &value) {
            if (!value.isEmpty()) {
                columns << QLatin1String(column);
                values << value;
            }
        };
        if (combination == 6) {
            add("entity_type", filter.entityType);
            add("action", filter.action);
        } else {
            add("actor", filter.actor);
            add("action", filter.action);
            add("entity_type", filter.entityType);
        }
        QString key = columns.join(QLatin1String(" || chr(31) || "));
        QString value = values.join(QChar(31));
        if (columns.size() == 1) {
            key += QLatin1String(" || chr(31)");
            value += QChar(31);
        }
        sql += QStringLiteral(" AND ") + key + QStringLiteral(" = ?");
        binds << value;
    }
    const auto equal = [&](const char *column, const QString &value) {
        if (value.isEmpty())
            return;
        const QLatin1String name(column);
        if (joinedKey)
            return;
        const bool indexed = !byEntity || name == QLatin1String("entity_id");
        sql += indexed ? QStringLiteral(" AND %1 = ?").arg(name) : QStringLiteral(" AND %1 || '' = ?").arg(name);
        binds << value;
    };
    equal("entity_id", filter.entityId);
    equal("actor", filter.actor);
    equal("action", filter.action);
    equal("entity_type", filter.entityType);
    sql += timeSql + cursorSql + order;
    binds << timeBinds << cursorBinds << page.limit;
    auto others = read(sql, binds);
    if (!others)
        return others.error();
    if (imports.isEmpty())
        return others;
    // Both pages in the listing's order (at, id descending): merged, the
    // first `limit` of the two.
    QList<Entry> out;
    out.reserve(page.limit);
    qsizetype i = 0, j = 0;
    const auto newer = [](const Entry &a, const Entry &b) { return a.at != b.at ? a.at > b.at : a.id > b.id; };
    while (out.size() < page.limit && (i < others->size() || j < imports.size())) {
        if (j >= imports.size() || (i < others->size() && newer(others->at(i), imports.at(j))))
            out << others->at(i++);
        else
            out << imports.at(j++);
    }
    return out;
}

Result<int> AuditLog::pruneOlderThan(const QString &cutoff, int maxRows)
{
    // Bounded like the telemetry's: the oldest `maxRows` by audit_at, one
    // statement (one short transaction) each.
    // The import's entries have a time index of their own (migrations 26
    // and 27): the oldest of both ranges, merged in time order (each range
    // is read in order, so nothing is sorted), still one statement per
    // round. SQLite is told each range's index. PostgreSQL merges two
    // ordered ranges (Merge Append) only when each is a limited, ordered
    // subquery of its own; without the inner limits it read both ranges
    // whole and sorted them.
    if (m_db.dialect() == Database::Dialect::Sqlite)
        return m_db.execAffected(QStringLiteral("DELETE FROM audit_log WHERE id IN (SELECT id FROM ("
                                                "SELECT id, at FROM audit_log INDEXED BY audit_at WHERE NOT (") +
                                     kImportEntries +
                                     QStringLiteral(") AND at < ? UNION ALL SELECT id, at FROM audit_log INDEXED BY "
                                                    "audit_import_at WHERE ") +
                                     kImportEntries + QStringLiteral(" AND at < ? ORDER BY at LIMIT ?))"),
                                 {cutoff, cutoff, maxRows});
    return m_db.execAffected(QStringLiteral("DELETE FROM audit_log WHERE id IN (SELECT id FROM ("
                                            "(SELECT id, at FROM audit_log WHERE NOT (") +
                                 kImportEntries +
                                 QStringLiteral(") AND at < ? ORDER BY at LIMIT ?) UNION ALL "
                                                "(SELECT id, at FROM audit_log WHERE ") +
                                 kImportEntries +
                                 QStringLiteral(" AND at < ? ORDER BY at LIMIT ?)) oldest ORDER BY at LIMIT ?)"),
                             {cutoff, maxRows, cutoff, maxRows, maxRows});
}

} // namespace Provisio
