// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Provisio {

class Database;

// Outgoing mail in the `outgoing_mail` table (migration 16), shared by every
// instance. A mail is `queued` until an instance claims it (`sending`, with
// a lease in next_attempt_ms), then `sent`, `queued` again for a later
// attempt, or `failed` for good. A claim whose instance died is claimable
// again once its lease has run out. The MIME message (which holds a one-time
// code) is kept only while the mail may still be sent.
class MailStore
{
public:
    explicit MailStore(Database &db) : m_db(db) { }

    struct Mail
    {
        QString mailId;
        QString kind; // activationCard
        QString registrationId;
        QString serial;
        QString recipient;
        QString subject;
        QByteArray message; // RFC 5322 message; empty once finished
        QString state;      // queued, sending, sent, failed
        int attempts = 0;
        QString lastError;        // of the last failed attempt; empty when none
        qint64 nextAttemptMs = 0; // epoch ms: when it is due (queued) or its lease ends (sending)
        QString transport;        // smtp, outbox; empty until sent
        QString actor;
        QDateTime created;
        QDateTime updated;
        QDateTime sent;

        // The API's view: never the message itself.
        QJsonObject toJson() const;
    };

    struct Filter
    {
        QString registrationId;
        QString state;
    };

    Result<void> insert(const Mail &mail);
    Result<std::optional<Mail>> find(const QString &mailId);
    // Newest first, at most `limit`.
    Result<QList<Mail>> list(const Filter &filter, int limit);
    // Queued and sending mails: what counts against the queue limit.
    Result<int> countPending();
    // Claims the mail due first (queued and due, or sending with its lease
    // run out): sending, leased until `leaseUntilMs`. nullopt when none is
    // due or another instance claimed it first.
    Result<std::optional<Mail>> claimDue(qint64 nowMs, qint64 leaseUntilMs);
    // When the next mail falls due (queued or leased); nullopt when none waits.
    Result<std::optional<qint64>> nextDueMs();
    // sending -> sent; the message is dropped.
    Result<bool> markSent(const QString &mailId, int attempts, const QString &transport, const QDateTime &at);
    // sending -> queued for another attempt at `nextAttemptMs`.
    Result<bool> reschedule(const QString &mailId, int attempts, const QString &error, qint64 nextAttemptMs,
                            const QDateTime &at);
    // sending -> failed; the message is dropped.
    Result<bool> markFailed(const QString &mailId, int attempts, const QString &error, const QDateTime &at);

private:
    Result<QList<Mail>> select(const QString &tail, const QVariantList &binds);

    Database &m_db;
};

} // namespace Provisio
