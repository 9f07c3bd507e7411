// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

namespace Provisio {

class HubConnections;

// Returns credit to the hubs (docs/architecture.md "Back-pressure"): each
// hub admits device messages only while what the middleware has not yet
// confirmed stays within its window. Telemetry is confirmed once its batch
// is committed, everything else once its handler has run (or once it was
// refused: a message the middleware will never store must not hold credit
// either). A confirmation names each delivery by its identity
// (deliveryidentity.h), {"op":"credit","deliveries":"<base64>"} on the
// hub's control topic, and the hub pays only charges it holds under that
// identity: a confirmation that reaches it twice (a QoS 1 resend after a
// reconnect, a stored message delivered again because its PUBACK was lost)
// pays once, and neither this process nor the hub restarting leaves counts
// to reconcile. A committed batch's confirmations go at once (settled()),
// so they are queued on the connection before the batch's own
// acknowledgements; single messages' a few times a second (handled()). What
// could not be sent (no connection, a publish the hub did not acknowledge)
// goes again at the next connection: sending twice is harmless.
class HubCredit : public QObject
{
    Q_OBJECT
public:
    explicit HubCredit(HubConnections &connections, int intervalMs = 50, QObject *parent = nullptr);

    // The device messages of these delivery identities from `hubHost` are
    // handled for good.
    void handled(const QString &hubHost, const QList<quint64> &deliveries);
    // The same, sent now (with whatever else is due).
    void settled(const QString &hubHost, const QList<quint64> &deliveries);
    // Sends what is due now.
    void flush();

    // Unsent confirmations kept per hub while it is unreachable; beyond
    // this the oldest go (the hub forgets an absent session's charges
    // after plugin_opt_credit_abandoned_seconds anyway). A hub delivers no
    // more than its in-flight window per connection, so this is reached
    // only when connections keep failing right after delivering.
    static constexpr qsizetype kMaxUnsent = 1000000;

private:
    HubConnections &m_connections;
    QHash<QString, QList<quint64>> m_due; // hub host (lower case) -> identities not sent yet
    QTimer m_timer;
};

} // namespace Provisio
