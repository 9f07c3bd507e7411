// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"

#include "accesspoliciesmodel.h"

#include "apicall.h"
#include "apiclient.h"
#include "applogging.h"
#include "auditpage.h"
#include "batchoperation.h"
#include "columnfit.h"
#include "connectionstore.h"
#include "crmlanguage.h"
#include "customerdialog.h"
#include "customerspage.h"
#include "devicebatchjob.h"
#include "devicedetail.h"
#include "devicedialog.h"
#include "deviceexport.h"
#include "displayformat.h"
#include "enrollmentdialog.h"
#include "enrollmentspage.h"
#include "eventfeed.h"
#include "hubdialog.h"
#include "hubspage.h"
#include "inventorypage.h"
#include "messagebanner.h"
#include "overviewpage.h"
#include "pagedtablemodel.h"
#include "selldialog.h"

#include "cardsdialog.h"
#include "importwizard.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace Provisio::Crm {

MainWindow::MainWindow(ApiClient *api, EventFeed *feed, ConnectionStore *store, QWidget *parent)
    : QMainWindow(parent), m_api(api), m_feed(feed), m_store(store), m_controller(new CrmController(api, this)),
      m_inventory(new InventoryModel(api, this)), m_customers(new CustomersModel(api, this)),
      m_enrollments(new EnrollmentsModel(api, this)), m_hubs(new HubsModel(api, this)),
      m_audit(new AuditModel(api, this)), m_accessPolicies(new AccessPoliciesModel(api, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Provisio CRM"));
    m_inventory->setCustomersModel(m_customers);
    m_audit->setCustomerNames([customers = m_customers](const QString &id) { return customers->nameFor(id); });
    // Names arrive after the log: show them once the customers are in.
    const auto renameCustomers = [audit = m_audit] {
        if (audit->rowCount() > 0)
            Q_EMIT audit->dataChanged(audit->index(0, 0),
                                      audit->index(audit->rowCount() - 1, audit->columnCount() - 1));
    };
    connect(m_customers, &QAbstractItemModel::modelReset, m_audit, renameCustomers);
    connect(m_customers, &QAbstractItemModel::rowsInserted, m_audit, renameCustomers);
    if (m_feed) {
        m_inventory->setEventFeed(m_feed);
        connect(m_feed, &EventFeed::eventReceived, this, &MainWindow::onEvent);
    }

    createPages();
    createActions();
    createMenus();
    createStatusBar();

    connect(m_controller, &CrmController::operationStarted, this, &MainWindow::trackOperation);
    connect(m_controller, &CrmController::jobStarted, this, &MainWindow::trackJob);
    connect(m_controller, &CrmController::recordsChanged, this, &MainWindow::refreshAreas);
    connect(m_controller, &CrmController::signingKeyIssued, this, &MainWindow::showSigningKey);
    connect(m_controller, &CrmController::accessPolicyCreated, this, &MainWindow::showConnectionString);
    connect(m_controller, &CrmController::allocationPolicyLoaded, m_hubsPage, &HubsPage::setPolicy);
    connect(m_controller, &CrmController::loadFailed, m_banner, &MessageBanner::showError);
    connect(m_hubsPage, &HubsPage::savePolicyRequested, m_controller, &CrmController::setAllocationPolicy);
    connect(m_api, &ApiClient::unauthorized, this, [this] {
        m_banner->showError(tr("The middleware no longer accepts this token (revoked or expired). "
                               "Use File › Connect to sign in again."));
    });

    restoreLayout();
    applyRole(m_api->role());
}

MainWindow::~MainWindow() = default;

void MainWindow::createPages()
{
    auto *central = new QWidget(this);
    auto *outer = new QHBoxLayout(central);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);

    m_sidebar = new QListWidget(central);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setIconSize(QSize(22, 22));
    m_sidebar->setSpacing(2);
    m_sidebar->setFixedWidth(170);

    auto *right = new QWidget(central);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 4, 0, 0);
    m_banner = new MessageBanner(right);
    m_stack = new QStackedWidget(right);
    m_stack->setObjectName(QStringLiteral("pages"));
    // The banner sits below the page: when it comes and goes the page only
    // gets shorter or taller at the bottom, so the toolbar and the rows
    // under the pointer stay where they are.
    rightLayout->addWidget(m_stack, 1);
    rightLayout->addWidget(m_banner);
    outer->addWidget(m_sidebar);
    outer->addWidget(right, 1);
    setCentralWidget(central);

    m_inventoryPage = new InventoryPage(m_inventory, m_stack);
    m_customersPage = new CustomersPage(m_customers, m_stack);
    m_enrollmentsPage = new EnrollmentsPage(m_enrollments, m_stack);
    m_hubsPage = new HubsPage(m_hubs, m_stack);
    m_auditPage = new AuditPage(m_audit, m_stack);
    m_accessPoliciesPage = new RecordListPage(QStringLiteral("accessPolicies"), m_accessPolicies, m_stack);
    m_accessPoliciesPage->setTitle(tr("Service access"));
    {
        // As wide as Azure's usual policy names, whom they are for, a time
        // and a revocation; the rights, a list of up to five words, take the
        // rest of the width (the whole list is in the tooltip when the
        // window is too narrow for it).
        QTableView *policies = m_accessPoliciesPage->table();
        fitColumn(policies, AccessPoliciesModel::NameColumn, {QStringLiteral("provisioningserviceowner")});
        fitColumn(
            policies, AccessPoliciesModel::ScopeColumn,
            {AccessPoliciesModel::scopeText(QString()), AccessPoliciesModel::scopeText(QStringLiteral("hub-eu-1"))});
        fitColumn(policies, AccessPoliciesModel::RightsColumn, {QStringLiteral("ServiceConnect, RegistryRead")});
        const QString sampleTime = formatDateTime(QDateTime(QDate(2026, 12, 28), QTime(23, 58, 58)));
        fitColumn(policies, AccessPoliciesModel::CreatedColumn, {sampleTime});
        fitColumn(policies, AccessPoliciesModel::StatusColumn,
                  {AccessPoliciesModel::tr("active"), AccessPoliciesModel::tr("revoked %1").arg(sampleTime)});
        m_accessPoliciesPage->setStretchColumn(AccessPoliciesModel::RightsColumn);
    }
    const QList<QPair<RecordListPage *, QStyle::StandardPixmap>> pages{
        {m_inventoryPage, QStyle::SP_DriveHDIcon},
        {m_customersPage, QStyle::SP_DirHomeIcon},
        {m_enrollmentsPage, QStyle::SP_FileDialogDetailedView},
        {m_hubsPage, QStyle::SP_DriveNetIcon},
        {m_auditPage, QStyle::SP_FileDialogContentsView},
        {m_accessPoliciesPage, QStyle::SP_DialogApplyButton}};
    for (const auto &[page, icon] : pages) {
        m_stack->addWidget(page);
        auto *item = new QListWidgetItem(style()->standardIcon(icon), page->title(), m_sidebar);
        item->setSizeHint(QSize(160, 34));
        connect(page, &RecordListPage::errorOccurred, m_banner, &MessageBanner::showError);
        connect(page, &RecordListPage::selectionChanged, this, &MainWindow::updateActions);
    }
    // The fleet overview, counted when opened (and with its Refresh).
    m_overviewPage = new OverviewPage(m_api, m_stack);
    m_stack->addWidget(m_overviewPage);
    auto *overviewItem =
        new QListWidgetItem(style()->standardIcon(QStyle::SP_FileDialogInfoView), tr("Overview"), m_sidebar);
    overviewItem->setSizeHint(QSize(160, 34));
    connect(m_overviewPage, &OverviewPage::errorOccurred, m_banner, &MessageBanner::showError);
    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        m_stack->setCurrentIndex(row);
        if (m_stack->currentWidget() == m_overviewPage && !m_overviewPage->isLoading())
            m_overviewPage->refresh();
        updateActions();
    });
    m_sidebar->setCurrentRow(0);

    m_detail = new DeviceDetail(m_api, m_feed, this);
    m_detail->setCustomersModel(m_customers);
    m_detailDock = new QDockWidget(tr("Device"), this);
    m_detailDock->setObjectName(QStringLiteral("deviceDock"));
    m_detailDock->setWidget(m_detail);
    m_detailDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                              QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::RightDockWidgetArea, m_detailDock);
    m_detailDock->hide();
    connect(m_detail, &DeviceDetail::errorOccurred, m_banner, &MessageBanner::showError);
    connect(m_detail, &DeviceDetail::messageShown, m_banner, &MessageBanner::showPositive);
    connect(m_detail, &DeviceDetail::deviceChanged, this,
            [this] { refreshAreas(CrmController::Inventory | CrmController::Enrollments); });
    connect(m_detail, &DeviceDetail::auditTrailRequested, this, [this](const QString &type, const QString &id) {
        m_auditPage->showEntity(type, id);
        showPage(AuditView);
    });
    connect(m_inventoryPage, &RecordListPage::recordActivated, this,
            [this](const QJsonObject &record) { showDevice(record.value(QStringLiteral("serial")).toString()); });
    connect(m_enrollmentsPage, &RecordListPage::recordActivated, this, [this](const QJsonObject &record) {
        const QString serial = record.value(QStringLiteral("serial")).toString();
        if (!serial.isEmpty())
            showDevice(serial);
    });
    connect(m_customersPage, &RecordListPage::recordActivated, this, [this] { editCustomer(); });
    connect(m_hubsPage, &RecordListPage::recordActivated, this, [this] { editHub(); });
}

