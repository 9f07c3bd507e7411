// SPDX-License-Identifier: Apache-2.0
#include "activationapi.h"
#include "enrollmentutil.h"

#include "base/serviceconfig.h"
#include "crypto/activationcode.h"
#include "crypto/keys.h"
#include "protocol/jsonreader.h"
#include "protocol/timeutil.h"
#include "storage/activationcodestore.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"
#include "storage/settingsstore.h"

#include <QLoggingCategory>

#include <optional>

Q_LOGGING_CATEGORY(lcActivation, "provisio.middleware.activation")

namespace Provisio {

ActivationApi::ActivationApi(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes)
    : m_ctx(ctx), m_enrollments(enrollments), m_codes(codes), m_serialFailures(ctx.db),
      m_perClient(ctx.config.activationAttemptsPerClient, kWindowMs)
{
    m_clock.start();
}

void ActivationApi::registerRoutes(Router &router)
{
    router.add(
        QHttpServerRequest::Method::Post, QStringLiteral("/api/v1/activation"), Access::Public,
        [this](HttpRequest &r) { return activate(r); }, 16 * 1024);
}

namespace {
HttpResponse tooManyRequests(int retryAfter, const QString &what)
{
    return HttpResponse::error(
               ErrorCode::TooManyRequests,
               QStringLiteral("too many activation attempts %1; retry in %2 s").arg(what).arg(retryAfter))
        .withHeader("Retry-After", QByteArray::number(retryAfter));
}
} // namespace

HttpResponse ActivationApi::failedAttempt(const QString &serial, const Error &error)
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    if (auto counted = m_serialFailures.recordFailure(serial, kWindowMs, nowMs); !counted)
        // Not counted is not a reason to tell the caller more; the answer
        // stays the failure it was, and the log says why the count is missing.
        qCWarning(lcActivation).noquote()
            << "failed attempt for serial" << serial << "not counted:" << counted.error().message;
    // Windows that closed are dropped now and then, by whichever instance
    // comes by; stale rows only cost space, never a wrong answer.
    if (nowMs - m_lastPruneMs > kWindowMs) {
        m_lastPruneMs = nowMs;
        if (auto pruned = m_serialFailures.pruneExpired(kWindowMs, nowMs); !pruned)
            qCWarning(lcActivation).noquote() << "expired activation failures not pruned:" << pruned.error().message;
    }
    // The serial only: the code is a secret, even a wrong one may be a typo
    // of the right one.
    qCInfo(lcActivation).noquote() << "failed activation attempt for serial" << serial;
    return HttpResponse::error(error);
}

HttpResponse ActivationApi::activate(HttpRequest &request)
{
    const qint64 nowMs = m_clock.elapsed();
    const QString client = request.remoteAddress.toString();
    if (const int wait = m_perClient.retryAfterSeconds(client, nowMs))
        return tooManyRequests(wait, QStringLiteral("from this address"));

    auto body = EnrollmentUtil::jsonBody(request);
    if (!body) {
        m_perClient.record(client, nowMs);
        return HttpResponse::error(body.error());
    }
    JsonReader reader(*body);
    reader.allowOnly({"serial", "code"});
    const QString serial = reader.requiredString(QStringLiteral("serial")).trimmed();
    const QString codeText = reader.requiredString(QStringLiteral("code"));
    if (!reader.ok()) {
        m_perClient.record(client, nowMs);
        return HttpResponse::error(reader.error());
    }
    // A malformed code (wrong length, a character outside the alphabet, a
    // wrong check character) is a typo caught without any lookup, so it
    // guesses nothing: it counts against this client like every attempt,
    // but never against the serial, or anyone who knows a serial could lock
    // its owner out with five bad strings.
    auto canonical = ActivationCode::parse(codeText);
    if (!canonical) {
        m_perClient.record(client, nowMs);
        return HttpResponse::error(canonical.error());
    }
    // Shared by all instances; a database that cannot answer fails closed.
    auto serialWait = m_serialFailures.retryAfterSeconds(serial, m_ctx.config.activationAttemptsPerSerial, kWindowMs,
                                                         QDateTime::currentMSecsSinceEpoch());
    if (!serialWait)
        return HttpResponse::error(serialWait.error());
    if (*serialWait)
        return tooManyRequests(*serialWait, QStringLiteral("for this serial"));
    m_perClient.record(client, nowMs);

    const Error invalid(ErrorCode::Unauthorized, QStringLiteral("invalid serial or activation code"));
    const QString hash = Crypto::hashToken(*canonical);
    auto record = m_codes.find(hash);
    if (!record)
        return HttpResponse::error(record.error());
    // A code bound to another serial answers exactly like an unknown code,
    // so a valid code cannot be probed with arbitrary serials.
    if (!*record || (*record)->serial != serial)
        return failedAttempt(serial, invalid);
    if ((*record)->usedAt.isValid())
        return failedAttempt(serial,
                             Error(ErrorCode::Conflict, QStringLiteral("this activation code has already been used; "
                                                                       "ask for a new one")));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!(*record)->expires.isValid() || (*record)->expires <= now)
        return failedAttempt(
            serial, Error(ErrorCode::Conflict, QStringLiteral("this activation code expired at %1; ask for a new one")
                                                   .arg(toIsoUtc((*record)->expires))));

    // A failure found inside the transaction is counted after it rolled
    // back, or the rollback would take the count with it.
    std::optional<Transaction> tx(std::in_place, m_ctx.db);
    auto failedInside = [&](const Error &error) {
        tx.reset();
        return failedAttempt(serial, error);
    };
    auto enrollment = m_enrollments.find((*record)->registrationId);
    if (!enrollment)
        return HttpResponse::error(enrollment.error());
    // The enrollment may have been deleted or re-bound since the code was
    // issued; then the code no longer opens anything.
    if (!*enrollment || (*enrollment)->serial != serial)
        return failedInside(invalid);
    auto marked = m_codes.markUsed(hash, now);
    if (!marked)
        return HttpResponse::error(marked.error());
    if (!*marked)
        return failedInside(Error(ErrorCode::Conflict,
                                  QStringLiteral("this activation code has already been used; ask for a new one")));
    const Enrollment &e = **enrollment;
    const QString deviceId = e.deviceId.isEmpty() ? e.registrationId : e.deviceId;
    if (auto audited = m_ctx.audit.record(QStringLiteral("device:") + serial, QStringLiteral("activate"),
                                          QStringLiteral("enrollment"), e.registrationId, {},
                                          QJsonObject{{QStringLiteral("serial"), serial},
                                                      {QStringLiteral("registrationId"), e.registrationId},
                                                      {QStringLiteral("deviceId"), deviceId}});
        !audited)
        return HttpResponse::error(audited.error());
    if (!tx->commit())
        return HttpResponse::error(ErrorCode::Unavailable, QStringLiteral("the activation could not be stored"));
    qCInfo(lcActivation).noquote() << "serial" << serial << "activated enrollment" << e.registrationId;
    return HttpResponse::json(QJsonObject{
        {QStringLiteral("idScope"), m_ctx.settings.idScope()},
        {QStringLiteral("registrationId"), e.registrationId},
        {QStringLiteral("deviceId"), deviceId},
        {QStringLiteral("symmetricKey"), e.attestation.primaryKey},
    });
}

} // namespace Provisio
