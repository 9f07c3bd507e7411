// SPDX-License-Identifier: Apache-2.0
#include "registrationstore.h"
#include "database.h"
#include "jsontext.h"
#include "recordquery.h"

#include "protocol/timeutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace Provisio {

QJsonObject RegistrationRecord::toDoc() const
{
    return toDoc(state.toJson());
}

QJsonObject RegistrationRecord::toDoc(const QJsonObject &stateJson) const
{
    QJsonObject doc{{QStringLiteral("registrationState"), stateJson}, {QStringLiteral("twin"), twin}};
    if (!enrollmentGroupId.isEmpty())
        doc.insert(QStringLiteral("enrollmentGroupId"), enrollmentGroupId);
    if (!operationId.isEmpty())
        doc.insert(QStringLiteral("operationId"), operationId);
    if (!deviceStatus.isEmpty()) {
        doc.insert(QStringLiteral("deviceStatus"), deviceStatus);
        doc.insert(QStringLiteral("deviceStatusDateTimeUtc"), toIsoUtc(deviceStatusDateTimeUtc));
    }
    return doc;
}

Result<RegistrationRecord> RegistrationRecord::fromDoc(const QJsonObject &doc)
{
    auto state = RegistrationState::fromJson(doc.value(QStringLiteral("registrationState")).toObject());
    if (!state)
        return Error(ErrorCode::Internal,
                     QStringLiteral("stored registration is unreadable: ") + state.error().message);
    RegistrationRecord r;
    r.state = *state;
    r.twin = doc.value(QStringLiteral("twin")).toObject();
    r.enrollmentGroupId = doc.value(QStringLiteral("enrollmentGroupId")).toString();
    r.operationId = doc.value(QStringLiteral("operationId")).toString();
    r.deviceStatus = doc.value(QStringLiteral("deviceStatus")).toString();
    r.deviceStatusDateTimeUtc =
        fromIsoUtc(doc.value(QStringLiteral("deviceStatusDateTimeUtc")).toString()).value_or(QDateTime());
    return r;
}

namespace {
const QString kSelect =
    QStringLiteral("SELECT ") + RegistrationStore::recordColumns() + QStringLiteral(" FROM registrations");

// A record whose document cannot be read still has its columns: enough to
// list it, delete it (the etag) and reset its twin.
RegistrationRecord fromColumns(const QVariantList &row)
{
    RegistrationRecord r;
    r.unreadable = true;
    r.state.registrationId = row.value(1).toString();
    r.enrollmentGroupId = row.value(2).toString();
    r.state.deviceId = row.value(3).toString();
    r.state.assignedHub = row.value(4).toString();
    r.state.status = row.value(5).toString();
    r.state.substatus = row.value(6).toString();
    r.state.etag = row.value(7).toString();
    r.state.createdDateTimeUtc = fromIsoUtc(row.value(8).toString()).value_or(QDateTime());
    r.state.lastUpdatedDateTimeUtc = fromIsoUtc(row.value(9).toString()).value_or(QDateTime());
    r.publishedDesiredVersion = row.value(10).toInt();
    return r;
}

// Unlike readDocs, one unreadable document never fails the read: it comes
// back from its columns, flagged, so a page of registrations still lists.
Result<QList<RegistrationRecord>> readRecords(Database &db, const QString &sql, const QVariantList &binds)
{
    const auto rows = db.selectRows(sql, binds, RegistrationStore::kRecordColumnCount);
    if (!rows)
        return rows.error();
    QList<RegistrationRecord> out;
    for (const QVariantList &row : *rows)
        out << RegistrationStore::recordFromRow(row);
    return out;
}

Error registrationChanged()
{
    return Error(ErrorCode::PreconditionFailed,
                 QStringLiteral("the registration was changed meanwhile (etag mismatch); read it again"));
}
} // namespace

