// SPDX-License-Identifier: Apache-2.0
#include "batchoperation.h"

#include "apicall.h"

#include <QTimer>

namespace Provisio::Crm {

BatchOperation::BatchOperation(const QString &title, QObject *parent) : QObject(parent), m_title(title) { }

void BatchOperation::addStep(const QString &label, Start start, Done done)
{
    m_steps.append(Step{label, std::move(start), std::move(done)});
}

void BatchOperation::addFailure(const QString &label, const QString &message)
{
    m_preFailures.append(label + QStringLiteral(": ") + message);
}

void BatchOperation::start()
{
    if (m_started)
        return;
    m_started = true;
    m_failures = m_preFailures;
    m_done = m_preFailures.size();
    // Always asynchronous, so a caller can connect after start() returns.
    QTimer::singleShot(0, this, [this] {
        Q_EMIT progressChanged(m_done, total());
        next();
    });
}

void BatchOperation::cancel()
{
    if (m_finished)
        return;
    m_cancelled = true;
    if (m_current)
        m_current->abort(); // its failure handler finishes the batch
    else if (m_started)
        QTimer::singleShot(0, this, &BatchOperation::finish);
}

void BatchOperation::next()
{
    if (m_cancelled || m_index >= m_steps.size()) {
        finish();
        return;
    }
    const Step step = m_steps.at(m_index++);
    ApiCall *call = step.start();
    if (!call) {
        m_failures.append(step.label + QStringLiteral(": ") + tr("could not be sent"));
        ++m_done;
        Q_EMIT progressChanged(m_done, total());
        QTimer::singleShot(0, this, &BatchOperation::next);
        return;
    }
    m_current = call;
    connect(call, &ApiCall::finished, this, [this, step](const QJsonDocument &body, const QByteArray &etag) {
        m_current = nullptr;
        ++m_succeeded;
        ++m_done;
        if (step.done)
            step.done(body, etag);
        Q_EMIT progressChanged(m_done, total());
        next();
    });
    connect(call, &ApiCall::failed, this, [this, step](const ApiFailure &failure) {
        m_current = nullptr;
        ++m_done;
        if (!failure.aborted)
            m_failures.append(step.label + QStringLiteral(": ") + failure.message);
        Q_EMIT progressChanged(m_done, total());
        next();
    });
}

void BatchOperation::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT finished();
    deleteLater();
}

QString BatchOperation::summary(const QString &successText) const
{
    QString text;
    if (!m_failures.isEmpty() && m_succeeded == 0) {
        text = tr("%1 failed.").arg(m_title);
    } else if (successText.contains(QLatin1String("%2"))) {
        text = successText.arg(m_succeeded).arg(total());
    } else {
        text = successText;
    }
    if (m_cancelled)
        text += QLatin1Char(' ') + tr("Cancelled.");
    if (!m_failures.isEmpty()) {
        const int shown = qMin<int>(m_failures.size(), 5);
        text += QLatin1Char(' ') + m_failures.mid(0, shown).join(QStringLiteral("; "));
        if (m_failures.size() > shown)
            text += QLatin1Char(' ') + tr("(and %1 more)").arg(m_failures.size() - shown);
    }
    return text;
}

} // namespace Provisio::Crm
