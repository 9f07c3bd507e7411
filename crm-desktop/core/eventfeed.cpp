// SPDX-License-Identifier: Apache-2.0
#include "eventfeed.h"

#include "apiclient.h"
#include "certificatetrust.h"
#include "crmlogging.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

namespace Provisio::Crm {

EventFeed::EventFeed(ApiClient *api, QObject *parent)
    : QObject(parent), m_api(api), m_reconnectTimer(new QTimer(this)), m_heartbeat(new QTimer(this))
{
    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, &EventFeed::open);
    m_heartbeat->setInterval(m_pingMs);
    connect(m_heartbeat, &QTimer::timeout, this, &EventFeed::checkHeartbeat);
}

void EventFeed::setHeartbeat(int intervalMs, int staleMs)
{
    m_pingMs = qMax(10, intervalMs);
    m_staleMs = qMax(2 * m_pingMs, staleMs);
    m_heartbeat->setInterval(m_pingMs);
}

void EventFeed::checkHeartbeat()
{
    if (!m_socket)
        return;
    if (m_lastHeard.elapsed() <= m_staleMs) {
        if (m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->ping();
        return;
    }
    // Silent too long: a frozen server keeps its sockets open, so only this
    // notices it. Give the connection up and try a fresh one.
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
    m_heartbeat->stop();
    setConnected(false);
    m_lastError = tr("The middleware has not answered for %1 s").arg(m_staleMs / 1000.0);
    qCInfo(lcCrmEvents) << m_lastError << "- reconnecting in" << m_delayMs << "ms";
    Q_EMIT errorOccurred(m_lastError);
    scheduleReconnect();
}

EventFeed::~EventFeed()
{
    m_started = false;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void EventFeed::setBackoff(int initialMs, int maximumMs)
{
    m_initialDelayMs = qMax(1, initialMs);
    m_maxDelayMs = qMax(m_initialDelayMs, maximumMs);
    m_delayMs = m_initialDelayMs;
}

void EventFeed::start()
{
    if (m_started)
        return;
    m_started = true;
    m_delayMs = m_initialDelayMs;
    open();
}

void EventFeed::stop()
{
    m_started = false;
    m_reconnectTimer->stop();
    m_heartbeat->stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->close();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    setConnected(false);
}

void EventFeed::open()
{
    if (!m_started)
        return;
    if (!m_api || !m_api->hasConnection()) {
        m_lastError = tr("No middleware connection is set up");
        Q_EMIT errorOccurred(m_lastError);
        scheduleReconnect();
        return;
    }
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setSslConfiguration(m_api->sslConfiguration());
    connect(m_socket, &QWebSocket::textMessageReceived, this, &EventFeed::onTextMessage);
    connect(m_socket, &QWebSocket::pong, this, [this] { m_lastHeard.restart(); });
    connect(m_socket, &QWebSocket::disconnected, this, &EventFeed::onDisconnected);
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        // The feed trusts exactly what the API client trusts, pins included.
        if (m_api && CertificateTrust::acceptsPinned(m_socket->sslConfiguration().peerCertificate(), errors,
                                                     m_api->caCertificates())) {
            m_socket->ignoreSslErrors();
            return;
        }
        m_lastError = tr("The event feed is not connected: %1")
                          .arg(CertificateTrust::explainFailure(errors, m_socket->requestUrl().host()));
    });
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                if (m_lastError.isEmpty() && m_socket)
                    m_lastError = m_socket->errorString();
            });

    QUrlQuery query;
    if (!m_types.isEmpty())
        query.addQueryItem(QStringLiteral("type"), m_types.join(QLatin1Char(',')));
    if (!m_deviceIds.isEmpty())
        query.addQueryItem(QStringLiteral("deviceId"), m_deviceIds.join(QLatin1Char(',')));
    QUrl url = m_api->apiUrl(QStringLiteral("events"), query);
    url.setScheme(url.scheme() == QLatin1String("http") ? QStringLiteral("ws") : QStringLiteral("wss"));
    m_lastError.clear();
    qCDebug(lcCrmEvents) << "opening" << url.toDisplayString();
    m_lastHeard.restart();
    m_heartbeat->start();
    m_socket->open(m_api->authorizedRequest(url));
}

void EventFeed::onTextMessage(const QString &message)
{
    m_lastHeard.restart();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(message.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        qCWarning(lcCrmEvents) << "ignoring an unreadable event:" << parseError.errorString();
        return;
    }
    const QJsonObject event = doc.object();
    const QString type = event.value(QLatin1String("type")).toString();
    if (type == QLatin1String("hello")) {
        m_role = event.value(QLatin1String("role")).toString();
        m_delayMs = m_initialDelayMs; // a good connection resets the backoff
        setConnected(true);
        return;
    }
    if (type.isEmpty())
        return;
    Q_EMIT eventReceived(type, event);
}

void EventFeed::onDisconnected()
{
    QString reason;
    if (m_socket) {
        if (m_socket->closeCode() == QWebSocketProtocol::CloseCodePolicyViolated)
            reason = tr("The middleware closed the event feed: %1").arg(m_socket->closeReason());
        else if (!m_lastError.isEmpty())
            reason = m_lastError;
        else if (!m_socket->closeReason().isEmpty())
            reason = m_socket->closeReason();
        else
            reason = tr("The event feed was disconnected");
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_heartbeat->stop();
    setConnected(false);
    if (!m_started)
        return;
    m_lastError = reason;
    qCInfo(lcCrmEvents) << reason << "- reconnecting in" << m_delayMs << "ms";
    Q_EMIT errorOccurred(reason);
    scheduleReconnect();
}

void EventFeed::scheduleReconnect()
{
    if (!m_started)
        return;
    m_reconnectTimer->start(m_delayMs);
    m_delayMs = qMin(m_delayMs * 2, m_maxDelayMs);
}

void EventFeed::setConnected(bool connected)
{
    if (m_connected == connected)
        return;
    m_connected = connected;
    Q_EMIT connectedChanged(connected);
}

} // namespace Provisio::Crm