QString RegistrationStore::recordColumns(const QString &table)
{
    static const QStringList columns{QStringLiteral("doc"),
                                     QStringLiteral("registration_id"),
                                     QStringLiteral("group_id"),
                                     QStringLiteral("device_id"),
                                     QStringLiteral("assigned_hub"),
                                     QStringLiteral("status"),
                                     QStringLiteral("substatus"),
                                     QStringLiteral("etag"),
                                     QStringLiteral("created"),
                                     QStringLiteral("updated"),
                                     QStringLiteral("desired_published_version")};
    Q_ASSERT(columns.size() == kRecordColumnCount);
    if (table.isEmpty())
        return columns.join(QStringLiteral(", "));
    QStringList qualified;
    for (const QString &c : columns)
        qualified << table + QLatin1Char('.') + c;
    return qualified.join(QStringLiteral(", "));
}

RegistrationRecord RegistrationStore::recordFromRow(const QVariantList &row)
{
    const auto doc = readStoredDocument(row.value(0).toString());
    auto record =
        doc ? RegistrationRecord::fromDoc(*doc) : Result<RegistrationRecord>(Error(ErrorCode::Internal, QString()));
    return record ? *record : fromColumns(row);
}

Result<std::optional<RegistrationRecord>> RegistrationStore::find(const QString &registrationId)
{
    static const QString sql = kSelect + QStringLiteral(" WHERE registration_id = ?");
    return firstOf(readRecords(m_db, sql, {registrationId}));
}

Result<QHash<QString, RegistrationRecord>> RegistrationStore::findMany(const QStringList &registrationIds)
{
    QHash<QString, RegistrationRecord> out;
    for (const InListChunk &chunk : inListChunks(registrationIds)) {
        auto records = readRecords(
            m_db, kSelect + QStringLiteral(" WHERE registration_id IN (") + chunk.placeholders + QLatin1Char(')'),
            chunk.binds);
        if (!records)
            return records.error();
        for (const RegistrationRecord &r : std::as_const(*records))
            out.insert(r.state.registrationId, r);
    }
    return out;
}

Result<RecordPage<RegistrationRecord>> RegistrationStore::list(const Filter &filter, const PageRequest &page)
{
    QString sql = kSelect + QStringLiteral(" WHERE 1=1");
    QVariantList binds;
    if (!filter.assignedHub.isEmpty()) {
        sql += QStringLiteral(" AND LOWER(assigned_hub) = ?");
        binds << filter.assignedHub.toLower();
    }
    if (!filter.status.isEmpty()) {
        sql += QStringLiteral(" AND status = ?");
        binds << filter.status;
    }
    if (!filter.deviceId.isEmpty()) {
        sql += QStringLiteral(" AND device_id = ?");
        binds << filter.deviceId;
    }
    if (!filter.groupId.isEmpty()) {
        sql += QStringLiteral(" AND group_id = ?");
        binds << filter.groupId;
    }
    if (!page.afterKey.isEmpty()) {
        sql += QStringLiteral(" AND registration_id > ?");
        binds << page.afterKey;
    }
    sql += QStringLiteral(" ORDER BY registration_id LIMIT ?");
    binds << page.limit + 1;
    auto items = readRecords(m_db, sql, binds);
    if (!items)
        return items.error();
    return pageOf(*items, page.limit, [](const RegistrationRecord &r) { return r.state.registrationId; });
}

Result<void> RegistrationStore::save(const RegistrationRecord &record)
{
    return save(record, QJsonDocument(record.state.toJson()).toJson(QJsonDocument::Compact));
}

namespace {
// A JSON string as QJsonDocument's compact form writes it.
QByteArray jsonString(const QString &text)
{
    bool plain = true;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u >= 0x7f || u == u'"' || u == u'\\') {
            plain = false;
            break;
        }
    }
    if (plain)
        return '"' + text.toLatin1() + '"';
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.sliced(1, array.size() - 2);
}