namespace {

QAction *makeAction(QObject *parent, const QString &name, const QString &text, const QString &tip,
                    QStyle::StandardPixmap icon = QStyle::SP_CustomBase)
{
    auto *action = new QAction(text, parent);
    action->setObjectName(name);
    action->setToolTip(tip);
    action->setStatusTip(tip);
    if (icon != QStyle::SP_CustomBase)
        action->setIcon(qApp->style()->standardIcon(icon));
    return action;
}

QAction *separator(QObject *parent)
{
    auto *s = new QAction(parent);
    s->setSeparator(true);
    return s;
}

} // namespace

void MainWindow::createActions()
{
    m_actSell = makeAction(this, QStringLiteral("actionSell"), tr("&Sell to customer…"),
                           tr("Sell the selected devices to a customer"), QStyle::SP_DialogApplyButton);
    m_actReturn = makeAction(this, QStringLiteral("actionReturn"), tr("&Return to stock"),
                             tr("Put the selected sold devices back in stock"), QStyle::SP_ArrowBack);
    m_actEnroll =
        makeAction(this, QStringLiteral("actionEnroll"), tr("Create &enrollments…"),
                   tr("Create an enrollment with new keys for each selected device"), QStyle::SP_FileDialogNewFolder);
    m_actCards = makeAction(this, QStringLiteral("actionCards"), tr("&Activation cards…"),
                            tr("Print or export activation cards for the selected devices"), QStyle::SP_FileIcon);
    m_actMailCards = makeAction(this, QStringLiteral("actionMailCards"), tr("E-&mail activation cards"),
                                tr("E-mail each selected device's activation card, with a new code, to its customer"),
                                QStyle::SP_DialogSaveButton);
    m_actImport = makeAction(this, QStringLiteral("actionImport"), tr("&Import delivery (CSV)…"),
                             tr("Import a manufacturer's delivery file"), QStyle::SP_DialogOpenButton);
    m_actExport = makeAction(this, QStringLiteral("actionExportDevices"), tr("E&xport devices (CSV)…"),
                             tr("Save every device the filter matches to a CSV file"), QStyle::SP_DialogSaveButton);
    m_actShowDevice = makeAction(this, QStringLiteral("actionShowDevice"), tr("Device &details"),
                                 tr("Show the selected device's details"), QStyle::SP_FileDialogInfoView);
    m_actShowDevice->setShortcut(Qt::CTRL | Qt::Key_I);
    m_actAddDevice = makeAction(this, QStringLiteral("actionAddDevice"), tr("&Add device…"),
                                tr("Add one device to the inventory"), QStyle::SP_FileDialogNewFolder);
    m_actEditDevice = makeAction(this, QStringLiteral("actionEditDevice"), tr("Ed&it device…"),
                                 tr("Edit the selected device's model, batch, delivery date and notes"),
                                 QStyle::SP_FileDialogDetailedView);
    m_actRetireDevice =
        makeAction(this, QStringLiteral("actionRetireDevice"), tr("Re&tire device…"),
                   tr("Take the selected device out of service; it stays in the inventory"), QStyle::SP_TrashIcon);
    m_actNewCustomer = makeAction(this, QStringLiteral("actionNewCustomer"), tr("&New customer…"),
                                  tr("Create a customer"), QStyle::SP_FileDialogNewFolder);
    m_actEditCustomer = makeAction(this, QStringLiteral("actionEditCustomer"), tr("&Edit customer…"),
                                   tr("Edit the selected customer"), QStyle::SP_FileDialogDetailedView);
    m_actDeleteCustomer = makeAction(this, QStringLiteral("actionDeleteCustomer"), tr("&Delete customer…"),
                                     tr("Delete the selected customer"), QStyle::SP_TrashIcon);
    m_actCustomerDevices =
        makeAction(this, QStringLiteral("actionCustomerDevices"), tr("Show &devices"),
                   tr("Show the selected customer's devices in the inventory"), QStyle::SP_DriveHDIcon);
    m_actEnable = makeAction(this, QStringLiteral("actionEnable"), tr("E&nable"),
                             tr("Allow the selected devices to register"), QStyle::SP_DialogYesButton);
    m_actDisable =
        makeAction(this, QStringLiteral("actionDisable"), tr("D&isable"),
                   tr("Stop the selected devices from registering and disconnect them"), QStyle::SP_DialogNoButton);
    m_actRegenerate = makeAction(this, QStringLiteral("actionRegenerateKeys"), tr("&Regenerate keys…"),
                                 tr("Issue new symmetric keys for the selected enrollments"), QStyle::SP_BrowserReload);
    m_actDeleteEnrollment = makeAction(this, QStringLiteral("actionDeleteEnrollment"), tr("&Delete…"),
                                       tr("Delete the selected enrollments"), QStyle::SP_TrashIcon);
    m_actAddHub = makeAction(this, QStringLiteral("actionAddHub"), tr("&Link hub…"), tr("Link a new hub"),
                             QStyle::SP_FileDialogNewFolder);
    m_actEditHub = makeAction(this, QStringLiteral("actionEditHub"), tr("&Edit hub…"), tr("Edit the selected hub"),
                              QStyle::SP_FileDialogDetailedView);
    m_actRotateKey = makeAction(this, QStringLiteral("actionRotateHubKey"), tr("&Rotate signing key…"),
                                tr("Give the selected hub a new signing key"), QStyle::SP_BrowserReload);
    m_actNewPolicy = makeAction(this, QStringLiteral("actionNewAccessPolicy"), tr("&New access policy…"),
                                tr("A connection string for Azure's service SDKs"), QStyle::SP_FileDialogNewFolder);
    m_actRevokePolicy = makeAction(this, QStringLiteral("actionRevokeAccessPolicy"), tr("Re&voke"),
                                   tr("Refuse the policy's tokens from now on"), QStyle::SP_DialogCancelButton);
    m_actRefresh = makeAction(this, QStringLiteral("actionRefresh"), tr("&Refresh"), tr("Load the page again"),
                              QStyle::SP_BrowserReload);
    m_actRefresh->setShortcut(QKeySequence::Refresh);
    m_actConnect = makeAction(this, QStringLiteral("actionConnect"), tr("&Connect…"),
                              tr("Connect to another middleware"), QStyle::SP_DriveNetIcon);
    m_actQuit = makeAction(this, QStringLiteral("actionQuit"), tr("&Quit"), tr("Quit"));
    m_actQuit->setShortcut(QKeySequence::Quit);

    connect(m_actSell, &QAction::triggered, this, &MainWindow::sellSelected);
    connect(m_actReturn, &QAction::triggered, this, &MainWindow::returnSelected);
    connect(m_actEnroll, &QAction::triggered, this, &MainWindow::enrollSelected);
    connect(m_actCards, &QAction::triggered, this, &MainWindow::openActivationCards);
    connect(m_actMailCards, &QAction::triggered, this, &MainWindow::mailActivationCards);
    connect(m_actImport, &QAction::triggered, this, &MainWindow::openImport);
    connect(m_actExport, &QAction::triggered, this, &MainWindow::exportDevices);
    connect(m_actShowDevice, &QAction::triggered, this, [this] {
        const QStringList serials = m_inventoryPage->selectedSerials();
        if (!serials.isEmpty())
            showDevice(serials.constFirst());
    });
    connect(m_actAddDevice, &QAction::triggered, this, &MainWindow::addDevice);
    connect(m_actEditDevice, &QAction::triggered, this, &MainWindow::editDevice);
    connect(m_actRetireDevice, &QAction::triggered, this, &MainWindow::retireDevice);
    connect(m_actNewCustomer, &QAction::triggered, this, &MainWindow::newCustomer);
    connect(m_actEditCustomer, &QAction::triggered, this, &MainWindow::editCustomer);
    connect(m_actDeleteCustomer, &QAction::triggered, this, &MainWindow::deleteCustomer);
    connect(m_actCustomerDevices, &QAction::triggered, this, &MainWindow::showCustomerDevices);
    connect(m_actEnable, &QAction::triggered, this, [this] { setSelectedEnrollmentsEnabled(true); });
    connect(m_actDisable, &QAction::triggered, this, [this] { setSelectedEnrollmentsEnabled(false); });
    connect(m_actRegenerate, &QAction::triggered, this, &MainWindow::regenerateSelectedKeys);
    connect(m_actDeleteEnrollment, &QAction::triggered, this, &MainWindow::deleteSelectedEnrollments);
    connect(m_actAddHub, &QAction::triggered, this, &MainWindow::addHub);
    connect(m_actEditHub, &QAction::triggered, this, &MainWindow::editHub);
    connect(m_actRotateKey, &QAction::triggered, this, &MainWindow::rotateHubKey);
    connect(m_actNewPolicy, &QAction::triggered, this, &MainWindow::newAccessPolicy);
    connect(m_actRevokePolicy, &QAction::triggered, this, &MainWindow::revokeAccessPolicy);
    connect(m_actRefresh, &QAction::triggered, this, &MainWindow::refreshCurrent);
    connect(m_actConnect, &QAction::triggered, this, [this] { Q_EMIT connectionRequested(QString()); });
    connect(m_actQuit, &QAction::triggered, this, &QWidget::close);

    // Each page's tool bar and context menu carry its actions.
    const QList<QAction *> inventoryActions{m_actSell,         m_actReturn,     m_actEnroll,    m_actCards,
                                            m_actMailCards,    separator(this), m_actAddDevice, m_actEditDevice,
                                            m_actRetireDevice, separator(this), m_actImport,    m_actExport,
                                            m_actShowDevice};
    m_inventoryPage->toolBar()->addActions(inventoryActions);
    m_inventoryPage->table()->addActions({m_actShowDevice, m_actSell, m_actReturn, m_actEnroll, m_actCards,
                                          m_actMailCards, m_actEditDevice, m_actRetireDevice});
    m_customersPage->toolBar()->addActions(
        {m_actNewCustomer, m_actEditCustomer, m_actDeleteCustomer, m_actCustomerDevices});
    m_customersPage->table()->addActions({m_actEditCustomer, m_actCustomerDevices, m_actDeleteCustomer});
    m_enrollmentsPage->toolBar()->addActions(
        {m_actEnable, m_actDisable, m_actRegenerate, m_actDeleteEnrollment, m_actCards, m_actMailCards});
    m_enrollmentsPage->table()->addActions({m_actEnable, m_actDisable, m_actRegenerate, m_actDeleteEnrollment});
    m_hubsPage->toolBar()->addActions({m_actAddHub, m_actEditHub, m_actRotateKey});
    m_hubsPage->table()->addActions({m_actEditHub, m_actRotateKey});
    m_accessPoliciesPage->toolBar()->addActions({m_actNewPolicy, m_actRevokePolicy});
    m_accessPoliciesPage->table()->addActions({m_actRevokePolicy});
    for (RecordListPage *page : std::initializer_list<RecordListPage *>{
             m_inventoryPage, m_customersPage, m_enrollmentsPage, m_hubsPage, m_auditPage, m_accessPoliciesPage}) {
        auto *spacer = new QWidget(page->toolBar());
        spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
        page->toolBar()->addWidget(spacer);
        page->toolBar()->addAction(m_actRefresh);
    }
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_actConnect);
    m_profilesMenu = file->addMenu(tr("Saved &connections"));
    m_profilesMenu->setObjectName(QStringLiteral("profilesMenu"));
    file->addSeparator();
    file->addAction(m_actImport);
    file->addAction(m_actExport);
    file->addSeparator();
    file->addAction(m_actQuit);
    rebuildProfilesMenu();
    if (m_store)
        connect(m_store, &ConnectionStore::profilesChanged, this, &MainWindow::rebuildProfilesMenu);

    QMenu *devices = menuBar()->addMenu(tr("&Devices"));
    devices->addActions({m_actShowDevice, m_actSell, m_actReturn, m_actEnroll, m_actCards});
    QMenu *customers = menuBar()->addMenu(tr("&Customers"));
    customers->addActions({m_actNewCustomer, m_actEditCustomer, m_actDeleteCustomer, m_actCustomerDevices});
    QMenu *enrollments = menuBar()->addMenu(tr("&Enrollments"));
    enrollments->addActions({m_actEnable, m_actDisable, m_actRegenerate, m_actDeleteEnrollment});
    QMenu *hubs = menuBar()->addMenu(tr("&Hubs"));
    hubs->addActions({m_actAddHub, m_actEditHub, m_actRotateKey});
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_actRefresh);
    view->addAction(m_detailDock->toggleViewAction());
    view->addSeparator();
    // The language: the system's by default; a choice is saved and the
    // window is rebuilt in it at once.
    QMenu *language = view->addMenu(tr("&Language"));
    language->setObjectName(QStringLiteral("languageMenu"));
    auto *languages = new QActionGroup(language);
    const QString chosen = CrmLanguage::chosen();
    const auto addLanguage = [&](const QString &code, const QString &text) {
        QAction *a = language->addAction(text);
        a->setObjectName(QStringLiteral("language_") + (code.isEmpty() ? QStringLiteral("system") : code));
        a->setCheckable(true);
        a->setChecked(code == chosen);
        languages->addAction(a);
        connect(a, &QAction::triggered, this, [this, code] {
            if (code == CrmLanguage::chosen())
                return;
            CrmLanguage::setChosen(code);
            Q_EMIT languageChangeRequested();
        });
    };
    addLanguage(QString(), tr("System language (%1)").arg(CrmLanguage::nativeName(CrmLanguage::systemLanguage())));
    language->addSeparator();
    for (const QString &code : CrmLanguage::available())
        addLanguage(code, CrmLanguage::nativeName(code));
}

