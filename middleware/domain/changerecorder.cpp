// SPDX-License-Identifier: Apache-2.0
#include "changerecorder.h"
#include "eventbus.h"

#include "base/servicecontext.h"
#include "storage/auditlog.h"
#include "storage/database.h"

#include <QPointer>

namespace Provisio {

namespace {
QString stringMember(const QJsonObject &o, const QString &key)
{
    const QJsonValue v = o.value(key);
    return v.isString() ? v.toString() : QString();
}
} // namespace

ChangeRecorder::ChangeRecorder(ServiceContext &ctx) : ChangeRecorder(ctx.db, ctx.audit, ctx.events) { }

Result<void> ChangeRecorder::record(EventKind kind, const Change &change)
{
    if (auto a = m_audit.record(change.actor, change.action, change.entityType, change.entityId, change.before,
                                change.after);
        !a)
        return a.error();
    publishAfterCommit(eventFor(kind, change.entityId, change.after.isEmpty() ? change.before : change.after));
    return {};
}

Result<void> ChangeRecorder::recordMany(EventKind kind, const QString &actor, const QString &action,
                                        const QString &entityType, const QList<AuditLog::Change> &changes)
{
    QStringList texts;
    if (auto a = m_audit.recordMany(actor, action, entityType, changes, &texts); !a)
        return a.error();
    QStringList entityIds;
    entityIds.reserve(changes.size());
    for (const AuditLog::Change &c : changes)
        entityIds.append(c.entityId);
    publishMany(kind, entityIds, texts);
    return {};
}

namespace {
QList<DomainEvent> eventsOf(EventKind kind, const QStringList &entityIds, const QStringList &texts)
{
    Q_ASSERT(entityIds.size() == texts.size());
    const QString category = categoryOf(kind);
    const bool onDevice = category == QLatin1String("device");
    const bool onEnrollment = category == QLatin1String("enrollment") || category == QLatin1String("registration") ||
                              category == QLatin1String("activation");
    QList<DomainEvent> events;
    events.reserve(entityIds.size());
    for (qsizetype i = 0; i < entityIds.size(); ++i) {
        DomainEvent e;
        e.kind = kind;
        e.entityId = entityIds.at(i);
        e.dataText = texts.at(i);
        if (onDevice)
            e.deviceId = e.entityId;
        if (onEnrollment)
            e.registrationId = e.entityId;
        events.append(std::move(e));
    }
    return events;
}

// One callback for a batch, stamped once: the events were committed
// together.
std::function<void()> publisherOf(QPointer<EventBus> bus, QList<DomainEvent> events)
{
    return [bus, events = std::move(events)]() mutable {
        const QString at = nowIso();
        for (DomainEvent &e : events) {
            if (!bus)
                return;
            e.at = at;
            bus->publish(std::move(e));
        }
    };
}
} // namespace

void ChangeRecorder::publishMany(EventKind kind, const QStringList &entityIds, const QStringList &texts)
{
    m_db.afterCommit(publisherOf(QPointer<EventBus>(&m_events), eventsOf(kind, entityIds, texts)));
}

void ChangeRecorder::publishManyLater(EventKind kind, const QStringList &entityIds, const QStringList &texts)
{
    QMetaObject::invokeMethod(&m_events, publisherOf(QPointer<EventBus>(&m_events), eventsOf(kind, entityIds, texts)),
                              Qt::QueuedConnection);
}

void ChangeRecorder::publishAfterCommit(DomainEvent event)
{
    QPointer<EventBus> events(&m_events);
    m_db.afterCommit([events, event = std::move(event)] {
        if (events)
            events->publish(event);
    });
}

DomainEvent ChangeRecorder::eventFor(EventKind kind, const QString &entityId, const QJsonObject &record)
{
    DomainEvent e;
    e.kind = kind;
    e.entityId = entityId;
    e.data = AuditLog::redactSecrets(record);
    e.deviceId = stringMember(e.data, QStringLiteral("deviceId"));
    e.registrationId = stringMember(e.data, QStringLiteral("registrationId"));
    const QJsonObject state = e.data.value(QStringLiteral("registrationState")).toObject();
    if (e.deviceId.isEmpty())
        e.deviceId = stringMember(state, QStringLiteral("deviceId"));
    e.hub = stringMember(state, QStringLiteral("assignedHub"));
    const QString category = categoryOf(kind);
    if (category == QLatin1String("device") && e.deviceId.isEmpty())
        e.deviceId = entityId;
    // Activation codes are recorded on their enrollment.
    const bool onEnrollment = category == QLatin1String("enrollment") || category == QLatin1String("registration") ||
                              category == QLatin1String("activation");
    if (onEnrollment && e.registrationId.isEmpty())
        e.registrationId = entityId;
    return e;
}

} // namespace Provisio
