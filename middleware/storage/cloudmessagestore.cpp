// SPDX-License-Identifier: Apache-2.0
#include "cloudmessagestore.h"

#include "storage/database.h"

#include "protocol/timeutil.h"

#include <QJsonDocument>

namespace Provisio {

namespace {
const QString kColumns = QStringLiteral(
    "message_id, device_id, hub_host, created, expires, properties, content_type, body, state, finished");
const QString kQueued = QStringLiteral("queued");

// A null QString binds as SQL NULL; these columns hold '' for "none".
QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}
} // namespace

QJsonObject CloudMessageStore::Message::toJson() const
{
    QJsonObject props;
    for (const auto &p : properties)
        props.insert(p.first, p.second);
    QJsonObject out{{QStringLiteral("messageId"), messageId},
                    {QStringLiteral("deviceId"), deviceId},
                    {QStringLiteral("hub"), hubHost},
                    {QStringLiteral("state"), state},
                    {QStringLiteral("createdDateTimeUtc"), toIsoUtc(created)},
                    {QStringLiteral("expiryTimeUtc"), toIsoUtc(expires)},
                    {QStringLiteral("properties"), props},
                    {QStringLiteral("size"), int(body.size())}};
    if (finished.isValid())
        out.insert(state == QLatin1String("expired") ? QStringLiteral("expiredDateTimeUtc")
                                                     : QStringLiteral("deliveredDateTimeUtc"),
                   toIsoUtc(finished));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + body + ']', &error);
    if (contentType == QLatin1String("application/json") && error.error == QJsonParseError::NoError) {
        out.insert(QStringLiteral("payload"), doc.array().at(0));
        out.insert(QStringLiteral("payloadEncoding"), QStringLiteral("json"));
    } else {
        out.insert(QStringLiteral("payload"), QString::fromLatin1(body.toBase64()));
        out.insert(QStringLiteral("payloadEncoding"), QStringLiteral("base64"));
    }
    return out;
}

Result<void> CloudMessageStore::insert(const Message &m)
{
    auto q = m_db.exec(QStringLiteral("INSERT INTO cloud_messages (") + kColumns +
                           QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                       {m.messageId, m.deviceId, m.hubHost, toIsoUtc(m.created), toIsoUtc(m.expires),
                        notNull(MqttTopic::encodePropertyBag(m.properties)), notNull(m.contentType),
                        m.body.isNull() ? QByteArray("") : m.body, kQueued, QVariant()});
    if (!q)
        return q.error();
    q->finish();
    return {};
}

Result<int> CloudMessageStore::countQueued(const QString &deviceId)
{
    auto q = m_db.exec(QStringLiteral("SELECT COUNT(*) FROM cloud_messages WHERE device_id = ? AND state = ?"),
                       {deviceId, kQueued});
    if (!q)
        return q.error();
    const int n = q->next() ? q->value(0).toInt() : 0;
    q->finish();
    return n;
}

Result<QList<CloudMessageStore::Message>> CloudMessageStore::select(const QString &tail, const QVariantList &binds)
{
    auto q = m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM cloud_messages ") + tail, binds);
    if (!q)
        return q.error();
    QList<Message> out;
    while (q->next()) {
        Message m;
        m.messageId = q->value(0).toString();
        m.deviceId = q->value(1).toString();
        m.hubHost = q->value(2).toString();
        m.created = fromIsoUtc(q->value(3).toString()).value_or(QDateTime());
        m.expires = fromIsoUtc(q->value(4).toString()).value_or(QDateTime());
        if (auto bag = MqttTopic::decodePropertyBag(q->value(5).toString()))
            m.properties = *bag;
        m.contentType = q->value(6).toString();
        m.body = q->value(7).toByteArray();
        m.state = q->value(8).toString();
        if (!q->value(9).isNull())
            m.finished = fromIsoUtc(q->value(9).toString()).value_or(QDateTime());
        out << m;
    }
    q->finish();
    return out;
}

Result<QList<CloudMessageStore::Message>> CloudMessageStore::forDevice(const QString &deviceId, int limit)
{
    return select(QStringLiteral("WHERE device_id = ? ORDER BY created DESC, message_id LIMIT ?"), {deviceId, limit});
}

Result<QList<CloudMessageStore::Message>> CloudMessageStore::queuedForHub(const QString &hubHost, const QDateTime &now,
                                                                          int limit)
{
    return select(
        QStringLiteral("WHERE hub_host = ? AND state = ? AND expires > ? ORDER BY created, message_id LIMIT ?"),
        {hubHost, kQueued, toIsoUtc(now), limit});
}

Result<bool> CloudMessageStore::markDelivered(const QString &messageId, const QDateTime &at)
{
    auto r = m_db.execAffected(
        QStringLiteral(
            "UPDATE cloud_messages SET state = 'delivered', finished = ? WHERE message_id = ? AND state = ?"),
        {toIsoUtc(at), messageId, kQueued});
    if (!r)
        return r.error();
    return *r > 0;
}

Result<QList<CloudMessageStore::Message>> CloudMessageStore::expireDue(const QDateTime &now, int limit)
{
    auto due = select(QStringLiteral("WHERE state = ? AND expires <= ? ORDER BY expires LIMIT ?"),
                      {kQueued, toIsoUtc(now), limit});
    if (!due)
        return due;
    QList<Message> expired;
    for (Message m : std::as_const(*due)) {
        auto r = m_db.execAffected(QStringLiteral("UPDATE cloud_messages SET state = 'expired', finished = ? "
                                                  "WHERE message_id = ? AND state = ?"),
                                   {toIsoUtc(now), m.messageId, kQueued});
        if (!r)
            return r.error();
        if (*r == 0)
            continue; // another instance got there first
        m.state = QStringLiteral("expired");
        m.finished = now;
        expired << m;
    }
    return expired;
}

Result<int> CloudMessageStore::pruneFinished(const QDateTime &cutoff)
{
    return m_db.execAffected(QStringLiteral("DELETE FROM cloud_messages WHERE state <> ? AND finished < ?"),
                             {kQueued, toIsoUtc(cutoff)});
}

} // namespace Provisio
