// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QStringList>

#include "core/result.h"
#include "protocol/registrationstate.h"
#include "recordpage.h"
#include "recordutil.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Provisio {

class Database;

// What the middleware remembers about one device's registration: the DPS
// registration state (the device -> hub mapping) plus the device's twin as
// the middleware will publish it. The state's payload holds only what a
// custom allocation webhook returned; hub secrets (payload.provisio) are
// derived when answering, never stored.
struct RegistrationRecord
{
    RegistrationState state;
    QString enrollmentGroupId; // empty for an individual enrollment
    // {"tags": {...}, "properties": {"desired": {..., "$version": n}}}
    QJsonObject twin;
    QString operationId; // the latest operation
    // The provisioning status the device last reported (a reported
    // property, see hublink/), and when; empty until it reports one.
    QString deviceStatus;
    QDateTime deviceStatusDateTimeUtc;
    // The stored document could not be read (stored before the JSON limits,
    // or corrupted): the state holds only what the table's columns keep and
    // the twin is empty. Such a record is listed, never acted on; it can be
    // deleted or its twin reset (Registrations::resetTwin).
    bool unreadable = false;
    int publishedDesiredVersion = 0; // read with unreadable records only

    QJsonObject toDoc() const;
    // The same, with `stateJson` already rendered from `state` (a caller
    // that also shows or stores the state renders it once).
    QJsonObject toDoc(const QJsonObject &stateJson) const;
    static Result<RegistrationRecord> fromDoc(const QJsonObject &doc);
};

// One registration attempt as the device polls it.
struct OperationRecord
{
    RegistrationOperation operation;
    QString registrationId;
    QDateTime created;
    QDateTime updated;
};

// Registration records and registration operations.
class RegistrationStore
{
public:
    explicit RegistrationStore(Database &db) : m_db(db) { }

    // registrationId must already be normalized.
    Result<std::optional<RegistrationRecord>> find(const QString &registrationId);

    // A record's columns as a select list (each prefixed with `table.` when
    // given), and the record from a row of them; an unreadable document
    // comes back from its columns, flagged `unreadable`. For a read that
    // joins the record to another table (EnrollmentStore's key-check read).
    static constexpr int kRecordColumnCount = 11;
    static QString recordColumns(const QString &table = QString());
    static RegistrationRecord recordFromRow(const QVariantList &row);
    // Several at once (a CRM list page); ids without a registration are absent.
    Result<QHash<QString, RegistrationRecord>> findMany(const QStringList &registrationIds);

    struct Filter
    {
        QString assignedHub; // host, case-insensitive
        QString status;
        QString deviceId;
        QString groupId; // registrations made through this enrollment group
    };
    // Ordered by registration id; the page cursor is the last id.
    Result<RecordPage<RegistrationRecord>> list(const Filter &filter, const PageRequest &page);

    // Inserts or replaces the record as given (etag and timestamps are the
    // caller's: an unchanged re-registration keeps its etag).
    Result<void> save(const RegistrationRecord &record);
    // The same, with the state already rendered as compact JSON text
    // (QJsonDocument::Compact of record.state.toJson()): the stored document
    // is that text between the record's other members, byte for byte what
    // save(record) writes, without rendering the state again.
    Result<void> save(const RegistrationRecord &record, const QByteArray &stateText);
    // save(record, stateText) of several records at once (the group
    // commit's); no registration id twice. On PostgreSQL multi-row
    // statements (a round trip per up to 64 records), on SQLite a
    // statement per record.
    struct StateWrite
    {
        const RegistrationRecord *record;
        const QByteArray *stateText;
    };
    Result<void> saveMany(const QList<StateWrite> &writes);
    // Replaces only when the stored etag is expectedEtag.
    Result<void> update(const RegistrationRecord &record, const QString &expectedEtag);
    // Forgets the registration and its operations; the next registration is
    // an initial assignment again.
    Result<void> remove(const QString &registrationId, const QString &expectedEtag);

    Result<void> saveOperation(const OperationRecord &operation);
    // The same for an operation with a registration state, the state given
    // as save()'s compact text (the document is what operation.toJson()
    // renders: operationId, registrationState, status).
    Result<void> saveOperation(const OperationRecord &operation, const QByteArray &stateText);
    // saveOperation(operation, stateText) of several at once, as saveMany();
    // no operation id twice.
    struct OperationWrite
    {
        const OperationRecord *operation;
        const QByteArray *stateText;
    };
    Result<void> saveOperations(const QList<OperationWrite> &writes);
    Result<std::optional<OperationRecord>> findOperation(const QString &operationId);
    // Drops a registration's operations older than `before`: devices poll an
    // operation for seconds, not days.
    Result<void> pruneOperations(const QString &registrationId, const QDateTime &before);
    // The same for several registrations at once (the group commit's): on
    // PostgreSQL a statement per up to kPruneChunk ids rather than a round
    // trip per registration.
    static constexpr int kPruneChunk = 64;
    Result<void> pruneOperations(const QStringList &registrationIds, const QDateTime &before);

private:
    Database &m_db;
};

} // namespace Provisio
