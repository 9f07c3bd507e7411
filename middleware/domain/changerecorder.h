// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "domainevent.h"

#include "core/result.h"
#include "storage/auditlog.h"

#include <QJsonObject>
#include <QString>

namespace Provisio {

class Database;
class EventBus;
struct ServiceContext;

// What each domain service does with a change inside the change's
// transaction: the audit entry, and the typed event the service names,
// published once that transaction has committed (never for one rolled back).
// The event's kind is the service's decision, not something read back from
// the audit verb.
class ChangeRecorder
{
public:
    ChangeRecorder(Database &db, AuditLog &audit, EventBus &events) : m_db(db), m_audit(audit), m_events(events) { }
    explicit ChangeRecorder(ServiceContext &ctx);

    struct Change
    {
        QString actor;
        QString action; // the audit verb: create, update, sell, ...
        QString entityType;
        QString entityId;
        QJsonObject before;
        QJsonObject after;
    };
    // Audits `change`, then publishes `kind` about the changed record after
    // commit (data: `after`, or `before` when the record is gone, redacted).
    Result<void> record(EventKind kind, const Change &change);
    // record() for many changes of one kind, action and actor at once
    // (the CSV import): an audit entry and an event each, the entries
    // written many per statement from the records' JSON text. Each event
    // carries the text its entry holds (DomainEvent::dataText) and names
    // the record by its entity id only (a device event's deviceId is the
    // serial): for records that hold no other device or registration id,
    // as devices do.
    Result<void> recordMany(EventKind kind, const QString &actor, const QString &action, const QString &entityType,
                            const QList<AuditLog::Change> &changes);
    // The events recordMany publishes, for entries another connection
    // wrote and committed (the CSV import's writer thread): `texts` as
    // AuditLog::recordMany gave them, one per entity id. Published once
    // the current transaction commits (at once outside a transaction).
    void publishMany(EventKind kind, const QStringList &entityIds, const QStringList &texts);
    // publishMany for changes already committed, published once the event
    // loop is back, after what the caller is doing (the import's answer,
    // which the events would otherwise hold back while every listener sees
    // them). Their order stays that of their commit: whatever a client does
    // once it has the answer comes after them.
    void publishManyLater(EventKind kind, const QStringList &entityIds, const QStringList &texts);
    // Publishes `event` once the current transaction commits (at once
    // outside a transaction).
    void publishAfterCommit(DomainEvent event);

    // The event about a record: device, registration and hub ids read from
    // the record (or its registrationState); `record` is redacted here.
    static DomainEvent eventFor(EventKind kind, const QString &entityId, const QJsonObject &record);

    Database &database() const { return m_db; }

private:
    Database &m_db;
    AuditLog &m_audit;
    EventBus &m_events;
};

} // namespace Provisio