void MainWindow::rebuildProfilesMenu()
{
    m_profilesMenu->clear();
    if (!m_store) {
        m_profilesMenu->setEnabled(false);
        return;
    }
    const QList<ConnectionProfile> profiles = m_store->profiles();
    m_profilesMenu->setEnabled(!profiles.isEmpty());
    for (const ConnectionProfile &p : profiles) {
        QAction *a = m_profilesMenu->addAction(p.name + QStringLiteral(" — ") + p.url.toDisplayString());
        a->setCheckable(true);
        a->setChecked(p.name == m_store->currentName());
        const QString name = p.name;
        connect(a, &QAction::triggered, this, [this, name] { Q_EMIT connectionRequested(name); });
    }
}

void MainWindow::createStatusBar()
{
    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_liveLabel = new QLabel(this);
    m_liveLabel->setObjectName(QStringLiteral("liveLabel"));
    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("busyIndicator"));
    m_busy->setRange(0, 0); // indeterminate while requests are in flight
    m_busy->setMaximumWidth(90);
    m_busy->setMaximumHeight(14);
    m_busy->setTextVisible(false);
    m_busy->setVisible(m_api->busyCount() > 0);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("operationProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setMaximumHeight(16);
    m_progress->hide();
    m_cancel = new QToolButton(this);
    m_cancel->setObjectName(QStringLiteral("operationCancel"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->hide();
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_liveLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
    connect(m_api, &ApiClient::busyChanged, m_busy, &QWidget::setVisible);
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_operation)
            m_operation->cancel();
    });
    if (m_feed) {
        connect(m_feed, &EventFeed::connectedChanged, this, &MainWindow::updateLive);
        connect(m_feed, &EventFeed::errorOccurred, this, &MainWindow::updateLive);
    }
    m_hubCheck = new QTimer(this);
    m_hubCheck->setInterval(15000);
    connect(m_hubCheck, &QTimer::timeout, this, &MainWindow::checkHubs);
    updateLive();
}

