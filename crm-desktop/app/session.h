// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "appoptions.h"
#include "connectionprofile.h"

#include <QObject>
#include <QPointer>

namespace Provisio::Crm {

class ApiClient;
class ConnectionDialog;
class ConnectionStore;
class EventFeed;
class MainWindow;
struct ApiFailure;

// From start to a working window: takes the command line, a saved
// connection or the connection dialog, checks the connection (probe), then
// opens the main window for the token's role. Switching connections builds
// a fresh window so nothing of the previous middleware's data stays on
// screen. Owns the ApiClient, EventFeed and ConnectionStore.
class Session : public QObject
{
    Q_OBJECT
public:
    explicit Session(QObject *parent = nullptr);
    ~Session() override;

    void start(const AppOptions &options);

    ApiClient *api() const { return m_api; }
    EventFeed *feed() const { return m_feed; }
    ConnectionStore *store() const { return m_store; }
    MainWindow *window() const;

Q_SIGNALS:
    // Nothing to show (the first connection dialog was cancelled).
    void quitRequested(int exitCode);

private:
    void openDialog(const QString &profile, const QString &problem = {});
    void connectProfile(const QString &name);
    void probeThen(const QString &problemPrefix);
    void showWindow(const QString &role);

    ApiClient *m_api;
    EventFeed *m_feed;
    ConnectionStore *m_store;
    QPointer<MainWindow> m_window;
    QPointer<ConnectionDialog> m_dialog;
    AppOptions m_options;
    ConnectionProfile m_pendingProfile; // from the command line, saved once it works
    QByteArray m_pendingToken;
    QMetaObject::Connection m_probeOk;
    QMetaObject::Connection m_probeFail;
};

} // namespace Provisio::Crm
