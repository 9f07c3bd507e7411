// SPDX-License-Identifier: Apache-2.0
#include "webhookstore.h"

#include "database.h"
#include "recordquery.h"

#include "crypto/keys.h"

#include <QDateTime>
#include <QJsonArray>

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("webhook");
const QString kColumns = QStringLiteral("id, url, events, secret, enabled, description, etag, created, updated");
const QString kDeliveryColumns =
    QStringLiteral("id, webhook_id, event_id, event_type, status, attempts, last_status, last_error, "
                   "next_attempt_at, delivered_at, created, updated");

Webhook webhookFromRow(const Query &q)
{
    Webhook w;
    w.id = q.value(0).toString();
    w.url = q.value(1).toString();
    const QJsonArray events = QJsonDocument::fromJson(q.value(2).toString().toUtf8()).array();
    for (const auto &e : events)
        w.events << e.toString();
    w.secret = q.value(3).toString();
    w.enabled = q.value(4).toInt() != 0;
    w.description = q.value(5).toString();
    w.etag = q.value(6).toString();
    w.created = q.value(7).toString();
    w.updated = q.value(8).toString();
    return w;
}

WebhookDelivery deliveryFromRow(const Query &q)
{
    WebhookDelivery d;
    d.id = q.value(0).toString();
    d.webhookId = q.value(1).toString();
    d.eventId = q.value(2).toString();
    d.eventType = q.value(3).toString();
    d.status = q.value(4).toString();
    d.attempts = q.value(5).toInt();
    d.lastStatusCode = q.value(6).toInt();
    d.lastError = q.value(7).toString();
    d.nextAttemptAt = q.value(8).toString();
    d.deliveredAt = q.value(9).toString();
    d.created = q.value(10).toString();
    d.updated = q.value(11).toString();
    return d;
}

QString eventsText(const QStringList &events)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(events)).toJson(QJsonDocument::Compact));
}
} // namespace

QJsonObject Webhook::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("url"), url},
                  {QStringLiteral("events"), QJsonArray::fromStringList(events)},
                  {QStringLiteral("enabled"), enabled},
                  {QStringLiteral("description"), description},
                  // Write-only: whether one is set, never its value.
                  {QStringLiteral("secretSet"), !secret.isEmpty()}};
    if (!etag.isEmpty())
        o.insert(QStringLiteral("etag"), etag);
    if (!created.isEmpty())
        o.insert(QStringLiteral("createdDateTimeUtc"), created);
    if (!updated.isEmpty())
        o.insert(QStringLiteral("lastUpdatedDateTimeUtc"), updated);
    return o;
}

QJsonObject WebhookDelivery::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("webhookId"), webhookId},
                  {QStringLiteral("eventId"), eventId},
                  {QStringLiteral("eventType"), eventType},
                  {QStringLiteral("status"), status},
                  {QStringLiteral("attempts"), attempts},
                  {QStringLiteral("createdDateTimeUtc"), created},
                  {QStringLiteral("lastUpdatedDateTimeUtc"), updated}};
    o.insert(QStringLiteral("lastStatusCode"), lastStatusCode > 0 ? QJsonValue(lastStatusCode) : QJsonValue());
    o.insert(QStringLiteral("lastError"), lastError.isEmpty() ? QJsonValue() : QJsonValue(lastError));
    o.insert(QStringLiteral("nextAttemptDateTimeUtc"),
             nextAttemptAt.isEmpty() ? QJsonValue() : QJsonValue(nextAttemptAt));
    o.insert(QStringLiteral("deliveredDateTimeUtc"), deliveredAt.isEmpty() ? QJsonValue() : QJsonValue(deliveredAt));
    return o;
}

Result<Webhook> WebhookStore::create(Webhook webhook)
{
    if (webhook.secret.isEmpty())
        return Error(ErrorCode::Internal, QStringLiteral("webhook without a secret"));
    const QString now = nowIso();
    webhook.id = QStringLiteral("whk_") + Crypto::randomToken(9);
    webhook.etag = newEtag();
    webhook.created = now;
    webhook.updated = now;
    auto r = m_db.exec(QStringLiteral("INSERT INTO webhooks (id, url, events, secret, enabled, description, "
                                      "etag, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                       {webhook.id, webhook.url, eventsText(webhook.events), webhook.secret, webhook.enabled ? 1 : 0,
                        webhook.description, webhook.etag, now, now});
    if (!r)
        return r.error();
    r->finish();
    // Before the change's event is published: it must already see the new
    // webhook.
    m_db.afterCommit([this] { m_cacheValid = false; });
    return webhook;
}

