// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connectionprofile.h"

#include <QDialog>
#include <QList>
#include <QSslCertificate>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace Provisio::Crm {

class ApiClient;
class CertificateTrust;
class ConnectionStore;
struct ApiFailure;

// Where to connect: a saved connection or a new one (URL and token). TLS is
// verified against one CA the user trusts explicitly: either the one the
// middleware presents, after comparing its SHA-256 fingerprint with what the
// operator sees on the server (trust on first use, as SSH does), or a CA
// file. Connect checks URL, TLS and token with a probe that also learns the
// role; only a connection that works is saved and accepted.
class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    ConnectionDialog(ApiClient *api, ConnectionStore *store, QWidget *parent = nullptr);

    // Pre-fills a new connection (command line --url / --ca).
    void setUrl(const QUrl &url);
    void setCaCertificates(const QList<QSslCertificate> &certificates, const QString &origin);
    void setToken(const QByteArray &token);
    void selectProfile(const QString &name);
    // Starts the trust-on-first-use handshake for the URL entered.
    void fetchCertificate();

    ConnectionProfile profile() const { return m_connected; }
    QString role() const { return m_role; }

Q_SIGNALS:
    // The connection works; api is set up with it and probed.
    void connected(const Provisio::Crm::ConnectionProfile &profile, const QString &role);

private:
    void onProfileChosen(int index);
    void chooseCaFile();
    void connectNow();
    void probeWith(const QByteArray &token);
    void onProbed(const QString &role);
    void onProbeFailed(const Provisio::Crm::ApiFailure &failure);
    void setBusy(bool busy, const QString &text = {});
    void showProblem(const QString &text);
    void updateState();
    ConnectionProfile editedProfile() const;

    ApiClient *m_api;
    ConnectionStore *m_store;
    CertificateTrust *m_trust;
    QComboBox *m_profiles;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QLabel *m_fingerprint;
    QPushButton *m_fetch;
    QPushButton *m_caFile;
    QCheckBox *m_trustCheck;
    QLabel *m_status;
    QProgressBar *m_busy;
    QDialogButtonBox *m_buttons;
    QPushButton *m_connect;

    QList<QSslCertificate> m_ca;
    bool m_caFromFile = false;
    QByteArray m_pendingToken;
    bool m_tokenTyped = false;
    bool m_probing = false;
    ConnectionProfile m_connected;
    QString m_role;
};

} // namespace Provisio::Crm
