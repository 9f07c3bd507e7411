// SPDX-License-Identifier: Apache-2.0
#include "activationapi.h"
#include "requesthelpers.h"

#include "base/clientaddress.h"
#include "base/serviceconfig.h"
#include "crypto/activationcode.h"
#include "domain/activation.h"
#include "protocol/jsonreader.h"
#include "protocol/timeutil.h"
#include "storage/settingsstore.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcActivation, "provisio.middleware.activation")

namespace Provisio {

ActivationApi::ActivationApi(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes)
    : m_ctx(ctx), m_enrollments(enrollments), m_codes(codes), m_limits(ctx),
      m_perClient(ctx.config.activationAttemptsPerClient, kClientWindowMs)
{
    m_clock.start();
}

void ActivationApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    router.add(
        M::Post, QStringLiteral("/api/v1/activation"), Access::Public, [this](HttpRequest &r) { return activate(r); },
        16 * 1024);
    router.add(M::Get, QStringLiteral("/api/v1/devices/{serial}/activation-failures"), Access::Viewer,
               [this](HttpRequest &r) { return failures(r); });
    router.add(M::Get, QStringLiteral("/api/v1/activation-failures"), Access::Viewer,
               [this](HttpRequest &r) { return failingSerials(r); });
    router.add(M::Post, QStringLiteral("/api/v1/devices/{serial}/activation-unlock"), Access::Operator,
               [this](HttpRequest &r) { return unlock(r); });
}

namespace {
HttpResponse tooManyRequests(int retryAfter, const QString &what)
{
    return HttpResponse::error(
               ErrorCode::TooManyRequests,
               QStringLiteral("too many activation attempts %1; retry in %2 s").arg(what).arg(retryAfter))
        .withHeader("Retry-After", QByteArray::number(retryAfter));
}

QString isoFromMs(qint64 ms)
{
    return toIsoUtc(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
}
} // namespace

HttpResponse ActivationApi::activate(HttpRequest &request)
{
    const qint64 nowMs = m_clock.elapsed();
    const QString client = ClientAddress::limitKey(request.clientAddress);
    if (const int wait = m_perClient.retryAfterSeconds(client, nowMs))
        return tooManyRequests(wait, QStringLiteral("from this address"));
    m_perClient.record(client, nowMs);

    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    reader.allowOnly({"serial", "code"});
    const QString serial = reader.requiredString(QStringLiteral("serial")).trimmed();
    const QString codeText = reader.requiredString(QStringLiteral("code"));
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    // A malformed code (wrong length, a character outside the alphabet, a
    // wrong check character) is a typo caught without any lookup: it
    // guesses nothing, so only the client limit above counts it.
    auto canonical = ActivationCode::parse(codeText);
    if (!canonical)
        return HttpResponse::error(canonical.error());
    // Shared by all instances; a database that cannot answer fails closed.
    const qint64 wallMs = QDateTime::currentMSecsSinceEpoch();
    auto verdict = m_limits.check(serial, request.clientAddress, wallMs);
    if (!verdict)
        return HttpResponse::error(verdict.error());
    if (verdict->retryAfterSeconds)
        return tooManyRequests(verdict->retryAfterSeconds, verdict->scope);

    const Activation::Outcome outcome = Activation(m_ctx, m_enrollments, m_codes).exchange(serial, *canonical);
    if (!outcome.enrollment) {
        if (outcome.failedAttempt) {
            if (auto logged = m_limits.recordFailure(serial, request.clientAddress, outcome.reason, wallMs); !logged)
                // Not logged is no reason to tell the caller more; the answer
                // stays the failure it was, and the log says why.
                qCWarning(lcActivation).noquote()
                    << "failed attempt for serial" << serial << "not logged:" << logged.error().message;
            // The serial only: the code is a secret, even a wrong one may
            // be a typo of the right one.
            qCInfo(lcActivation).noquote() << "failed activation attempt for serial" << serial << "from"
                                           << request.clientAddress.toString() << "-" << outcome.reason;
            // How many more wrong codes this client may send for the
            // serial before it has to wait, so a kiosk can say so.
            return HttpResponse::error(outcome.error)
                .withHeader("X-Provisio-Attempts-Left", QByteArray::number(qMax(0, verdict->attemptsLeft - 1)));
        }
        return HttpResponse::error(outcome.error);
    }
    const Enrollment &e = *outcome.enrollment;
    qCInfo(lcActivation).noquote() << "serial" << serial << "activated enrollment" << e.registrationId;
    return HttpResponse::json(QJsonObject{
        {QStringLiteral("idScope"), m_ctx.settings.idScope()},
        {QStringLiteral("registrationId"), e.registrationId},
        {QStringLiteral("deviceId"), outcome.deviceId},
        {QStringLiteral("symmetricKey"), e.attestation.primaryKey},
    });
}

HttpResponse ActivationApi::failingSerials(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {}); !q)
        return HttpResponse::error(q.error());
    auto list = m_limits.failingSerials();
    if (!list)
        return HttpResponse::error(list.error());
    QJsonArray items;
    for (const auto &f : *list)
        items.append(QJsonObject{{QStringLiteral("serial"), f.serial},
                                 {QStringLiteral("counting"), f.counting},
                                 {QStringLiteral("latestAt"), isoFromMs(f.latestMs)}});
    return HttpResponse::json(QJsonObject{{QStringLiteral("items"), items}});
}

HttpResponse ActivationApi::failures(HttpRequest &request)
{
    const QString serial = request.param(QStringLiteral("serial"));
    auto list = m_limits.failures(serial);
    if (!list)
        return HttpResponse::error(list.error());
    const qint64 windowStart = QDateTime::currentMSecsSinceEpoch() - ActivationLimits::kWindowMs;
    QJsonArray items;
    int counting = 0;
    for (const auto &f : *list) {
        QJsonObject o{{QStringLiteral("at"), isoFromMs(f.atMs)},
                      {QStringLiteral("clientAddress"), f.clientAddress},
                      {QStringLiteral("reason"), f.reason}};
        if (f.clearedAtMs)
            o.insert(QStringLiteral("clearedAt"), isoFromMs(f.clearedAtMs));
        else if (f.atMs > windowStart)
            ++counting;
        items.append(o);
    }
    return HttpResponse::json(QJsonObject{
        {QStringLiteral("serial"), serial}, {QStringLiteral("counting"), counting}, {QStringLiteral("items"), items}});
}

HttpResponse ActivationApi::unlock(HttpRequest &request)
{
    const QString serial = request.param(QStringLiteral("serial"));
    auto cleared = m_limits.unlock(serial, request.actor());
    if (!cleared)
        return HttpResponse::error(cleared.error());
    qCInfo(lcActivation).noquote() << request.actor() << "unlocked activation for serial" << serial;
    return HttpResponse::json(
        QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("clearedFailures"), *cleared}});
}

} // namespace Provisio