// An object's text from `head` (its members sorting before
// "registrationState", rendered, without braces), the rendered state and
// `tail` (the members after it, each with its leading comma): the keys of a
// QJsonObject render sorted, so this is the text QJsonDocument would write.
QString spliceState(const QByteArray &head, const QByteArray &stateText, const QByteArray &tail)
{
    QByteArray text;
    text.reserve(head.size() + stateText.size() + tail.size() + 24);
    text += '{';
    if (!head.isEmpty())
        text += head + ',';
    text += "\"registrationState\":" + stateText + tail + '}';
    return QString::fromUtf8(text);
}

// An operation's document around its state's text.
QString operationDocText(const OperationRecord &op, const QByteArray &stateText)
{
    return spliceState("\"operationId\":" + jsonString(op.operation.operationId), stateText,
                       ",\"status\":" + jsonString(op.operation.status));
}

Result<void> writeOperation(Database &db, const OperationRecord &op, const QString &docText)
{
    return db.execWrite(QStringLiteral("INSERT INTO operations (operation_id, registration_id, status, created, "
                                       "updated, doc) VALUES (?, ?, ?, ?, ?, ?) "
                                       "ON CONFLICT (operation_id) DO UPDATE SET status = excluded.status, "
                                       "updated = excluded.updated, doc = excluded.doc"),
                        {op.operation.operationId, op.registrationId, op.operation.status, toIsoUtc(op.created),
                         toIsoUtc(op.updated), docText});
}
} // namespace

