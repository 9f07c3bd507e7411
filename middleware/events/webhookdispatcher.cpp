// SPDX-License-Identifier: Apache-2.0
#include "webhookdispatcher.h"

#include "base/metrics.h"
#include "crypto/keys.h"
#include "domain/visibility.h"
#include "storage/recordutil.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslCertificate>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcWebhook, "provisio.middleware.webhooks")

namespace Provisio {

namespace {
const QString kPending = QStringLiteral("pending");
const QString kDelivered = QStringLiteral("delivered");
const QString kFailed = QStringLiteral("failed");
constexpr int kLeaseMarginMs = 50000;
constexpr qint64 kPruneEveryMs = 60 * 60 * 1000;
constexpr qint64 kKeepFinishedDays = 30;
constexpr int kMaxErrorLength = 500;

QString isoIn(qint64 ms)
{
    return QDateTime::currentDateTimeUtc().addMSecs(ms).toString(Qt::ISODateWithMs);
}

} // namespace

WebhookDispatcher::WebhookDispatcher(WebhookStore &store, EventBus &events, QNetworkAccessManager &network,
                                     const QByteArray &extraCaPem, Metrics *metrics, Options options, QObject *parent)
    : QObject(parent), m_store(store), m_network(network), m_metrics(metrics), m_options(options),
      m_owner(QStringLiteral("mw_") + Crypto::randomToken(9)), m_target(options.target)
{
    m_ssl = QSslConfiguration::defaultConfiguration();
    QList<QSslCertificate> cas = QSslConfiguration::systemCaCertificates();
    if (!extraCaPem.isEmpty())
        cas += QSslCertificate::fromData(extraCaPem, QSsl::Pem);
    m_ssl.setCaCertificates(cas);
    m_ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);

    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &WebhookDispatcher::pump);
    connect(&events, &EventBus::eventPublished, this, &WebhookDispatcher::onEvent);
    if (m_metrics)
        m_metrics->describe(QStringLiteral("provisio_webhook_attempts_total"), QStringLiteral("counter"),
                            QStringLiteral("Webhook delivery attempts, by outcome"));
}

WebhookDispatcher::~WebhookDispatcher()
{
    const auto replies = m_inFlight.keys();
    m_inFlight.clear();
    for (QNetworkReply *reply : replies) {
        reply->disconnect(this);
        reply->abort();
        delete reply;
    }
    if (m_started)
        m_store.releaseLeases(m_owner);
}

void WebhookDispatcher::start()
{
    m_started = true;
    pump();
}

QByteArray WebhookDispatcher::signature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body)
{
    return "sha256=" + Crypto::hmacSha256(secret, timestamp + '.' + body).toHex();
}

qint64 WebhookDispatcher::backoffMs(int failedAttempts, const Options &options, double random)
{
    const int exponent = std::clamp(failedAttempts - 1, 0, 30);
    const double base =
        std::min(double(options.initialBackoffMs) * std::pow(2.0, exponent), double(options.maxBackoffMs));
    // ±20% so that deliveries failing together do not retry together.
    const double jittered = base * (0.8 + 0.4 * random);
    return qint64(std::min(jittered, double(options.maxBackoffMs)));
}

void WebhookDispatcher::onEvent(const DomainEvent &event)
{
    auto hooks = m_store.enabledWebhooks();
    if (!hooks) {
        qCWarning(lcWebhook).noquote() << "cannot read webhooks; event" << event.id
                                       << "not queued:" << hooks.error().message;
        return;
    }
    QList<WebhookStore::NewDelivery> deliveries;
    QByteArray payload;
    const QString type = wireName(event.kind);
    for (const Webhook &hook : *hooks) {
        const bool wanted = std::any_of(hook.events.cbegin(), hook.events.cend(),
                                        [&](const QString &p) { return EventBus::typeMatches(p, type); });
        if (!wanted)
            continue;
        if (payload.isEmpty())
            payload = QJsonDocument(Visibility::event(Visibility::kWebhookReceiverRole, event).toJson())
                          .toJson(QJsonDocument::Compact);
        deliveries.append({hook.id, event.id, type, payload});
    }
    if (deliveries.isEmpty())
        return;
    auto queued = m_store.enqueue(deliveries);
    if (!queued) {
        qCWarning(lcWebhook).noquote() << "cannot queue event" << event.id << "for webhooks:" << queued.error().message;
        return;
    }
    if (m_started)
        m_timer.start(0); // a burst of events is sent by one pump
}

void WebhookDispatcher::pump()
{
    if (!m_started)
        return;
    const QDateTime nowTime = QDateTime::currentDateTimeUtc();
    if (nowTime.toMSecsSinceEpoch() - m_lastPrune > kPruneEveryMs) {
        m_lastPrune = nowTime.toMSecsSinceEpoch();
        m_store.pruneFinished(nowTime.addDays(-kKeepFinishedDays).toString(Qt::ISODateWithMs));
    }
    const int free = m_options.maxConcurrent - int(m_inFlight.size()) - m_resolving;
    if (free > 0) {
        const QString now = nowTime.toString(Qt::ISODateWithMs);
        auto due = m_store.due(now, free);
        if (!due) {
            qCWarning(lcWebhook).noquote() << "cannot read pending deliveries:" << due.error().message;
        } else {
            const QString leaseUntil = isoIn(m_options.timeoutMs + kLeaseMarginMs);
            for (const WebhookStore::DueDelivery &d : std::as_const(*due)) {
                auto claimed = m_store.claim(d.id, m_owner, now, leaseUntil);
                if (claimed && *claimed)
                    send(d);
            }
        }
    }
    scheduleNext();
}

