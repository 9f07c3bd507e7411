// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/telemetrystore.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>

namespace Provisio {

// Telemetry received from the hubs and not yet written: the messages waiting
// for the next batch INSERT into the telemetry table, and the per-device
// counters waiting for the next device_activity update. Writing each message
// in its own transaction would cap ingest at the database's commit rate, so
// HubLink collects messages here and writes them in batches.
//
// Every waiting message carries the acknowledgement its hub waits for; it
// is called only after the batch holding the message committed (stored
// before acknowledged). Nothing is ever dropped here: what waits is bounded
// by the hubs' in-flight windows (a hub sends no more unacknowledged
// deliveries per session than its max_inflight_messages, and MqttSession
// disconnects one that holds more than 65,535 unacknowledged), so a
// database outage stops acknowledgements instead of growing memory.
//
// A delivery the hub sends again (DUP, after a reconnect of the same
// session) while its first copy still waits here takes over that copy's
// acknowledgement instead of being added a second time.
class TelemetryBuffer
{
public:
    struct Options
    {
        int batchSize = 500;
    };
    using Message = TelemetryStore::Message;
    struct Entry
    {
        Message message;
        std::function<void()> acknowledge; // after the commit; may be empty
        quint64 delivery = 0;              // its identity for the hub's credit (deliveryidentity.h)
    };
    struct Counter
    {
        QString hubHost;
        qint64 count = 0;
        QDateTime last;
    };

    explicit TelemetryBuffer(Options options) : m_options(options) { }

    // Queues a message and counts it; true when a full batch is waiting.
    bool add(Message message, std::function<void()> acknowledge = {}, quint64 delivery = 0);
    // A redelivery of a waiting message (same delivery key and digest):
    // its acknowledgement replaces the waiting copy's. False when no such
    // message waits.
    bool adoptRedelivery(const Message &message, std::function<void()> acknowledge);
    // Hands the waiting messages over, oldest first (to be written).
    QList<Entry> takePending();
    // Puts messages back in front after a failed write.
    void restorePending(QList<Entry> entries);
    int pendingCount() const { return int(m_pending.size()); }
    qint64 pendingBytes() const { return m_bytes; }

    // Counts not yet flushed (for a device's total between flushes).
    Counter unflushed(const QString &deviceId) const { return m_unflushed.value(deviceId); }
    // Hands the unflushed counters over (to be added to the database).
    QHash<QString, Counter> takeUnflushed();
    // Puts counters back after a failed flush.
    void restoreUnflushed(const QHash<QString, Counter> &counters);

    const Options &options() const { return m_options; }

private:
    Options m_options;
    QList<Entry> m_pending; // oldest first
    qint64 m_bytes = 0;
    QHash<QString, Counter> m_unflushed;
};

} // namespace Provisio
