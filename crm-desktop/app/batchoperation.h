// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace Provisio::Crm {

class ApiCall;
struct ApiFailure;

// A user action over many records (sell 40 devices, enroll 12): one request
// after the other, so the middleware is not flooded and progress and cancel
// are real. Each step that fails is remembered with its label and the
// middleware's message; the others go on. Deletes itself after finished().
class BatchOperation : public QObject
{
    Q_OBJECT
public:
    using Start = std::function<ApiCall *()>;
    using Done = std::function<void(const QJsonDocument &body, const QByteArray &etag)>;

    explicit BatchOperation(const QString &title, QObject *parent = nullptr);

    // `label` names the record in failure messages ("SN-0001").
    void addStep(const QString &label, Start start, Done done = {});
    // Fails a step before it runs (bad input found while building the batch).
    void addFailure(const QString &label, const QString &message);

    void start();
    void cancel();

    QString title() const { return m_title; }
    int total() const { return m_steps.size() + m_preFailures.size(); }
    int done() const { return m_done; }
    int succeeded() const { return m_succeeded; }
    QStringList failures() const { return m_failures; }
    bool isCancelled() const { return m_cancelled; }
    // One sentence for the banner: "Sold 3 of 4 devices. SN-9: unknown customer".
    QString summary(const QString &successText) const;

Q_SIGNALS:
    void progressChanged(int done, int total);
    void finished();

private:
    struct Step
    {
        QString label;
        Start start;
        Done done;
    };
    void next();
    void finish();

    QString m_title;
    QList<Step> m_steps;
    QStringList m_preFailures;
    QStringList m_failures;
    QPointer<ApiCall> m_current;
    int m_index = 0;
    int m_done = 0;
    int m_succeeded = 0;
    bool m_started = false;
    bool m_cancelled = false;
    bool m_finished = false;
};

} // namespace Provisio::Crm
