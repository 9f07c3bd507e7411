// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/telemetrystore.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

namespace Provisio {

// Telemetry received from the hubs and not yet written: the messages waiting
// for the next batch INSERT into the telemetry table, and the per-device
// counters waiting for the next device_activity update. Writing each message
// in its own transaction would cap ingest at the database's commit rate, so
// HubLink collects messages here and writes them every few hundred
// milliseconds or whenever a batch is full.
//
// Bounded, so a database outage cannot exhaust memory: beyond maxPending
// messages or maxBytes of bodies the oldest waiting messages are dropped
// (and counted). Counters are kept apart from the messages, so dropping a
// message never loses its count.
class TelemetryBuffer
{
public:
    struct Options
    {
        int batchSize = 500;
        int maxPending = 100000;
        qint64 maxBytes = 64 * 1024 * 1024;
    };
    using Message = TelemetryStore::Message;
    struct Counter
    {
        QString hubHost;
        qint64 count = 0;
        QDateTime last;
    };

    explicit TelemetryBuffer(Options options) : m_options(options) { }

    // Queues a message and counts it; true when a full batch is waiting.
    bool add(Message message);
    // Hands the waiting messages over, oldest first (to be written).
    QList<Message> takePending();
    // Puts messages back in front after a failed write, within the bounds.
    void restorePending(QList<Message> messages);
    int pendingCount() const { return int(m_pending.size()); }
    qint64 pendingBytes() const { return m_bytes; }
    // Messages dropped so far because the bounds were reached.
    qint64 dropped() const { return m_dropped; }

    // Counts not yet flushed (for a device's total between flushes).
    Counter unflushed(const QString &deviceId) const { return m_unflushed.value(deviceId); }
    // Hands the unflushed counters over (to be added to the database).
    QHash<QString, Counter> takeUnflushed();
    // Puts counters back after a failed flush.
    void restoreUnflushed(const QHash<QString, Counter> &counters);

    const Options &options() const { return m_options; }

private:
    void enforceBounds();

    Options m_options;
    QList<Message> m_pending; // oldest first
    qint64 m_bytes = 0;
    qint64 m_dropped = 0;
    QHash<QString, Counter> m_unflushed;
};

} // namespace Provisio
