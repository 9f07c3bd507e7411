// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crmcontroller.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QDockWidget;
class QLabel;
class QListWidget;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QToolButton;

namespace Provisio::Crm {

class ApiClient;
class AccessPoliciesModel;
class AuditModel;
class AuditPage;
class BatchOperation;
class DeviceBatchJob;
class ConnectionStore;
class CustomersModel;
class CustomersPage;
class DeviceDetail;
class EnrollmentsModel;
class EnrollmentsPage;
class EventFeed;
class HubsModel;
class HubsPage;
class InventoryModel;
class InventoryPage;
class MessageBanner;
class OverviewPage;
class PagedTableModel;
class RecordListPage;

// The CRM administrator's window: a sidebar of pages (inventory, customers,
// enrollments, hubs & allocation, audit log), the device detail as a dock,
// one banner for errors and results, and a status bar with the busy
// indicator, batch progress and the live feed's state. The role of the
// token decides which actions are offered. Models load through the
// ApiClient; changes go through the CrmController; the EventFeed keeps
// everything live.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(ApiClient *api, EventFeed *feed, ConnectionStore *store = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads the first pages; call once the ApiClient is connected and probed.
    void start();
    // Applies the token's role: viewers get read-only pages.
    void applyRole(const QString &role);

    MessageBanner *banner() const { return m_banner; }
    // Exports the devices of the inventory's applied filter to `path` (the
    // Export action asks for it), with a progress dialog that can cancel.
    void exportDevicesTo(const QString &path);
    // Rows a request of the export (tests use small pages).
    void setExportPageSize(int rows) { m_exportPageSize = rows; }
    OverviewPage *overviewPage() const { return m_overviewPage; }
    // Hubs whose link from this middleware is down, from the last check
    // (GET hubs every hubCheckInterval()); "Live" needs none.
    QStringList hubsDown() const { return m_hubsDown; }
    int hubCheckInterval() const;
    void setHubCheckInterval(int ms);
    CrmController *controller() const { return m_controller; }
    InventoryModel *inventoryModel() const { return m_inventory; }
    CustomersModel *customersModel() const { return m_customers; }
    EnrollmentsModel *enrollmentsModel() const { return m_enrollments; }
    HubsModel *hubsModel() const { return m_hubs; }
    AuditModel *auditModel() const { return m_audit; }
    AccessPoliciesModel *accessPoliciesModel() const { return m_accessPolicies; }
    InventoryPage *inventoryPage() const { return m_inventoryPage; }
    CustomersPage *customersPage() const { return m_customersPage; }
    EnrollmentsPage *enrollmentsPage() const { return m_enrollmentsPage; }
    HubsPage *hubsPage() const { return m_hubsPage; }
    AuditPage *auditPage() const { return m_auditPage; }
    RecordListPage *accessPoliciesPage() const { return m_accessPoliciesPage; }
    DeviceDetail *deviceDetail() const { return m_detail; }

    enum Page { InventoryView, CustomersView, EnrollmentsView, HubsView, AuditView, AccessPoliciesView, OverviewView };
    // The pages by the names --page takes ("inventory", …, "access",
    // "overview"), in the sidebar's order.
    static QStringList pageNames();
    static QString pageName(Page page);
    // Whether the token's role may see the page (the service access page is
    // for admins).
    bool isPageShown(Page page) const;
    void showPage(Page page);
    Page currentPage() const;
    void showDevice(const QString &serial);

Q_SIGNALS:
    // The user asked for another (or a saved) connection.
    void connectionRequested(const QString &profileName);
    // The user chose another language in View › Language (already saved in
    // the settings); the window is rebuilt in it.
    void languageChangeRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createPages();
    void createActions();
    void createMenus();
    void createStatusBar();
    void checkHubs();
    void updateLive();
    void restoreLayout();
    void saveLayout() const;
    void updateActions();
    void refreshAreas(CrmController::Areas areas);
    void reloadAll(PagedTableModel *model);
    void trackOperation(BatchOperation *operation, const QString &successText);
    // A batch job on the middleware ("all N matching"): a progress dialog
    // with Cancel while it runs, its summary in the banner when it ends.
    void trackJob(DeviceBatchJob *job, const QString &successText);
    // The inventory's "all N matching" selection as the user reads it.
    QString allMatchingCount() const;
    void onEvent(const QString &type, const QJsonObject &event);
    void rebuildProfilesMenu();

