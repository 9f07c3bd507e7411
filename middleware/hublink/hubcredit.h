// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
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
// either). Grants go out as {"op":"credit","messages":N,"bytes":B} on the
// hub's control topic: a committed batch's at once (settled()), so that it
// is queued on the connection before the batch's own acknowledgements and
// a crash can never leave the hub with acknowledged messages whose credit
// never came back; single messages' summed a few times a second
// (handled()). Each grant carries this process's epoch and the running
// totals handled for that hub since it started, so a grant that reaches
// the hub twice (a QoS 1 resend after a reconnect) pays only once, and one
// that is lost is covered by the next; after a failed publish the current
// totals go again at the next connection.
class HubCredit : public QObject
{
    Q_OBJECT
public:
    explicit HubCredit(HubConnections &connections, int intervalMs = 50, QObject *parent = nullptr);

    // `messages` device messages from `hubHost` of `bytes` payload bytes
    // are handled for good.
    void handled(const QString &hubHost, qint64 messages, qint64 bytes);
    // The same, sent now (with whatever else is due).
    void settled(const QString &hubHost, qint64 messages, qint64 bytes);
    // Sends what is due now.
    void flush();

private:
    struct Totals
    {
        qint64 messages = 0;
        qint64 bytes = 0;
        bool unsent = false;
    };
    HubConnections &m_connections;
    QString m_epoch;              // random, per process
    QHash<QString, Totals> m_due; // hub host (lower case) -> handled since start
    QTimer m_timer;
};

} // namespace Provisio
