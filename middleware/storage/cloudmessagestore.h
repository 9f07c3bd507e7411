// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "mqtt/mqtttopic.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Provisio {

class Database;

// Cloud-to-device messages in the `cloud_messages` table (migration 11): the
// middleware's queue of what operators sent to a device, shared by every
// instance. A message is `queued` until a hub has taken it for the device's
// session (`delivered`) or its time to live runs out first (`expired`).
// Finished messages stay listed for a week, then are pruned.
class CloudMessageStore
{
public:
    explicit CloudMessageStore(Database &db) : m_db(db) { }

    struct Message
    {
        QString messageId;
        QString deviceId;
        QString hubHost; // the device's hub when the message was sent
        QDateTime created;
        QDateTime expires;
        MqttTopic::PropertyBag properties; // the operator's application properties
        QString contentType;               // empty: none
        QByteArray body;
        QString state;      // queued, delivered, expired
        QDateTime finished; // when it was delivered or expired

        // The API's view; the body as JSON when it is JSON, else base64.
        QJsonObject toJson() const;
    };

    Result<void> insert(const Message &message);
    // Messages of a device still waiting in the middleware.
    Result<int> countQueued(const QString &deviceId);
    // A device's messages, newest first, at most `limit`.
    Result<QList<Message>> forDevice(const QString &deviceId, int limit);
    // Queued, unexpired messages for a hub, oldest first.
    Result<QList<Message>> queuedForHub(const QString &hubHost, const QDateTime &now, int limit);
    // queued -> delivered; false when it was no longer queued.
    Result<bool> markDelivered(const QString &messageId, const QDateTime &at);
    // Queued messages whose time to live ended before `now` move to
    // `expired`; returns them (at most `limit`).
    Result<QList<Message>> expireDue(const QDateTime &now, int limit);
    // Deletes finished messages that ended before `cutoff`.
    Result<int> pruneFinished(const QDateTime &cutoff);

private:
    Result<QList<Message>> select(const QString &where, const QVariantList &binds);

    Database &m_db;
};

} // namespace Provisio
