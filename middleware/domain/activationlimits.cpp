// SPDX-License-Identifier: Apache-2.0
#include "activationlimits.h"

#include "base/clientaddress.h"
#include "base/serviceconfig.h"
#include "base/servicecontext.h"
#include "storage/database.h"

#include <QDateTime>

namespace Provisio {

ActivationLimits::ActivationLimits(ServiceContext &ctx) : m_ctx(ctx), m_store(ctx.db), m_changes(ctx) { }

qint64 ActivationLimits::backoffMs(int failures, int freeAttempts, qint64 maxMs)
{
    if (failures < freeAttempts)
        return 0;
    const int doublings = failures - freeAttempts; // 0 at the first backoff
    if (doublings >= 40)
        return maxMs;
    return qMin(maxMs, qint64(2000) << doublings);
}

namespace {
int seconds(qint64 ms)
{
    return int(qMax<qint64>(1, (ms + 999) / 1000));
}
} // namespace

Result<ActivationLimits::Verdict> ActivationLimits::check(const QString &serial, const QHostAddress &client,
                                                          qint64 nowMs)
{
    auto counts = m_store.counts(serial, ClientAddress::limitKey(client), nowMs - kWindowMs);
    if (!counts)
        return counts.error();
    Verdict v;
    const ServiceConfig &config = m_ctx.config;
    v.attemptsLeft = qMax(0, qMin(config.activationFreeAttempts - counts->clientFailures,
                                  config.activationAttemptsPerSerial - counts->serialFailures));
    if (counts->serialFailures >= config.activationAttemptsPerSerial) {
        // Until the oldest counted failure leaves the window (at most one
        // window from now, whatever another instance's clock said).
        v.retryAfterSeconds = seconds(qBound<qint64>(1, counts->serialOldestMs + kWindowMs - nowMs, kWindowMs));
        v.scope = QStringLiteral("for this serial");
        return v;
    }
    const qint64 backoff =
        backoffMs(counts->clientFailures, config.activationFreeAttempts, config.activationMaxBackoffSeconds * 1000LL);
    const qint64 waitMs = qMin(counts->clientLatestMs + backoff - nowMs, backoff);
    if (backoff > 0 && waitMs > 0) {
        v.retryAfterSeconds = seconds(waitMs);
        v.scope = QStringLiteral("for this serial from this address");
    }
    return v;
}

Result<void> ActivationLimits::recordFailure(const QString &serial, const QHostAddress &client, const QString &reason,
                                             qint64 nowMs)
{
    const QHostAddress address = ClientAddress::normalized(client);
    if (auto r = m_store.record({serial, nowMs, address.toString(), reason, 0}, ClientAddress::limitKey(address)); !r)
        return r;
    // Old rows go now and then, by whichever instance comes by.
    if (nowMs - m_lastPruneMs > 3600 * 1000LL) {
        m_lastPruneMs = nowMs;
        if (auto pruned = m_store.pruneBefore(nowMs - kRetentionMs); !pruned)
            return pruned.error();
    }
    return {};
}

Result<int> ActivationLimits::clear(const QString &serial)
{
    return m_store.clear(serial, QDateTime::currentMSecsSinceEpoch());
}

Result<QList<ActivationFailureStore::SerialFailures>> ActivationLimits::failingSerials()
{
    return m_store.failingSerials(QDateTime::currentMSecsSinceEpoch() - kWindowMs, kListLimit);
}

Result<int> ActivationLimits::unlock(const QString &serial, const QString &actor)
{
    Transaction tx(m_ctx.db);
    auto cleared = m_store.clear(serial, QDateTime::currentMSecsSinceEpoch());
    if (!cleared)
        return cleared.error();
    if (auto audited = m_changes.record(
            EventKind::ActivationUnlocked,
            {actor,
             QStringLiteral("activationUnlock"),
             QStringLiteral("device"),
             serial,
             {},
             QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("clearedFailures"), *cleared}}});
        !audited)
        return audited.error();
    if (!tx.commit())
        return Error(ErrorCode::Unavailable, QStringLiteral("the unlock could not be stored"));
    return *cleared;
}

Result<QList<ActivationFailureStore::Failure>> ActivationLimits::failures(const QString &serial)
{
    return m_store.list(serial, kListLimit);
}

} // namespace Provisio
