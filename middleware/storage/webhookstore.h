// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "recordchange.h"
#include "recordpage.h"
#include "recordutil.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Provisio {

class Database;

// An outgoing webhook: where to POST which events, signed with `secret`.
struct Webhook
{
    QString id;
    QString url;
    QStringList events; // type patterns, see EventBus::typeMatches
    bool enabled = true;
    QString description;
    QString secret; // HMAC key; stored (it must sign), shown only at creation
    QString etag;
    QString created;
    QString updated;

    // The API shape, without the secret.
    QJsonObject toJson() const;
};

// One event on its way to one webhook. The id is the X-Provisio-Delivery
// header of every attempt, so receivers can drop the duplicates a retry may
// cause.
struct WebhookDelivery
{
    QString id;
    QString webhookId;
    QString eventId;
    QString eventType;
    QString status; // pending, delivered, failed
    int attempts = 0;
    int lastStatusCode = 0; // 0: no HTTP answer yet / network error
    QString lastError;
    QString nextAttemptAt;
    QString deliveredAt;
    QString created;
    QString updated;

    QJsonObject toJson() const;
};

// Webhooks and their delivery log. Webhook changes are conditional on the
// etag like every CRM record (the Webhooks service audits them, without the
// secret). Deliveries are
// rows so that nothing pending is lost across restarts; a row is leased by
// the instance sending it, so several middleware instances on one database
// never send the same attempt twice.
class WebhookStore
{
public:
    explicit WebhookStore(Database &db) : m_db(db) { }

    // Assigns id ("whk_" + random), etag and timestamps; `secret` must be set.
    Result<Webhook> create(Webhook webhook);
    Result<std::optional<Webhook>> find(const QString &id);
    // Ordered by id.
    Result<RecordPage<Webhook>> list(const PageRequest &page);
    using Mutator = std::function<Result<Webhook>(const Webhook &current)>;
    // NotFound, PreconditionFailed, or the mutator's error.
    Result<RecordChange<Webhook>> update(const QString &id, const QByteArray &ifMatch, const Mutator &mutate);
    // Deletes the webhook and its delivery log; the removed webhook.
    Result<Webhook> remove(const QString &id, const QByteArray &ifMatch);

    // Enabled webhooks with their secrets, for the dispatcher. Cached for a
    // few seconds (another instance may change them), dropped at once when
    // this instance commits a change.
    Result<QList<Webhook>> enabledWebhooks();

    // --- delivery log ---------------------------------------------------
    struct NewDelivery
    {
        QString webhookId;
        QString eventId;
        QString eventType;
        QByteArray payload;
    };
    // Inserts pending deliveries, due now, in one transaction; returns their ids.
    Result<QStringList> enqueue(const QList<NewDelivery> &deliveries);
    // Newest first; `status` empty for all.
    Result<RecordPage<WebhookDelivery>> deliveries(const QString &webhookId, const QString &status,
                                                   const PageRequest &page);
    Result<std::optional<WebhookDelivery>> delivery(const QString &id);

    struct DueDelivery
    {
        QString id;
        QString webhookId;
        QString eventType;
        QByteArray payload;
        int attempts = 0;
        QString url;
        QString secret;
    };
    // Pending deliveries of enabled webhooks whose attempt is due at `now` and
    // that no live lease holds, oldest due first.
    Result<QList<DueDelivery>> due(const QString &now, int limit);
    // Takes the lease on a delivery until `leaseUntil`; false when another
    // instance holds it or it is no longer pending.
    Result<bool> claim(const QString &id, const QString &owner, const QString &now, const QString &leaseUntil);
    struct Attempt
    {
        int attempts = 0;
        int statusCode = 0;
        QString error;
        QString status;        // pending (retry at nextAttemptAt), delivered, failed
        QString nextAttemptAt; // pending only
    };
    // Records an attempt's outcome and releases the lease.
    Result<void> recordAttempt(const QString &id, const QString &owner, const Attempt &attempt);
    // When the next pending delivery of an enabled webhook falls due, or its
    // lease runs out (empty: none pending).
    Result<QString> nextDueAt();
    // Releases every lease `owner` holds (clean shutdown).
    Result<void> releaseLeases(const QString &owner);
    // Deletes finished deliveries last changed before `before`.
    Result<int> pruneFinished(const QString &before);

    static constexpr int kCacheMilliseconds = 5000;

private:
    Database &m_db;
    QList<Webhook> m_enabledCache;
    bool m_cacheValid = false;
    qint64 m_cacheLoadedAt = 0;
};

} // namespace Provisio
