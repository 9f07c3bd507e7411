// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mqtt/mqtttopic.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <list>

namespace Provisio {

// The latest telemetry messages per device, in memory, for
// GET /api/v1/devices/{id}/telemetry, plus the counters not yet flushed to
// the database. Bounded three ways so a busy fleet cannot exhaust memory:
// at most messagesPerDevice per device, at most maxDevices devices (the
// least recently active is forgotten first) and at most maxBytes of bodies
// overall (again least recently active devices go first). Unflushed counters
// are kept apart from the messages, so evicting a device's messages never
// loses its count.
class TelemetryBuffer
{
public:
    struct Options
    {
        int messagesPerDevice = 100;
        int maxDevices = 10000;
        qint64 maxBytes = 64 * 1024 * 1024;
    };
    struct Message
    {
        QDateTime received;
        MqttTopic::PropertyBag properties;
        QByteArray body;
    };
    struct Counter
    {
        QString hubHost;
        qint64 count = 0;
        QDateTime last;
    };

    explicit TelemetryBuffer(Options options) : m_options(options) {}

    void add(const QString &deviceId, const QString &hubHost, Message message);
    // The newest `limit` messages, newest first.
    QList<Message> latest(const QString &deviceId, int limit) const;
    // Counts not yet flushed (for a device's total between flushes).
    Counter unflushed(const QString &deviceId) const { return m_unflushed.value(deviceId); }
    // Hands the unflushed counters over (to be added to the database).
    QHash<QString, Counter> takeUnflushed();
    // Puts counters back after a failed flush.
    void restoreUnflushed(const QHash<QString, Counter> &counters);

    int deviceCount() const { return int(m_devices.size()); }
    qint64 bytes() const { return m_bytes; }
    const Options &options() const { return m_options; }

private:
    struct Device
    {
        std::deque<Message> messages;
        std::list<QString>::iterator lru;
        qint64 bytes = 0;
    };
    void evictOne();

    Options m_options;
    QHash<QString, Device> m_devices;
    std::list<QString> m_lru; // front = most recently active
    qint64 m_bytes = 0;
    QHash<QString, Counter> m_unflushed;
};

} // namespace Provisio
