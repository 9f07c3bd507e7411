// SPDX-License-Identifier: Apache-2.0
#include "mailapi.h"
#include "requesthelpers.h"

#include "crypto/registrationid.h"
#include "domain/activationmails.h"
#include "protocol/jsonreader.h"
#include "storage/mailstore.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace Provisio {

using namespace Requests;

MailApi::MailApi(ActivationMails &service, MailStore &mails) : m_service(service), m_mails(mails) { }

void MailApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    router.add(M::Post, QStringLiteral("/api/v1/enrollments/{registrationId}/activation-email"), Access::Operator,
               [this](HttpRequest &r) { return sendActivationCard(r); });
    router.add(M::Get, QStringLiteral("/api/v1/mails"), Access::Viewer, [this](HttpRequest &r) { return list(r); });
    router.add(M::Get, QStringLiteral("/api/v1/mails/{mailId}"), Access::Viewer,
               [this](HttpRequest &r) { return get(r); });
}

HttpResponse MailApi::sendActivationCard(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    // No body means the customer's address, as {} does.
    QJsonObject body;
    if (!request.body.trimmed().isEmpty()) {
        auto parsed = jsonBody(request);
        if (!parsed)
            return HttpResponse::error(parsed.error());
        body = *parsed;
    }
    JsonReader reader(body);
    reader.allowOnly({"to"});
    const QString to = reader.optionalString(QStringLiteral("to")).trimmed();
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    auto mail = m_service.send(*id, to, request.actor());
    if (!mail)
        return HttpResponse::error(mail.error());
    HttpResponse response = HttpResponse::json(mail->toJson(), 202);
    response.withHeader("Location", "/api/v1/mails/" + mail->mailId.toUtf8());
    return response;
}

HttpResponse MailApi::list(HttpRequest &request)
{
    if (auto q =
            checkQuery(request, {QStringLiteral("registrationId"), QStringLiteral("state"), QStringLiteral("limit")});
        !q)
        return HttpResponse::error(q.error());
    MailStore::Filter filter;
    if (request.hasQuery(QStringLiteral("registrationId"))) {
        const QString given = request.queryValue(QStringLiteral("registrationId"));
        if (auto valid = Crypto::validateRegistrationId(given); !valid)
            return HttpResponse::error(valid.error());
        filter.registrationId = Crypto::normalizeRegistrationId(given);
    }
    filter.state = request.queryValue(QStringLiteral("state"));
    static const QStringList states{QStringLiteral("queued"), QStringLiteral("sending"), QStringLiteral("sent"),
                                    QStringLiteral("failed")};
    if (request.hasQuery(QStringLiteral("state")) && !states.contains(filter.state))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("state must be one of %1").arg(states.join(QStringLiteral(", "))));
    int limit = kDefaultLimit;
    if (request.hasQuery(QStringLiteral("limit"))) {
        bool ok = false;
        limit = request.queryValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 1 || limit > kMaxLimit)
            return HttpResponse::error(ErrorCode::InvalidInput,
                                       QStringLiteral("limit must be a whole number from 1 to %1").arg(kMaxLimit));
    }
    auto mails = m_mails.list(filter, limit);
    if (!mails)
        return HttpResponse::error(mails.error());
    QJsonArray items;
    for (const auto &m : std::as_const(*mails))
        items.append(m.toJson());
    return listResponse(items, {});
}

HttpResponse MailApi::get(HttpRequest &request)
{
    const QString id = request.param(QStringLiteral("mailId"));
    static const QRegularExpression shape(QStringLiteral("^mail_[A-Za-z0-9_-]{1,64}$"));
    if (!shape.match(id).hasMatch())
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no mail '%1'").arg(id.left(80)));
    auto mail = m_mails.find(id);
    if (!mail)
        return HttpResponse::error(mail.error());
    if (!*mail)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no mail '%1'").arg(id));
    return HttpResponse::json((*mail)->toJson());
}

} // namespace Provisio
