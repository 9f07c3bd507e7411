// SPDX-License-Identifier: Apache-2.0
#include "activation.h"

#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "protocol/timeutil.h"
#include "storage/activationcodestore.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"

namespace Provisio {

Activation::Activation(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes)
    : m_ctx(ctx), m_enrollments(enrollments), m_codes(codes), m_changes(ctx)
{ }

Activation::Outcome Activation::exchange(const QString &serial, const QString &canonicalCode)
{
    const auto failed = [](const Error &error, const char *reason = nullptr) {
        Outcome o;
        o.error = error;
        o.failedAttempt = reason != nullptr;
        o.reason = QString::fromLatin1(reason);
        return o;
    };
    const Error invalid(ErrorCode::Unauthorized, QStringLiteral("invalid serial or activation code"));
    const Error used(ErrorCode::Conflict, QStringLiteral("this activation code has already been used; ask for a "
                                                         "new one"));
    const QString hash = Crypto::hashToken(canonicalCode);
    auto record = m_codes.find(hash);
    if (!record)
        return failed(record.error());
    // A code bound to another serial answers exactly like an unknown code,
    // so a valid code cannot be probed with arbitrary serials.
    if (!*record)
        return failed(invalid, "unknown code");
    if ((*record)->serial != serial)
        return failed(invalid, "code of another serial");
    if ((*record)->usedAt.isValid())
        return failed(used, "code already used");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!(*record)->expires.isValid() || (*record)->expires <= now)
        return failed(Error(ErrorCode::Conflict, QStringLiteral("this activation code expired at %1; ask for a new one")
                                                     .arg(toIsoUtc((*record)->expires))),
                      "code expired");

    // A failure found inside the transaction is returned after it rolled
    // back, so the caller's count of it is not rolled back with it.
    Transaction tx(m_ctx.db);
    auto enrollment = m_enrollments.find((*record)->registrationId);
    if (!enrollment)
        return failed(enrollment.error());
    // The enrollment may have been deleted or re-bound since the code was
    // issued; then the code no longer opens anything.
    if (!*enrollment || (*enrollment)->serial != serial)
        return failed(invalid, "code of a changed enrollment");
    auto marked = m_codes.markUsed(hash, now);
    if (!marked)
        return failed(marked.error());
    if (!*marked)
        return failed(used, "code already used");
    const Enrollment &e = **enrollment;
    const QString deviceId = e.deviceId.isEmpty() ? e.registrationId : e.deviceId;
    if (auto audited = m_changes.record(EventKind::ActivationExchanged,
                                        {QStringLiteral("device:") + serial,
                                         QStringLiteral("activate"),
                                         QStringLiteral("enrollment"),
                                         e.registrationId,
                                         {},
                                         QJsonObject{{QStringLiteral("serial"), serial},
                                                     {QStringLiteral("registrationId"), e.registrationId},
                                                     {QStringLiteral("deviceId"), deviceId}}});
        !audited)
        return failed(audited.error());
    if (!tx.commit())
        return failed(Error(ErrorCode::Unavailable, QStringLiteral("the activation could not be stored")));
    Outcome done;
    done.enrollment = e;
    done.deviceId = deviceId;
    return done;
}

} // namespace Provisio
