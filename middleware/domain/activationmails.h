// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/mailstore.h"

#include <optional>

namespace Provisio {

class Enrollments;
class EnrollmentStore;
struct ServiceContext;

// Activation cards by e-mail. An operator asks for a device's card to be
// mailed: a fresh activation code is issued (the old one stops working) and
// a mail holding the code, the instructions and the card's QR code is queued
// in MailStore, in one transaction with the audit entry (`activationMail` /
// `queue`, never the code) and `activationMail.queued` once committed.
// MailDeliveries takes it from there.
class ActivationMails
{
public:
    ActivationMails(ServiceContext &ctx, Enrollments &enrollments, EnrollmentStore &enrollmentStore);

    // Queues the card of enrollment `registrationId` for `to`, or for the
    // e-mail address of the customer the device was sold to when `to` is
    // empty. NotFound (no enrollment), InvalidInput (not a mailable address,
    // no serial), Conflict (device not sold, customer without a mailable
    // address), Unavailable (queue full); nothing changes on any of them.
    Result<MailStore::Mail> send(const QString &registrationId, const QString &to, const QString &actor);

    MailStore &store() { return m_store; }

private:
    ServiceContext &m_ctx;
    Enrollments &m_enrollments;
    EnrollmentStore &m_enrollmentStore;
    MailStore m_store;
    ChangeRecorder m_changes;
};

} // namespace Provisio

namespace Provisio {

// The sending side of the mail queue: the sender (MailDispatcher) claims due
// mails and reports each attempt back: `sent`, or `failed` after the last
// attempt or a permanent refusal, each audited (actor `system`) and announced
// (`activationMail.sent` / `.failed`); other failures are retried with
// exponential backoff (mailInitialBackoffMs doubling up to mailMaxBackoffMs).
class MailDeliveries
{
public:
    explicit MailDeliveries(ServiceContext &ctx);

    // Claims the mail due first, leased for `leaseMs`.
    Result<std::optional<MailStore::Mail>> claimDue(qint64 leaseMs);
    // When the next mail falls due (epoch ms); nullopt when none waits.
    Result<std::optional<qint64>> nextDueMs() { return m_store.nextDueMs(); }
    // One attempt went out (`transport`: smtp or outbox).
    Result<void> delivered(const MailStore::Mail &mail, const QString &transport);
    // One attempt failed; `permanent` (the server refused the mail for good)
    // ends it at once, else it is retried until mailMaxAttempts.
    Result<void> attemptFailed(const MailStore::Mail &mail, const QString &error, bool permanent);
    // The delay before the next attempt after `attempts` failed ones.
    qint64 backoffMs(int attempts) const;

private:
    ServiceContext &m_ctx;
    MailStore m_store;
    ChangeRecorder m_changes;
};

} // namespace Provisio
