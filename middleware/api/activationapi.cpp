// SPDX-License-Identifier: Apache-2.0
#include "activationapi.h"
#include "requesthelpers.h"

#include "base/serviceconfig.h"
#include "crypto/activationcode.h"
#include "crypto/keys.h"
#include "domain/activation.h"
#include "protocol/jsonreader.h"
#include "storage/activationcodestore.h"
#include "storage/enrollmentstore.h"
#include "storage/settingsstore.h"

#include <QLoggingCategory>

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

    auto body = Requests::jsonBody(request);
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

    const Activation::Outcome outcome = Activation(m_ctx, m_enrollments, m_codes).exchange(serial, *canonical);
    if (!outcome.enrollment)
        return outcome.failedAttempt ? failedAttempt(serial, outcome.error) : HttpResponse::error(outcome.error);
    const Enrollment &e = *outcome.enrollment;
    const QString &deviceId = outcome.deviceId;
    qCInfo(lcActivation).noquote() << "serial" << serial << "activated enrollment" << e.registrationId;
    return HttpResponse::json(QJsonObject{
        {QStringLiteral("idScope"), m_ctx.settings.idScope()},
        {QStringLiteral("registrationId"), e.registrationId},
        {QStringLiteral("deviceId"), deviceId},
        {QStringLiteral("symmetricKey"), e.attestation.primaryKey},
    });
}

} // namespace Provisio