int MainWindow::hubCheckInterval() const
{
    return m_hubCheck->interval();
}

void MainWindow::setHubCheckInterval(int ms)
{
    m_hubCheck->setInterval(qMax(100, ms));
}

void MainWindow::checkHubs()
{
    if (m_hubCheckRunning)
        return; // a frozen middleware must not pile requests up
    m_hubCheckRunning = true;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
    ApiCall *call = m_api->get(QStringLiteral("hubs"), query);
    connect(call, &ApiCall::finished, this, [this](const QJsonDocument &body, const QByteArray &) {
        m_hubCheckRunning = false;
        QStringList down;
        const QJsonArray hubs = body.object().value(QLatin1String("items")).toArray();
        for (const QJsonValue &value : hubs) {
            const QJsonObject hub = value.toObject();
            const QJsonObject link = hub.value(QLatin1String("link")).toObject();
            // A link switched off here is not an outage of this middleware's.
            if (link.value(QLatin1String("enabled")).toBool(true) && !link.value(QLatin1String("connected")).toBool())
                down << hub.value(QLatin1String("name")).toString();
        }
        if (down != m_hubsDown) {
            m_hubsDown = down;
            updateLive();
        }
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &) { m_hubCheckRunning = false; });
}

void MainWindow::updateLive()
{
    const bool feedLive = m_feed && m_feed->isConnected();
    const bool live = feedLive && m_hubsDown.isEmpty();
    if (live) {
        m_liveLabel->setText(tr("● Live"));
        m_liveLabel->setStyleSheet(QStringLiteral("color: #27ae60;"));
        m_liveLabel->setToolTip(tr("Tables update as devices register and report."));
    } else if (feedLive) {
        m_liveLabel->setText(m_hubsDown.size() == 1 ? tr("◐ Hub %1 down").arg(m_hubsDown.first())
                                                    : tr("◐ %1 hubs down").arg(m_hubsDown.size()));
        m_liveLabel->setStyleSheet(QStringLiteral("color: #c0392b;"));
        m_liveLabel->setToolTip(tr("The middleware is not connected to %1: twins, telemetry and presence of its "
                                   "devices do not come through. The Hubs page says why.")
                                    .arg(m_hubsDown.join(QStringLiteral(", "))));
    } else {
        m_liveLabel->setText(tr("○ Not live"));
        m_liveLabel->setStyleSheet(QStringLiteral("color: #7f8c8d;"));
        // Not live says why: a frozen middleware (no answer to the feed's
        // heartbeat) and a refused connection read differently.
        const QString why = m_feed ? m_feed->lastError() : QString();
        m_liveLabel->setToolTip(why.isEmpty() ? tr("The live feed is reconnecting; tables update on refresh.")
                                              : tr("%1. Reconnecting; tables update on refresh.").arg(why));
    }
}

void MainWindow::start()
{
    m_connectionLabel->setText(tr("%1 · %2").arg(m_api->baseUrl().host(), m_role.isEmpty() ? tr("?") : m_role));
    m_connectionLabel->setToolTip(m_api->baseUrl().toDisplayString());
    // Restoring the saved filter may have started the first page already.
    if (!m_inventory->isLoading() && m_inventory->rowCount() == 0)
        m_inventory->refresh();
    m_customers->fetchAll();
    m_enrollments->refresh();
    m_hubs->fetchAll();
    m_audit->refresh();
    m_controller->loadAllocationPolicy();
    checkHubs();
    m_hubCheck->start();
    if (m_feed && !m_feed->isStarted())
        m_feed->start();
}

void MainWindow::applyRole(const QString &role)
{
    m_role = role;
    m_hubsPage->setEditable(m_api->isAdmin());
    // Policies are admin business: others do not get the page.
    m_sidebar->item(AccessPoliciesView)->setHidden(!m_api->isAdmin());
    if (m_api->isAdmin() && m_accessPolicies->rowCount() == 0)
        m_accessPolicies->refresh();
    m_detail->applyRole(m_api->canOperate());
    if (m_connectionLabel)
        m_connectionLabel->setText(tr("%1 · %2").arg(m_api->baseUrl().host(), role.isEmpty() ? tr("?") : role));
    updateActions();
}

