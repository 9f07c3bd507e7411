// SPDX-License-Identifier: Apache-2.0
#include "devicebatchjob.h"

#include "apicall.h"
#include "apiclient.h"
#include "apifailure.h"
#include "eventfeed.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace Provisio::Crm {

namespace {
const QString kRunning = QStringLiteral("running");
constexpr int kFailuresShown = 5;
} // namespace

DeviceBatchJob::DeviceBatchJob(ApiClient *api, const QString &title, const QUrlQuery &filter, const QJsonObject &body,
                               QObject *parent)
    : QObject(parent), m_api(api), m_title(title), m_filter(filter), m_body(body)
{
    m_poll.setSingleShot(true);
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &DeviceBatchJob::poll);
}

void DeviceBatchJob::follow(EventFeed *feed)
{
    m_feed = feed;
    if (feed)
        connect(feed, &EventFeed::eventReceived, this, &DeviceBatchJob::onEvent);
}

int DeviceBatchJob::pollInterval() const
{
    return m_feed && m_feed->isConnected() ? kFeedPollMs : kPollMs;
}

void DeviceBatchJob::onEvent(const QString &type, const QJsonObject &event)
{
    if (!type.startsWith(QLatin1String("batchJob.")))
        return;
    const QString id = event.value(QStringLiteral("entityId")).toString();
    if (m_jobId.isEmpty()) {
        // The job's first events can come before the answer that names it
        // (a short job may even have ended): kept until then, the latest
        // of each job, a few jobs at most.
        if (m_early.size() < kEarlyEventsKept || m_early.contains(id))
            m_early.insert(id, event.value(QStringLiteral("data")).toObject());
        return;
    }
    if (id == m_jobId)
        read(event.value(QStringLiteral("data")).toObject());
}

void DeviceBatchJob::start()
{
    ApiCall *call = m_api->post(QStringLiteral("device-batch-jobs"), m_body, m_filter);
    connect(call, &ApiCall::finished, this, [this](const QJsonDocument &body, const QByteArray &) {
        read(body.object());
        const QJsonObject early = m_early.value(m_jobId);
        m_early.clear();
        if (!early.isEmpty())
            read(early); // newer than the answer
        if (m_cancelAsked)
            cancel();
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &failure) {
        m_error = failure.message;
        finish();
    });
}

void DeviceBatchJob::cancel()
{
    m_cancelAsked = true;
    if (m_jobId.isEmpty() || m_finished)
        return; // asked again once the job has an id
    ApiCall *call = m_api->post(
        QStringLiteral("device-batch-jobs/") + ApiClient::segment(m_jobId) + QStringLiteral("/cancel"), QJsonObject());
    // The answer is the job; its end comes with the polls. A 409 means it
    // had ended already, which the next poll shows as well.
    connect(call, &ApiCall::finished, this,
            [this](const QJsonDocument &body, const QByteArray &) { read(body.object()); });
}

void DeviceBatchJob::poll()
{
    ApiCall *call = m_api->get(QStringLiteral("device-batch-jobs/") + ApiClient::segment(m_jobId));
    connect(call, &ApiCall::finished, this,
            [this](const QJsonDocument &body, const QByteArray &) { read(body.object()); });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &failure) {
        if (failure.httpStatus == 404 || failure.httpStatus == 401 || failure.httpStatus == 403) {
            m_error = failure.message;
            finish();
            return;
        }
        m_poll.start(pollInterval()); // a passing outage: keep following the job
    });
}

void DeviceBatchJob::read(const QJsonObject &job)
{
    if (m_finished || job.isEmpty())
        return;
    m_jobId = job.value(QStringLiteral("id")).toString(m_jobId);
    m_state = job.value(QStringLiteral("state")).toString();
    m_error = job.value(QStringLiteral("error")).toString();
    m_total = qint64(job.value(QStringLiteral("total")).toDouble());
    m_done = qint64(job.value(QStringLiteral("done")).toDouble());
    m_succeeded = qint64(job.value(QStringLiteral("succeeded")).toDouble());
    m_failed = qint64(job.value(QStringLiteral("failed")).toDouble());
    Q_EMIT progressChanged(m_done, m_total);
    if (m_state == kRunning) {
        // An event pushes the next poll back: it said what a poll would.
        m_poll.start(pollInterval());
        return;
    }
    m_poll.stop();
    loadFailuresAndFinish();
}

void DeviceBatchJob::loadFailuresAndFinish()
{
    if (m_failed == 0) {
        finish();
        return;
    }
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QString::number(kFailuresShown));
    ApiCall *call = m_api->get(
        QStringLiteral("device-batch-jobs/") + ApiClient::segment(m_jobId) + QStringLiteral("/failures"), query);
    connect(call, &ApiCall::finished, this, [this](const QJsonDocument &body, const QByteArray &) {
        for (const QJsonValue &f : body.object().value(QStringLiteral("items")).toArray())
            m_failures.append(f[QStringLiteral("serial")].toString() + QStringLiteral(": ") +
                              f[QStringLiteral("message")].toString());
        finish();
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &) { finish(); });
}

void DeviceBatchJob::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_poll.stop();
    Q_EMIT finished();
    deleteLater();
}

QString DeviceBatchJob::summary(const QString &successText) const
{
    const QLocale locale;
    if (m_jobId.isEmpty())
        return tr("%1 failed: %2").arg(m_title, m_error);
    QString text = successText.arg(locale.toString(m_succeeded));
    if (m_state == QLatin1String("cancelled"))
        text += QLatin1Char(' ') +
                tr("Cancelled after %1 of %2 devices.").arg(locale.toString(m_done), locale.toString(m_total));
    else if (m_state == QLatin1String("interrupted") || m_state == QLatin1String("failed"))
        text +=
            QLatin1Char(' ') +
            tr("Stopped after %1 of %2 devices: %3").arg(locale.toString(m_done), locale.toString(m_total), m_error);
    if (m_failed > 0) {
        text += QLatin1Char(' ') + tr("%1 could not be changed:").arg(locale.toString(m_failed)) + QLatin1Char(' ') +
                m_failures.join(QStringLiteral("; "));
        if (m_failed > m_failures.size())
            text += QLatin1Char(' ') + tr("(and %1 more)").arg(locale.toString(m_failed - m_failures.size()));
    }
    return text;
}

} // namespace Provisio::Crm
