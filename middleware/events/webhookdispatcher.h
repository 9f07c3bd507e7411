// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/webhooktarget.h"
#include "domain/eventbus.h"
#include "storage/webhookstore.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>

class QNetworkAccessManager;
class QNetworkReply;

namespace Provisio {

class Metrics;

// Sends events to the webhooks that subscribe to them.
//
// Every event a webhook's `events` patterns match becomes a delivery row first
// (WebhookStore::enqueue), so a restart resumes what was pending. Each
// attempt is an HTTPS POST of the event's JSON (DomainEvent::toJson) with
//
//   Content-Type: application/json
//   X-Provisio-Event: <event type>
//   X-Provisio-Delivery: <delivery id>     same on every retry of the delivery
//   X-Provisio-Timestamp: <unix seconds>   when this attempt was signed
//   X-Provisio-Signature: sha256=<hex>
//
// where <hex> is the lower-case hex HMAC-SHA256, keyed with the webhook's
// secret (its UTF-8 bytes, as returned when the webhook was created), over
//   <X-Provisio-Timestamp> + "." + <request body bytes>.
// A receiver recomputes it over the raw body, compares in constant time,
// rejects timestamps far from its clock (replays), and drops a delivery id it
// has already accepted.
//
// A 2xx answer delivers; anything else (another status, a redirect, a network
// or TLS error, no answer within 10 s) is retried with exponential backoff
// and ±20% jitter: 1 s, 2 s, 4 s, … capped at 10 min, up to 10 attempts, then
// the delivery is marked failed. Delivery is at least once: a receiver that
// answers 2xx sees the delivery id once, unless the middleware stops between
// its answer and recording it (then the same id comes again).
// Up to maxConcurrent attempts run at once, so events may arrive out of
// order: receivers order by the event's `at`, not by arrival. Deliveries of a
// disabled webhook wait (pending) until it is enabled again.
// TLS peers are verified against the system CAs plus the middleware's own CA.
// Before each attempt the URL is checked again and its host resolved once;
// the attempt goes to that checked address (WebhookTarget), so a webhook
// whose name now leads to a private address fails instead of being sent.
//
// The service sets the first retry delay and the attempts before "failed"
// from its settings (--webhook-initial-backoff, --webhook-max-attempts).
class WebhookDispatcher : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int initialBackoffMs = 1000;
        int maxBackoffMs = 10 * 60 * 1000;
        int maxAttempts = 10;
        int maxConcurrent = 8;
        int timeoutMs = 10000;
        int pollMs = 5000; // how often other instances' rows and expired leases are looked for
        // Where deliveries may go, checked again before each attempt after
        // DNS (WebhookTarget); a refused attempt fails like a network error.
        WebhookTarget::Rules target;
    };

    WebhookDispatcher(WebhookStore &store, EventBus &events, QNetworkAccessManager &network,
                      const QByteArray &extraCaPem, Metrics *metrics, Options options, QObject *parent = nullptr);
    // Abandons attempts in flight and releases their leases, so they are
    // retried at once by the next instance to start.
    ~WebhookDispatcher() override;

    // Starts sending, beginning with whatever was left pending.
    void start();

    // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body).
    static QByteArray signature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body);
    // Delay before the retry that follows `failedAttempts` failures; `random`
    // in [0, 1) picks the jitter.
    static qint64 backoffMs(int failedAttempts, const Options &options, double random);

private:
    void onEvent(const DomainEvent &event);
    void pump();
    void scheduleNext();
    void send(const WebhookStore::DueDelivery &delivery);
    void post(const WebhookStore::DueDelivery &delivery, const WebhookTarget::Pinned &pinned);
    void refuse(const WebhookStore::DueDelivery &delivery, const QString &error);
    void record(const QString &deliveryId, const QString &webhookId, int attempts, int status, QString error);
    void onFinished(QNetworkReply *reply);

    struct InFlight
    {
        QString deliveryId;
        QString webhookId;
        int attempts = 0; // before this one
        bool timedOut = false;
    };

    WebhookStore &m_store;
    QNetworkAccessManager &m_network;
    Metrics *m_metrics;
    Options m_options;
    QSslConfiguration m_ssl;
    QString m_owner; // this instance's lease name
    QHash<QNetworkReply *, InFlight> m_inFlight;
    WebhookTarget m_target;
    int m_resolving = 0; // claimed deliveries whose host is being resolved
    QTimer m_timer;
    bool m_started = false;
    qint64 m_lastPrune = 0;
};

} // namespace Provisio