namespace {
// What save() binds for a record, its document written around `stateText`.
QVariantList recordValues(const RegistrationRecord &record, const QByteArray &stateText)
{
    // toDoc()'s members around the state, written as text in QJsonObject's
    // order: those sorting before "registrationState", then the twin.
    QString head(QLatin1Char('{'));
    if (!record.deviceStatus.isEmpty()) {
        appendJsonMember(head, QLatin1String("deviceStatus"), record.deviceStatus);
        appendJsonMember(head, QLatin1String("deviceStatusDateTimeUtc"), toIsoUtc(record.deviceStatusDateTimeUtc));
    }
    if (!record.enrollmentGroupId.isEmpty())
        appendJsonMember(head, QLatin1String("enrollmentGroupId"), record.enrollmentGroupId);
    if (!record.operationId.isEmpty())
        appendJsonMember(head, QLatin1String("operationId"), record.operationId);
    const QByteArray headText = QStringView(head).sliced(1).toUtf8();
    QString twin;
    const QByteArray twinText =
        appendJsonObject(twin, record.twin) ? twin.toUtf8() : QJsonDocument(record.twin).toJson(QJsonDocument::Compact);
    const QString docText = spliceState(headText, stateText, ",\"twin\":" + twinText);
    const RegistrationState &s = record.state;
    return {s.registrationId,
            nullIfEmpty(record.enrollmentGroupId),
            nullIfEmpty(s.deviceId),
            nullIfEmpty(s.assignedHub),
            s.status,
            nullIfEmpty(s.substatus),
            nullIfEmpty(record.operationId),
            s.etag,
            toIsoUtc(s.createdDateTimeUtc),
            toIsoUtc(s.lastUpdatedDateTimeUtc),
            docText};
}

const QLatin1String kRecordInsert("INSERT INTO registrations (registration_id, group_id, device_id, assigned_hub, "
                                  "status, substatus, operation_id, etag, created, updated, doc) VALUES ");
const QLatin1String kRecordRow("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
const QLatin1String kRecordConflict(" ON CONFLICT (registration_id) DO UPDATE SET group_id = excluded.group_id, "
                                    "device_id = excluded.device_id, assigned_hub = excluded.assigned_hub, "
                                    "status = excluded.status, substatus = excluded.substatus, "
                                    "operation_id = excluded.operation_id, etag = excluded.etag, "
                                    "created = excluded.created, updated = excluded.updated, doc = excluded.doc");
const QLatin1String
    kOperationInsert("INSERT INTO operations (operation_id, registration_id, status, created, updated, doc) VALUES ");
const QLatin1String kOperationRow("(?, ?, ?, ?, ?, ?)");
const QLatin1String kOperationConflict(" ON CONFLICT (operation_id) DO UPDATE SET status = excluded.status, "
                                       "updated = excluded.updated, doc = excluded.doc");

// Writes `count` rows, each `valuesOf(i)`, with multi-row statements of a
// power of two rows each (at most 64): a few statement texts, each
// prepared once. No key may occur twice among the rows (PostgreSQL's
// upsert refuses to change one row twice in a statement).
template<typename ValuesOf>
Result<void> writeRows(Database &db, QLatin1String insert, QLatin1String row, QLatin1String conflict, qsizetype count,
                       ValuesOf valuesOf)
{
    for (qsizetype from = 0; from < count;) {
        qsizetype rows = 64;
        while (rows > count - from)
            rows /= 2;
        QString sql = insert;
        QVariantList binds;
        for (qsizetype i = 0; i < rows; ++i) {
            if (i > 0)
                sql += QLatin1String(", ");
            sql += row;
            binds += valuesOf(from + i);
        }
        sql += conflict;
        if (auto written = db.execWrite(sql, binds); !written)
            return written.error();
        from += rows;
    }
    return {};
}
} // namespace

Result<void> RegistrationStore::save(const RegistrationRecord &record, const QByteArray &stateText)
{
    // Every registration writes this, the operation and the prune: through
    // execWrite, which binds without Qt SQL's per-value name look-up.
    return m_db.execWrite(
        QStringLiteral("INSERT INTO registrations (registration_id, group_id, device_id, assigned_hub, status, "
                       "substatus, operation_id, etag, created, updated, doc) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (registration_id) DO UPDATE SET group_id = excluded.group_id, "
                       "device_id = excluded.device_id, assigned_hub = excluded.assigned_hub, "
                       "status = excluded.status, substatus = excluded.substatus, "
                       "operation_id = excluded.operation_id, etag = excluded.etag, "
                       "created = excluded.created, updated = excluded.updated, doc = excluded.doc"),
        recordValues(record, stateText));
}

Result<void> RegistrationStore::saveMany(const QList<StateWrite> &writes)
{
    // On SQLite a statement per row costs no more than a multi-row one
    // (the work is the B-tree's, per row); on PostgreSQL a statement is a
    // round trip.
    if (m_db.dialect() == Database::Dialect::Sqlite) {
        for (const StateWrite &w : writes) {
            if (auto saved = save(*w.record, *w.stateText); !saved)
                return saved.error();
        }
        return {};
    }
    return writeRows(m_db, kRecordInsert, kRecordRow, kRecordConflict, writes.size(),
                     [&writes](qsizetype i) { return recordValues(*writes.at(i).record, *writes.at(i).stateText); });
}

Result<void> RegistrationStore::update(const RegistrationRecord &record, const QString &expectedEtag)
{
    const RegistrationState &s = record.state;
    return execIfEtag(
        m_db,
        QStringLiteral("UPDATE registrations SET group_id = ?, device_id = ?, assigned_hub = ?, status = ?, "
                       "substatus = ?, operation_id = ?, etag = ?, updated = ?, doc = ? "
                       "WHERE registration_id = ? AND etag = ?"),
        {nullIfEmpty(record.enrollmentGroupId), nullIfEmpty(s.deviceId), nullIfEmpty(s.assignedHub), s.status,
         nullIfEmpty(s.substatus), nullIfEmpty(record.operationId), s.etag, toIsoUtc(s.lastUpdatedDateTimeUtc),
         toJsonText(record.toDoc()), s.registrationId, expectedEtag},
        registrationChanged());
}

Result<void> RegistrationStore::remove(const QString &registrationId, const QString &expectedEtag)
{
    if (auto r = execIfEtag(m_db, QStringLiteral("DELETE FROM registrations WHERE registration_id = ? AND etag = ?"),
                            {registrationId, expectedEtag}, registrationChanged());
        !r)
        return r.error();
    auto ops = m_db.execAffected(QStringLiteral("DELETE FROM operations WHERE registration_id = ?"), {registrationId});
    if (!ops)
        return ops.error();
    return {};
}

Result<void> RegistrationStore::saveOperation(const OperationRecord &op)
{
    return writeOperation(m_db, op, toJsonText(op.operation.toJson()));
}

Result<void> RegistrationStore::saveOperation(const OperationRecord &op, const QByteArray &stateText)
{
    return writeOperation(m_db, op, operationDocText(op, stateText));
}

Result<void> RegistrationStore::saveOperations(const QList<OperationWrite> &writes)
{
    if (m_db.dialect() == Database::Dialect::Sqlite) {
        for (const OperationWrite &w : writes) {
            if (auto saved = saveOperation(*w.operation, *w.stateText); !saved)
                return saved.error();
        }
        return {};
    }
    return writeRows(m_db, kOperationInsert, kOperationRow, kOperationConflict, writes.size(), [&writes](qsizetype i) {
        const OperationRecord &op = *writes.at(i).operation;
        return QVariantList{op.operation.operationId, op.registrationId,
                            op.operation.status,      toIsoUtc(op.created),
                            toIsoUtc(op.updated),     operationDocText(op, *writes.at(i).stateText)};
    });
}

Result<std::optional<OperationRecord>> RegistrationStore::findOperation(const QString &operationId)
{
    auto q = m_db.exec(QStringLiteral("SELECT registration_id, created, updated, doc FROM operations "
                                      "WHERE operation_id = ?"),
                       {operationId});
    if (!q)
        return q.error();
    if (!q->next()) {
        q->finish();
        return std::optional<OperationRecord>();
    }
    OperationRecord rec;
    rec.registrationId = q->value(0).toString();
    rec.created = fromIsoUtc(q->value(1).toString()).value_or(QDateTime());
    rec.updated = fromIsoUtc(q->value(2).toString()).value_or(QDateTime());
    const QString doc = q->value(3).toString();
    q->finish();
    auto op = RegistrationOperation::fromJson(fromJsonText(doc));
    if (!op)
        return Error(ErrorCode::Internal, QStringLiteral("stored operation is unreadable: ") + op.error().message);
    rec.operation = *op;
    return std::optional<OperationRecord>(rec);
}

Result<void> RegistrationStore::pruneOperations(const QString &registrationId, const QDateTime &before)
{
    return m_db.execWrite(QStringLiteral("DELETE FROM operations WHERE registration_id = ? AND updated < ?"),
                          {registrationId, toIsoUtc(before)});
}

Result<void> RegistrationStore::pruneOperations(const QStringList &registrationIds, const QDateTime &before)
{
    // On SQLite a statement per id: a list of ids costs SQLite a temporary
    // table per statement, more than the statements it saves (measured in
    // the group commit); on PostgreSQL, where each statement is a round
    // trip, a statement per chunk.
    if (m_db.dialect() == Database::Dialect::Sqlite) {
        for (const QString &id : registrationIds) {
            if (auto pruned = pruneOperations(id, before); !pruned)
                return pruned.error();
        }
        return {};
    }
    const QString cutoff = toIsoUtc(before);
    for (qsizetype from = 0; from < registrationIds.size(); from += kPruneChunk) {
        const qsizetype count = qMin<qsizetype>(kPruneChunk, registrationIds.size() - from);
        // The list padded to a power of two with its last id (listed twice,
        // it matches the same rows): a handful of statement texts, each
        // prepared once, rather than one per group size.
        qsizetype slots = 1;
        while (slots < count)
            slots *= 2;
        QString sql = QStringLiteral("DELETE FROM operations WHERE updated < ? AND registration_id IN (?");
        sql.reserve(sql.size() + slots * 3);
        QVariantList binds;
        binds.reserve(slots + 1);
        binds << cutoff;
        for (qsizetype i = 0; i < slots; ++i) {
            if (i > 0)
                sql += QLatin1String(", ?");
            binds << registrationIds.at(from + qMin(i, count - 1));
        }
        sql += QLatin1Char(')');
        if (auto pruned = m_db.execWrite(sql, binds); !pruned)
            return pruned.error();
    }
    return {};
}

} // namespace Provisio
