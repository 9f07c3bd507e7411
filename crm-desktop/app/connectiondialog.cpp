// SPDX-License-Identifier: Apache-2.0
#include "connectiondialog.h"

#include "apiclient.h"
#include "applogging.h"
#include "certificatetrust.h"
#include "connectionstore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace Provisio::Crm {

ConnectionDialog::ConnectionDialog(ApiClient *api, ConnectionStore *store, QWidget *parent)
    : QDialog(parent), m_api(api), m_store(store), m_trust(new CertificateTrust(this)), m_profiles(new QComboBox(this)),
      m_name(new QLineEdit(this)), m_url(new QLineEdit(this)), m_token(new QLineEdit(this)),
      m_fingerprint(new QLabel(this)), m_fetch(new QPushButton(tr("&Fetch the server's certificate"), this)),
      m_caFile(new QPushButton(tr("Use a CA &file…"), this)),
      m_trustCheck(new QCheckBox(tr("I compared this fingerprint with the server's and &trust it"), this)),
      m_status(new QLabel(this)), m_busy(new QProgressBar(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("connectionDialog"));
    setWindowTitle(tr("Connect to a Provisio middleware"));
    m_profiles->setObjectName(QStringLiteral("connectionProfiles"));
    m_name->setObjectName(QStringLiteral("connectionName"));
    m_url->setObjectName(QStringLiteral("connectionUrl"));
    m_token->setObjectName(QStringLiteral("connectionToken"));
    m_fingerprint->setObjectName(QStringLiteral("connectionFingerprint"));
    m_fetch->setObjectName(QStringLiteral("connectionFetch"));
    m_caFile->setObjectName(QStringLiteral("connectionCaFile"));
    m_trustCheck->setObjectName(QStringLiteral("connectionTrust"));
    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_url->setPlaceholderText(QStringLiteral("https://provisio.example.com:8443"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("pvs_… (from `provisio-middleware token create`)"));
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fingerprint->setWordWrap(true);
    m_fingerprint->setFont(QFont(QStringLiteral("monospace")));
    m_status->setWordWrap(true);
    m_busy->setRange(0, 0);
    m_busy->setMaximumHeight(6);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_connect = m_buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    m_connect->setObjectName(QStringLiteral("connectionConnect"));
    m_connect->setDefault(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Saved &connection:"), m_profiles);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("&Access token:"), m_token);

    auto *trustBox = new QGroupBox(tr("Server certificate"), this);
    auto *trustLayout = new QVBoxLayout(trustBox);
    auto *explain = new QLabel(tr("The middleware runs its own certificate authority. Compare the SHA-256 "
                                  "fingerprint below with the one its operator sees "
                                  "(<tt>openssl x509 -noout -fingerprint -sha256 -in DATA_DIR/tls/ca.crt</tt>), "
                                  "or use the CA file the operator gave you."),
                               trustBox);
    explain->setWordWrap(true);
    // A wrapped label in a group box gets too little height otherwise.
    explain->setMinimumHeight(explain->fontMetrics().lineSpacing() * 3 + 4);
    auto *trustButtons = new QHBoxLayout;
    trustButtons->addWidget(m_fetch);
    trustButtons->addWidget(m_caFile);
    trustButtons->addStretch();
    trustLayout->addWidget(explain);
    trustLayout->addLayout(trustButtons);
    trustLayout->addWidget(m_fingerprint);
    trustLayout->addWidget(m_trustCheck);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(trustBox);
    layout->addWidget(m_busy);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    setMinimumWidth(640);

    m_profiles->addItem(tr("New connection…"));
    for (const ConnectionProfile &p : m_store->profiles())
        m_profiles->addItem(p.name, p.name);

    connect(m_profiles, &QComboBox::currentIndexChanged, this, &ConnectionDialog::onProfileChosen);
    connect(m_fetch, &QPushButton::clicked, this, &ConnectionDialog::fetchCertificate);
    connect(m_caFile, &QPushButton::clicked, this, &ConnectionDialog::chooseCaFile);
    connect(m_trustCheck, &QCheckBox::toggled, this, &ConnectionDialog::updateState);
    connect(m_url, &QLineEdit::textEdited, this, [this] {
        // A new address needs its certificate checked again.
        if (!m_caFromFile) {
            m_ca.clear();
            m_fingerprint->clear();
            m_trustCheck->setChecked(false);
        }
        updateState();
    });
    connect(m_name, &QLineEdit::textChanged, this, &ConnectionDialog::updateState);
    connect(m_token, &QLineEdit::textEdited, this, [this] {
        m_tokenTyped = true;
        updateState();
    });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::connectNow);
    connect(m_buttons, &QDialogButtonBox::rejected, this, [this] {
        m_trust->cancel();
        reject();
    });
    connect(m_trust, &CertificateTrust::fetched, this,
            [this](const QList<QSslCertificate> &chain, const QString &caFingerprint, bool verifiedAgainstSystem) {
                setBusy(false);
                const QSslCertificate root = CertificateTrust::rootOf(chain);
                if (root.isNull()) {
                    showProblem(tr("The server did not send its CA certificate. Ask its operator for the CA file "
                                   "and use “Use a CA file…”."));
                    return;
                }
                m_ca = {root};
                m_caFromFile = false;
                m_fingerprint->setText(tr("CA: %1\nSHA-256: %2").arg(root.subjectDisplayName(), caFingerprint));
                m_trustCheck->setChecked(false);
                m_trustCheck->setEnabled(true);
                m_status->setText(verifiedAgainstSystem
                                      ? tr("The certificate is also trusted by this system.")
                                      : tr("Compare the fingerprint, then tick the box to trust this CA."));
                updateState();
            });
    connect(m_trust, &CertificateTrust::fetchFailed, this, [this](const QString &message) {
        setBusy(false);
        showProblem(tr("Could not reach the server: %1").arg(message));
    });
    connect(m_api, &ApiClient::probed, this, &ConnectionDialog::onProbed);
    connect(m_api, &ApiClient::probeFailed, this, &ConnectionDialog::onProbeFailed);
    connect(m_store, &ConnectionStore::tokenLoaded, this, [this](const QString &name, const QByteArray &token) {
        if (m_probing && name == m_name->text().trimmed() && m_pendingToken.isEmpty())
            probeWith(token);
    });
    connect(m_store, &ConnectionStore::tokenFailed, this, [this](const QString &name, const QString &message) {
        if (!m_probing)
            return;
        m_probing = false;
        setBusy(false);
        showProblem(tr("The saved token of %1 could not be read (%2). Enter it again.").arg(name, message));
    });

    const QString current = m_store->currentName();
    if (!current.isEmpty() && m_store->contains(current))
        selectProfile(current);
    else
        onProfileChosen(0);
}

void ConnectionDialog::setUrl(const QUrl &url)
{
    m_profiles->setCurrentIndex(0);
    m_url->setText(url.toString());
    if (m_name->text().isEmpty())
        m_name->setText(url.host());
    updateState();
}

void ConnectionDialog::setCaCertificates(const QList<QSslCertificate> &certificates, const QString &origin)
{
    m_ca = certificates;
    m_caFromFile = true;
    if (!certificates.isEmpty()) {
        m_fingerprint->setText(tr("CA from %1: %2\nSHA-256: %3")
                                   .arg(origin, certificates.constFirst().subjectDisplayName(),
                                        CertificateTrust::fingerprint(certificates.constFirst())));
    }
    // A CA file handed over by the operator is trusted by choosing it.
    m_trustCheck->setChecked(true);
    updateState();
}

void ConnectionDialog::setToken(const QByteArray &token)
{
    m_token->setText(QString::fromUtf8(token));
    m_tokenTyped = !token.isEmpty();
    updateState();
}

void ConnectionDialog::selectProfile(const QString &name)
{
    const int index = m_profiles->findData(name);
    if (index > 0) {
        if (m_profiles->currentIndex() == index)
            onProfileChosen(index);
        else
            m_profiles->setCurrentIndex(index);
    }
}

void ConnectionDialog::onProfileChosen(int index)
{
    m_tokenTyped = false;
    m_token->clear();
    m_status->clear();
    if (index <= 0) {
        m_name->clear();
        m_name->setReadOnly(false);
        m_url->clear();
        m_ca.clear();
        m_fingerprint->setText(tr("Not checked yet."));
        m_trustCheck->setChecked(false);
        m_trustCheck->setEnabled(false);
        m_token->setPlaceholderText(tr("pvs_… (from `provisio-middleware token create`)"));
    } else {
        const ConnectionProfile p = m_store->profile(m_profiles->itemData(index).toString());
        m_name->setText(p.name);
        m_name->setReadOnly(true);
        m_url->setText(p.url.toString());
        m_ca = p.caCertificates();
        m_caFromFile = true;
        m_fingerprint->setText(tr("Trusted CA, SHA-256: %1").arg(p.caFingerprintSha256));
        m_trustCheck->setEnabled(true);
        m_trustCheck->setChecked(!m_ca.isEmpty());
        m_token->setPlaceholderText(tr("saved (type a new token to replace it)"));
    }
    updateState();
}

void ConnectionDialog::fetchCertificate()
{
    const QUrl url(m_url->text().trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || url.scheme() != QLatin1String("https")) {
        showProblem(tr("Enter an https:// URL with a host first."));
        return;
    }
    setBusy(true, tr("Connecting to %1…").arg(url.host()));
    m_trust->fetch(url);
}

void ConnectionDialog::chooseCaFile()
{
    auto *dialog = new QFileDialog(this, tr("Middleware CA certificate"), QString(),
                                   tr("Certificates (*.crt *.pem *.cer);;All files (*)"));
    dialog->setObjectName(QStringLiteral("caFileDialog"));
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        const auto loaded = CertificateTrust::loadCaFile(path);
        if (!loaded.ok()) {
            showProblem(loaded.error().message);
            return;
        }
        setCaCertificates(*loaded, path);
        m_status->setText(tr("CA loaded from %1.").arg(path));
    });
    dialog->open();
}

