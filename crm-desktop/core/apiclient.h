// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apicall.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrl>
#include <QUrlQuery>

class QNetworkAccessManager;
class QNetworkRequest;

namespace Provisio::Crm {

// The CRM desktop's one door to the middleware's /api/v1: builds requests
// (bearer token, JSON, If-Match), verifies TLS against the trusted
// middleware CA only, counts requests in flight for the busy indicator and
// learns the token's role. Owned by main(); controllers and models use it,
// views never do.
class ApiClient : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString role READ role NOTIFY probed)
    Q_PROPERTY(int busyCount READ busyCount NOTIFY busyCountChanged)
public:
    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    // baseUrl = https://host:port ; caCertificates = what TLS must chain to (the trusted middleware CA).
    // Forgets the role learned before; call probe() again.
    void setConnection(const QUrl &baseUrl, const QByteArray &token, const QList<QSslCertificate> &caCertificates);
    QUrl baseUrl() const;
    QList<QSslCertificate> caCertificates() const { return m_caCertificates; }
    bool hasConnection() const;

    QString role() const;    // "viewer" | "operator" | "admin", learned by probe(); empty before
    bool canOperate() const; // operator or admin
    bool isAdmin() const;
    int busyCount() const; // requests in flight (for the busy indicator)

    // Default time a call may take before it fails (30 s; CSV imports get 5 min).
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }
    int timeout() const { return m_timeoutMs; }

    // Paths are relative to /api/v1, e.g. "devices" or "devices/SN-1/sell".
    ApiCall *get(const QString &path, const QUrlQuery &query = {});
    // A GET whose answer is not JSON (CSV): ends in ApiCall::finishedRaw().
    ApiCall *getRaw(const QString &path, const QUrlQuery &query = {});
    ApiCall *post(const QString &path, const QJsonObject &body, const QUrlQuery &query = {});
    ApiCall *postRaw(const QString &path, const QByteArray &body, const QByteArray &contentType,
                     const QUrlQuery &query = {}); // CSV import
    ApiCall *put(const QString &path, const QJsonObject &body, const QByteArray &ifMatch = {});
    ApiCall *patch(const QString &path, const QJsonObject &body, const QByteArray &ifMatch = {});
    ApiCall *remove(const QString &path, const QByteArray &ifMatch = {});

    // Checks URL, TLS and token and learns the role; emits probed() or probeFailed().
    void probe();

    // For EventFeed: the URL of a path under /api/v1 with the scheme turned
    // into ws/wss, and a request carrying the token and TLS settings.
    QUrl apiUrl(const QString &path, const QUrlQuery &query = {}) const;
    QNetworkRequest authorizedRequest(const QUrl &url) const;
    QSslConfiguration sslConfiguration() const { return m_sslConfiguration; }

    // Encodes one path segment (a serial or id may hold ':' or '.').
    static QString segment(const QString &value);

Q_SIGNALS:
    void busyChanged(bool busy);
    void busyCountChanged(int count);
    void probed(const QString &role);
    void probeFailed(const Provisio::Crm::ApiFailure &failure);
    // Any call answered 401: the token is missing, revoked or wrong.
    void unauthorized(const Provisio::Crm::ApiFailure &failure);

private:
    ApiCall *send(const QByteArray &verb, const QString &path, const QUrlQuery &query, const QByteArray &body,
                  const QByteArray &contentType, const QByteArray &ifMatch);
    ApiCall *track(ApiCall *call);
    void setBusyCount(int count);
    void probeStep(int step, quint64 generation);
    void finishProbe(const QString &role, quint64 generation);

    QNetworkAccessManager *m_network = nullptr;
    QUrl m_baseUrl;
    QByteArray m_token;
    QList<QSslCertificate> m_caCertificates;
    QSslConfiguration m_sslConfiguration;
    QString m_role;
    int m_busyCount = 0;
    int m_timeoutMs = 30000;
    quint64 m_generation = 0;           // bumps on setConnection and probe(): stale probe answers are ignored
    quint64 m_connectionGeneration = 0; // bumps on setConnection: a 401 from an old connection is not news
};

} // namespace Provisio::Crm
