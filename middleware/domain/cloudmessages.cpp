// SPDX-License-Identifier: Apache-2.0
#include "cloudmessages.h"

#include "base/servicecontext.h"
#include "storage/auditlog.h"
#include "storage/database.h"

#include "protocol/timeutil.h"

#include <QUuid>

namespace Provisio {

namespace {
Error storeFailed()
{
    return Error(ErrorCode::Unavailable, QStringLiteral("the message could not be stored"));
}

QDateTime now()
{
    return fromIsoUtc(nowIso()).value_or(QDateTime::currentDateTimeUtc());
}
} // namespace

CloudMessages::CloudMessages(ServiceContext &ctx) : m_ctx(ctx), m_store(ctx.db), m_changes(ctx) { }

Result<void> CloudMessages::validate(const Outgoing &m)
{
    if (m.body.size() > kMaxBodyBytes)
        return Error(ErrorCode::PayloadTooLarge,
                     QStringLiteral("a cloud-to-device message carries at most %1 bytes (this one %2)")
                         .arg(kMaxBodyBytes)
                         .arg(m.body.size()));
    if (m.ttlSeconds < 1 || m.ttlSeconds > kMaxTtlSeconds)
        return Error(ErrorCode::InvalidInput, QStringLiteral("ttlSeconds must be 1 to %1").arg(kMaxTtlSeconds));
    if (m.properties.size() > kMaxProperties)
        return Error(ErrorCode::InvalidInput, QStringLiteral("at most %1 properties per message").arg(kMaxProperties));
    for (const auto &p : m.properties) {
        if (p.first.isEmpty() || p.first.size() > 128 || p.first.startsWith(QLatin1Char('$')))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("property names are 1 to 128 characters and do not start with '$' "
                                        "(system properties are set by the middleware)"));
    }
    if (MqttTopic::encodePropertyBag(m.properties).toUtf8().size() > kMaxPropertyBagBytes)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("the properties take at most %1 bytes URL-encoded").arg(kMaxPropertyBagBytes));
    return {};
}

DomainEvent CloudMessages::eventFor(EventKind kind, const CloudMessageStore::Message &m) const
{
    QJsonObject data = m.toJson();
    data.remove(QStringLiteral("payload")); // events say what happened, not what was said
    data.remove(QStringLiteral("payloadEncoding"));
    DomainEvent e = ChangeRecorder::eventFor(kind, m.messageId, data);
    e.deviceId = m.deviceId;
    e.hub = m.hubHost;
    return e;
}

Result<CloudMessageStore::Message> CloudMessages::send(const RegistrationRecord &record, const Outgoing &message,
                                                       const QString &actor)
{
    if (auto valid = validate(message); !valid)
        return valid.error();
    if (record.state.status != QLatin1String("assigned") || record.state.assignedHub.isEmpty())
        return Error(ErrorCode::NotFound,
                     QStringLiteral("device '%1' is not assigned to a hub").arg(record.state.deviceId));
    Transaction tx(m_ctx.db);
    auto pending = m_store.countQueued(record.state.deviceId);
    if (!pending)
        return pending.error();
    if (*pending >= kMaxPendingPerDevice)
        return Error(ErrorCode::TooManyRequests,
                     QStringLiteral("device '%1' already has %2 cloud-to-device messages waiting (the limit); "
                                    "they leave the queue when its hub takes them or they expire")
                         .arg(record.state.deviceId)
                         .arg(*pending));
    CloudMessageStore::Message m;
    m.messageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.deviceId = record.state.deviceId;
    m.hubHost = record.state.assignedHub.toLower();
    m.created = now();
    m.expires = m.created.addSecs(message.ttlSeconds);
    m.properties = message.properties;
    m.contentType = message.contentType;
    m.body = message.body;
    m.state = QStringLiteral("queued");
    if (auto r = m_store.insert(m); !r)
        return r.error();
    QJsonObject after = m.toJson();
    after.remove(QStringLiteral("payload"));
    after.remove(QStringLiteral("payloadEncoding"));
    // Audited like every change; the event names the device and its hub
    // (which the record's JSON does not spell as a registration would), so
    // the hub link sends it at once.
    if (auto r = m_ctx.audit.record(actor, QStringLiteral("send"), QStringLiteral("cloudMessage"), m.messageId,
                                    QJsonObject(), after);
        !r)
        return r.error();
    m_changes.publishAfterCommit(eventFor(EventKind::CloudMessageQueued, m));
    if (!tx.commit())
        return storeFailed();
    return m;
}

Result<void> CloudMessages::markDelivered(const CloudMessageStore::Message &message)
{
    const QDateTime at = now();
    auto changed = m_store.markDelivered(message.messageId, at);
    if (!changed)
        return changed.error();
    if (*changed) {
        CloudMessageStore::Message m = message;
        m.state = QStringLiteral("delivered");
        m.finished = at;
        m_changes.publishAfterCommit(eventFor(EventKind::CloudMessageDelivered, m));
    }
    return {};
}

Result<int> CloudMessages::expireDue()
{
    const QDateTime at = now();
    int total = 0;
    for (;;) {
        Transaction tx(m_ctx.db);
        auto expired = m_store.expireDue(at, 200);
        if (!expired)
            return expired.error();
        for (const auto &m : std::as_const(*expired))
            m_changes.publishAfterCommit(eventFor(EventKind::CloudMessageExpired, m));
        if (!tx.commit())
            return storeFailed();
        total += int(expired->size());
        if (expired->size() < 200)
            break;
    }
    if (auto pruned = m_store.pruneFinished(at.addDays(-kKeepFinishedDays)); !pruned)
        return pruned.error();
    return total;
}

} // namespace Provisio
