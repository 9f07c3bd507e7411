// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "smtptransport.h"

#include "domain/activationmails.h"

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

namespace Provisio {

class EventBus;
class Metrics;
struct DomainEvent;

// Sends the queued mails, one at a time, on a thread of its own so that no
// HTTP request ever waits for an SMTP server: claims the mail due first
// (MailDeliveries), hands it to the SMTP server (SmtpTransport) or, without
// an SMTP URL, writes it to the outbox directory as <mailId>.eml, and
// reports the outcome back. Woken by `activationMail.queued`; otherwise it
// looks again when the next retry falls due, at least every few seconds
// (mails queued by other instances, leases of dead ones).
class MailDispatcher : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        SmtpTransport::Settings smtp; // url empty: the outbox
        QString from;
        QString outboxDir;
    };

    MailDispatcher(ServiceContext &ctx, const Options &options, QObject *parent = nullptr);
    ~MailDispatcher() override;

    void start();

private:
    void pump();
    void finished();
    void scheduleNext();

    ServiceContext &m_ctx;
    Options m_options;
    MailDeliveries m_deliveries;
    QThreadPool m_pool;
    QFutureWatcher<SmtpTransport::Outcome> m_watcher;
    QTimer m_timer;
    std::optional<MailStore::Mail> m_current;
    bool m_started = false;
};

} // namespace Provisio