void MainWindow::updateActions()
{
    if (!m_actSell) // pages announce selections while the window is still being built
        return;
    const bool operate = m_api->canOperate();
    const bool admin = m_api->isAdmin();
    const int devices = m_inventoryPage->selectedRecords().size();
    const int customers = m_customersPage->selectedRecords().size();
    const int enrollments = m_enrollmentsPage->selectedRecords().size();
    const int hubs = m_hubsPage->selectedRecords().size();
    const Page page = currentPage();

    // Viewers see what exists but get no way to change it: the change
    // actions are hidden rather than offered and refused.
    for (QAction *a : {m_actAddDevice, m_actEditDevice, m_actRetireDevice, m_actSell, m_actReturn, m_actEnroll,
                       m_actCards, m_actMailCards, m_actImport, m_actNewCustomer, m_actEditCustomer,
                       m_actDeleteCustomer, m_actEnable, m_actDisable, m_actRegenerate, m_actDeleteEnrollment})
        a->setVisible(operate);
    for (QAction *a : {m_actAddHub, m_actEditHub, m_actRotateKey, m_actNewPolicy, m_actRevokePolicy})
        a->setVisible(admin);

    // "All N matching": the actions the server runs by filter stay; those
    // that need the devices themselves (cards to print, one device) do not.
    const bool allMatching = m_inventoryPage->allMatchingSelected();
    m_actSell->setEnabled(operate && devices > 0);
    m_actReturn->setEnabled(operate && devices > 0);
    m_actEnroll->setEnabled(operate && devices > 0);
    const bool cardsSelection = (page == InventoryView && devices > 0) || (page == EnrollmentsView && enrollments > 0);
    m_actCards->setEnabled(operate && cardsSelection && !(page == InventoryView && allMatching));
    m_actMailCards->setEnabled(operate && cardsSelection);
    m_actImport->setEnabled(operate);
    // Show (online, offline, failed activations) is the CRM's own filter:
    // the server's export cannot apply it, so the file would hold devices
    // the list does not show. Disabled, and the tooltip says why.
    const bool crmOnlyFilter = m_inventoryPage->presenceFilter() != InventoryPage::AllDevices;
    m_actExport->setEnabled(!crmOnlyFilter);
    const QString exportTip =
        crmOnlyFilter ? tr("The export cannot apply Show: %1, so it would hold devices the list does not show. Set "
                           "Show to all devices to export.")
                            .arg(m_inventoryPage->presenceFilterText())
                      : tr("Save every device the filter matches to a CSV file");
    m_actExport->setToolTip(exportTip);
    m_actExport->setStatusTip(exportTip);
    m_actShowDevice->setEnabled(devices > 0 && !allMatching);
    m_actAddDevice->setEnabled(operate);
    m_actEditDevice->setEnabled(operate && devices == 1 && !allMatching);
    const bool retirable = devices == 1 && m_inventoryPage->selectedRecords().constFirst().value(
                                               QStringLiteral("status")) != QLatin1String("retired");
    m_actRetireDevice->setEnabled(operate && retirable && !allMatching);
    m_actNewCustomer->setEnabled(operate);
    m_actEditCustomer->setEnabled(operate && customers == 1);
    m_actDeleteCustomer->setEnabled(operate && customers == 1);
    m_actCustomerDevices->setEnabled(customers == 1);
    m_actEnable->setEnabled(operate && enrollments > 0);
    m_actDisable->setEnabled(operate && enrollments > 0);
    m_actRegenerate->setEnabled(operate && enrollments > 0);
    m_actDeleteEnrollment->setEnabled(operate && enrollments > 0);
    m_actAddHub->setEnabled(admin);
    m_actEditHub->setEnabled(admin && hubs == 1);
    m_actRotateKey->setEnabled(admin && hubs == 1);
    const QJsonObject policy = m_accessPoliciesPage->currentRecord();
    m_actNewPolicy->setEnabled(admin);
    m_actRevokePolicy->setEnabled(admin && !policy.isEmpty() && !AccessPoliciesModel::isRevoked(policy));
}

QStringList MainWindow::pageNames()
{
    return {QStringLiteral("inventory"), QStringLiteral("customers"), QStringLiteral("enrollments"),
            QStringLiteral("hubs"),      QStringLiteral("audit"),     QStringLiteral("access"),
            QStringLiteral("overview")};
}

QString MainWindow::pageName(Page page)
{
    return pageNames().value(int(page));
}

bool MainWindow::isPageShown(Page page) const
{
    const QListWidgetItem *item = m_sidebar->item(int(page));
    return item && !item->isHidden();
}

