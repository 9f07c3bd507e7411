// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QUrlQuery>

namespace Provisio::Crm {

class ApiCall;
class ApiClient;
class EventFeed;

// An action over every device the inventory's filter matches, run by the
// middleware as a batch job (POST /api/v1/device-batch-jobs): the CRM
// sends the filter and the action, then follows the job's progress until
// it ends, and can cancel it. No device is loaded for it. Deletes itself
// after finished().
//
// Progress comes from the live feed's batchJob.progress and
// batchJob.finished events when the feed is connected (follow()), and from
// polling the job: every kPollMs without a feed, every kFeedPollMs with
// one (the feed may be connected to another instance than the one running
// the job, or drop an event while it reconnects).
class DeviceBatchJob : public QObject
{
    Q_OBJECT
public:
    // `filter`: the inventory listing's filter parameters; `body`: the
    // action and its arguments ({"action":"sell","customerId":…}).
    DeviceBatchJob(ApiClient *api, const QString &title, const QUrlQuery &filter, const QJsonObject &body,
                   QObject *parent = nullptr);

    static constexpr int kPollMs = 400;
    static constexpr int kFeedPollMs = 3000;
    static constexpr int kEarlyEventsKept = 16;

    // Takes the job's events from `feed` (may be null).
    void follow(EventFeed *feed);
    void start();
    // Asks the middleware to stop after its current chunk; finished() comes
    // when it has.
    void cancel();

    QString title() const { return m_title; }
    QString jobId() const { return m_jobId; }
    qint64 total() const { return m_total; }
    qint64 done() const { return m_done; }
    qint64 succeeded() const { return m_succeeded; }
    qint64 failedCount() const { return m_failed; }
    // running, completed, cancelled, failed, interrupted; empty before the
    // middleware accepted it (and when it refused it: see error()).
    QString state() const { return m_state; }
    QString error() const { return m_error; }
    // The first few devices it could not change, "serial: reason".
    QStringList failures() const { return m_failures; }
    bool isCancelled() const { return m_state == QLatin1String("cancelled"); }
    // One sentence for the banner; `successText` has %1 = succeeded.
    QString summary(const QString &successText) const;

Q_SIGNALS:
    void progressChanged(qint64 done, qint64 total);
    void finished();

private:
    void poll();
    int pollInterval() const;
    void onEvent(const QString &type, const QJsonObject &event);
    void read(const QJsonObject &job);
    void loadFailuresAndFinish();
    void finish();

    ApiClient *m_api;
    QString m_title;
    QUrlQuery m_filter;
    QJsonObject m_body;
    QString m_jobId;
    QString m_state;
    QString m_error;
    QStringList m_failures;
    qint64 m_total = 0;
    qint64 m_done = 0;
    qint64 m_succeeded = 0;
    qint64 m_failed = 0;
    bool m_cancelAsked = false;
    bool m_finished = false;
    QTimer m_poll;
    QPointer<EventFeed> m_feed;
    QHash<QString, QJsonObject> m_early; // events of jobs before the start's answer named this one
};

} // namespace Provisio::Crm
