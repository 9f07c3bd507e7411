// SPDX-License-Identifier: Apache-2.0
#include "allocator.h"
#include "base/servicecontext.h"

#include "base/serviceconfig.h"
#include "crypto/keys.h"
#include "protocol/jsonlimits.h"
#include "protocol/jsonreader.h"
#include "storage/auditlog.h"
#include "storage/hubstore.h"
#include "storage/settingsstore.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>
#include <QtEndian>

#include <cmath>
#include <memory>

Q_LOGGING_CATEGORY(lcAllocation, "provisio.middleware.allocation")

namespace Provisio {

Allocator::Allocator(ServiceContext &ctx, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_target(WebhookTarget::rulesFrom(ctx.config))
{ }

namespace {

// rendezvousScore over the UTF-8 of the hub's name and of the registration
// id: hashed in place, without joining them into a new array first.
double score(QByteArrayView hubName, int weight, QByteArrayView registrationId)
{
    if (weight <= 0)
        return -1;
    unsigned char digest[32];
    Crypto::sha256Of(
        {{hubName.data(), size_t(hubName.size())}, {"\n", 1}, {registrationId.data(), size_t(registrationId.size())}},
        digest);
    const quint64 bits = qFromBigEndian<quint64>(digest);
    // The top 53 bits as a double in (0, 1): never 0, so the log is finite.
    const double u = (double(bits >> 11) + 0.5) / double(quint64(1) << 53);
    return -double(weight) / std::log(u);
}

} // namespace

double Allocator::rendezvousScore(const QString &hubName, int weight, const QString &registrationId)
{
    return score(hubName.toUtf8(), weight, registrationId.toUtf8());
}

std::optional<Hub> Allocator::hashedChoice(const QList<Hub> &hubs, const QString &registrationId)
{
    const QByteArray id = registrationId.toUtf8();
    const Hub *best = nullptr;
    double bestScore = 0;
    for (const Hub &h : hubs) {
        if (h.allocationWeight <= 0)
            continue;
        const double s = score(h.name.toUtf8(), h.allocationWeight, id);
        // Ties (practically impossible) go to the smaller name, so the
        // result never depends on list order.
        if (!best || s > bestScore || (s == bestScore && h.name < best->name)) {
            best = &h;
            bestScore = s;
        }
    }
    return best ? std::optional<Hub>(*best) : std::nullopt;
}

QString Allocator::declaredRegion(const QJsonValue &payload)
{
    const QJsonObject o = payload.toObject();
    const QString direct = o.value(QStringLiteral("region")).toString();
    if (!direct.isEmpty())
        return direct;
    return o.value(QStringLiteral("provisio")).toObject().value(QStringLiteral("region")).toString();
}

std::optional<Hub> Allocator::findHub(const QList<Hub> &hubs, const QString &hostOrName)
{
    for (const Hub &h : hubs) {
        if (h.host.compare(hostOrName, Qt::CaseInsensitive) == 0)
            return h;
    }
    for (const Hub &h : hubs) {
        if (h.name == hostOrName)
            return h;
    }
    return std::nullopt;
}

Result<QString> Allocator::webhookSecret(SettingsStore &settings, const QString &webhookUrl)
{
    auto key = settings.ensureValue(QStringLiteral("allocation.webhookSigningKey"), Crypto::randomToken(32));
    if (!key)
        return key.error();
    const QByteArray mac = Crypto::hmacSha256(key->toUtf8(), webhookUrl.toUtf8());
    return QString::fromLatin1(mac.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Result<Allocator::Plan> Allocator::plan(const std::optional<AllocationPolicy> &enrollmentPolicy,
                                        const QStringList &iotHubs,
                                        const std::optional<CustomAllocationDefinition> &enrollmentWebhook,
                                        const QString &instancePolicy)
{
    auto linked = m_ctx.hubs.all();
    if (!linked)
        return linked.error();
    Plan p;
    p.linked = *linked;
    if (p.linked.isEmpty())
        return Error(ErrorCode::NotFound, QStringLiteral("no hub is linked to this provisioning service; "
                                                         "link one with PUT /api/v1/hubs/{name}"));
    if (enrollmentPolicy) {
        p.policy = *enrollmentPolicy;
    } else {
        const QString name = !instancePolicy.isEmpty()
                                 ? instancePolicy
                                 : m_ctx.settings.value(QStringLiteral("allocationPolicy"),
                                                        allocationPolicyName(AllocationPolicy::Hashed));
        const auto parsed = parseAllocationPolicy(name);
        if (!parsed)
            return Error(ErrorCode::Internal,
                         QStringLiteral("the instance allocation policy '%1' is not a known policy").arg(name));
        p.policy = *parsed;
    }

    if (iotHubs.isEmpty()) {
        p.candidates = p.linked;
    } else {
        for (const QString &h : iotHubs) {
            if (auto hub = findHub(p.linked, h))
                p.candidates << *hub;
        }
        if (p.candidates.isEmpty())
            return Error(
                ErrorCode::NotFound,
                QStringLiteral("none of the enrollment's hubs (%1) is linked").arg(iotHubs.join(QStringLiteral(", "))));
    }

    switch (p.policy) {
    case AllocationPolicy::Static:
        p.staticHub =
            !iotHubs.isEmpty() ? iotHubs.first() : m_ctx.settings.value(QStringLiteral("allocation.staticHub"));
        if (p.staticHub.isEmpty())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("the static allocation policy needs a hub: set the enrollment's iotHubs "
                                        "or the instance's static hub"));
        break;
    case AllocationPolicy::Custom:
        if (enrollmentWebhook) {
            p.webhook = enrollmentWebhook;
        } else {
            CustomAllocationDefinition def;
            def.webhookUrl = m_ctx.settings.value(QStringLiteral("allocation.webhookUrl"));
            def.apiVersion =
                m_ctx.settings.value(QStringLiteral("allocation.webhookApiVersion"), QStringLiteral("2021-10-01"));
            if (def.webhookUrl.isEmpty())
                return Error(ErrorCode::InvalidInput,
                             QStringLiteral("the custom allocation policy needs a webhook: set the enrollment's "
                                            "customAllocationDefinition or the instance's webhook URL"));
            p.webhook = def;
        }
        break;
    default:
        break;
    }
    return p;
}

Result<Allocator::Outcome> Allocator::allocate(const Plan &plan, const QString &registrationId,
                                               const QJsonValue &payload) const
{
    Outcome out;
    switch (plan.policy) {
    case AllocationPolicy::Static: {
        const auto hub = findHub(plan.linked, plan.staticHub);
        if (!hub)
            return Error(ErrorCode::NotFound, QStringLiteral("the static hub '%1' is not linked").arg(plan.staticHub));
        out.hub = *hub;
        return out;
    }
    case AllocationPolicy::GeoLatency: {
        const QString region = declaredRegion(payload);
        QList<Hub> local;
        if (!region.isEmpty()) {
            for (const Hub &h : plan.candidates) {
                if (h.region.compare(region, Qt::CaseInsensitive) == 0)
                    local << h;
            }
        }
        if (auto hub = hashedChoice(local, registrationId)) {
            out.hub = *hub;
            return out;
        }
        break; // no hub in that region takes devices: any candidate
    }
    case AllocationPolicy::Custom:
        return Error(ErrorCode::Internal, QStringLiteral("custom allocation is asynchronous"));
    case AllocationPolicy::Hashed:
        break;
    }
    const auto hub = hashedChoice(plan.candidates, registrationId);
    if (!hub)
        return Error(ErrorCode::NotFound,
                     QStringLiteral("no candidate hub takes new devices (every allocation weight is 0)"));
    out.hub = *hub;
    return out;
}

Result<Allocator::Outcome> Allocator::readWebhookAnswer(const QByteArray &body, const QList<Hub> &linked) const
{
    auto json = parseJsonObject(body);
    if (!json)
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("the custom allocation webhook answered with invalid JSON: ") +
                         json.error().message);
    // Lenient about extra members: webhooks are often written for DPS and
    // may echo more than DPS reads.
    JsonReader reader(*json);
    const QString host = reader.requiredString(QStringLiteral("iotHubHostName"));
    std::optional<InitialTwin> twin;
    if (reader.has(QStringLiteral("initialTwin")))
        twin = InitialTwin::readFrom(reader.child(QStringLiteral("initialTwin")));
    const QJsonObject payload = reader.optionalObject(QStringLiteral("payload"));
    if (!reader.ok())
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("the custom allocation webhook's answer is unusable: ") + reader.error().message);
    if (twin) {
        if (auto limited = checkInitialTwin(*twin); !limited)
            return Error(ErrorCode::Unavailable,
                         QStringLiteral("the custom allocation webhook's answer is unusable: ") +
                             limited.error().message);
    }
    const auto hub = findHub(linked, host);
    if (!hub)
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("the custom allocation webhook chose hub '%1', which is not linked").arg(host));
    Outcome out;
    out.hub = *hub;
    out.payload = payload;
    out.initialTwin = twin;
    return out;
}