void MainWindow::showPage(Page page)
{
    m_sidebar->setCurrentRow(int(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(qMax(0, m_stack->currentIndex()));
}

void MainWindow::showDevice(const QString &serial)
{
    if (serial.isEmpty())
        return;
    if (m_detailDock->isHidden() && !m_detailDock->isFloating()) {
        m_detailDock->show();
        // Room for the chart and the twin without hiding the list it came from.
        resizeDocks({m_detailDock}, {qMax(420, width() * 2 / 5)}, Qt::Horizontal);
    }
    m_detailDock->raise();
    m_detail->setDevice(serial);
}

void MainWindow::reloadAll(PagedTableModel *model)
{
    // Small lists (customers, hubs) are loaded whole: the sell dialog and the
    // static-hub choice need every entry, not the first page.
    model->refresh();
    model->fetchAll();
}

void MainWindow::refreshAreas(CrmController::Areas areas)
{
    // Events already update rows in place; a reload after our own change
    // also catches what no event describes (a filter the row now fails).
    if (areas & CrmController::Inventory)
        m_inventory->refresh();
    if (areas & CrmController::Customers)
        reloadAll(m_customers);
    if (areas & CrmController::Enrollments)
        m_enrollments->refresh();
    if (areas & CrmController::Hubs)
        reloadAll(m_hubs);
    if (areas & CrmController::Policy)
        m_controller->loadAllocationPolicy();
    if (areas & CrmController::AccessPolicies)
        reloadAll(m_accessPolicies);
    m_audit->refresh();
}

void MainWindow::refreshCurrent()
{
    switch (currentPage()) {
    case InventoryView:
        m_inventory->refresh();
        break;
    case CustomersView:
        reloadAll(m_customers);
        break;
    case EnrollmentsView:
        m_enrollments->refresh();
        break;
    case HubsView:
        reloadAll(m_hubs);
        m_controller->loadAllocationPolicy();
        break;
    case AuditView:
        m_audit->refresh();
        break;
    case AccessPoliciesView:
        reloadAll(m_accessPolicies);
        break;
    case OverviewView:
        m_overviewPage->refresh();
        break;
    }
}

void MainWindow::trackOperation(BatchOperation *operation, const QString &successText)
{
    m_operation = operation;
    m_progress->setFormat(operation->title() + QStringLiteral(" %v/%m"));
    m_progress->setRange(0, qMax(1, operation->total()));
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->setVisible(operation->total() > 1);
    connect(operation, &BatchOperation::progressChanged, m_progress, [this](int done, int total) {
        m_progress->setRange(0, qMax(1, total));
        m_progress->setValue(done);
    });
    connect(operation, &BatchOperation::finished, this, [this, operation, successText] {
        m_progress->hide();
        m_cancel->hide();
        const QString text = operation->summary(successText);
        if (operation->failures().isEmpty())
            m_banner->showPositive(text);
        else
            m_banner->showError(text);
        statusBar()->showMessage(text, 8000);
    });
}

void MainWindow::trackJob(DeviceBatchJob *job, const QString &successText)
{
    job->follow(m_feed);
    auto *dialog = new QProgressDialog(this);
    dialog->setObjectName(QStringLiteral("batchJobProgress"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(job->title());
    dialog->setLabelText(tr("%1: starting on the server…").arg(job->title()));
    dialog->setCancelButtonText(tr("Cancel"));
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    dialog->setMinimumDuration(0);
    dialog->setRange(0, 0);
    QPointer<DeviceBatchJob> guarded(job);
    connect(dialog, &QProgressDialog::canceled, this, [dialog, guarded] {
        if (!guarded)
            return;
        guarded->cancel();
        // Stays open until the job has stopped: what it did is then known.
        dialog->show();
        dialog->setProperty("cancelling", true);
        dialog->setLabelText(tr("%1: cancelling after the current chunk…").arg(guarded->title()));
        dialog->setCancelButton(nullptr);
    });
    connect(job, &DeviceBatchJob::progressChanged, dialog, [dialog, job](qint64 done, qint64 total) {
        const QLocale locale;
        // QProgressDialog counts in int: the job's figures in thousandths.
        dialog->setRange(0, 1000);
        dialog->setValue(total > 0 ? int(qMin<qint64>(1000, done * 1000 / total)) : 0);
        if (!dialog->property("cancelling").toBool())
            dialog->setLabelText(
                tr("%1: %2 of %3 devices").arg(job->title(), locale.toString(done), locale.toString(total)));
    });
    connect(job, &DeviceBatchJob::finished, this, [this, dialog, job, successText] {
        dialog->close();
        const QString text = job->summary(successText);
        if (job->failedCount() == 0 && job->error().isEmpty())
            m_banner->showPositive(text);
        else
            m_banner->showError(text);
        statusBar()->showMessage(text, 8000);
    });
    dialog->open();
}

void MainWindow::exportDevices()
{
    // Online, offline and "activation failed" are known to the CRM only;
    // the export runs on the server's filters, so it would say more.
    if (m_inventoryPage->presenceFilter() != InventoryPage::AllDevices) {
        m_banner->showError(tr("The export takes the server's filters only: set Show to all devices first."));
        return;
    }
    auto *dialog = new QFileDialog(this, tr("Export devices"), QStringLiteral("devices.csv"), tr("CSV files (*.csv)"));
    dialog->setObjectName(QStringLiteral("exportFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::exportDevicesTo);
    dialog->open();
}

void MainWindow::exportDevicesTo(const QString &path)
{
    if (path.isEmpty())
        return;
    auto *job = new DeviceExport(m_api, InventoryModel::filterQuery(m_inventoryPage->appliedFilter()), path, this);
    if (m_exportPageSize > 0)
        job->setPageSize(m_exportPageSize);
    auto *dialog = new QProgressDialog(this);
    dialog->setObjectName(QStringLiteral("exportProgress"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Export devices"));
    dialog->setLabelText(tr("Exporting devices…"));
    dialog->setCancelButtonText(tr("Cancel"));
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    dialog->setMinimumDuration(0);
    dialog->setRange(0, 0);
    QPointer<DeviceExport> guarded(job);
    connect(dialog, &QProgressDialog::canceled, this, [guarded] {
        if (guarded)
            guarded->cancel();
    });
    connect(job, &DeviceExport::progressChanged, dialog, [dialog](qint64 rows) {
        dialog->setLabelText(tr("Exporting devices: %1 written").arg(QLocale().toString(rows)));
    });
    connect(job, &DeviceExport::finished, this, [this, dialog, job] {
        dialog->close();
        const QString name = QDir::toNativeSeparators(job->path());
        QString text;
        if (job->succeeded()) {
            text = tr("Exported %1 devices to %2.").arg(QLocale().toString(job->rowsWritten()), name);
            m_banner->showPositive(text);
        } else if (job->isCancelled()) {
            text = tr("Export cancelled; %1 was not written.").arg(name);
            m_banner->showInformation(text);
        } else {
            text = tr("Export failed; %1 was not written. %2").arg(name, job->error());
            m_banner->showError(text);
        }
        statusBar()->showMessage(text, 8000);
    });
    dialog->open();
    job->start();
}

QString MainWindow::allMatchingCount() const
{
    const QLocale locale;
    const QString total = locale.toString(m_inventory->total());
    return m_inventory->totalIsLowerBound() ? total + QLatin1Char('+') : total;
}

void MainWindow::onEvent(const QString &type, const QJsonObject &event)
{
    m_customers->applyEvent(type, event);
    m_enrollments->applyEvent(type, event);
    m_hubs->applyEvent(type, event);
    m_accessPolicies->applyEvent(type, event);
}

// ---- inventory actions ----

void MainWindow::sellSelected()
{
    const QStringList serials = m_inventoryPage->selectedSerials();
    if (serials.isEmpty())
        return;
    auto *dialog = new SellDialog(serials, m_customers, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_inventoryPage->allMatchingSelected()) {
        dialog->describeAllMatching(allMatchingCount());
        const QUrlQuery filter = InventoryModel::filterQuery(m_inventoryPage->appliedFilter());
        connect(dialog, &QDialog::accepted, this, [this, dialog, filter] {
            m_controller->runOnAllMatching(
                tr("Selling to %1").arg(dialog->customerName()), filter,
                {{QStringLiteral("action"), QStringLiteral("sell")},
                 {QStringLiteral("customerId"), dialog->customerId()}},
                tr("Sold %1 devices to %2.").arg(QStringLiteral("%1"), dialog->customerName()),
                CrmController::Inventory);
        });
        dialog->open();
        return;
    }
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_controller->sellDevices(dialog->serials(), dialog->customerId(), dialog->customerName());
    });
    dialog->open();
}

void MainWindow::returnSelected()
{
    const QStringList serials = m_inventoryPage->selectedSerials();
    if (serials.isEmpty())
        return;
    if (m_inventoryPage->allMatchingSelected()) {
        const QUrlQuery filter = InventoryModel::filterQuery(m_inventoryPage->appliedFilter());
        auto *ask = new QMessageBox(QMessageBox::Question, tr("Return to stock"),
                                    tr("Return all %1 matching devices to stock?").arg(allMatchingCount()),
                                    QMessageBox::Yes | QMessageBox::Cancel, this);
        ask->setObjectName(QStringLiteral("confirmAllMatching"));
        ask->setAttribute(Qt::WA_DeleteOnClose);
        connect(ask->button(QMessageBox::Yes), &QAbstractButton::clicked, this, [this, filter] {
            m_controller->runOnAllMatching(tr("Returning devices"), filter,
                                           {{QStringLiteral("action"), QStringLiteral("return")}},
                                           tr("Returned %1 devices to stock."), CrmController::Inventory);
        });
        ask->open();
        return;
    }
    m_controller->returnDevices(serials);
}

void MainWindow::enrollSelected()
{
    const QStringList serials = m_inventoryPage->selectedSerials();
    if (serials.isEmpty())
        return;
    auto *dialog = new EnrollmentDialog(serials, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_inventoryPage->allMatchingSelected()) {
        dialog->describeAllMatching(allMatchingCount());
        const QUrlQuery filter = InventoryModel::filterQuery(m_inventoryPage->appliedFilter());
        connect(dialog, &QDialog::accepted, this, [this, dialog, filter] {
            m_controller->runOnAllMatching(tr("Creating enrollments"), filter,
                                           {{QStringLiteral("action"), QStringLiteral("enroll")},
                                            {QStringLiteral("tags"), dialog->tags()},
                                            {QStringLiteral("desired"), dialog->desired()},
                                            {QStringLiteral("enabled"), dialog->startEnabled()}},
                                           tr("Created %1 enrollments."),
                                           CrmController::Enrollments | CrmController::Inventory);
        });
        dialog->open();
        return;
    }
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_controller->createEnrollments(dialog->serials(), dialog->tags(), dialog->desired(), dialog->startEnabled());
    });
    dialog->open();
}

QStringList MainWindow::enrollmentSerialsForCards() const
{
    if (currentPage() == EnrollmentsView) {
        QStringList serials;
        for (const QJsonObject &e : m_enrollmentsPage->selectedRecords()) {
            const QString serial = e.value(QStringLiteral("serial")).toString();
            if (!serial.isEmpty())
                serials.append(serial);
        }
        return serials;
    }
    return m_inventoryPage->selectedSerials();
}

void MainWindow::openActivationCards()
{
    const QStringList serials = enrollmentSerialsForCards();
    if (serials.isEmpty()) {
        m_banner->showInformation(tr("Select enrolled devices first; cards are made for devices with an enrollment."));
        return;
    }
    auto *dialog = new ActivationCardsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setApiClient(m_api);
    dialog->setSerials(serials);
    dialog->open();
}

void MainWindow::mailActivationCards()
{
    if (currentPage() == InventoryView && m_inventoryPage->allMatchingSelected()) {
        const QUrlQuery filter = InventoryModel::filterQuery(m_inventoryPage->appliedFilter());
        auto *ask = new QMessageBox(QMessageBox::Question, tr("E-mail activation cards"),
                                    tr("Issue a new activation code for each of the %1 matching devices and e-mail "
                                       "its card to the device's customer? Devices without an enrollment or a "
                                       "customer are reported and skipped.")
                                        .arg(allMatchingCount()),
                                    QMessageBox::Yes | QMessageBox::Cancel, this);
        ask->setObjectName(QStringLiteral("confirmAllMatching"));
        ask->setAttribute(Qt::WA_DeleteOnClose);
        connect(ask->button(QMessageBox::Yes), &QAbstractButton::clicked, this, [this, filter] {
            m_controller->runOnAllMatching(tr("E-mailing activation cards"), filter,
                                           {{QStringLiteral("action"), QStringLiteral("emailActivationCards")}},
                                           tr("Queued %1 activation e-mails."), CrmController::Enrollments);
        });
        ask->open();
        return;
    }
    const QStringList serials = enrollmentSerialsForCards();
    if (serials.isEmpty()) {
        m_banner->showInformation(tr("Select enrolled devices first; cards are made for devices with an enrollment."));
        return;
    }
    m_controller->mailActivationCards(serials);
}

void MainWindow::openImport()
{
    auto *wizard = new ImportWizard(this, m_api);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &ImportWizard::imported, this, [this](int created, int updated) {
        m_banner->showPositive(
            created + updated == 1
                ? (created == 1 ? tr("Imported 1 new device.") : tr("Updated 1 device."))
                : tr("Imported %1 devices: %2 new, %3 updated.").arg(created + updated).arg(created).arg(updated));
        refreshAreas(CrmController::Inventory);
    });
    wizard->open();
}

// ---- customers ----

void MainWindow::addDevice()
{
    auto *dialog = new DeviceDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { m_controller->saveDevice(dialog->device(), {}, true); });
    dialog->open();
}

void MainWindow::editDevice()
{
    const QList<QJsonObject> records = m_inventoryPage->selectedRecords();
    if (records.size() != 1 || !m_api->canOperate())
        return;
    auto *dialog = new DeviceDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setDevice(records.constFirst());
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { m_controller->saveDevice(dialog->device(), dialog->etag(), false); });
    dialog->open();
}

void MainWindow::retireDevice()
{
    const QList<QJsonObject> records = m_inventoryPage->selectedRecords();
    if (records.size() != 1 || !m_api->canOperate())
        return;
    const QString serial = records.constFirst().value(QStringLiteral("serial")).toString();
    const QByteArray etag = records.constFirst().value(QStringLiteral("etag")).toString().toUtf8();
    const QString registrationId =
        m_inventory->index(m_inventory->rowOf(serial), 0).data(InventoryModel::RegistrationIdRole).toString();
    const QString text =
        registrationId.isEmpty()
            ? tr("Retire %1? It stays in the inventory as retired: it can no longer be sold (unless forced) and is "
                 "never marked provisioned again.")
                  .arg(serial)
            : tr("Retire %1? It stays in the inventory as retired, and its enrollment is disabled: the device "
                 "can no longer register and is disconnected from its hub.")
                  .arg(serial);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Retire device"), text, QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmRetireDevice"));
    box->addButton(tr("Retire"), QMessageBox::DestructiveRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, serial, etag, registrationId](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            m_controller->retireDevice(serial, etag, registrationId);
    });
    box->open();
}

