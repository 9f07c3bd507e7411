// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVariantList>

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
    // Up to max messages with an id above `afterId`, oldest first.
    QList<Entry> peekAfter(qint64 afterId, int max) const;
    // Removes a message. Succeeds when it is already gone (dropped meanwhile).
    Result<void> acknowledge(qint64 id);
    void markAttempt(qint64 id);
    // Forgets every message and the dropped counter (the device is reset).
    Result<void> clear();
    int size() const;
    qint64 droppedCount() const;

private:
    TelemetryOutbox() = default;
    // The oldest `max` messages matching `where` (" WHERE …" or empty).
    QList<Entry> read(const QString &where, const QVariantList &binds, int max) const;

    QString m_path;
    QString m_connectionName;
    int m_capacity = 0;
};

// Drains a TelemetryOutbox through a publish function (MqttClient::publish at
// QoS 1 in production). At most maxInFlight messages are unacknowledged at a
// time; each entry is sent at most once per connection. A refused entry
// (reason code >= 0x80) leaves the outbox, counted and reported with
// messageRefused. An acknowledged one leaves it:
// - without end-to-end confirmation (confirmWindow 0): on the hub's PUBACK;
// - with it: only when the back end confirms it stored the message
//   (onStored(), the message's `$.mid`); the hub's PUBACK alone keeps it, so
//   a hub that dies before the middleware stored it loses nothing. At most
//   confirmWindow messages are acknowledged by the hub and not yet
//   confirmed; those not confirmed within confirmTimeoutMs are sent again.
// After a connection loss, every entry still in the outbox is sent again on
// the next connection: duplicates are possible (the back end stores a
// message once per `$.mid`), losses are not.
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
    // End-to-end confirmation: at most `window` messages acknowledged by the
    // hub and not yet confirmed as stored (0: the PUBACK suffices), sent
    // again after `timeoutMs` without a confirmation.
    void setConfirmation(int window, int timeoutMs);
    int confirmWindow() const { return m_confirmWindow; }
    // Acknowledged by the hub, waiting for the back end's confirmation.
    int unconfirmed() const { return int(m_unconfirmed.size()); }

public Q_SLOTS:
    void onConnected();
    void onConnectionLost();
    void onPublished(int messageId, int reasonCode);
    // The back end stored the messages with these `$.mid`s.
    void onStored(const QStringList &messageIds);
    // Sends what the in-flight window allows; call after enqueue.
    void drain();

Q_SIGNALS:
    void messageAcknowledged(qint64 id);
    void messageRefused(qint64 id, int reasonCode);
    void outboxError(const QString &message);

private:
    void remove(qint64 id);
    void resendOverdue();

    TelemetryOutbox *m_outbox;
    QString m_deviceId;
    PublishFunction m_publish;
    int m_maxInFlight;
    bool m_connected = false;
    bool m_draining = false;
    QHash<int, qint64> m_midToId;
    QHash<qint64, int> m_idToMid;
    QHash<qint64, QString> m_messageIds;  // outbox id -> $.mid, sent on this connection
    QHash<QString, qint64> m_byMessageId; // $.mid -> outbox id
    QHash<qint64, qint64> m_unconfirmed;  // outbox id -> when the hub acknowledged it (ms)
    qint64 m_lastSent = 0;                // highest outbox id sent on this connection
    qint64 m_refused = 0;
    int m_confirmWindow = 0;
    int m_confirmTimeoutMs = 60000;
    QTimer m_resendTimer;
    QElapsedTimer m_clock;
};

} // namespace Provisio::Kiosk