Result<std::optional<Webhook>> WebhookStore::find(const QString &id)
{
    return firstOf(
        readRows(m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM webhooks WHERE id = ?"), {id}),
                 webhookFromRow));
}

Result<RecordPage<Webhook>> WebhookStore::list(const PageRequest &page)
{
    QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM webhooks");
    QVariantList binds;
    if (!page.afterKey.isEmpty()) {
        sql += QLatin1String(" WHERE id > ?");
        binds << page.afterKey;
    }
    sql += QLatin1String(" ORDER BY id LIMIT ?");
    binds << page.limit + 1;
    auto items = readRows(m_db.exec(sql, binds), webhookFromRow);
    if (!items)
        return items.error();
    return pageOf(*items, page.limit, [](const Webhook &w) { return w.id; });
}

Result<RecordChange<Webhook>> WebhookStore::update(const QString &id, const QByteArray &ifMatch, const Mutator &mutate)
{
    auto current = recordForChange(find(id), ifMatch, kEntity, QStringLiteral("id"), id);
    if (!current)
        return current.error();
    const Webhook before = *current;
    auto changed = mutate(before);
    if (!changed)
        return changed.error();
    Webhook after = *changed;
    after.id = before.id;
    after.created = before.created;
    after.updated = nowIso();
    after.etag = newEtag();
    if (after.secret.isEmpty())
        after.secret = before.secret;
    if (auto r = execIfEtag(m_db,
                            QStringLiteral("UPDATE webhooks SET url = ?, events = ?, secret = ?, enabled = ?, "
                                           "description = ?, etag = ?, updated = ? WHERE id = ? AND etag = ?"),
                            {after.url, eventsText(after.events), after.secret, after.enabled ? 1 : 0,
                             after.description, after.etag, after.updated, id, before.etag},
                            changedMeanwhile(kEntity, id));
        !r)
        return r.error();
    m_db.afterCommit([this] { m_cacheValid = false; });
    return RecordChange<Webhook>{before, after};
}

Result<Webhook> WebhookStore::remove(const QString &id, const QByteArray &ifMatch)
{
    auto current = recordForChange(find(id), ifMatch, kEntity, QStringLiteral("id"), id);
    if (!current)
        return current.error();
    const Webhook before = *current;
    auto d = m_db.execAffected(QStringLiteral("DELETE FROM webhook_deliveries WHERE webhook_id = ?"), {id});
    if (!d)
        return d.error();
    if (auto r = execIfEtag(m_db, QStringLiteral("DELETE FROM webhooks WHERE id = ? AND etag = ?"), {id, before.etag},
                            changedMeanwhile(kEntity, id));
        !r)
        return r.error();
    m_db.afterCommit([this] { m_cacheValid = false; });
    return before;
}

Result<QList<Webhook>> WebhookStore::enabledWebhooks()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_cacheValid && now - m_cacheLoadedAt < kCacheMilliseconds)
        return m_enabledCache;
    auto out = readRows(m_db.exec(QStringLiteral("SELECT ") + kColumns +
                                  QStringLiteral(" FROM webhooks WHERE enabled = 1 ORDER BY id")),
                        webhookFromRow);
    if (!out)
        return out.error();
    m_enabledCache = *out;
    m_cacheValid = true;
    m_cacheLoadedAt = now;
    return *out;
}

Result<QStringList> WebhookStore::enqueue(const QList<NewDelivery> &deliveries)
{
    if (deliveries.isEmpty())
        return QStringList();
    const QString now = nowIso();
    QStringList ids;
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    for (const NewDelivery &d : deliveries) {
        const QString id = QStringLiteral("dlv_") + Crypto::randomToken(12);
        auto r = m_db.exec(QStringLiteral("INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, "
                                          "payload, status, attempts, next_attempt_at, created, updated) "
                                          "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)"),
                           {id, d.webhookId, d.eventId, d.eventType, QString::fromUtf8(d.payload), now, now, now});
        if (!r)
            return r.error();
        r->finish();
        ids << id;
    }
    if (!tx.commit())
        return commitFailed();
    return ids;
}

