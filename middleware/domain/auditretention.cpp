// SPDX-License-Identifier: Apache-2.0
#include "auditretention.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "protocol/timeutil.h"
#include "storage/auditlog.h"

#include <QDateTime>

namespace Provisio {

AuditRetention::AuditRetention(ServiceContext &ctx, Options options, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_options(options), m_sweep(QStringLiteral("audit"), options.sweep)
{
    m_ctx.metrics.describe(QStringLiteral("provisio_audit_pruned_total"), QStringLiteral("counter"),
                           QStringLiteral("Audit entries deleted by retention (audit-days)"));
    connect(&m_timer, &QTimer::timeout, this, &AuditRetention::sweep);
    connect(&m_sweep, &RetentionSweep::roundDone, this, [this](int deleted, qint64) {
        if (deleted > 0)
            m_ctx.metrics.increment(QStringLiteral("provisio_audit_pruned_total"), QString(), double(deleted));
    });
}

void AuditRetention::start()
{
    if (m_options.days <= 0)
        return;
    m_timer.start(m_options.intervalMs);
    sweep();
}

void AuditRetention::sweep()
{
    if (m_options.days <= 0)
        return;
    // One cutoff per sweep: entries that age past it meanwhile wait for
    // the next one.
    const QString cutoff = toIsoUtc(QDateTime::currentDateTimeUtc().addDays(-m_options.days));
    AuditLog &audit = m_ctx.audit;
    m_sweep.start([&audit, cutoff](int maxRows) { return audit.pruneOlderThan(cutoff, maxRows); });
}

} // namespace Provisio
