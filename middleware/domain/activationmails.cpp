// SPDX-License-Identifier: Apache-2.0
#include "activationmails.h"

#include "enrollments.h"
#include "mailmessage.h"

#include "base/serviceconfig.h"
#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "protocol/activationpayload.h"
#include "qr/qrcode.h"
#include "storage/customerstore.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"
#include "storage/inventorystore.h"
#include "storage/settingsstore.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcMail, "provisio.middleware.mail")

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("activationMail");
const QString kKind = QStringLiteral("activationCard");
const QString kSystem = QStringLiteral("system");

Error storeFailed()
{
    return Error(ErrorCode::Unavailable, QStringLiteral("the change could not be stored"));
}

QString htmlEscaped(const QString &text)
{
    return text.toHtmlEscaped();
}

struct CardText
{
    QString customerName;
    QString serial;
    QString model;
    QString code;
    QDateTime expires;
    QString serviceUrl;
    QString idScope;
    QString registrationId;
};

// The printed card's words (crm-desktop/cards), as a mail.
MailMessage composeCard(const CardText &card, const QByteArray &qrPng)
{
    MailMessage m;
    const QString device = card.model.isEmpty() ? card.serial : card.model + QStringLiteral(" ") + card.serial;
    m.subject = QStringLiteral("Activation card for your device %1").arg(device);
    const QString greeting =
        card.customerName.isEmpty() ? QStringLiteral("Hello,") : QStringLiteral("Hello %1,").arg(card.customerName);
    const QString validity = QStringLiteral("It works once, until %1 (UTC).")
                                 .arg(card.expires.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    const QString instructions =
        QStringLiteral("On the device's screen tap Activate and type this code, or scan the QR code with the "
                       "device's camera. The device then sets itself up and connects. Keep this code private "
                       "until the device is activated.");
    QString text;
    text += greeting + QStringLiteral("\r\n\r\n");
    text += QStringLiteral("here is the activation card for your device %1.\r\n\r\n").arg(device);
    text += QStringLiteral("Activation code: %1\r\n\r\n").arg(card.code);
    text += validity + QStringLiteral("\r\n\r\n");
    text += instructions + QStringLiteral("\r\n\r\n");
    text += QStringLiteral("Device serial: %1\r\n").arg(card.serial);
    text += QStringLiteral("Service: %1\r\n").arg(card.serviceUrl);
    if (!card.idScope.isEmpty())
        text += QStringLiteral("ID scope: %1\r\n").arg(card.idScope);
    text += QStringLiteral("Registration ID: %1\r\n").arg(card.registrationId);
    if (!qrPng.isEmpty())
        text += QStringLiteral("\r\nThe QR code is attached as activation-qr.png.\r\n");
    m.text = text;

    QString html;
    html += QStringLiteral("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
    html += QStringLiteral("<p>%1</p>").arg(htmlEscaped(greeting));
    html += QStringLiteral("<p>here is the activation card for your device <b>%1</b>.</p>").arg(htmlEscaped(device));
    html += QStringLiteral("<p>Activation code</p><p style=\"font-family:monospace;font-size:24px\"><b>%1</b></p>")
                .arg(htmlEscaped(card.code));
    html += QStringLiteral("<p>%1</p><p>%2</p>").arg(htmlEscaped(validity), htmlEscaped(instructions));
    if (!qrPng.isEmpty())
        html += QStringLiteral("<p><img src=\"cid:activation-qr\" alt=\"QR code: scan on the device\" "
                               "width=\"240\" height=\"240\"></p>");
    html += QStringLiteral("<p style=\"color:#666;font-size:12px\">Device serial %1<br>Service %2")
                .arg(htmlEscaped(card.serial), htmlEscaped(card.serviceUrl));
    if (!card.idScope.isEmpty())
        html += QStringLiteral("<br>ID scope %1").arg(htmlEscaped(card.idScope));
    html += QStringLiteral("<br>Registration ID %1</p></body></html>").arg(htmlEscaped(card.registrationId));
    m.html = html;
    if (!qrPng.isEmpty())
        m.images.append({QStringLiteral("activation-qr"), QStringLiteral("activation-qr.png"), qrPng});
    return m;
}
} // namespace

ActivationMails::ActivationMails(ServiceContext &ctx, Enrollments &enrollments, EnrollmentStore &enrollmentStore)
    : m_ctx(ctx), m_enrollments(enrollments), m_enrollmentStore(enrollmentStore), m_store(ctx.db), m_changes(ctx)
{ }

Result<MailStore::Mail> ActivationMails::send(const QString &registrationId, const QString &to, const QString &actor)
{
    if (!to.isEmpty() && !MailMessage::isMailableAddress(to))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("field 'to' must be an e-mail address local@domain (ASCII, no name or "
                                    "quotes), not '%1'")
                         .arg(to.left(254)));
    Transaction tx(m_ctx.db);
    auto enrollment = m_enrollmentStore.find(registrationId);
    if (!enrollment)
        return enrollment.error();
    if (!*enrollment)
        return Error(ErrorCode::NotFound, QStringLiteral("no enrollment '%1'").arg(registrationId));
    const QString serial = (*enrollment)->serial;
    if (serial.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("enrollment '%1' has no serial; activation codes are "
                                                             "bound to an inventory device, so set 'serial' first")
                                                  .arg(registrationId));
    auto device = InventoryStore(m_ctx.db).find(serial);
    if (!device)
        return device.error();
    QString customerName;
    QString recipient = to;
    if (*device && !(*device)->customerId.isEmpty()) {
        auto customer = CustomerStore(m_ctx.db).find((*device)->customerId);
        if (!customer)
            return customer.error();
        if (*customer) {
            customerName = (*customer)->name;
            if (recipient.isEmpty()) {
                if ((*customer)->email.isEmpty())
                    return Error(ErrorCode::Conflict,
                                 QStringLiteral("customer '%1' has no e-mail address; add one or give 'to'")
                                     .arg((*customer)->name));
                if (!MailMessage::isMailableAddress((*customer)->email))
                    return Error(ErrorCode::Conflict,
                                 QStringLiteral("the e-mail address of customer '%1' ('%2') cannot be mailed to; "
                                                "correct it or give 'to'")
                                     .arg((*customer)->name, (*customer)->email));
                recipient = (*customer)->email;
            }
        }
    }
    if (recipient.isEmpty())
        return Error(ErrorCode::Conflict,
                     QStringLiteral("device '%1' is not sold to a customer; sell it first or give 'to'").arg(serial));
    auto pending = m_store.countPending();
    if (!pending)
        return pending.error();
    if (*pending >= m_ctx.config.mailQueueLimit)
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("the mail queue is full (%1 mails waiting, --mail-queue-limit); try again later")
                         .arg(*pending));

    // The code: the enrollment's service issues and audits it (without the
    // code) as it does for a printed card, in this transaction.
    auto issued = m_enrollments.newActivationCode(registrationId, {}, actor);
    if (!issued)
        return issued.error();
    const Enrollments::IssuedCode code = issued->second;

    CardText card{customerName,
                  serial,
                  *device ? (*device)->model : QString(),
                  code.code,
                  code.expires,
                  m_ctx.config.serviceUrl(),
                  m_ctx.settings.idScope(),
                  registrationId};
    QByteArray png;
    if (auto qr = QrCode::make(ActivationPayload{serial, code.code, card.serviceUrl}.encode())) {
        if (auto bytes = qr->toPng(8))
            png = *bytes;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    MailStore::Mail mail;
    mail.mailId = QStringLiteral("mail_") + Crypto::randomToken(12);
    MailMessage message = composeCard(card, png);
    message.from = m_ctx.config.mailFrom();
    message.to = recipient;
    message.date = now;
    const QString from = m_ctx.config.mailFrom();
    message.messageId = mail.mailId + from.mid(from.indexOf(QLatin1Char('@')));
    mail.kind = kKind;
    mail.registrationId = registrationId;
    mail.serial = serial;
    mail.recipient = recipient;
    mail.subject = message.subject;
    mail.message = message.render();
    mail.state = QStringLiteral("queued");
    mail.nextAttemptMs = now.toMSecsSinceEpoch();
    mail.actor = actor;
    mail.created = now;
    mail.updated = now;
    if (auto r = m_store.insert(mail); !r)
        return r.error();
    if (auto r = m_changes.record(EventKind::ActivationMailQueued,
                                  {actor, QStringLiteral("queue"), kEntity, mail.mailId, {}, mail.toJson()});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    return mail;
}

MailDeliveries::MailDeliveries(ServiceContext &ctx) : m_ctx(ctx), m_store(ctx.db), m_changes(ctx) { }

Result<std::optional<MailStore::Mail>> MailDeliveries::claimDue(qint64 leaseMs)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return m_store.claimDue(now, now + leaseMs);
}