ConnectionProfile ConnectionDialog::editedProfile() const
{
    ConnectionProfile p;
    p.name = m_name->text().trimmed();
    p.url = QUrl(m_url->text().trimmed(), QUrl::StrictMode);
    for (const QSslCertificate &c : m_ca)
        p.caCertificatePem += c.toPem();
    if (!m_ca.isEmpty())
        p.caFingerprintSha256 = CertificateTrust::fingerprint(m_ca.constFirst());
    return p;
}

void ConnectionDialog::connectNow()
{
    const ConnectionProfile p = editedProfile();
    if (p.name.isEmpty()) {
        showProblem(tr("Give the connection a name, e.g. the server's host."));
        return;
    }
    if (!p.url.isValid() || p.url.host().isEmpty() || p.url.scheme() != QLatin1String("https")) {
        showProblem(tr("The URL must be https:// with a host, e.g. https://localhost:8443."));
        return;
    }
    if (m_ca.isEmpty() || !m_trustCheck->isChecked()) {
        showProblem(
            tr("Trust the server's CA first: fetch its certificate and compare the fingerprint, or use a CA file."));
        return;
    }
    const QByteArray typed = m_token->text().trimmed().toUtf8();
    m_probing = true;
    setBusy(true, tr("Checking the connection…"));
    if (!typed.isEmpty()) {
        m_pendingToken = typed;
        probeWith(typed);
    } else if (m_store->contains(p.name)) {
        m_pendingToken.clear();
        m_store->loadToken(p.name); // answers through tokenLoaded
    } else {
        m_probing = false;
        setBusy(false);
        showProblem(tr("Enter the access token."));
    }
}

