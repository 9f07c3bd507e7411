// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <functional>
#include <memory>

namespace Provisio::Kiosk {

// The on-device queue every telemetry message goes through. A message is
// written to SQLite (WAL, synchronous=FULL) before it is sent and leaves only
// when the hub acknowledged it, so broker outages, network loss and restarts
// of the device program lose nothing. The queue is bounded: when full, the
// oldest messages are dropped and counted in a persisted `dropped` counter.
// Ids are never reused (AUTOINCREMENT), so a late acknowledgement can never
// remove a different message.
class TelemetryOutbox
{
public:
    using Properties = QList<QPair<QString, QString>>;

    struct Entry
    {
        qint64 id = 0;
        QByteArray body;
        Properties properties;
        QDateTime enqueuedAt;
        int attempts = 0;
    };

    static Result<std::unique_ptr<TelemetryOutbox>> open(const QString &path, int capacity = 10000);
    ~TelemetryOutbox();
    TelemetryOutbox(const TelemetryOutbox &) = delete;
    TelemetryOutbox &operator=(const TelemetryOutbox &) = delete;

    QString path() const { return m_path; }
    int capacity() const { return m_capacity; }

    // Stores a message; when the outbox is full the oldest ones are dropped
    // (and counted) to make room. Returns the new message's id.
    Result<qint64> enqueue(const QByteArray &body, const Properties &properties);
    // Up to max messages, oldest first.
    QList<Entry> peek(int max) const;
    // Removes a message. Succeeds when it is already gone (dropped meanwhile).
    Result<void> acknowledge(qint64 id);
    void markAttempt(qint64 id);
    // Forgets every message and the dropped counter (the device is reset).
    Result<void> clear();
    int size() const;
    qint64 droppedCount() const;

private:
    TelemetryOutbox() = default;

    QString m_path;
    QString m_connectionName;
    int m_capacity = 0;
};

// Drains a TelemetryOutbox through a publish function (MqttClient::publish at
// QoS 1 in production). At most maxInFlight messages are unacknowledged at a
// time; each entry is sent at most once per connection. An entry leaves the
// outbox when the hub acknowledges it (reason code < 0x80) or refuses it
// (>= 0x80, counted and reported with messageRefused). After a connection
// loss, unacknowledged entries are sent again on the next connection:
// duplicates are possible, losses are not.
class OutboxSender : public QObject
{
    Q_OBJECT

public:
    // Returns the message id, or a negative value when the message could not
    // be handed to the client.
    using PublishFunction = std::function<int(const QString &topic, const QByteArray &payload)>;

    OutboxSender(TelemetryOutbox *outbox, const QString &deviceId, PublishFunction publish, int maxInFlight = 32,
                 QObject *parent = nullptr);

    bool isConnected() const { return m_connected; }
    int inFlight() const { return int(m_midToId.size()); }
    qint64 refusedCount() const { return m_refused; }

public Q_SLOTS:
    void onConnected();
    void onConnectionLost();
    void onPublished(int messageId, int reasonCode);
    // Sends what the in-flight window allows; call after enqueue.
    void drain();

Q_SIGNALS:
    void messageAcknowledged(qint64 id);
    void messageRefused(qint64 id, int reasonCode);
    void outboxError(const QString &message);

private:
    TelemetryOutbox *m_outbox;
    QString m_deviceId;
    PublishFunction m_publish;
    int m_maxInFlight;
    bool m_connected = false;
    bool m_draining = false;
    QHash<int, qint64> m_midToId;
    QHash<qint64, int> m_idToMid;
    qint64 m_refused = 0;
};

} // namespace Provisio::Kiosk