qint64 MailDeliveries::backoffMs(int attempts) const
{
    qint64 delay = m_ctx.config.mailInitialBackoffMs;
    for (int i = 1; i < attempts && delay < m_ctx.config.mailMaxBackoffMs; ++i)
        delay *= 2;
    return qMin<qint64>(delay, m_ctx.config.mailMaxBackoffMs);
}

Result<void> MailDeliveries::delivered(const MailStore::Mail &mail, const QString &transport)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Transaction tx(m_ctx.db);
    auto changed = m_store.markSent(mail.mailId, mail.attempts + 1, transport, now);
    if (!changed)
        return changed.error();
    if (!*changed)
        return {}; // its lease ran out and another instance took it over
    MailStore::Mail after = mail;
    after.state = QStringLiteral("sent");
    after.attempts = mail.attempts + 1;
    after.transport = transport;
    after.updated = now;
    after.sent = now;
    after.message.clear();
    if (auto r = m_changes.record(EventKind::ActivationMailSent, {kSystem, QStringLiteral("send"), kEntity, mail.mailId,
                                                                  mail.toJson(), after.toJson()});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    qCInfo(lcMail).noquote() << "mail" << mail.mailId << "for" << mail.registrationId << "sent via" << transport
                             << "after" << after.attempts << "attempt(s)";
    return {};
}