    void sellSelected();
    void addDevice();
    void editDevice();
    void retireDevice();
    void returnSelected();
    void enrollSelected();
    void openActivationCards();
    void mailActivationCards();
    void openImport();
    void exportDevices();
    void newCustomer();
    void editCustomer();
    void deleteCustomer();
    void showCustomerDevices();
    void setSelectedEnrollmentsEnabled(bool enabled);
    void regenerateSelectedKeys();
    void deleteSelectedEnrollments();
    void addHub();
    void editHub();
    void rotateHubKey();
    void showSigningKey(const QString &hubName, const QString &key);
    void newAccessPolicy();
    void revokeAccessPolicy();
    void showConnectionString(const QString &name, const QString &connectionString);
    // A secret shown once in a read-only field with a Copy button.
    void showSecretOnce(const QString &dialogName, const QString &fieldName, const QString &title, const QString &text,
                        const QString &secret);
    void refreshCurrent();
    QStringList enrollmentSerialsForCards() const;

    ApiClient *m_api;
    EventFeed *m_feed;
    ConnectionStore *m_store;
    CrmController *m_controller;
    QString m_role;

    InventoryModel *m_inventory;
    CustomersModel *m_customers;
    EnrollmentsModel *m_enrollments;
    HubsModel *m_hubs;
    AuditModel *m_audit;
    AccessPoliciesModel *m_accessPolicies;

    QListWidget *m_sidebar = nullptr;
    QStackedWidget *m_stack = nullptr;
    MessageBanner *m_banner = nullptr;
    InventoryPage *m_inventoryPage = nullptr;
    CustomersPage *m_customersPage = nullptr;
    EnrollmentsPage *m_enrollmentsPage = nullptr;
    HubsPage *m_hubsPage = nullptr;
    AuditPage *m_auditPage = nullptr;
    RecordListPage *m_accessPoliciesPage = nullptr;
    DeviceDetail *m_detail = nullptr;
    QDockWidget *m_detailDock = nullptr;

    QProgressBar *m_busy = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_cancel = nullptr;
    QLabel *m_liveLabel = nullptr;
    QTimer *m_hubCheck = nullptr;
    OverviewPage *m_overviewPage = nullptr;
    QStringList m_hubsDown;
    bool m_hubCheckRunning = false;
    QLabel *m_connectionLabel = nullptr;
    QPointer<BatchOperation> m_operation;
    QMenu *m_profilesMenu = nullptr;

    QAction *m_actSell = nullptr;
    QAction *m_actReturn = nullptr;
    QAction *m_actEnroll = nullptr;
    QAction *m_actMailCards = nullptr;
    QAction *m_actCards = nullptr;
    QAction *m_actImport = nullptr;
    QAction *m_actExport = nullptr;
    int m_exportPageSize = 0; // 0: DeviceExport's default
    QAction *m_actShowDevice = nullptr;
    QAction *m_actAddDevice = nullptr;
    QAction *m_actEditDevice = nullptr;
    QAction *m_actRetireDevice = nullptr;
    QAction *m_actNewCustomer = nullptr;
    QAction *m_actEditCustomer = nullptr;
    QAction *m_actDeleteCustomer = nullptr;
    QAction *m_actCustomerDevices = nullptr;
    QAction *m_actEnable = nullptr;
    QAction *m_actDisable = nullptr;
    QAction *m_actRegenerate = nullptr;
    QAction *m_actDeleteEnrollment = nullptr;
    QAction *m_actAddHub = nullptr;
    QAction *m_actEditHub = nullptr;
    QAction *m_actRotateKey = nullptr;
    QAction *m_actNewPolicy = nullptr;
    QAction *m_actRevokePolicy = nullptr;
    QAction *m_actRefresh = nullptr;
    QAction *m_actConnect = nullptr;
    QAction *m_actQuit = nullptr;
};

} // namespace Provisio::Crm