void Allocator::allocateCustom(const Plan &plan, const QJsonObject &requestBody, QObject *context,
                               std::function<void(Result<Outcome>)> done)
{
    const QUrl url(plan.webhook ? plan.webhook->webhookUrl : QString());
    const QString registrationId = requestBody.value(QStringLiteral("deviceRuntimeContext"))
                                       .toObject()
                                       .value(QStringLiteral("registrationId"))
                                       .toString();
    // What went wrong stays with the operators (log and audit entry); the
    // device learns only that allocation failed and a reference to quote.
    // The URL may carry a function key (Azure Functions' ?code=), so only
    // host and port are recorded, and Qt's error strings (which quote the
    // URL) never reach the device.
    const auto fail = [this, registrationId, host = url.host(), port = url.port(443), done](const QString &detail,
                                                                                            int status) {
        const QString trackingId = Crypto::randomToken(9);
        qCWarning(lcAllocation).noquote() << "custom allocation for" << registrationId << "failed, tracking id"
                                          << trackingId << "webhook host" << host << "port" << port << ":" << detail;
        QJsonObject record{{QStringLiteral("trackingId"), trackingId},
                           {QStringLiteral("webhookHost"), host},
                           {QStringLiteral("webhookPort"), port},
                           {QStringLiteral("detail"), detail}};
        if (status > 0)
            record.insert(QStringLiteral("httpStatus"), status);
        if (auto r = m_ctx.audit.record(QStringLiteral("system:allocation"), QStringLiteral("allocationFailed"),
                                        QStringLiteral("registration"), registrationId, {}, record);
            !r)
            qCWarning(lcAllocation).noquote() << "cannot audit the failed allocation:" << r.error().message;
        done(Error(ErrorCode::Unavailable,
                   QStringLiteral("custom allocation failed; quote tracking id %1 to the operator").arg(trackingId)));
    };
    const QList<Hub> linked = plan.linked;
    const QString authorization = m_ctx.config.webhookAuthorization;
    auto secret = webhookSecret(m_ctx.settings, url.toString());
    if (!secret)
        return fail(QStringLiteral("cannot read the webhook signing key: ") + secret.error().message, 0);
    const QByteArray caPem = m_ctx.caCertificatePem;
    // Resolved once and checked (WebhookTarget): the request goes to the
    // checked address, so DNS cannot send it elsewhere afterwards.
    m_target.resolve(
        url, context,
        [this, linked, authorization, secret = secret->toUtf8(), caPem, requestBody, context, fail,
         done](Result<WebhookTarget::Pinned> pinned) {
            if (!pinned)
                return fail(QStringLiteral("refused: ") + pinned.error().message, 0);
            QNetworkRequest request(pinned->url);
            request.setRawHeader("Host", pinned->hostHeader);
            request.setPeerVerifyName(pinned->hostName);
            // HTTP/1.1 only: HTTP/2's :authority would name the address, not
            // the host a receiver behind a shared front end is known by.
            request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            // Deprecated (one value for every webhook), still sent when set.
            if (!authorization.isEmpty())
                request.setRawHeader("Authorization", authorization.toUtf8());
            const QByteArray body = QJsonDocument(requestBody).toJson(QJsonDocument::Compact);
            const QByteArray timestamp = QByteArray::number(QDateTime::currentSecsSinceEpoch());
            request.setRawHeader("X-Provisio-Timestamp", timestamp);
            request.setRawHeader("X-Provisio-Signature",
                                 "sha256=" + Crypto::hmacSha256(secret, timestamp + '.' + body).toHex());
            request.setTransferTimeout(kWebhookTimeoutMs);
            // A redirect is a failure, not an instruction to post the device's
            // request somewhere unchecked.
            request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
            // Webhooks may run on the operator's own machines with certificates
            // from the middleware's CA, or anywhere with a public one.
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            QList<QSslCertificate> cas = QSslConfiguration::systemCaCertificates();
            cas += QSslCertificate::fromData(caPem, QSsl::Pem);
            ssl.setCaCertificates(cas);
            ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
            request.setSslConfiguration(ssl);

            QNetworkReply *reply = m_ctx.network.post(request, body);
            QObject::connect(reply, &QNetworkReply::finished, context, [this, reply, linked, fail, done] {
                reply->deleteLater();
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (reply->error() == QNetworkReply::OperationCanceledError ||
                    reply->error() == QNetworkReply::TimeoutError)
                    return fail(QStringLiteral("no answer within %1 s").arg(kWebhookTimeoutMs / 1000), 0);
                if (status == 0)
                    return fail(QStringLiteral("unreachable, network error %1").arg(int(reply->error())), 0);
                if (status < 200 || status > 299)
                    return fail(QStringLiteral("answered HTTP %1").arg(status), status);
                auto outcome = readWebhookAnswer(reply->readAll(), linked);
                if (!outcome)
                    return fail(outcome.error().message, status);
                done(std::move(outcome));
            });
        });
}

} // namespace Provisio