void ConnectionDialog::probeWith(const QByteArray &token)
{
    const ConnectionProfile p = editedProfile();
    m_api->setConnection(p.url, token, m_ca);
    m_api->probe();
}

void ConnectionDialog::onProbed(const QString &role)
{
    if (!m_probing)
        return;
    m_probing = false;
    setBusy(false);
    m_connected = editedProfile();
    m_role = role;
    qCInfo(lcCrmUi) << "connected to" << m_connected.url.toDisplayString() << "as" << role;
    // Save the profile (and a newly typed token) only now that it works.
    if (!m_pendingToken.isEmpty())
        m_store->save(m_connected, m_pendingToken);
    m_store->setCurrentName(m_connected.name);
    m_pendingToken.clear();
    Q_EMIT connected(m_connected, role);
    accept();
}

void ConnectionDialog::onProbeFailed(const ApiFailure &failure)
{
    if (!m_probing)
        return;
    m_probing = false;
    setBusy(false);
    // A TLS failure's message already says which check failed (CA, expiry,
    // name) and what to do about it.
    QString text = failure.message;
    if (failure.code == ErrorCode::Unauthorized)
        text = tr("The token was not accepted (revoked or mistyped).");
    showProblem(text);
}

void ConnectionDialog::setBusy(bool busy, const QString &text)
{
    m_busy->setVisible(busy);
    if (busy) {
        m_status->setStyleSheet(QString());
        m_status->setText(text);
    }
    m_fetch->setEnabled(!busy);
    m_caFile->setEnabled(!busy);
    m_connect->setEnabled(!busy);
    m_profiles->setEnabled(!busy);
}

void ConnectionDialog::showProblem(const QString &text)
{
    m_status->setStyleSheet(QStringLiteral("color: #da4453;"));
    m_status->setText(text);
}

void ConnectionDialog::updateState()
{
    m_status->setStyleSheet(QString());
    m_fetch->setEnabled(!m_url->text().trimmed().isEmpty());
}

} // namespace Provisio::Crm
