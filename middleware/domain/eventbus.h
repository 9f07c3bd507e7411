// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "domainevent.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

namespace Provisio {

class AuditLog;

// The middleware's in-process event stream: every committed change (through
// the audit log) and, later, what the hub link observes (presence, reported
// properties, telemetry) is published here once; the live WebSocket feed and
// the webhook dispatcher listen. Publishing is synchronous and cheap when
// nobody listens.
//
// Event types are dotted, `<category>.<what happened>`:
//   enrollment.created/updated/deleted, enrollmentGroup.created/updated/deleted,
//   device.created/updated/deleted/sold/statusReported/online/offline,
//   customer.*, hub.*, webhook.*,
//   registration.assigned/failed/disabled/deleted, activation.issued/exchanged,
//   twin.reported, telemetry
// (the full list: knownTypes(), served as GET /api/v1/events/types).
// Events carry no secrets: record data comes from the audit log, which
// redacts keys and tokens.
class EventBus : public QObject
{
    Q_OBJECT
public:
    explicit EventBus(QObject *parent = nullptr);

    void publish(DomainEvent event);

    // The event an audited change becomes: type = entityType + "." + action in
    // the past tense ("device" + "sell" -> "device.sold"), data = `after`, or
    // `before` when the record is gone, device and registration ids taken from
    // the entity or the record. `before`/`after` must already be redacted.
    static std::optional<DomainEvent> fromAuditEntry(const QString &action, const QString &entityType,
                                                     const QString &entityId, const QJsonObject &before,
                                                     const QJsonObject &after);

    // Every event type this middleware publishes (for validation and docs).
    static const QStringList &knownTypes();
    // Type filters as the feed and webhooks take them: "*" (everything),
    // "device" or "device.*" (a category), "device.online" (exactly that
    // type). True when `type` is matched by `pattern`.
    static bool typeMatches(const QString &pattern, const QString &type);
    // A pattern names a known category or a known type (webhooks reject the
    // rest, so a typo is an error rather than a subscription to nothing).
    static bool isKnownPattern(const QString &pattern);

    // Every change the audit log records becomes an event once its
    // transaction has committed.
    void followAuditLog(AuditLog &audit);

Q_SIGNALS:
    void eventPublished(const Provisio::DomainEvent &event);
};

} // namespace Provisio
