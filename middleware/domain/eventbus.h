// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "domainevent.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

namespace Provisio {

// The middleware's in-process event stream: the domain services publish each
// committed change here once, as a typed DomainEvent, and the hub link what
// it observes (presence, reported properties, telemetry); the hub link, the
// live WebSocket feed and the webhook dispatcher listen. Publishing is
// synchronous and cheap when nobody listens.
//
// Event types are dotted, `<category>.<what happened>`:
//   enrollment.created/updated/deleted, enrollmentGroup.created/updated/deleted,
//   device.created/updated/deleted/sold/statusReported/online/offline,
//   customer.*, hub.*, webhook.*,
//   registration.assigned/failed/disabled/deleted, activation.issued/exchanged,
//   activationMail.queued/sent/failed, batchJob.started/progress/finished,
//   twin.reported, telemetry
// (the full list: knownTypes(), the wire name of every EventKind, served as
// GET /api/v1/events/types; filters accept each of them and its category).
// Events carry no secrets: ChangeRecorder redacts the record data as the
// audit log does.
class EventBus : public QObject
{
    Q_OBJECT
public:
    explicit EventBus(QObject *parent = nullptr);

    void publish(DomainEvent event);
    // A batch: events published between beginBatch() and the matching
    // endBatch() (a group commit's registrations) are delivered one by one
    // as ever; batchEnded() then lets a listener decide what it gathered
    // from them together (one read for the group rather than one each).
    void beginBatch() { ++m_batchDepth; }
    void endBatch()
    {
        if (m_batchDepth > 0 && --m_batchDepth == 0)
            Q_EMIT batchEnded();
    }
    bool inBatch() const { return m_batchDepth > 0; }

    // Every event type this middleware publishes (for validation and docs).
    static const QStringList &knownTypes();
    // Type filters as the feed and webhooks take them: "*" (everything),
    // "device" or "device.*" (a category), "device.online" (exactly that
    // type). True when `type` is matched by `pattern`.
    static bool typeMatches(const QString &pattern, const QString &type);
    // A pattern names a known category or a known type (webhooks reject the
    // rest, so a typo is an error rather than a subscription to nothing).
    static bool isKnownPattern(const QString &pattern);

Q_SIGNALS:
    void eventPublished(const Provisio::DomainEvent &event);
    void batchEnded();

private:
    int m_batchDepth = 0;
};

} // namespace Provisio
