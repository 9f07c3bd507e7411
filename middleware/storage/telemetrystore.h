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
        // Without an identity, the delivery it came in: hub session and
        // packet identifier ("<client id>|<hub>|<packet id>") and a digest
        // of topic and body. A redelivery (DUP) of a stored message has the
        // same key and digest (see telemetry_deliveries, migration 11).
        QString deliveryKey;
        QByteArray digest;
        bool redelivered = false;
    };

    // Inserts the messages, skipping those whose identity is stored
    // already, and records the deliveries of those without one; call inside
    // a transaction, so a batch is stored whole or not at all.
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
