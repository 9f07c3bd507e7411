// SPDX-License-Identifier: Apache-2.0
#include "session.h"

#include "apiclient.h"
#include "applogging.h"
#include "certificatetrust.h"
#include "connectiondialog.h"
#include "connectionstore.h"
#include "crmlanguage.h"
#include "eventfeed.h"
#include "mainwindow.h"
#include "messagebanner.h"

#include <QLabel>
#include <QTimer>

namespace Provisio::Crm {

Session::Session(QObject *parent)
    : QObject(parent), m_api(new ApiClient(this)), m_feed(new EventFeed(m_api, this)),
      m_store(new ConnectionStore(this))
{ }

Session::~Session()
{
    delete m_window;
}

MainWindow *Session::window() const
{
    return m_window;
}

void Session::start(const AppOptions &options)
{
    m_options = options;
    if (!options.url.isEmpty()) {
        QByteArray token;
        if (!options.tokenFile.isEmpty()) {
            const auto read = options.readToken();
            if (!read.ok()) {
                openDialog(QString(), read.error().message);
                return;
            }
            token = *read;
        }
        QList<QSslCertificate> ca;
        if (!options.caFile.isEmpty()) {
            const auto loaded = CertificateTrust::loadCaFile(options.caFile);
            if (!loaded.ok()) {
                openDialog(QString(), loaded.error().message);
                return;
            }
            ca = *loaded;
        }
        if (token.isEmpty() || ca.isEmpty()) {
            // Still missing the token or the CA to trust: the dialog asks.
            openDialog(QString());
            return;
        }
        m_api->setConnection(options.url, token, ca);
        if (!options.profile.isEmpty()) {
            // Remember the command line's connection under the given name,
            // so the next start (or the connections menu) finds it.
            ConnectionProfile profile;
            profile.name = options.profile;
            profile.url = options.url;
            for (const QSslCertificate &c : ca)
                profile.caCertificatePem += c.toPem();
            profile.caFingerprintSha256 = CertificateTrust::fingerprint(ca.constFirst());
            m_pendingProfile = profile;
            m_pendingToken = token;
        }
        probeThen(tr("Could not connect to %1: ").arg(options.url.toDisplayString()));
        return;
    }
    const QString name = !options.profile.isEmpty() ? options.profile : m_store->currentName();
    if (!name.isEmpty() && m_store->contains(name)) {
        connectProfile(name);
        return;
    }
    openDialog(QString(),
               options.profile.isEmpty() ? QString() : tr("No saved connection is called %1.").arg(options.profile));
}

void Session::connectProfile(const QString &name)
{
    const ConnectionProfile profile = m_store->profile(name);
    auto *context = new QObject(this);
    connect(m_store, &ConnectionStore::tokenLoaded, context,
            [this, context, profile](const QString &n, const QByteArray &token) {
                if (n != profile.name)
                    return;
                context->deleteLater();
                m_api->setConnection(profile.url, token, profile.caCertificates());
                m_store->setCurrentName(profile.name);
                probeThen(tr("Could not connect to %1: ").arg(profile.name));
            });
    connect(m_store, &ConnectionStore::tokenFailed, context,
            [this, context, profile](const QString &n, const QString &message) {
                if (n != profile.name)
                    return;
                context->deleteLater();
                openDialog(profile.name, tr("The token of %1 could not be read: %2").arg(profile.name, message));
            });
    m_store->loadToken(name);
}

void Session::probeThen(const QString &problemPrefix)
{
    disconnect(m_probeOk);
    disconnect(m_probeFail);
    m_probeOk = connect(m_api, &ApiClient::probed, this, [this](const QString &role) {
        disconnect(m_probeOk);
        disconnect(m_probeFail);
        if (m_pendingProfile.isValid()) {
            m_store->save(m_pendingProfile, m_pendingToken);
            m_store->setCurrentName(m_pendingProfile.name);
            m_pendingProfile = {};
            m_pendingToken.clear();
        }
        showWindow(role);
    });
    m_probeFail = connect(m_api, &ApiClient::probeFailed, this, [this, problemPrefix](const ApiFailure &failure) {
        disconnect(m_probeOk);
        disconnect(m_probeFail);
        openDialog(m_store->currentName(), problemPrefix + failure.message);
    });
    m_api->probe();
}

void Session::openDialog(const QString &profile, const QString &problem)
{
    if (m_dialog) {
        m_dialog->raise();
        return;
    }
    auto *dialog = new ConnectionDialog(m_api, m_store, m_window);
    m_dialog = dialog;
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!profile.isEmpty())
        dialog->selectProfile(profile);
    else if (!m_options.url.isEmpty()) {
        dialog->setUrl(m_options.url);
        if (!m_options.tokenFile.isEmpty()) {
            const auto token = m_options.readToken();
            if (token.ok())
                dialog->setToken(*token);
        }
        if (!m_options.caFile.isEmpty()) {
            const auto ca = CertificateTrust::loadCaFile(m_options.caFile);
            if (ca.ok())
                dialog->setCaCertificates(*ca, m_options.caFile);
        } else {
            // No CA given: show the server's fingerprint right away to compare.
            dialog->fetchCertificate();
        }
    }
    if (!problem.isEmpty()) {
        if (auto *status = dialog->findChild<QLabel *>(QStringLiteral("connectionStatus"))) {
            status->setStyleSheet(QStringLiteral("color: #da4453;"));
            status->setText(problem);
        }
    }
    connect(dialog, &ConnectionDialog::connected, this, [this](const ConnectionProfile &, const QString &role) {
        // A new connection gets a new window, so nothing of the old one lingers.
        QTimer::singleShot(0, this, [this, role] { showWindow(role); });
    });
    connect(dialog, &QDialog::rejected, this, [this] {
        if (!m_window)
            Q_EMIT quitRequested(1);
    });
    dialog->show();
}

void Session::showWindow(const QString &role)
{
    QByteArray geometry;
    if (m_window) {
        m_feed->stop();
        m_window->close(); // saves the layout
        delete m_window;
    }
    m_window = new MainWindow(m_api, m_feed, m_store);
    m_window->setAttribute(Qt::WA_DeleteOnClose, false);
    connect(m_window, &MainWindow::connectionRequested, this, [this](const QString &name) {
        if (name.isEmpty())
            openDialog(QString());
        else
            connectProfile(name);
    });
    connect(m_window, &MainWindow::languageChangeRequested, this, [this] {
        // After the menu's signal returns: the window that sent it goes.
        QTimer::singleShot(0, this, [this] {
            CrmLanguage::install(CrmLanguage::effective());
            showWindow(m_api->role());
        });
    });
    m_window->applyRole(role);
    m_window->start();
    // A page the role does not see (service access below admin) opens
    // the inventory instead.
    const int page = int(MainWindow::pageNames().indexOf(m_options.page));
    if (page >= 0)
        m_window->showPage(m_window->isPageShown(MainWindow::Page(page)) ? MainWindow::Page(page)
                                                                         : MainWindow::InventoryView);
    if (!m_options.device.isEmpty())
        m_window->showDevice(m_options.device);
    m_options.page.clear(); // only for the first window
    m_options.device.clear();
    m_window->show();
    qCInfo(lcCrmUi) << "window open for" << m_api->baseUrl().toDisplayString() << "role" << role << "page"
                    << MainWindow::pageName(m_window->currentPage());
}

} // namespace Provisio::Crm
