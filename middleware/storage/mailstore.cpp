// SPDX-License-Identifier: Apache-2.0
#include "mailstore.h"

#include "storage/database.h"

#include "protocol/timeutil.h"

namespace Provisio {

namespace {
const QString kColumns =
    QStringLiteral("mail_id, kind, registration_id, serial, recipient, subject, message, state, attempts, "
                   "last_error, next_attempt_ms, transport, actor, created, updated, sent");
const QString kQueued = QStringLiteral("queued");
const QString kSending = QStringLiteral("sending");

QVariant textOrNull(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}
} // namespace

QJsonObject MailStore::Mail::toJson() const
{
    QJsonObject out{{QStringLiteral("mailId"), mailId},
                    {QStringLiteral("kind"), kind},
                    {QStringLiteral("registrationId"), registrationId},
                    {QStringLiteral("serial"), serial},
                    {QStringLiteral("to"), recipient},
                    {QStringLiteral("subject"), subject},
                    {QStringLiteral("state"), state},
                    {QStringLiteral("attempts"), attempts},
                    {QStringLiteral("createdDateTimeUtc"), toIsoUtc(created)},
                    {QStringLiteral("lastUpdatedDateTimeUtc"), toIsoUtc(updated)}};
    if (!lastError.isEmpty())
        out.insert(QStringLiteral("lastError"), lastError);
    if (state == kQueued)
        out.insert(QStringLiteral("nextAttemptDateTimeUtc"),
                   toIsoUtc(QDateTime::fromMSecsSinceEpoch(nextAttemptMs, Qt::UTC)));
    if (!transport.isEmpty())
        out.insert(QStringLiteral("transport"), transport);
    if (sent.isValid())
        out.insert(QStringLiteral("sentDateTimeUtc"), toIsoUtc(sent));
    return out;
}

Result<void> MailStore::insert(const Mail &m)
{
    auto q = m_db.exec(QStringLiteral("INSERT INTO outgoing_mail (") + kColumns +
                           QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                       {m.mailId, m.kind, m.registrationId, m.serial, m.recipient, m.subject, m.message, m.state,
                        m.attempts, textOrNull(m.lastError), m.nextAttemptMs, textOrNull(m.transport), m.actor,
                        toIsoUtc(m.created), toIsoUtc(m.updated), m.sent.isValid() ? toIsoUtc(m.sent) : QVariant()});
    if (!q)
        return q.error();
    q->finish();
    return {};
}

Result<QList<MailStore::Mail>> MailStore::select(const QString &tail, const QVariantList &binds)
{
    auto q = m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM outgoing_mail ") + tail, binds);
    if (!q)
        return q.error();
    QList<Mail> out;
    while (q->next()) {
        Mail m;
        m.mailId = q->value(0).toString();
        m.kind = q->value(1).toString();
        m.registrationId = q->value(2).toString();
        m.serial = q->value(3).toString();
        m.recipient = q->value(4).toString();
        m.subject = q->value(5).toString();
        m.message = q->value(6).toByteArray();
        m.state = q->value(7).toString();
        m.attempts = q->value(8).toInt();
        m.lastError = q->value(9).toString();
        m.nextAttemptMs = q->value(10).toLongLong();
        m.transport = q->value(11).toString();
        m.actor = q->value(12).toString();
        m.created = fromIsoUtc(q->value(13).toString()).value_or(QDateTime());
        m.updated = fromIsoUtc(q->value(14).toString()).value_or(QDateTime());
        if (!q->value(15).isNull())
            m.sent = fromIsoUtc(q->value(15).toString()).value_or(QDateTime());
        out << m;
    }
    q->finish();
    return out;
}

Result<std::optional<MailStore::Mail>> MailStore::find(const QString &mailId)
{
    auto found = select(QStringLiteral("WHERE mail_id = ?"), {mailId});
    if (!found)
        return found.error();
    if (found->isEmpty())
        return std::optional<Mail>();
    return std::optional<Mail>(found->first());
}

Result<QList<MailStore::Mail>> MailStore::list(const Filter &filter, int limit)
{
    QStringList where;
    QVariantList binds;
    if (!filter.registrationId.isEmpty()) {
        where << QStringLiteral("registration_id = ?");
        binds << filter.registrationId;
    }
    if (!filter.state.isEmpty()) {
        where << QStringLiteral("state = ?");
        binds << filter.state;
    }
    binds << limit;
    return select((where.isEmpty() ? QString() : QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND "))) +
                      QStringLiteral(" ORDER BY created DESC, mail_id DESC LIMIT ?"),
                  binds);
}

Result<int> MailStore::countPending()
{
    auto q = m_db.exec(QStringLiteral("SELECT COUNT(*) FROM outgoing_mail WHERE state IN ('queued', 'sending')"));
    if (!q)
        return q.error();
    const int n = q->next() ? q->value(0).toInt() : 0;
    q->finish();
    return n;
}

Result<std::optional<MailStore::Mail>> MailStore::claimDue(qint64 nowMs, qint64 leaseUntilMs)
{
    auto due = select(QStringLiteral("WHERE state IN ('queued', 'sending') AND next_attempt_ms <= ? "
                                     "ORDER BY next_attempt_ms, mail_id LIMIT 1"),
                      {nowMs});
    if (!due)
        return due.error();
    if (due->isEmpty())
        return std::optional<Mail>();
    Mail m = due->first();
    // Conditional on what was read: another instance that claimed it first
    // changed the state or the lease.
    auto r = m_db.execAffected(QStringLiteral("UPDATE outgoing_mail SET state = ?, next_attempt_ms = ? "
                                              "WHERE mail_id = ? AND state = ? AND next_attempt_ms = ?"),
                               {kSending, leaseUntilMs, m.mailId, m.state, m.nextAttemptMs});
    if (!r)
        return r.error();
    if (*r == 0)
        return std::optional<Mail>();
    m.state = kSending;
    m.nextAttemptMs = leaseUntilMs;
    return std::optional<Mail>(m);
}

Result<std::optional<qint64>> MailStore::nextDueMs()
{
    auto q = m_db.exec(
        QStringLiteral("SELECT MIN(next_attempt_ms) FROM outgoing_mail WHERE state IN ('queued', 'sending')"));
    if (!q)
        return q.error();
    std::optional<qint64> out;
    if (q->next() && !q->value(0).isNull())
        out = q->value(0).toLongLong();
    q->finish();
    return out;
}

Result<bool> MailStore::markSent(const QString &mailId, int attempts, const QString &transport, const QDateTime &at)
{
    auto r = m_db.execAffected(QStringLiteral("UPDATE outgoing_mail SET state = 'sent', message = NULL, attempts = ?, "
                                              "transport = ?, updated = ?, sent = ? WHERE mail_id = ? AND state = ?"),
                               {attempts, transport, toIsoUtc(at), toIsoUtc(at), mailId, kSending});
    if (!r)
        return r.error();
    return *r > 0;
}

Result<bool> MailStore::reschedule(const QString &mailId, int attempts, const QString &error, qint64 nextAttemptMs,
                                   const QDateTime &at)
{
    auto r =
        m_db.execAffected(QStringLiteral("UPDATE outgoing_mail SET state = 'queued', attempts = ?, last_error = ?, "
                                         "next_attempt_ms = ?, updated = ? WHERE mail_id = ? AND state = ?"),
                          {attempts, error, nextAttemptMs, toIsoUtc(at), mailId, kSending});
    if (!r)
        return r.error();
    return *r > 0;
}

Result<bool> MailStore::markFailed(const QString &mailId, int attempts, const QString &error, const QDateTime &at)
{
    auto r =
        m_db.execAffected(QStringLiteral("UPDATE outgoing_mail SET state = 'failed', message = NULL, attempts = ?, "
                                         "last_error = ?, updated = ? WHERE mail_id = ? AND state = ?"),
                          {attempts, error, toIsoUtc(at), mailId, kSending});
    if (!r)
        return r.error();
    return *r > 0;
}

} // namespace Provisio