void MainWindow::newCustomer()
{
    auto *dialog = new CustomerDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { m_controller->saveCustomer(dialog->customer(), {}); });
    dialog->open();
}

void MainWindow::editCustomer()
{
    const QJsonObject record = m_customersPage->currentRecord();
    if (record.isEmpty() || !m_api->canOperate())
        return;
    auto *dialog = new CustomerDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setCustomer(record);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { m_controller->saveCustomer(dialog->customer(), dialog->etag()); });
    dialog->open();
}

void MainWindow::deleteCustomer()
{
    const QJsonObject record = m_customersPage->currentRecord();
    if (record.isEmpty())
        return;
    const QString id = record.value(QStringLiteral("id")).toString();
    const QString name = record.value(QStringLiteral("name")).toString();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete customer"),
                                tr("Delete %1? Their contact details are removed. A customer who still owns devices "
                                   "cannot be deleted: return or sell those devices first.")
                                    .arg(name),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDeleteCustomer"));
    box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, id, name](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            m_controller->deleteCustomer(id, name);
    });
    box->open();
}

void MainWindow::showCustomerDevices()
{
    const QJsonObject record = m_customersPage->currentRecord();
    if (record.isEmpty())
        return;
    m_inventoryPage->setCustomerFilter(record.value(QStringLiteral("id")).toString(),
                                       record.value(QStringLiteral("name")).toString());
    showPage(InventoryView);
    m_banner->showInformation(tr("Showing the devices of %1. Clear the filter with Refresh › any filter change.")
                                  .arg(record.value(QStringLiteral("name")).toString()));
}

// ---- enrollments ----

void MainWindow::setSelectedEnrollmentsEnabled(bool enabled)
{
    const QStringList ids = m_enrollmentsPage->selectedRegistrationIds();
    if (ids.isEmpty())
        return;
    if (enabled) {
        m_controller->setEnrollmentsEnabled(ids, true);
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Disable enrollments"),
                                (ids.size() == 1 ? tr("Disable this enrollment? The device can no longer register, "
                                                      "and if it is connected to a hub it is disconnected at once. "
                                                      "Enable it again to undo.")
                                                 : tr("Disable %1 enrollments? The devices can no longer register, "
                                                      "and devices connected to a hub are disconnected at once. "
                                                      "Enable them again to undo.")
                                                       .arg(ids.size())),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDisable"));
    box->addButton(tr("Disable"), QMessageBox::AcceptRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, ids](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::AcceptRole)
            m_controller->setEnrollmentsEnabled(ids, false);
    });
    box->open();
}

void MainWindow::regenerateSelectedKeys()
{
    const QStringList ids = m_enrollmentsPage->selectedRegistrationIds();
    if (ids.isEmpty())
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Regenerate keys"),
                                (ids.size() == 1 ? tr("Issue new keys for this enrollment? A device still using the "
                                                      "old key can no longer register with it; it needs the new key "
                                                      "or a new activation code.")
                                                 : tr("Issue new keys for %1 enrollments? Devices still using the old "
                                                      "key can no longer register with it; they need the new key or "
                                                      "a new activation code.")
                                                       .arg(ids.size())),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmRegenerate"));
    QPushButton *primary = box->addButton(tr("Primary key"), QMessageBox::AcceptRole);
    QPushButton *secondary = box->addButton(tr("Secondary key"), QMessageBox::AcceptRole);
    QPushButton *both = box->addButton(tr("Both keys"), QMessageBox::AcceptRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [=](QAbstractButton *button) {
        if (button == primary)
            m_controller->regenerateKeys(ids, QStringLiteral("primary"));
        else if (button == secondary)
            m_controller->regenerateKeys(ids, QStringLiteral("secondary"));
        else if (button == both)
            m_controller->regenerateKeys(ids, QStringLiteral("both"));
    });
    box->open();
}

