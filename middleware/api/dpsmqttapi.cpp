// SPDX-License-Identifier: Apache-2.0
#include "dpsmqttapi.h"

#include "crypto/registrationid.h"
#include "protocol/apierror.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QUrlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcDpsMqtt, "provisio.middleware.dpsmqtt")

namespace Provisio {

namespace {
const QString kPrefix = QStringLiteral("$dps/registrations/");
const QString kResponses = QStringLiteral("$dps/registrations/res/#");
const QString kRegister = QStringLiteral("PUT/iotdps-register");
const QString kOperationStatus = QStringLiteral("GET/iotdps-get-operationstatus");

// CONNACK return codes (MQTT 3.1.1, table 3.1).
constexpr quint8 kIdentifierRejected = 2;
constexpr quint8 kServerUnavailable = 3;
constexpr quint8 kBadUsernameOrPassword = 4;
constexpr quint8 kNotAuthorized = 5;

// Request ids as the SDKs make them (UUIDs, counters); they come back in
// the answer's topic, so nothing that could act as a wildcard or a level.
bool isValidRid(const QString &rid)
{
    static const QRegularExpression shape(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return shape.match(rid).hasMatch();
}
} // namespace

DpsMqttApi::DpsMqttApi(DpsDeviceRequests &requests, const MqttServerLimits &limits, QObject *parent)
    : QObject(parent), m_requests(requests), m_server(*this, limits)
{ }

std::optional<DpsDeviceRequests::Call> DpsMqttApi::parseUsername(const QString &username)
{
    const QString marker = QStringLiteral("/registrations/");
    const qsizetype at = username.indexOf(marker);
    if (at <= 0)
        return std::nullopt;
    const QString rest = username.mid(at + marker.size());
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    if (slash <= 0)
        return std::nullopt;
    DpsDeviceRequests::Call call;
    call.idScope = username.left(at);
    call.registrationId = rest.left(slash);
    // api-version=…&ClientVersion=…&DeviceClientType=…&model-id=…: only
    // the api-version matters here.
    const QUrlQuery query(rest.mid(slash + 1));
    if (query.hasQueryItem(QStringLiteral("api-version")))
        call.apiVersion = query.queryItemValue(QStringLiteral("api-version"), QUrl::FullyDecoded);
    return call;
}

quint8 DpsMqttApi::authenticate(MqttServerConnection &connection, const MqttCodec::Connect &connect)
{
    if (!connect.username || !connect.password)
        return kBadUsernameOrPassword;
    auto call = parseUsername(*connect.username);
    if (!call)
        return kBadUsernameOrPassword;
    if (Crypto::normalizeRegistrationId(connect.clientId) != Crypto::normalizeRegistrationId(call->registrationId))
        return kIdentifierRejected;
    call->authorization = *connect.password;
    call->client = connection.peerAddress();
    const auto admitted = m_requests.admission(*call);
    if (admitted.error) {
        // The reason, never the token.
        qCInfo(lcDpsMqtt).noquote() << "refused" << call->registrationId.left(128) << "from"
                                    << connection.peerAddress().toString() << ":" << admitted.error->message;
        switch (admitted.status) {
        case 400:
            return kBadUsernameOrPassword;
        case 429:
            return kServerUnavailable;
        default:
            return kNotAuthorized;
        }
    }
    m_calls.insert(&connection, *call);
    QObject::connect(&connection, &MqttServerConnection::closed, this, [this, c = &connection] { m_calls.remove(c); });
    return 0;
}

quint8 DpsMqttApi::subscribe(MqttServerConnection &, const QString &filter, int qos)
{
    // DPS answers on one filter and grants at most QoS 1.
    return filter == kResponses ? quint8(qMin(qos, 1)) : quint8(0x80);
}

bool DpsMqttApi::published(MqttServerConnection &connection, const MqttCodec::Publish &publish, int retryAfterSeconds)
{
    const auto call = m_calls.constFind(&connection);
    if (call == m_calls.constEnd() || !publish.topic.startsWith(kPrefix))
        return false;
    const qsizetype question = publish.topic.indexOf(QStringLiteral("/?"));
    if (question < 0)
        return false;
    const QString request = publish.topic.mid(kPrefix.size(), question - kPrefix.size());
    const QUrlQuery query(publish.topic.mid(question + 2));
    const QString rid = query.queryItemValue(QStringLiteral("$rid"), QUrl::FullyDecoded);
    if (!isValidRid(rid))
        return false; // no way to answer
    if (retryAfterSeconds > 0) {
        DpsDeviceRequests::Answer throttled;
        throttled.status = 429;
        throttled.error =
            Error(ErrorCode::TooManyRequests,
                  QStringLiteral("too many requests on this connection; retry in %1 s").arg(retryAfterSeconds));
        throttled.retryAfter = retryAfterSeconds;
        answer(connection, rid, throttled);
        return true;
    }
    if (request == kRegister) {
        // Answered after the registration's group commit: the connection
        // may be gone by then.
        QPointer<MqttServerConnection> to(&connection);
        m_requests.registerDevice(*call, publish.payload, [this, to, rid](const DpsDeviceRequests::Answer &a) {
            if (to)
                answer(*to, rid, a);
        });
    } else if (request == kOperationStatus) {
        const QString operationId = query.queryItemValue(QStringLiteral("operationId"), QUrl::FullyDecoded);
        if (operationId.isEmpty()) {
            DpsDeviceRequests::Answer missing;
            missing.status = 400;
            missing.error = Error(ErrorCode::InvalidInput, QStringLiteral("the operationId parameter is required"));
            answer(connection, rid, missing);
        } else {
            answer(connection, rid, m_requests.operationStatus(*call, operationId));
        }
    } else {
        DpsDeviceRequests::Answer unknown;
        unknown.status = 404;
        unknown.error = Error(ErrorCode::NotFound, QStringLiteral("unknown request '%1'; DPS over MQTT knows %2 and %3")
                                                       .arg(request.left(64), kRegister, kOperationStatus));
        answer(connection, rid, unknown);
    }
    return true;
}

void DpsMqttApi::answer(MqttServerConnection &connection, const QString &rid, const DpsDeviceRequests::Answer &answer)
{
    QString topic = QStringLiteral("$dps/registrations/res/%1/?$rid=%2").arg(answer.status).arg(rid);
    if (answer.retryAfter > 0)
        topic += QStringLiteral("&retry-after=%1").arg(answer.retryAfter);
    if (!answer.error && !answer.bodyText.isEmpty()) {
        connection.publish(topic, answer.bodyText);
        return;
    }
    const QJsonObject body =
        answer.error ? ApiError::fromError(*answer.error, QUuid::createUuid().toString(QUuid::WithoutBraces)).toJson()
                     : answer.body;
    connection.publish(topic, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

} // namespace Provisio
