// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "mqtt/mqtttopic.h"
#include "storage/recordpage.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace Provisio {

class Database;

// Device telemetry history in the `telemetry` table (migration 6), so it
// survives restarts and every middleware instance answers the same history
// whichever instance's shared subscription received a message. Writes come
// in batches (TelemetryBuffer collects them); retention is by count per
// device and by age, both applied by prune calls rather than on every write,
// so ingest costs one multi-row INSERT per batch.
class TelemetryStore
{
public:
    explicit TelemetryStore(Database &db) : m_db(db) { }

    struct Message
    {
        qint64 id = 0; // assigned on insert
        QString deviceId;
        QString hubHost;
        QDateTime received;
        MqttTopic::PropertyBag properties;
        QByteArray body;
        // The message's identity when it has one (the device's `$.mid`):
        // unique per device, so a redelivery is not stored twice.
        QString messageId;
        // Without an identity, the delivery it came in: the hub session
        // ("<client id>|<hub>"), the packet identifier (0: not a QoS 1
        // delivery) and a digest of topic and body (kDigestBytes bytes). A
        // redelivery (DUP) of a stored message has the same three (see
        // telemetry_delivery_log, migration 25).
        QString session;
        quint16 packetId = 0;
        QByteArray digest;
        bool redelivered = false;

        bool hasDelivery() const { return packetId != 0 && !session.isEmpty(); }
        // Whether `other` is the same delivery (a redelivery of this one).
        bool sameDelivery(const Message &other) const
        {
            return hasDelivery() && packetId == other.packetId && session == other.session && digest == other.digest;
        }
    };
    // The bytes of a delivery's digest that are recorded.
    static constexpr int kDigestBytes = 16;
    // How many of a session's latest recorded deliveries a redelivery is
    // looked up among: what a hub can have unacknowledged on one
    // connection (packet identifiers are 16 bits; MqttSession refuses more).
    static constexpr qint64 kDeliveryHorizon = 65536;

    // Inserts the messages, skipping those whose identity is stored
    // already, and records the deliveries of those without one (one row per
    // hub session and batch); call inside a transaction, so a batch is
    // stored whole or not at all.
    Result<void> insert(const QList<Message> &messages);
    // Whether a redelivered message without an identity was stored already
    // (its delivery is recorded with the same digest).
    Result<bool> isStoredRedelivery(const Message &message);
    // The same for each of `messages` (false for those not redelivered or
    // with an identity of their own), in one look-up per 100 deliveries
    // instead of one per message: after a reconnect the hub sends a whole
    // in-flight window again.
    Result<QList<bool>> storedRedeliveries(const QList<Message> &messages);

    struct Filter
    {
        QString deviceId;
        QDateTime since; // inclusive, invalid: unbounded
        QDateTime until; // exclusive, invalid: unbounded
    };
    // Newest first (by reception time, then insertion order). The cursor key
    // is the last message's (received, id) pair.
    Result<RecordPage<Message>> page(const Filter &filter, const PageRequest &page);

    // Deletes all but the newest `keep` messages of a device, at most
    // `maxRows` (the oldest) per call; the number deleted (maxRows: call
    // again, more may be left).
    Result<int> pruneDevice(const QString &deviceId, int keep, int maxRows);
    // Deletes up to `maxRows` messages received before `cutoff`; the number
    // deleted (less than maxRows: nothing older is left).
    Result<int> pruneOlderThan(const QDateTime &cutoff, int maxRows);

private:
    Result<void> recordDeliveries(const QList<Message> &messages);

    Database &m_db;
};

} // namespace Provisio