void MainWindow::deleteSelectedEnrollments()
{
    const QStringList ids = m_enrollmentsPage->selectedRegistrationIds();
    if (ids.isEmpty())
        return;
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Delete enrollments"),
        (ids.size() == 1 ? tr("Delete the enrollment %1? The device's keys and unused activation codes stop "
                              "working, a registered device is disconnected from its hub, and the device "
                              "stays in the inventory. This cannot be undone; a new enrollment gets new keys.")
                         : tr("Delete %2 enrollments (%1)? The devices' keys and unused activation codes stop "
                              "working, registered devices are disconnected from their hub, and the devices "
                              "stay in the inventory. This cannot be undone; a new enrollment gets new keys.")
                               .arg(QStringLiteral("%1"), QString::number(ids.size())))
            .arg(ids.mid(0, 5).join(QStringLiteral(", ")) + (ids.size() > 5 ? QStringLiteral(", …") : QString())),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDeleteEnrollments"));
    box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, ids](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::DestructiveRole)
            m_controller->deleteEnrollments(ids);
    });
    box->open();
}

// ---- hubs ----

void MainWindow::addHub()
{
    auto *dialog = new HubDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { m_controller->saveHub(dialog->name(), dialog->hub(), {}, true); });
    dialog->open();
}

void MainWindow::editHub()
{
    const QJsonObject record = m_hubsPage->currentRecord();
    if (record.isEmpty() || !m_api->isAdmin())
        return;
    auto *dialog = new HubDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setHub(record);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { m_controller->saveHub(dialog->name(), dialog->hub(), dialog->etag(), false); });
    dialog->open();
}

void MainWindow::rotateHubKey()
{
    const QJsonObject record = m_hubsPage->currentRecord();
    if (record.isEmpty())
        return;
    const QString name = record.value(QStringLiteral("name")).toString();
    // The overlap in which the hub still takes the devices' current keys:
    // they move to keys of the new one as they register again, without an
    // outage. 0 cuts every device off at once (a leaked signing key).
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("confirmRotate"));
    dialog->setWindowTitle(tr("Rotate signing key"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QLabel(tr("Give hub %1 a new signing key? The devices' current hub keys keep working for the "
                               "overlap below; devices register again for keys of the new one. With no overlap "
                               "the hub refuses the current keys at once. The middleware hands the hub its new key "
                               "itself.")
                                .arg(name),
                            dialog);
    text->setWordWrap(true);
    layout->addWidget(text);
    auto *form = new QFormLayout;
    auto *overlap = new QSpinBox(dialog);
    overlap->setObjectName(QStringLiteral("rotateOverlapHours"));
    overlap->setRange(0, 30 * 24);
    overlap->setValue(24);
    overlap->setSuffix(tr(" h"));
    overlap->setSpecialValueText(tr("none (hard cut)"));
    form->addRow(tr("&Overlap:"), overlap);
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
    buttons->addButton(tr("Rotate"), QDialogButtonBox::AcceptRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::accepted, this,
            [this, name, overlap] { m_controller->rotateHubKey(name, qint64(overlap->value()) * 3600); });
    dialog->open();
}

void MainWindow::showSigningKey(const QString &hubName, const QString &key)
{
    showSecretOnce(QStringLiteral("signingKeyDialog"), QStringLiteral("signingKey"),
                   tr("Signing key of %1").arg(hubName),
                   tr("This is the only time the middleware shows hub %1's signing key. Copy it into the "
                      "hub's configuration now (or generate it with provisio-middleware hub-config).")
                       .arg(hubName),
                   key);
}

void MainWindow::showSecretOnce(const QString &dialogName, const QString &fieldName, const QString &title,
                                const QString &text, const QString &secret)
{
    // Shown once, never logged: the middleware will not show it again.
    auto *dialog = new QDialog(this);
    dialog->setObjectName(dialogName);
    dialog->setWindowTitle(title);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(dialog);
    auto *label = new QLabel(text, dialog);
    label->setWordWrap(true);
    auto *field = new QLineEdit(secret, dialog);
    field->setObjectName(fieldName);
    field->setReadOnly(true);
    field->setFont(QFont(QStringLiteral("monospace")));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QPushButton *copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, dialog, [secret] { QGuiApplication::clipboard()->setText(secret); });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(label);
    layout->addWidget(field);
    layout->addWidget(buttons);
    dialog->resize(640, 0);
    dialog->open();
}

void MainWindow::newAccessPolicy()
{
    if (!m_api->isAdmin())
        return;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("accessPolicyDialog"));
    dialog->setWindowTitle(tr("New access policy"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *name = new QLineEdit(dialog);
    name->setObjectName(QStringLiteral("policyName"));
    name->setPlaceholderText(QStringLiteral("provisioningserviceowner"));
    auto *scope = new QComboBox(dialog);
    scope->setObjectName(QStringLiteral("policyScope"));
    scope->addItem(tr("Provisioning service (enrollments, registrations)"), QString());
    for (int row = 0; row < m_hubs->rowCount(); ++row) {
        const QString hub = m_hubs->record(row).value(QStringLiteral("name")).toString();
        scope->addItem(tr("Hub %1 (twins, direct methods)").arg(hub), hub);
    }
    auto *form = new QFormLayout(dialog);
    auto *help = new QLabel(tr("A policy with every right; its connection string is shown once. Narrower "
                               "rights: provisio-middleware access-policy create --rights."),
                            dialog);
    help->setWordWrap(true);
    form->addRow(help);
    form->addRow(tr("&Name:"), name);
    form->addRow(tr("&For:"), scope);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    ok->setEnabled(false);
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    connect(name, &QLineEdit::textChanged, ok,
            [ok](const QString &text) { ok->setEnabled(valid.match(text).hasMatch()); });
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    form->addRow(buttons);
    connect(dialog, &QDialog::accepted, this,
            [this, name, scope] { m_controller->createAccessPolicy(name->text(), scope->currentData().toString()); });
    dialog->open();
}

void MainWindow::revokeAccessPolicy()
{
    const QJsonObject record = m_accessPoliciesPage->currentRecord();
    if (record.isEmpty() || !m_api->isAdmin())
        return;
    const QString id = record.value(QStringLiteral("id")).toString();
    const QString name = record.value(QStringLiteral("name")).toString();
    auto *box =
        new QMessageBox(QMessageBox::Warning, tr("Revoke access policy"),
                        tr("Revoke %1? Back ends using its connection string are refused from now on.").arg(name),
                        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmRevokePolicy"));
    box->addButton(tr("Revoke"), QMessageBox::AcceptRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, id, name](QAbstractButton *button) {
        if (box->buttonRole(button) == QMessageBox::AcceptRole)
            m_controller->revokeAccessPolicy(id, name);
    });
    box->open();
}

void MainWindow::showConnectionString(const QString &name, const QString &connectionString)
{
    showSecretOnce(QStringLiteral("connectionStringDialog"), QStringLiteral("connectionString"),
                   tr("Connection string of %1").arg(name),
                   tr("This is the only time the middleware shows the key of access policy %1. Put the connection "
                      "string into the back end that uses Azure's service SDKs (see docs/azure-sdks.md).")
                       .arg(name),
                   connectionString);
}

// ---- layout ----

void MainWindow::restoreLayout()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("mainWindow"));
    if (!restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray()))
        resize(1280, 800);
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    for (RecordListPage *page : std::initializer_list<RecordListPage *>{
             m_inventoryPage, m_customersPage, m_enrollmentsPage, m_hubsPage, m_auditPage, m_accessPoliciesPage})
        page->restoreState(settings);
    m_sidebar->setCurrentRow(qBound(0, settings.value(QStringLiteral("page")).toInt(), m_stack->count() - 1));
    settings.endGroup();
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("mainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("page"), m_stack->currentIndex());
    for (RecordListPage *page : std::initializer_list<RecordListPage *>{
             m_inventoryPage, m_customersPage, m_enrollmentsPage, m_hubsPage, m_auditPage, m_accessPoliciesPage})
        page->saveState(settings);
    settings.endGroup();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    event->accept();
}

} // namespace Provisio::Crm
