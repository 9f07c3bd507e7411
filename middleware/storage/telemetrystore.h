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
    };

    // Inserts the messages; call inside a transaction, so a batch is stored
    // whole or not at all.
    Result<void> insert(const QList<Message> &messages);

    struct Filter
    {
        QString deviceId;
        QDateTime since; // inclusive, invalid: unbounded
        QDateTime until; // exclusive, invalid: unbounded
    };
    // Newest first (by reception time, then insertion order). The cursor key
    // is the last message's (received, id) pair.
    Result<RecordPage<Message>> page(const Filter &filter, const PageRequest &page);

    // Deletes all but the newest `keep` messages of a device; the number deleted.
    Result<int> pruneDevice(const QString &deviceId, int keep);
    // Deletes up to `maxRows` messages received before `cutoff`; the number
    // deleted (less than maxRows: nothing older is left).
    Result<int> pruneOlderThan(const QDateTime &cutoff, int maxRows);

private:
    Database &m_db;
};

} // namespace Provisio
