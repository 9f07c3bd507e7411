// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

class QTimer;
class QWebSocket;

namespace Provisio::Crm {

class ApiClient;

// The middleware's live event feed (WebSocket wss://…/api/v1/events): opens
// it with the ApiClient's token and trusted CA, parses each event and keeps
// reconnecting with a growing delay (1 s doubling to 30 s) while started, so
// the views stay live across middleware restarts and network blips. A
// connection only counts as live while the server answers: the feed pings
// it every heartbeat interval (5 s) and gives a connection up (and
// reconnects) when nothing came back for the stale timeout (15 s), so a
// frozen or unreachable middleware does not look live.
class EventFeed : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY errorOccurred)
public:
    explicit EventFeed(ApiClient *api, QObject *parent = nullptr);
    ~EventFeed() override;

    // Server-side filters (see docs/api.md "Live feed"); take effect on the
    // next (re)connect. Empty: everything.
    void setTypes(const QStringList &types) { m_types = types; }
    void setDeviceIds(const QStringList &deviceIds) { m_deviceIds = deviceIds; }

    void start();
    void stop();
    bool isStarted() const { return m_started; }
    // True once the server's greeting arrived.
    bool isConnected() const { return m_connected; }
    QString lastError() const { return m_lastError; }
    QString role() const { return m_role; } // from the greeting
    int reconnectDelay() const { return m_delayMs; }

    // Bounds of the reconnect backoff (tests shorten them).
    void setBackoff(int initialMs, int maximumMs);
    // How often to ping and how long the server may stay silent (pong,
    // greeting or event) before the connection counts as lost; the timeout
    // is at least two intervals.
    void setHeartbeat(int intervalMs, int staleMs);
    int heartbeatInterval() const { return m_pingMs; }
    int staleTimeout() const { return m_staleMs; }

Q_SIGNALS:
    void connectedChanged(bool connected);
    // One event: `type` is e.g. "device.sold"; `event` the whole message
    // ({id, type, at, deviceId?, registrationId?, entityType, entityId, data}).
    void eventReceived(const QString &type, const QJsonObject &event);
    void errorOccurred(const QString &message);

private:
    void open();
    void onTextMessage(const QString &message);
    void onDisconnected();
    void scheduleReconnect();
    void setConnected(bool connected);
    void checkHeartbeat();

    QPointer<ApiClient> m_api;
    QWebSocket *m_socket = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    QTimer *m_heartbeat = nullptr;
    QElapsedTimer m_lastHeard; // since the socket opened or last heard from
    QStringList m_types;
    QStringList m_deviceIds;
    QString m_lastError;
    QString m_role;
    int m_initialDelayMs = 1000;
    int m_maxDelayMs = 30000;
    int m_delayMs = 1000;
    int m_pingMs = 5000;
    int m_staleMs = 15000;
    bool m_started = false;
    bool m_connected = false;
};

} // namespace Provisio::Crm