void WebhookDispatcher::scheduleNext()
{
    qint64 wait = m_options.pollMs;
    if (int(m_inFlight.size()) + m_resolving < m_options.maxConcurrent) {
        auto next = m_store.nextDueAt();
        if (next && !next->isEmpty()) {
            const QDateTime at = QDateTime::fromString(*next, Qt::ISODateWithMs);
            if (at.isValid())
                wait = std::clamp(QDateTime::currentDateTimeUtc().msecsTo(at), qint64(10), wait);
        }
    }
    m_timer.start(int(wait));
}

void WebhookDispatcher::send(const WebhookStore::DueDelivery &delivery)
{
    ++m_resolving;
    m_target.resolve(QUrl(delivery.url), this, [this, delivery](Result<WebhookTarget::Pinned> pinned) {
        --m_resolving;
        if (!pinned)
            refuse(delivery, QStringLiteral("refused: ") + pinned.error().message);
        else
            post(delivery, *pinned);
    });
}

void WebhookDispatcher::refuse(const WebhookStore::DueDelivery &delivery, const QString &error)
{
    record(delivery.id, delivery.webhookId, delivery.attempts, 0, error);
}

void WebhookDispatcher::post(const WebhookStore::DueDelivery &delivery, const WebhookTarget::Pinned &pinned)
{
    const QByteArray timestamp = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    QNetworkRequest request{pinned.url};
    request.setRawHeader("Host", pinned.hostHeader);
    request.setPeerVerifyName(pinned.hostName);
    // HTTP/1.1 only: HTTP/2's :authority would name the address, not the
    // host a receiver behind a shared front end is known by.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Provisio-Webhook/" PROVISIO_VERSION));
    request.setRawHeader("X-Provisio-Event", delivery.eventType.toUtf8());
    request.setRawHeader("X-Provisio-Delivery", delivery.id.toUtf8());
    request.setRawHeader("X-Provisio-Timestamp", timestamp);
    request.setRawHeader("X-Provisio-Signature", signature(delivery.secret.toUtf8(), timestamp, delivery.payload));
    // A redirect is an answer that is not 2xx, not an instruction to post the
    // event (and its signature) somewhere else.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(m_options.timeoutMs);
    if (request.url().scheme() == QLatin1String("https"))
        request.setSslConfiguration(m_ssl);

    QNetworkReply *reply = m_network.post(request, delivery.payload);
    m_inFlight.insert(reply, InFlight{delivery.id, delivery.webhookId, delivery.attempts, false});
    // The answer's body is of no interest: read and drop it, so a receiver
    // answering with a huge body cannot fill memory.
    connect(reply, &QNetworkReply::readyRead, this, [reply] { reply->skip(reply->bytesAvailable()); });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
    // The transfer timeout only catches silence; this caps a trickling answer.
    QTimer::singleShot(m_options.timeoutMs, reply, [this, reply] {
        if (m_inFlight.contains(reply) && reply->isRunning()) {
            m_inFlight[reply].timedOut = true;
            reply->abort();
        }
    });
}

void WebhookDispatcher::onFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    const auto it = m_inFlight.constFind(reply);
    if (it == m_inFlight.constEnd())
        return;
    const InFlight job = *it;
    m_inFlight.erase(it);

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString error; // empty: delivered
    if (job.timedOut || reply->error() == QNetworkReply::TimeoutError ||
        reply->error() == QNetworkReply::OperationCanceledError)
        error = QStringLiteral("no answer within %1 ms").arg(m_options.timeoutMs);
    else if (status > 0 && (status < 200 || status > 299))
        error = QStringLiteral("HTTP %1").arg(status);
    else if (status == 0)
        error = reply->errorString();
    record(job.deliveryId, job.webhookId, job.attempts, status, error);
}

void WebhookDispatcher::record(const QString &deliveryId, const QString &webhookId, int attempts, int status,
                               QString error)
{
    WebhookStore::Attempt attempt;
    attempt.attempts = attempts + 1;
    attempt.statusCode = status;
    const bool ok = error.isEmpty();
    QString outcome;
    if (ok) {
        attempt.status = kDelivered;
        outcome = kDelivered;
    } else {
        attempt.error = error.left(kMaxErrorLength);
        if (attempt.attempts >= m_options.maxAttempts) {
            attempt.status = kFailed;
            outcome = kFailed;
        } else {
            attempt.status = kPending;
            attempt.nextAttemptAt =
                isoIn(backoffMs(attempt.attempts, m_options, QRandomGenerator::global()->generateDouble()));
            outcome = QStringLiteral("retry");
        }
    }
    if (auto r = m_store.recordAttempt(deliveryId, m_owner, attempt); !r)
        qCWarning(lcWebhook).noquote() << "cannot record delivery" << deliveryId << r.error().message;
    if (m_metrics)
        m_metrics->increment(QStringLiteral("provisio_webhook_attempts_total"),
                             QStringLiteral("outcome=\"%1\"").arg(outcome));
    if (ok)
        qCDebug(lcWebhook).noquote() << "delivered" << deliveryId << "to" << webhookId << "status" << status;
    else
        qCInfo(lcWebhook).noquote() << "delivery" << deliveryId << "to" << webhookId << "attempt" << attempt.attempts
                                    << "failed:" << attempt.error << "->" << attempt.status;
    if (m_started)
        m_timer.start(0);
}

} // namespace Provisio