Result<RecordPage<WebhookDelivery>> WebhookStore::deliveries(const QString &webhookId, const QString &status,
                                                             const PageRequest &page)
{
    QString sql =
        QStringLiteral("SELECT ") + kDeliveryColumns + QStringLiteral(" FROM webhook_deliveries WHERE webhook_id = ?");
    QVariantList binds{webhookId};
    if (!status.isEmpty()) {
        sql += QLatin1String(" AND status = ?");
        binds << status;
    }
    if (!page.afterKey.isEmpty()) {
        // The cursor is [created, id] of the last row: newest first, ids break ties.
        const auto key = parsePairCursorKey(page.afterKey);
        if (!key)
            return key.error();
        sql += QLatin1String(" AND (created < ? OR (created = ? AND id < ?))");
        binds << key->first << key->first << key->second;
    }
    sql += QLatin1String(" ORDER BY created DESC, id DESC LIMIT ?");
    binds << page.limit + 1;
    auto items = readRows(m_db.exec(sql, binds), deliveryFromRow);
    if (!items)
        return items.error();
    return pageOf(*items, page.limit, [](const WebhookDelivery &d) { return pairCursorKey(d.created, d.id); });
}

Result<std::optional<WebhookDelivery>> WebhookStore::delivery(const QString &id)
{
    return firstOf(readRows(m_db.exec(QStringLiteral("SELECT ") + kDeliveryColumns +
                                          QStringLiteral(" FROM webhook_deliveries WHERE id = ?"),
                                      {id}),
                            deliveryFromRow));
}

Result<QList<WebhookStore::DueDelivery>> WebhookStore::due(const QString &now, int limit)
{
    auto q = m_db.exec(QStringLiteral("SELECT d.id, d.webhook_id, d.event_type, d.payload, d.attempts, w.url, "
                                      "w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                                      "WHERE d.status = 'pending' AND w.enabled = 1 AND d.next_attempt_at <= ? "
                                      "AND (d.lease_until IS NULL OR d.lease_until < ?) "
                                      "ORDER BY d.next_attempt_at, d.id LIMIT ?"),
                       {now, now, limit});
    return readRows(std::move(q), [](const Query &row) {
        DueDelivery d;
        d.id = row.value(0).toString();
        d.webhookId = row.value(1).toString();
        d.eventType = row.value(2).toString();
        d.payload = row.value(3).toString().toUtf8();
        d.attempts = row.value(4).toInt();
        d.url = row.value(5).toString();
        d.secret = row.value(6).toString();
        return d;
    });
}

Result<bool> WebhookStore::claim(const QString &id, const QString &owner, const QString &now, const QString &leaseUntil)
{
    auto r = m_db.execAffected(QStringLiteral("UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ? "
                                              "WHERE id = ? AND status = 'pending' "
                                              "AND (lease_until IS NULL OR lease_until < ?)"),
                               {owner, leaseUntil, id, now});
    if (!r)
        return r.error();
    return *r == 1;
}

Result<void> WebhookStore::recordAttempt(const QString &id, const QString &owner, const Attempt &attempt)
{
    const QString now = nowIso();
    auto r = m_db.execAffected(
        QStringLiteral("UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, "
                       "next_attempt_at = ?, delivered_at = ?, updated = ?, lease_owner = NULL, "
                       "lease_until = NULL WHERE id = ? AND lease_owner = ?"),
        {attempt.status, attempt.attempts, attempt.statusCode > 0 ? QVariant(attempt.statusCode) : QVariant(),
         nullIfEmpty(attempt.error),
         attempt.status == QLatin1String("pending") ? QVariant(attempt.nextAttemptAt) : QVariant(),
         attempt.status == QLatin1String("delivered") ? QVariant(now) : QVariant(), now, id, owner});
    if (!r)
        return r.error();
    return {};
}

Result<QString> WebhookStore::nextDueAt()
{
    // A leased row falls due again only when its lease runs out.
    auto q = m_db.exec(QStringLiteral("SELECT MIN(CASE WHEN d.lease_until IS NOT NULL AND "
                                      "d.lease_until > d.next_attempt_at THEN d.lease_until "
                                      "ELSE d.next_attempt_at END) FROM webhook_deliveries d "
                                      "JOIN webhooks w ON w.id = d.webhook_id "
                                      "WHERE d.status = 'pending' AND w.enabled = 1"));
    if (!q)
        return q.error();
    QString out;
    if (q->next())
        out = q->value(0).toString();
    q->finish();
    return out;
}

Result<void> WebhookStore::releaseLeases(const QString &owner)
{
    auto r = m_db.execAffected(QStringLiteral("UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL "
                                              "WHERE lease_owner = ?"),
                               {owner});
    if (!r)
        return r.error();
    return {};
}

Result<int> WebhookStore::pruneFinished(const QString &before)
{
    return m_db.execAffected(QStringLiteral("DELETE FROM webhook_deliveries WHERE status <> 'pending' "
                                            "AND updated < ?"),
                             {before});
}

} // namespace Provisio
