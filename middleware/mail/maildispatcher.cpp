// SPDX-License-Identifier: Apache-2.0
#include "maildispatcher.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "domain/eventbus.h"

#include <QDir>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

Q_LOGGING_CATEGORY(lcMailDispatch, "provisio.middleware.mail")

namespace Provisio {

namespace {
// Look again at least this often: mails queued by other instances, and
// leases of instances that died mid-send.
constexpr int kPollMs = 5000;

SmtpTransport::Outcome writeToOutbox(const QString &dir, const QString &mailId, const QByteArray &message)
{
    if (!QDir().mkpath(dir))
        return {false, false, QStringLiteral("cannot create the outbox %1").arg(dir)};
    QSaveFile file(QDir(dir).filePath(mailId + QStringLiteral(".eml")));
    if (!file.open(QIODevice::WriteOnly))
        return {false, false, QStringLiteral("cannot write to the outbox: %1").arg(file.errorString())};
    file.write(message);
    if (!file.commit())
        return {false, false, QStringLiteral("cannot write to the outbox: %1").arg(file.errorString())};
    return {true, false, {}};
}
} // namespace

MailDispatcher::MailDispatcher(ServiceContext &ctx, const Options &options, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_options(options), m_deliveries(ctx)
{
    SmtpTransport::initGlobal();
    ctx.metrics.describe(QStringLiteral("provisio_mail_attempts_total"), QStringLiteral("counter"),
                         QStringLiteral("Delivery attempts of e-mails by result (sent, failed)"));
    m_pool.setMaxThreadCount(1);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &MailDispatcher::pump);
    connect(&m_watcher, &QFutureWatcher<SmtpTransport::Outcome>::finished, this, &MailDispatcher::finished);
    connect(&ctx.events, &EventBus::eventPublished, this, [this](const DomainEvent &event) {
        if (event.kind == EventKind::ActivationMailQueued && m_started && !m_current)
            m_timer.start(0);
    });
}

MailDispatcher::~MailDispatcher()
{
    // A send in flight finishes (bounded by the SMTP timeout); its mail's
    // lease then runs out and the next start sends it again.
    m_watcher.disconnect(this);
    m_pool.waitForDone();
}

void MailDispatcher::start()
{
    m_started = true;
    if (m_options.smtp.url.isEmpty())
        qCInfo(lcMailDispatch).noquote() << "no --smtp-url: activation e-mails are written to" << m_options.outboxDir;
    else
        qCInfo(lcMailDispatch).noquote() << "activation e-mails go to" << m_options.smtp.url << "from" << m_options.from
                                         << (m_options.smtp.user.isEmpty() ? "without" : "with") << "SMTP AUTH";
    m_timer.start(0);
}

void MailDispatcher::pump()
{
    if (m_current)
        return;
    // The lease outlasts one attempt by a margin: a live sender never loses
    // its mail to another instance.
    auto claimed = m_deliveries.claimDue(2LL * m_options.smtp.timeoutMs + 10000);
    if (!claimed) {
        qCWarning(lcMailDispatch).noquote() << "cannot read the mail queue:" << claimed.error().message;
        m_timer.start(kPollMs);
        return;
    }
    if (!*claimed) {
        scheduleNext();
        return;
    }
    m_current = **claimed;
    const MailStore::Mail mail = *m_current;
    const Options options = m_options;
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [mail, options] {
        if (options.smtp.url.isEmpty())
            return writeToOutbox(options.outboxDir, mail.mailId, mail.message);
        return SmtpTransport::send(options.smtp, options.from, mail.recipient, mail.message);
    }));
}

void MailDispatcher::finished()
{
    if (!m_current)
        return;
    const MailStore::Mail mail = *m_current;
    m_current.reset();
    const SmtpTransport::Outcome outcome = m_watcher.result();
    const QString transport = m_options.smtp.url.isEmpty() ? QStringLiteral("outbox") : QStringLiteral("smtp");
    const Result<void> recorded = outcome.ok ? m_deliveries.delivered(mail, transport)
                                             : m_deliveries.attemptFailed(mail, outcome.error, outcome.permanent);
    m_ctx.metrics.increment(QStringLiteral("provisio_mail_attempts_total"),
                            outcome.ok ? QStringLiteral("result=\"sent\"") : QStringLiteral("result=\"failed\""));
    if (!recorded)
        // The lease runs out and the mail is sent again: at least once.
        qCWarning(lcMailDispatch).noquote()
            << "cannot record the outcome of mail" << mail.mailId << ":" << recorded.error().message;
    m_timer.start(0);
}

void MailDispatcher::scheduleNext()
{
    int wait = kPollMs;
    if (auto next = m_deliveries.nextDueMs(); next && *next) {
        const qint64 in = **next - QDateTime::currentMSecsSinceEpoch();
        wait = int(qBound(qint64(0), in, qint64(kPollMs)));
    }
    m_timer.start(wait);
}

} // namespace Provisio
