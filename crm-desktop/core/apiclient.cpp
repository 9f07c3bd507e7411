// SPDX-License-Identifier: Apache-2.0
#include "apiclient.h"

#include "certificatetrust.h"
#include "crmlogging.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslSocket>

namespace Provisio::Crm {

namespace {

const QString kViewer = QStringLiteral("viewer");
const QString kOperator = QStringLiteral("operator");
const QString kAdmin = QStringLiteral("admin");

ApiFailure inputFailure(const QString &message)
{
    ApiFailure failure;
    failure.code = ErrorCode::InvalidInput;
    failure.message = message;
    return failure;
}

} // namespace

ApiClient::ApiClient(QObject *parent) : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    qRegisterMetaType<Provisio::Crm::ApiFailure>();
    // No redirects: a middleware does not send them, and following one could
    // carry the bearer token to another host.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

ApiClient::~ApiClient() = default;

void ApiClient::setConnection(const QUrl &baseUrl, const QByteArray &token,
                              const QList<QSslCertificate> &caCertificates)
{
    ++m_generation;
    ++m_connectionGeneration;
    m_baseUrl = baseUrl;
    m_token = token;
    m_caCertificates = caCertificates;

    // Only the given CA is trusted: the middleware runs its own CA, and
    // trusting the system store too would let any public certificate for
    // the host stand in for it.
    m_sslConfiguration = QSslConfiguration::defaultConfiguration();
    m_sslConfiguration.setCaCertificates(caCertificates);
    m_sslConfiguration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    m_sslConfiguration.setProtocol(QSsl::TlsV1_2OrLater);

    // Keep-alive connections made with the old settings must not be reused.
    m_network->clearConnectionCache();
    m_network->clearAccessCache();

    m_role.clear();
    qCDebug(lcCrmConnection) << "connection set to" << baseUrl.toDisplayString() << "with" << caCertificates.size()
                             << "trusted CA certificate(s)";
}

QUrl ApiClient::baseUrl() const
{
    return m_baseUrl;
}

bool ApiClient::hasConnection() const
{
    return m_baseUrl.isValid() && !m_baseUrl.host().isEmpty() && !m_token.isEmpty();
}

QString ApiClient::role() const
{
    return m_role;
}

bool ApiClient::canOperate() const
{
    return m_role == kOperator || m_role == kAdmin;
}

bool ApiClient::isAdmin() const
{
    return m_role == kAdmin;
}

int ApiClient::busyCount() const
{
    return m_busyCount;
}

QString ApiClient::segment(const QString &value)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

QUrl ApiClient::apiUrl(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_baseUrl;
    QString basePath = url.path(QUrl::FullyEncoded);
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    QString relative = path;
    while (relative.startsWith(QLatin1Char('/')))
        relative.remove(0, 1);
    // Tolerant mode keeps the %XX that segment() produced as it is.
    url.setPath(basePath + QStringLiteral("/api/v1/") + relative, QUrl::TolerantMode);
    url.setQuery(query.isEmpty() ? QString() : query.query(QUrl::FullyEncoded), QUrl::TolerantMode);
    url.setFragment(QString());
    return url;
}

QNetworkRequest ApiClient::authorizedRequest(const QUrl &url) const
{
    QNetworkRequest request(url);
    request.setSslConfiguration(m_sslConfiguration);
    request.setRawHeader("Authorization", QByteArray("Bearer ") + m_token);
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return request;
}

ApiCall *ApiClient::get(const QString &path, const QUrlQuery &query)
{
    return send("GET", path, query, {}, {}, {});
}

ApiCall *ApiClient::getRaw(const QString &path, const QUrlQuery &query)
{
    ApiCall *call = send("GET", path, query, {}, {}, {});
    call->m_raw = true; // the answer arrives on a later event-loop turn
    return call;
}

ApiCall *ApiClient::post(const QString &path, const QJsonObject &body, const QUrlQuery &query)
{
    return send("POST", path, query, QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", {});
}

ApiCall *ApiClient::postRaw(const QString &path, const QByteArray &body, const QByteArray &contentType,
                            const QUrlQuery &query)
{
    return send("POST", path, query, body, contentType, {});
}

ApiCall *ApiClient::put(const QString &path, const QJsonObject &body, const QByteArray &ifMatch)
{
    return send("PUT", path, {}, QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", ifMatch);
}

ApiCall *ApiClient::patch(const QString &path, const QJsonObject &body, const QByteArray &ifMatch)
{
    return send("PATCH", path, {}, QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json", ifMatch);
}

ApiCall *ApiClient::remove(const QString &path, const QByteArray &ifMatch)
{
    return send("DELETE", path, {}, {}, {}, ifMatch);
}

ApiCall *ApiClient::send(const QByteArray &verb, const QString &path, const QUrlQuery &query, const QByteArray &body,
                         const QByteArray &contentType, const QByteArray &ifMatch)
{
    const QString description = QString::fromLatin1(verb) + QLatin1Char(' ') + path;
    if (!hasConnection())
        return track(new ApiCall(inputFailure(tr("No middleware connection is set up")), description, this));
    if (m_baseUrl.scheme() != QLatin1String("https"))
        return track(new ApiCall(inputFailure(tr("The middleware URL must start with https://")), description, this));
    if (path.isEmpty() || path.contains(QLatin1String("..")) || path.contains(QLatin1Char('?')) ||
        path.contains(QLatin1Char('#')))
        return track(new ApiCall(inputFailure(tr("Invalid API path '%1'").arg(path)), description, this));

    const QUrl url = apiUrl(path, query);
    QNetworkRequest request = authorizedRequest(url);
    if (!contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    if (!ifMatch.isEmpty()) {
        QByteArray value = ifMatch;
        // The middleware accepts both; quote as RFC 9110 has it.
        if (!value.startsWith('"') && !value.startsWith("W/") && value != "*")
            value = '"' + value + '"';
        request.setRawHeader("If-Match", value);
    }

    QNetworkReply *reply = nullptr;
    if (verb == "GET")
        reply = m_network->get(request);
    else if (verb == "DELETE")
        reply = m_network->deleteResource(request);
    else
        reply = m_network->sendCustomRequest(request, verb, body);

    // A pinned server certificate (trust on first use when the middleware
    // does not present its CA) is accepted only if it is exactly that one.
    connect(reply, &QNetworkReply::sslErrors, reply,
            [reply, trusted = m_caCertificates](const QList<QSslError> &errors) {
                if (CertificateTrust::acceptsPinned(reply->sslConfiguration().peerCertificate(), errors, trusted))
                    reply->ignoreSslErrors(errors);
            });
    auto *call = new ApiCall(reply, description, this);
    // A CSV import of a large delivery takes the middleware a while.
    call->setTimeout(contentType.startsWith("text/csv") || contentType.startsWith("application/csv")
                         ? qMax(m_timeoutMs, 300000)
                         : m_timeoutMs);
    return track(call);
}

ApiCall *ApiClient::track(ApiCall *call)
{
    setBusyCount(m_busyCount + 1);
    const quint64 generation = m_connectionGeneration;
    auto settle = [this] { setBusyCount(m_busyCount - 1); };
    connect(call, &ApiCall::finished, this, settle);
    connect(call, &ApiCall::finishedRaw, this, settle);
    connect(call, &ApiCall::failed, this, [this, settle, generation](const ApiFailure &failure) {
        settle();
        if (failure.code == ErrorCode::Unauthorized && generation == m_connectionGeneration)
            Q_EMIT unauthorized(failure);
    });
    return call;
}

void ApiClient::setBusyCount(int count)
{
    const bool wasBusy = m_busyCount > 0;
    m_busyCount = qMax(0, count);
    Q_EMIT busyCountChanged(m_busyCount);
    if (wasBusy != (m_busyCount > 0))
        Q_EMIT busyChanged(m_busyCount > 0);
}

// Two GETs: `service` (any role) proves URL, TLS and token and that this is
// a Provisio middleware; `whoami` names the token's role.
void ApiClient::probe()
{
    ++m_generation;
    m_role.clear();
    probeStep(0, m_generation);
}

void ApiClient::probeStep(int step, quint64 generation)
{
    ApiCall *call = get(step == 0 ? QStringLiteral("service") : QStringLiteral("whoami"));
    connect(call, &ApiCall::finished, this, [this, step, generation](const QJsonDocument &body, const QByteArray &) {
        if (generation != m_generation)
            return;
        if (step == 0) {
            if (!body.isObject() || !body.object().contains(QLatin1String("idScope"))) {
                ApiFailure failure;
                failure.httpStatus = 200;
                failure.message = tr("This address does not answer like a Provisio middleware");
                Q_EMIT probeFailed(failure);
                return;
            }
            probeStep(1, generation);
            return;
        }
        const QString role = body.object().value(QLatin1String("role")).toString();
        if (role != kViewer && role != kOperator && role != kAdmin) {
            ApiFailure failure;
            failure.httpStatus = 200;
            failure.message = tr("The middleware named an unknown role; update the CRM desktop");
            Q_EMIT probeFailed(failure);
            return;
        }
        finishProbe(role, generation);
    });
    connect(call, &ApiCall::failed, this, [this, generation](const ApiFailure &failure) {
        if (generation == m_generation)
            Q_EMIT probeFailed(failure);
    });
}

void ApiClient::finishProbe(const QString &role, quint64 generation)
{
    if (generation != m_generation)
        return;
    m_role = role;
    qCInfo(lcCrmConnection) << "connected to" << m_baseUrl.toDisplayString() << "as" << role;
    Q_EMIT probed(role);
}

} // namespace Provisio::Crm