Result<void> MailDeliveries::attemptFailed(const MailStore::Mail &mail, const QString &error, bool permanent)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const int attempts = mail.attempts + 1;
    const bool last = permanent || attempts >= m_ctx.config.mailMaxAttempts;
    Transaction tx(m_ctx.db);
    if (!last) {
        const qint64 next = now.toMSecsSinceEpoch() + backoffMs(attempts);
        auto changed = m_store.reschedule(mail.mailId, attempts, error, next, now);
        if (!changed)
            return changed.error();
        if (!tx.commit())
            return storeFailed();
        qCWarning(lcMail).noquote() << "mail" << mail.mailId << "attempt" << attempts << "failed:" << error
                                    << "- retrying in" << backoffMs(attempts) << "ms";
        return {};
    }
    auto changed = m_store.markFailed(mail.mailId, attempts, error, now);
    if (!changed)
        return changed.error();
    if (!*changed)
        return {};
    MailStore::Mail after = mail;
    after.state = QStringLiteral("failed");
    after.attempts = attempts;
    after.lastError = error;
    after.updated = now;
    after.message.clear();
    if (auto r = m_changes.record(EventKind::ActivationMailFailed, {kSystem, QStringLiteral("fail"), kEntity,
                                                                    mail.mailId, mail.toJson(), after.toJson()});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    qCWarning(lcMail).noquote() << "mail" << mail.mailId << "for" << mail.registrationId << "failed after" << attempts
                                << "attempt(s):" << error;
    return {};
}

} // namespace Provisio
