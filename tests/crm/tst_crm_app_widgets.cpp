// SPDX-License-Identifier: Apache-2.0
// provisio-crm's widgets beyond the main flow, against a real middleware:
// what a viewer is offered, a hub's signing key shown once, the device
// detail (keys hidden until revealed, twin edits guarded by If-Match),
// confirmations before destructive changes, batch failures reported per
// record, JSON validation and the command line.

#include "accesspoliciesmodel.h"
#include "apiclient.h"
#include "appoptions.h"
#include "auditpage.h"
#include "batchoperation.h"
#include "certificatetrust.h"
#include "childprocesswatch.h"
#include "columnfit.h"
#include "connectiondialog.h"
#include "connectionstore.h"
#include "crmcontroller.h"
#include "crmtestutil.h"
#include "devicedetail.h"
#include "devicedetailcontroller.h"
#include "displayformat.h"
#include "enrollmentspage.h"
#include "eventfeed.h"
#include "hubdialog.h"
#include "hubsmodel.h"
#include "hubspage.h"
#include "inventorypage.h"
#include "jsonobjectedit.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "recordlistpage.h"

#include "crypto/activationcode.h"
#include "crypto/sastoken.h"
#include "dpstestutil.h"
#include "widgettestutil.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

using namespace Provisio;
using namespace Provisio::Crm;
using namespace Provisio::Test;

class TestCrmAppWidgets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void jsonEditorNamesTheError();
    void commandLine_data();
    void commandLine();
    void viewerIsOfferedNoChanges();
    void hubSigningKeyShownOnce();
    void hubKeyRotatesWithAnOverlap();
    void accessPolicyConnectionStringShownOnce();
    void accessPolicyRightsTakeTheSpareWidth();
    void hubLinkStateTakesTheSpareWidth();
    void deviceDetailHidesKeysUntilRevealed();
    void fitsALaptopScreenWithTheDevicePanel();
    void auditFiltersOnTheServer();
    void twinEditIsGuardedByEtag();
    void deleteEnrollmentAsksFirst();
    void batchReportsEachFailure();
    void connectionDialogTrustsOnFirstUse();
    void deviceDetailFollowsTheDeviceLive();
    void deviceDetailShowsActivationFailuresAndUnlocks();
    void savedViewsKeepFilters();
    void inventorySortsOnTheServer();

private:
    std::unique_ptr<ApiClient> connect(const QString &token);
    std::unique_ptr<MainWindow> window(ApiClient *api, EventFeed *feed);
    QString enrollAndRegister(const QString &serial);
    template<typename T>
    T *waitForChild(QWidget *parent, const QString &name = {});

    CrmFixture m_f;
    std::unique_ptr<HttpsClient> m_admin;
};

std::unique_ptr<ApiClient> TestCrmAppWidgets::connect(const QString &token)
{
    QFile caFile(m_f.mw->caCertificatePath());
    if (!caFile.open(QIODevice::ReadOnly))
        return {};
    auto api = std::make_unique<ApiClient>();
    api->setConnection(QUrl(m_f.mw->baseUrl()), token.toUtf8(), QSslCertificate::fromData(caFile.readAll(), QSsl::Pem));
    QSignalSpy probed(api.get(), &ApiClient::probed);
    api->probe();
    if (!probed.wait(20000))
        return {};
    return api;
}

std::unique_ptr<MainWindow> TestCrmAppWidgets::window(ApiClient *api, EventFeed *feed)
{
    auto w = std::make_unique<MainWindow>(api, feed);
    w->applyRole(api->role());
    w->start();
    w->show();
    return w;
}

template<typename T>
T *TestCrmAppWidgets::waitForChild(QWidget *parent, const QString &name)
{
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        for (T *child : parent->findChildren<T *>(name)) {
            if (child->isVisible())
                return child;
        }
        QTest::qWait(20);
    }
    return nullptr;
}

// Creates, enrolls and registers a device; returns its primary key.
QString TestCrmAppWidgets::enrollAndRegister(const QString &serial)
{
    const QString id = serial.toLower();
    if (m_admin
            ->post(QStringLiteral("/api/v1/devices"),
                   {{QStringLiteral("serial"), serial}, {QStringLiteral("model"), QStringLiteral("Sensor 2")}})
            .status != 201)
        return {};
    const auto e = m_admin->put(
        QStringLiteral("/api/v1/enrollments/") + id,
        {{QStringLiteral("registrationId"), id},
         {QStringLiteral("serial"), serial},
         {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
         {QStringLiteral("initialTwin"),
          QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("site"), QStringLiteral("lab")}}},
                      {QStringLiteral("properties"),
                       QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("intervalMs"), 5000}}}}}}}});
    if (e.status != 201)
        return {};
    const QString key = e.json()
                            .value(QStringLiteral("attestation"))
                            .toObject()
                            .value(QStringLiteral("symmetricKey"))
                            .toObject()
                            .value(QStringLiteral("primaryKey"))
                            .toString();
    if (registerOverDps(*m_f.mw, id, key).value(QStringLiteral("status")).toString() != QLatin1String("assigned"))
        return {};
    return key;
}

void TestCrmAppWidgets::initTestCase()
{
    useCleanSettings(QStringLiteral("tst_crm_app_widgets"));
    QVERIFY(m_f.start());
    m_admin = m_f.client(m_f.adminToken);
    QCOMPARE(
        m_admin
            ->put(QStringLiteral("/api/v1/hubs/hub1"), {{QStringLiteral("host"), QStringLiteral("hub1.provisio.test")},
                                                        {QStringLiteral("allocationWeight"), 1}})
            .status,
        201);
}

void TestCrmAppWidgets::jsonEditorNamesTheError()
{
    JsonObjectEdit edit;
    QSignalSpy validity(&edit, &JsonObjectEdit::validityChanged);
    QVERIFY(edit.isValid()); // empty is an empty object
    edit.setText(QStringLiteral("{\n  \"a\": 1,\n  \"b\": \n}"));
    QVERIFY(!edit.isValid());
    QCOMPARE(validity.count(), 1);
    QVERIFY2(edit.errorText().startsWith(QStringLiteral("Line 4")), qPrintable(edit.errorText()));
    QVERIFY(edit.object().isEmpty());
    edit.setText(QStringLiteral("{\"a\": 1, \"b\": [true]}"));
    QVERIFY(edit.isValid());
    QCOMPARE(edit.object().value(QStringLiteral("a")).toInt(), 1);
    edit.setRejectReservedNames(true);
    edit.setText(QStringLiteral("{\"$version\": 3}"));
    QVERIFY(!edit.isValid());
    QVERIFY(edit.errorText().contains(QStringLiteral("$version")));
}

void TestCrmAppWidgets::commandLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("error");
    QTest::newRow("url with token and CA")
        << QStringList{QStringLiteral("--url"),        QStringLiteral("https://localhost:8443"),
                       QStringLiteral("--token-file"), QStringLiteral("t"),
                       QStringLiteral("--ca"),         QStringLiteral("ca.crt")}
        << true << QString();
    QTest::newRow("plain http") << QStringList{QStringLiteral("--url"), QStringLiteral("http://localhost:8443")}
                                << false << QStringLiteral("https://");
    QTest::newRow("token without url") << QStringList{QStringLiteral("--token-file"), QStringLiteral("t")} << false
                                       << QStringLiteral("--url");
    QTest::newRow("unknown page") << QStringList{QStringLiteral("--page"), QStringLiteral("billing")} << false
                                  << QStringLiteral("--page");
    QTest::newRow("stray argument") << QStringList{QStringLiteral("extra")} << false << QStringLiteral("unexpected");
}

void TestCrmAppWidgets::commandLine()
{
    QFETCH(QStringList, args);
    QFETCH(bool, ok);
    QFETCH(QString, error);
    args.prepend(QStringLiteral("provisio-crm"));
    const auto parsed = AppOptions::parse(args);
    QCOMPARE(parsed.ok(), ok);
    if (!ok)
        QVERIFY2(parsed.error().message.contains(error), qPrintable(parsed.error().message));
}

void TestCrmAppWidgets::viewerIsOfferedNoChanges()
{
    auto api = connect(m_f.viewerToken);
    QVERIFY(api);
    QCOMPARE(api->role(), QStringLiteral("viewer"));
    auto w = window(api.get(), nullptr);
    for (const char *name : {"actionSell", "actionEnroll", "actionNewCustomer", "actionDeleteEnrollment",
                             "actionAddHub", "actionImport", "actionNewAccessPolicy"}) {
        auto *action = w->findChild<QAction *>(QLatin1String(name));
        QVERIFY2(action, name);
        QVERIFY2(!action->isVisible(), name);
    }
    QVERIFY(w->findChild<QAction *>(QStringLiteral("actionRefresh"))->isVisible());
    QVERIFY(!w->hubsPage()->findChild<QPushButton *>(QStringLiteral("policySave"))->isVisible());
    QVERIFY(!w->deviceDetail()->findChild<QPushButton *>(QStringLiteral("revealKeys"))->isVisibleTo(w->deviceDetail()));
    // Reading works: the hub is listed.
    QTRY_COMPARE_WITH_TIMEOUT(w->hubsModel()->rowCount(), 1, 15000);
}

void TestCrmAppWidgets::hubSigningKeyShownOnce()
{
    auto api = connect(m_f.adminToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    w->showPage(MainWindow::HubsView);
    QTRY_COMPARE_WITH_TIMEOUT(w->hubsModel()->rowCount(), 1, 15000);
    auto *add = w->findChild<QAction *>(QStringLiteral("actionAddHub"));
    QVERIFY(add->isVisible() && add->isEnabled());
    QTest::mouseClick(w->hubsPage()->toolBar()->widgetForAction(add), Qt::LeftButton);
    auto *dialog = waitForChild<HubDialog>(w.get());
    QVERIFY(dialog);
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("hubName")), QStringLiteral("hub2"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("hubHost")), QStringLiteral("hub2.provisio.test"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("hubEndpoint")), QStringLiteral("nonsense"));
    QVERIFY(!ok->isEnabled()); // endpoint must be host:port
    dialog->findChild<QLineEdit *>(QStringLiteral("hubEndpoint"))->clear();
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);

    auto *keyField = waitForChild<QLineEdit>(w.get(), QStringLiteral("signingKey"));
    QVERIFY(keyField);
    const QByteArray key = QByteArray::fromBase64(keyField->text().toLatin1());
    QVERIFY(key.size() >= 16);
    // The middleware has it and will not show it again.
    const auto hub = m_admin->get(QStringLiteral("/api/v1/hubs/hub2"));
    QCOMPARE(hub.status, 200);
    QVERIFY(!hub.json().contains(QStringLiteral("signingKey")));
    QTRY_COMPARE_WITH_TIMEOUT(w->hubsModel()->rowCount(), 2, 15000);
    keyField->window()->close();
}

void TestCrmAppWidgets::hubKeyRotatesWithAnOverlap()
{
    // Rotate signing key asks for the overlap (24 h unless changed); the
    // new key is shown once and the hub's row says until when the replaced
    // key still works.
    auto api = connect(m_f.adminToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    w->showPage(MainWindow::HubsView);
    QTRY_VERIFY_WITH_TIMEOUT(w->hubsModel()->rowOf(QStringLiteral("hub2")) >= 0, 15000);
    QVERIFY(w->hubsPage()->selectKey(QStringLiteral("hub2")));
    auto *rotate = w->findChild<QAction *>(QStringLiteral("actionRotateHubKey"));
    QVERIFY(rotate->isVisible() && rotate->isEnabled());
    rotate->trigger();
    auto *dialog = waitForChild<QDialog>(w.get(), QStringLiteral("confirmRotate"));
    QVERIFY(dialog);
    auto *hours = dialog->findChild<QSpinBox *>(QStringLiteral("rotateOverlapHours"));
    QVERIFY(hours);
    QCOMPARE(hours->value(), 24);
    hours->setValue(2);
    QPushButton *confirm = nullptr;
    for (QAbstractButton *b : dialog->findChild<QDialogButtonBox *>()->buttons()) {
        if (dialog->findChild<QDialogButtonBox *>()->buttonRole(b) == QDialogButtonBox::AcceptRole)
            confirm = qobject_cast<QPushButton *>(b);
    }
    QVERIFY(confirm);
    QTest::mouseClick(confirm, Qt::LeftButton);

    auto *keyField = waitForChild<QLineEdit>(w.get(), QStringLiteral("signingKey"));
    QVERIFY(keyField);
    const QDateTime until = QDateTime::fromString(m_admin->get(QStringLiteral("/api/v1/hubs/hub2"))
                                                      .json()
                                                      .value(QStringLiteral("previousKeyAcceptedUntil"))
                                                      .toString(),
                                                  Qt::ISODateWithMs);
    QVERIFY(until.isValid());
    QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(until) - 2 * 3600) < 120);
    const int row = w->hubsModel()->rowOf(QStringLiteral("hub2"));
    QTRY_VERIFY_WITH_TIMEOUT(w->hubsModel()
                                 ->index(row, HubsModel::KeyOverlapColumn)
                                 .data()
                                 .toString()
                                 .startsWith(QStringLiteral("accepted until")),
                             15000);
    keyField->window()->close();
}

void TestCrmAppWidgets::accessPolicyConnectionStringShownOnce()
{
    auto api = connect(m_f.adminToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    w->showPage(MainWindow::AccessPoliciesView);
    auto *add = w->findChild<QAction *>(QStringLiteral("actionNewAccessPolicy"));
    QVERIFY(add->isVisible() && add->isEnabled());
    QTest::mouseClick(w->accessPoliciesPage()->toolBar()->widgetForAction(add), Qt::LeftButton);
    auto *dialog = waitForChild<QDialog>(w.get(), QStringLiteral("accessPolicyDialog"));
    QVERIFY(dialog);
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("policyName")), QStringLiteral("bad name"));
    QVERIFY(!ok->isEnabled());
    dialog->findChild<QLineEdit *>(QStringLiteral("policyName"))->setText(QStringLiteral("crm-backend"));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);

    auto *field = waitForChild<QLineEdit>(w.get(), QStringLiteral("connectionString"));
    QVERIFY(field);
    QVERIFY(field->text().contains(QLatin1String(";SharedAccessKeyName=crm-backend;SharedAccessKey=")));
    const QString key = field->text().section(QStringLiteral("SharedAccessKey="), 1);
    field->window()->close();
    // Listed without its key; revoked from the page after a confirmation.
    QTRY_VERIFY_WITH_TIMEOUT(w->accessPoliciesModel()->rowCount() >= 1, 15000);
    const auto listed = m_admin->get(QStringLiteral("/api/v1/access-policies"));
    QVERIFY(listed.body.contains("crm-backend"));
    QVERIFY(!listed.body.contains(key.toLatin1()));
    int row = -1;
    for (int r = 0; r < w->accessPoliciesModel()->rowCount(); ++r) {
        if (w->accessPoliciesModel()->record(r).value(QStringLiteral("name")).toString() ==
            QLatin1String("crm-backend"))
            row = r;
    }
    QVERIFY(row >= 0);
    QVERIFY(w->accessPoliciesPage()->selectKey(
        w->accessPoliciesModel()->record(row).value(QStringLiteral("id")).toString()));
    auto *revoke = w->findChild<QAction *>(QStringLiteral("actionRevokeAccessPolicy"));
    QTRY_VERIFY(revoke->isEnabled());
    revoke->trigger();
    auto *box = waitForChild<QMessageBox>(w.get(), QStringLiteral("confirmRevokePolicy"));
    QVERIFY(box);
    for (QAbstractButton *b : box->buttons()) {
        if (box->buttonRole(b) == QMessageBox::AcceptRole)
            QTest::mouseClick(b, Qt::LeftButton);
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_admin->get(QStringLiteral("/api/v1/access-policies")).body.contains("revokedAt"), 15000);
}

void TestCrmAppWidgets::accessPolicyRightsTakeTheSpareWidth()
{
    const auto created = m_admin->post(
        QStringLiteral("/api/v1/access-policies"),
        QJsonObject{{QStringLiteral("name"), QStringLiteral("all-rights")},
                    {QStringLiteral("rights"),
                     QJsonArray{QStringLiteral("ServiceConfig"), QStringLiteral("EnrollmentRead"),
                                QStringLiteral("EnrollmentWrite"), QStringLiteral("RegistrationStatusRead"),
                                QStringLiteral("RegistrationStatusWrite")}}});
    QCOMPARE(created.status, 201);
    auto api = connect(m_f.adminToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    w->resize(1600, 900);
    w->showPage(MainWindow::AccessPoliciesView);
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    QTRY_VERIFY_WITH_TIMEOUT(w->accessPoliciesModel()->rowCount() >= 1, 15000);
    RecordListPage *page = w->accessPoliciesPage();
    QTableView *table = page->table();
    QHeaderView *header = table->horizontalHeader();
    const auto checkLayout = [&]() -> bool {
        // The rights list, the widest text of the page, is shown whole once
        // the window is wide enough (all five DPS rights need about 600
        // pixels); the status keeps what it needs.
        QAbstractItemView *view = table;
        const int rights = AccessPoliciesModel::RightsColumn;
        const int status = AccessPoliciesModel::StatusColumn;
        if (header->sectionResizeMode(rights) != QHeaderView::Stretch || header->stretchLastSection()) {
            qWarning("the rights column does not take the spare width");
            return false;
        }
        if (table->columnWidth(rights) < view->sizeHintForColumn(rights)) {
            qWarning("rights: %d wide, needs %d", table->columnWidth(rights), view->sizeHintForColumn(rights));
            return false;
        }
        if (table->columnWidth(status) < view->sizeHintForColumn(status) ||
            table->columnWidth(status) > table->columnWidth(rights)) {
            qWarning("status: %d wide, needs %d", table->columnWidth(status), view->sizeHintForColumn(status));
            return false;
        }
        return true;
    };
    QTRY_VERIFY(checkLayout());

    // A layout saved before the rights took the spare width (the last column
    // stretched) is restored with the rights stretched all the same.
    header->setSectionResizeMode(AccessPoliciesModel::RightsColumn, QHeaderView::Interactive);
    header->setStretchLastSection(true);
    QSettings saved;
    page->saveState(saved);
    page->restoreState(saved);
    QTRY_VERIFY(checkLayout());
    saved.remove(page->objectName());
}

void TestCrmAppWidgets::hubLinkStateTakesTheSpareWidth()
{
    auto api = connect(m_f.adminToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    w->resize(1600, 900);
    w->showPage(MainWindow::HubsView);
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    QTRY_VERIFY_WITH_TIMEOUT(w->hubsModel()->rowCount() >= 1, 15000);
    QTableView *table = w->hubsPage()->table();
    QHeaderView *header = table->horizontalHeader();
    // The link's state gets the spare width; the replaced key's column,
    // mostly empty, only what its longest text needs.
    QCOMPARE(header->sectionResizeMode(HubsModel::LinkColumn), QHeaderView::Stretch);
    QVERIFY(!header->stretchLastSection());
    const QString until =
        HubsModel::tr("accepted until %1").arg(formatDateTime(QDateTime(QDate(2026, 12, 28), QTime(23, 58, 58))));
    const int overlap = table->columnWidth(HubsModel::KeyOverlapColumn);
    QVERIFY2(overlap >= fittingColumnWidth(table, HubsModel::KeyOverlapColumn, {until}),
             qPrintable(QString::number(overlap)));
    // Shown whole once the window has room ("connected since" and a time,
    // or the error that keeps the link down).
    QAbstractItemView *view = table;
    QTRY_VERIFY2(table->columnWidth(HubsModel::LinkColumn) >= view->sizeHintForColumn(HubsModel::LinkColumn),
                 qPrintable(QStringLiteral("%1 wide, needs %2")
                                .arg(table->columnWidth(HubsModel::LinkColumn))
                                .arg(view->sizeHintForColumn(HubsModel::LinkColumn))));
}

void TestCrmAppWidgets::deviceDetailHidesKeysUntilRevealed()
{
    const QString key = enrollAndRegister(QStringLiteral("SN-DET-1"));
    QVERIFY(!key.isEmpty());
    auto api = connect(m_f.operatorToken);
    QVERIFY(api);
    EventFeed feed(api.get());
    auto w = window(api.get(), &feed);
    w->showDevice(QStringLiteral("SN-DET-1"));
    DeviceDetail *detail = w->deviceDetail();
    auto *primary = detail->findChild<QLabel *>(QStringLiteral("devicePrimaryKey"));
    auto *registration = detail->findChild<QLabel *>(QStringLiteral("deviceRegistration"));
    QTRY_VERIFY_WITH_TIMEOUT(registration->text().contains(QStringLiteral("assigned")), 15000);
    // DPS's substatus in words, not the API's.
    QVERIFY2(registration->text().contains(QStringLiteral("first assignment")) &&
                 !registration->text().contains(QStringLiteral("initialAssignment")),
             qPrintable(registration->text()));
    QTRY_VERIFY_WITH_TIMEOUT(primary->text().contains(QStringLiteral("hidden")), 15000);
    QVERIFY(!primary->text().contains(key));
    auto *reveal = detail->findChild<QPushButton *>(QStringLiteral("revealKeys"));
    QVERIFY(reveal->isEnabled());
    QTest::mouseClick(reveal, Qt::LeftButton);
    QCOMPARE(primary->text(), key);
    QTest::mouseClick(reveal, Qt::LeftButton);
    QVERIFY(!primary->text().contains(key));
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(detail->findChild<QPushButton *>(QStringLiteral("copyPrimaryKey")), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), key);
    // The copy is announced without the key.
    QVERIFY(!w->banner()->text().contains(key));
}

void TestCrmAppWidgets::fitsALaptopScreenWithTheDevicePanel()
{
    // Every page, with the device panel beside it, fits 1280x800: the panel
    // once widened the window past the screen's edge and cut its tabs off.
    auto api = connect(m_f.viewerToken);
    QVERIFY(api);
    EventFeed feed(api.get());
    auto w = window(api.get(), &feed);
    w->showDevice(QStringLiteral("SN-DET-1"));
    for (const auto page : {MainWindow::InventoryView, MainWindow::CustomersView, MainWindow::EnrollmentsView,
                            MainWindow::HubsView, MainWindow::AuditView}) {
        w->showPage(page);
        const QSize needed = w->minimumSizeHint().expandedTo(w->minimumSize());
        QVERIFY2(
            needed.width() <= 1280 && needed.height() <= 800,
            qPrintable(QStringLiteral("page %1 needs %2x%3").arg(int(page)).arg(needed.width()).arg(needed.height())));
    }
}

void TestCrmAppWidgets::auditFiltersOnTheServer()
{
    auto api = connect(m_f.viewerToken);
    QVERIFY(api);
    EventFeed feed(api.get());
    auto w = window(api.get(), &feed);
    w->showPage(MainWindow::AuditView);
    AuditModel *audit = w->auditModel();
    AuditPage *page = w->auditPage();

    // Picking an action asks the middleware for just that action.
    auto *action = page->findChild<QComboBox *>(QStringLiteral("auditActionFilter"));
    QVERIFY(action && action->isEditable());
    // The dropdown speaks the table's words, not the API's; the query
    // carries the API's.
    QVERIFY(action->findText(QStringLiteral("activation code issued")) >= 0);
    for (int i = 0; i < action->count(); ++i) {
        const QString shown = action->itemText(i);
        QVERIFY2(shown == apiWord(action->itemData(i).toString()), qPrintable(shown));
        QVERIFY2(!shown.contains(QRegularExpression(QStringLiteral("[a-z][A-Z]"))), qPrintable(shown));
    }
    action->setCurrentIndex(action->findText(QStringLiteral("created")));
    QTRY_COMPARE_WITH_TIMEOUT(audit->query().queryItemValue(QStringLiteral("action")), QStringLiteral("create"), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!audit->isLoading() && audit->rowCount() > 0, 15000);
    for (int row = 0; row < audit->rowCount(); ++row)
        QCOMPARE(audit->index(row, AuditModel::ActionColumn).data().toString(), QStringLiteral("created"));
    // Typed in the shown words (any case), an action is sent in the API's;
    // a word the list does not know goes as typed.
    action->lineEdit()->setText(QStringLiteral("Key Rotated"));
    QTRY_COMPARE_WITH_TIMEOUT(audit->query().queryItemValue(QStringLiteral("action")), QStringLiteral("rotateKey"),
                              5000);
    action->lineEdit()->setText(QStringLiteral("issueActivationCode"));
    QTRY_COMPARE_WITH_TIMEOUT(audit->query().queryItemValue(QStringLiteral("action")),
                              QStringLiteral("issueActivationCode"), 5000);
    action->lineEdit()->clear();
    QTRY_VERIFY_WITH_TIMEOUT(!audit->query().hasQueryItem(QStringLiteral("action")), 5000);

    // An empty time window is refused here, with the reason, and the
    // table keeps what it showed.
    auto *since = page->findChild<QDateTimeEdit *>(QStringLiteral("auditSince"));
    auto *until = page->findChild<QDateTimeEdit *>(QStringLiteral("auditUntil"));
    QVERIFY(since && until);
    QCheckBox *sinceOn = nullptr;
    QCheckBox *untilOn = nullptr;
    for (QCheckBox *box : page->findChildren<QCheckBox *>())
        (box->text().contains(QStringLiteral("Si")) ? sinceOn : untilOn) = box;
    QVERIFY(sinceOn && untilOn);
    sinceOn->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(audit->query().hasQueryItem(QStringLiteral("since")), 5000);
    const QString before = audit->query().toString();
    until->setDateTime(since->dateTime().addDays(-1));
    untilOn->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(w->banner()->text().contains(QStringLiteral("Until")), 5000);
    QCOMPARE(audit->query().toString(), before);
}

void TestCrmAppWidgets::twinEditIsGuardedByEtag()
{
    QVERIFY(!enrollAndRegister(QStringLiteral("SN-TWIN-1")).isEmpty());
    auto api = connect(m_f.operatorToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    w->showDevice(QStringLiteral("SN-TWIN-1"));
    DeviceDetail *detail = w->deviceDetail();
    auto *desired = detail->findChild<JsonObjectEdit *>(QStringLiteral("twinDesired"));
    auto *save = detail->findChild<QPushButton *>(QStringLiteral("twinSave"));
    QTRY_COMPARE_WITH_TIMEOUT(desired->object().value(QStringLiteral("intervalMs")).toInt(), 5000, 15000);
    QVERIFY(!save->isEnabled()); // nothing edited yet

    desired->editor()->selectAll();
    QTest::keyClicks(desired->editor(), QStringLiteral("{\"intervalMs\": 9000, \"led\": \"on\"}"));
    QVERIFY(save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_admin->get(QStringLiteral("/api/v1/devices/sn-twin-1/twin"))
                                  .json()
                                  .value(QStringLiteral("properties"))
                                  .toObject()
                                  .value(QStringLiteral("desired"))
                                  .toObject()
                                  .value(QStringLiteral("intervalMs"))
                                  .toInt(),
                              9000, 15000);

    // Someone else changes the twin; the next save from the stale view is refused.
    QTRY_VERIFY(!save->isEnabled()); // saved: nothing pending
    const auto other = m_admin->patch(QStringLiteral("/api/v1/devices/sn-twin-1/twin"),
                                      {{QStringLiteral("desired"), QJsonObject{{QStringLiteral("intervalMs"), 1000}}}});
    QCOMPARE(other.status, 200);
    desired->editor()->selectAll();
    QTest::keyClicks(desired->editor(), QStringLiteral("{\"intervalMs\": 7000, \"led\": \"on\"}"));
    QTest::mouseClick(save, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w->banner()->isVisible() && w->banner()->kind() == MessageBanner::Kind::Error, 15000);
    QVERIFY2(w->banner()->text().contains(QStringLiteral("changed meanwhile")), qPrintable(w->banner()->text()));
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/devices/sn-twin-1/twin"))
                 .json()
                 .value(QStringLiteral("properties"))
                 .toObject()
                 .value(QStringLiteral("desired"))
                 .toObject()
                 .value(QStringLiteral("intervalMs"))
                 .toInt(),
             1000);
}

void TestCrmAppWidgets::deleteEnrollmentAsksFirst()
{
    QCOMPARE(m_admin->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("SN-DEL-1")}})
                 .status,
             201);
    QCOMPARE(m_admin
                 ->put(QStringLiteral("/api/v1/enrollments/sn-del-1"),
                       {{QStringLiteral("serial"), QStringLiteral("SN-DEL-1")},
                        {QStringLiteral("attestation"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}})
                 .status,
             201);
    auto api = connect(m_f.operatorToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    QAbstractItemModelTester tester(w->enrollmentsModel());
    w->showPage(MainWindow::EnrollmentsView);
    QTRY_VERIFY_WITH_TIMEOUT(w->enrollmentsModel()->rowOf(QStringLiteral("sn-del-1")) >= 0, 15000);
    QVERIFY(w->enrollmentsPage()->selectKey(QStringLiteral("sn-del-1")));
    auto *del = w->findChild<QAction *>(QStringLiteral("actionDeleteEnrollment"));
    QTRY_VERIFY(del->isEnabled());

    for (const bool confirm : {false, true}) {
        QTest::mouseClick(w->enrollmentsPage()->toolBar()->widgetForAction(del), Qt::LeftButton);
        auto *box = waitForChild<QMessageBox>(w.get(), QStringLiteral("confirmDeleteEnrollments"));
        QVERIFY(box);
        QVERIFY(box->text().contains(QStringLiteral("sn-del-1")));
        // One enrollment, in the singular: no "enrollment(s)".
        QVERIFY2(box->text().contains(QStringLiteral("the device stays in the inventory")), qPrintable(box->text()));
        QVERIFY(!box->text().contains(QStringLiteral("(s)")));
        QAbstractButton *button = nullptr;
        for (QAbstractButton *b : box->buttons()) {
            if ((box->buttonRole(b) == QMessageBox::DestructiveRole) == confirm)
                button = b;
        }
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
        if (!confirm) {
            QTest::qWait(200);
            QCOMPARE(m_admin->get(QStringLiteral("/api/v1/enrollments/sn-del-1")).status, 200);
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_admin->get(QStringLiteral("/api/v1/enrollments/sn-del-1")).status, 404, 15000);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/devices/SN-DEL-1")).status, 200);
}

void TestCrmAppWidgets::batchReportsEachFailure()
{
    QCOMPARE(m_admin->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("SN-BAT-1")}})
                 .status,
             201);
    const QString customer =
        m_admin->post(QStringLiteral("/api/v1/customers"), {{QStringLiteral("name"), QStringLiteral("Batch Co")}})
            .json()
            .value(QStringLiteral("id"))
            .toString();
    QVERIFY(!customer.isEmpty());
    auto api = connect(m_f.operatorToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    BatchOperation *op = w->controller()->sellDevices({QStringLiteral("SN-BAT-1"), QStringLiteral("SN-NOPE")}, customer,
                                                      QStringLiteral("Batch Co"));
    QSignalSpy progress(op, &BatchOperation::progressChanged);
    QSignalSpy finished(op, &BatchOperation::finished);
    QVERIFY(finished.wait(15000));
    QVERIFY(progress.count() >= 2);
    QTRY_VERIFY(w->banner()->isVisible());
    QCOMPARE(w->banner()->kind(), MessageBanner::Kind::Error);
    QVERIFY2(w->banner()->text().contains(QStringLiteral("Sold 1 of 2")), qPrintable(w->banner()->text()));
    QVERIFY(w->banner()->text().contains(QStringLiteral("SN-NOPE")));
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/devices/SN-BAT-1")).json().value(QStringLiteral("status")).toString(),
             QStringLiteral("sold"));
}

void TestCrmAppWidgets::connectionDialogTrustsOnFirstUse()
{
    ApiClient api;
    ConnectionStore store;
    store.setKeychainEnabled(false); // no keychain service in a test: the owner-only file
    ConnectionDialog dialog(&api, &store);
    QSignalSpy connected(&dialog, &ConnectionDialog::connected);
    dialog.show();
    auto *url = dialog.findChild<QLineEdit *>(QStringLiteral("connectionUrl"));
    auto *name = dialog.findChild<QLineEdit *>(QStringLiteral("connectionName"));
    auto *token = dialog.findChild<QLineEdit *>(QStringLiteral("connectionToken"));
    auto *fingerprint = dialog.findChild<QLabel *>(QStringLiteral("connectionFingerprint"));
    auto *trust = dialog.findChild<QCheckBox *>(QStringLiteral("connectionTrust"));
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("connectionStatus"));
    auto *connectButton = dialog.findChild<QPushButton *>(QStringLiteral("connectionConnect"));
    QVERIFY(url && name && token && fingerprint && trust && status && connectButton);
    QTest::keyClicks(name, QStringLiteral("test"));
    QTest::keyClicks(url, m_f.mw->baseUrl());
    QTest::keyClicks(token, m_f.operatorToken);

    // Without a trusted CA nothing is sent.
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QVERIFY(status->text().contains(QStringLiteral("Trust")));
    QCOMPARE(connected.count(), 0);

    // The fingerprint shown is the middleware's own CA's.
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("connectionFetch")), Qt::LeftButton);
    const auto ca = CertificateTrust::loadCaFile(m_f.mw->caCertificatePath());
    QVERIFY(ca.ok());
    const QString expected = CertificateTrust::fingerprint(ca->constFirst());
    QTRY_VERIFY_WITH_TIMEOUT(fingerprint->text().contains(expected), 15000);
    QVERIFY(trust->isEnabled() && !trust->isChecked());
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QCOMPARE(connected.count(), 0); // still not trusted

    // A wrong token is refused and nothing is saved.
    trust->setChecked(true);
    token->clear();
    QTest::keyClicks(token, QStringLiteral("pvs_wrong"));
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("not accepted")), 15000);
    QVERIFY(!store.contains(QStringLiteral("test")));

    token->clear();
    QTest::keyClicks(token, m_f.operatorToken);
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QVERIFY(connected.wait(15000) || connected.count() == 1);
    QCOMPARE(connected.first().at(1).toString(), QStringLiteral("operator"));
    QCOMPARE(api.role(), QStringLiteral("operator"));
    QTRY_VERIFY(store.contains(QStringLiteral("test")));
    QCOMPARE(store.profile(QStringLiteral("test")).caFingerprintSha256, expected);
    QSignalSpy loaded(&store, &ConnectionStore::tokenLoaded);
    store.loadToken(QStringLiteral("test"));
    QTRY_COMPARE(loaded.count(), 1);
    QCOMPARE(loaded.first().at(1).toByteArray(), m_f.operatorToken.toUtf8());
    store.remove(QStringLiteral("test"));
}

void TestCrmAppWidgets::deviceDetailFollowsTheDeviceLive()
{
    // Enrolled, not yet registered.
    QCOMPARE(m_admin->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("SN-LIVE-1")}})
                 .status,
             201);
    const auto e = m_admin->put(
        QStringLiteral("/api/v1/enrollments/sn-live-1"),
        {{QStringLiteral("serial"), QStringLiteral("SN-LIVE-1")},
         {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
    QCOMPARE(e.status, 201);
    const QString key = e.json()
                            .value(QStringLiteral("attestation"))
                            .toObject()
                            .value(QStringLiteral("symmetricKey"))
                            .toObject()
                            .value(QStringLiteral("primaryKey"))
                            .toString();
    auto api = connect(m_f.operatorToken);
    QVERIFY(api);
    EventFeed feed(api.get());
    auto w = window(api.get(), &feed);
    QTRY_VERIFY_WITH_TIMEOUT(feed.isConnected(), 20000);
    w->showDevice(QStringLiteral("SN-LIVE-1"));
    DeviceDetail *detail = w->deviceDetail();
    auto *registration = detail->findChild<QLabel *>(QStringLiteral("deviceRegistration"));
    auto *invoke = detail->findChild<QPushButton *>(QStringLiteral("methodInvoke"));
    QTRY_VERIFY_WITH_TIMEOUT(registration->text().contains(QStringLiteral("Not registered")), 15000);
    QVERIFY(!invoke->isEnabled()); // nothing to call yet

    // The device registers; the open detail follows without a reload.
    QCOMPARE(registerOverDps(*m_f.mw, QStringLiteral("sn-live-1"), key).value(QStringLiteral("status")).toString(),
             QStringLiteral("assigned"));
    QTRY_VERIFY_WITH_TIMEOUT(registration->text().contains(QStringLiteral("assigned")), 15000);
    QVERIFY(registration->text().contains(QStringLiteral("hub1")));

    // No broker runs for hub1, so a method call gets a clear, non-modal error.
    QTRY_VERIFY(invoke->isEnabled());
    QTest::mouseClick(invoke, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w->banner()->isVisible() && w->banner()->kind() == MessageBanner::Kind::Error, 20000);
    QVERIFY2(w->banner()->text().startsWith(QStringLiteral("ping")), qPrintable(w->banner()->text()));

    // A cloud-to-device message waits in the middleware for the hub, and the
    // detail lists it with its state.
    auto *send = detail->findChild<QPushButton *>(QStringLiteral("c2dSend"));
    auto *messages = detail->findChild<QTableWidget *>(QStringLiteral("c2dMessages"));
    QVERIFY(send && messages);
    QTRY_VERIFY(send->isEnabled());
    QTest::mouseClick(send, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), 1, 15000);
    QCOMPARE(messages->item(0, 1)->text(), QStringLiteral("waiting"));
    QCOMPARE(int(m_admin->get(QStringLiteral("/api/v1/devices/sn-live-1/messages"))
                     .json()
                     .value(QStringLiteral("items"))
                     .toArray()
                     .size()),
             1);

    // Disable asks first, then the enrollment is disabled.
    auto *disable = detail->findChild<QPushButton *>(QStringLiteral("deviceDisable"));
    QVERIFY(disable->isEnabled());
    QTest::mouseClick(disable, Qt::LeftButton);
    auto *box = waitForChild<QMessageBox>(w.get(), QStringLiteral("confirmDeviceDisable"));
    QVERIFY(box);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/enrollments/sn-live-1"))
                 .json()
                 .value(QStringLiteral("provisioningStatus"))
                 .toString(),
             QStringLiteral("enabled"));
    for (QAbstractButton *b : box->buttons()) {
        if (box->buttonRole(b) == QMessageBox::AcceptRole)
            QTest::mouseClick(b, Qt::LeftButton);
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_admin->get(QStringLiteral("/api/v1/enrollments/sn-live-1"))
                                  .json()
                                  .value(QStringLiteral("provisioningStatus"))
                                  .toString(),
                              QStringLiteral("disabled"), 15000);
    QTRY_VERIFY(detail->findChild<QPushButton *>(QStringLiteral("deviceEnable"))->isEnabled());
}

void TestCrmAppWidgets::deviceDetailShowsActivationFailuresAndUnlocks()
{
    QCOMPARE(m_admin->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("SN-ACT-1")}})
                 .status,
             201);
    QCOMPARE(m_admin
                 ->put(QStringLiteral("/api/v1/enrollments/sn-act-1"),
                       {{QStringLiteral("serial"), QStringLiteral("SN-ACT-1")},
                        {QStringLiteral("attestation"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}})
                 .status,
             201);
    // Three wrong, well-formed codes from a stranger.
    auto stranger = m_f.client(QString());
    for (int i = 0; i < 3; ++i)
        QCOMPARE(stranger
                     ->post(QStringLiteral("/api/v1/activation"),
                            {{QStringLiteral("serial"), QStringLiteral("SN-ACT-1")},
                             {QStringLiteral("code"), ActivationCode::format(ActivationCode::generate())}})
                     .status,
                 401);

    // A viewer sees them but is offered no unlock.
    {
        auto api = connect(m_f.viewerToken);
        QVERIFY(api);
        auto w = window(api.get(), nullptr);
        w->showDevice(QStringLiteral("SN-ACT-1"));
        auto *table = w->deviceDetail()->findChild<QTableWidget *>(QStringLiteral("activationFailures"));
        QVERIFY(table);
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 3, 15000);
        QCOMPARE(table->item(0, 2)->text(), QStringLiteral("unknown code"));
        QVERIFY(w->deviceDetail()->findChild<QPushButton *>(QStringLiteral("activationUnlock"))->isHidden());
    }

    auto api = connect(m_f.operatorToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    w->showDevice(QStringLiteral("SN-ACT-1"));
    DeviceDetail *detail = w->deviceDetail();
    auto *summary = detail->findChild<QLabel *>(QStringLiteral("activationSummary"));
    auto *unlock = detail->findChild<QPushButton *>(QStringLiteral("activationUnlock"));
    QTRY_VERIFY_WITH_TIMEOUT(unlock->isEnabled(), 15000);
    QVERIFY2(summary->text().startsWith(QStringLiteral("3 ")), qPrintable(summary->text()));
    QTest::mouseClick(unlock, Qt::LeftButton);
    auto *box = waitForChild<QMessageBox>(w.get(), QStringLiteral("confirmActivationUnlock"));
    QVERIFY(box);
    for (QAbstractButton *b : box->buttons()) {
        if (box->buttonRole(b) == QMessageBox::AcceptRole)
            QTest::mouseClick(b, Qt::LeftButton);
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_admin->get(QStringLiteral("/api/v1/devices/SN-ACT-1/activation-failures"))
                                  .json()
                                  .value(QStringLiteral("counting"))
                                  .toInt(),
                              0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!unlock->isEnabled(), 15000);
    QCOMPARE(detail->findChild<QTableWidget *>(QStringLiteral("activationFailures"))->rowCount(), 3); // kept, cleared
}

void TestCrmAppWidgets::savedViewsKeepFilters()
{
    auto api = connect(m_f.viewerToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    InventoryPage *page = w->inventoryPage();
    auto *search = page->findChild<QLineEdit *>(QStringLiteral("inventorySearch"));
    QTest::keyClicks(search, QStringLiteral("SN-DET"));
    // Typing waits for a pause, then filters on the server.
    QTRY_COMPARE_WITH_TIMEOUT(w->inventoryModel()->filter().q, QStringLiteral("SN-DET"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(w->inventoryModel()->rowCount(), 1, 15000);
    page->saveView(QStringLiteral("details"));
    QVERIFY(page->savedViewNames().contains(QStringLiteral("details")));
    search->clear();
    QTRY_VERIFY_WITH_TIMEOUT(w->inventoryModel()->filter().q.isEmpty(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(w->inventoryModel()->rowCount() > 1, 15000);
    QVERIFY(page->applyView(QStringLiteral("details")));
    QCOMPARE(search->text(), QStringLiteral("SN-DET"));
    QTRY_COMPARE_WITH_TIMEOUT(w->inventoryModel()->rowCount(), 1, 15000);
    page->removeView(QStringLiteral("details"));
    QVERIFY(!page->applyView(QStringLiteral("details")));
}

void TestCrmAppWidgets::inventorySortsOnTheServer()
{
    auto api = connect(m_f.viewerToken);
    QVERIFY(api);
    auto w = window(api.get(), nullptr);
    InventoryPage *page = w->inventoryPage();
    InventoryModel *inventory = w->inventoryModel();
    auto *table = page->findChild<QTableView *>(QStringLiteral("inventoryTable"));
    QHeaderView *header = table->horizontalHeader();
    page->setSort(InventoryModel::SerialColumn, Qt::AscendingOrder);
    QTRY_VERIFY_WITH_TIMEOUT(!inventory->isLoading() && inventory->rowCount() > 1, 15000);
    QVERIFY(header->isSortIndicatorShown());
    QVERIFY(header->sectionsClickable());
    QCOMPARE(header->sortIndicatorSection(), int(InventoryModel::SerialColumn));
    const auto clickHeader = [header](int column) {
        const QPoint at(header->sectionViewportPosition(column) + header->sectionSize(column) / 2,
                        header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
    };
    // The view shows the server's order as it came: no local re-sort.
    const auto viewFollowsModel = [&] {
        for (int row = 0; row < qMin(inventory->rowCount(), 100); ++row) {
            if (table->model()->index(row, InventoryModel::SerialColumn).data() !=
                inventory->index(row, InventoryModel::SerialColumn).data())
                return false;
        }
        return true;
    };

    clickHeader(InventoryModel::ModelColumn);
    QCOMPARE(inventory->sortColumn(), int(InventoryModel::ModelColumn));
    QCOMPARE(header->sortIndicatorSection(), int(InventoryModel::ModelColumn));
    QCOMPARE(inventory->query().queryItemValue(QStringLiteral("sort")), QStringLiteral("model"));
    QTRY_VERIFY_WITH_TIMEOUT(!inventory->isLoading() && inventory->rowCount() > 1, 15000);
    QVERIFY(viewFollowsModel());
    const Qt::SortOrder first = inventory->sortOrder();
    clickHeader(InventoryModel::ModelColumn); // again: the other way round
    QCOMPARE(inventory->sortOrder(), first == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder);
    QCOMPARE(header->sortIndicatorOrder(), inventory->sortOrder());
    QTRY_VERIFY_WITH_TIMEOUT(!inventory->isLoading() && inventory->rowCount() > 1, 15000);
    QVERIFY(viewFollowsModel());

    // Hub cannot be sorted by the server: the click changes nothing.
    QSignalSpy resets(inventory, &QAbstractItemModel::modelReset);
    const Qt::SortOrder modelOrder = inventory->sortOrder();
    clickHeader(InventoryModel::HubColumn);
    QCOMPARE(header->sortIndicatorSection(), int(InventoryModel::ModelColumn));
    QCOMPARE(header->sortIndicatorOrder(), modelOrder);
    QCOMPARE(inventory->sortColumn(), int(InventoryModel::ModelColumn));
    QCOMPARE(resets.count(), 0);
    QVERIFY(viewFollowsModel());

    // The same from the keyboard: Views › Sort by.
    auto *views = page->findChild<QToolButton *>(QStringLiteral("inventorySavedViews"));
    QVERIFY(views && views->menu());
    Q_EMIT views->menu()->aboutToShow();
    auto *sortMenu = views->menu()->findChild<QMenu *>(QStringLiteral("inventorySortMenu"));
    QVERIFY(sortMenu);
    QStringList entries;
    QAction *batch = nullptr;
    for (QAction *a : sortMenu->actions()) {
        entries << a->text();
        if (a->text() == QLatin1String("Batch"))
            batch = a;
    }
    QCOMPARE(entries, (QStringList{QStringLiteral("Serial"), QStringLiteral("Model"), QStringLiteral("Manufacturer"),
                                   QStringLiteral("Batch"), QStringLiteral("Delivered"), QStringLiteral("Customer"),
                                   QString(), QStringLiteral("Ascending"), QStringLiteral("Descending")}));
    QVERIFY(batch);
    batch->trigger();
    QCOMPARE(inventory->sortColumn(), int(InventoryModel::BatchColumn));
    QCOMPARE(header->sortIndicatorSection(), int(InventoryModel::BatchColumn));
    clickHeader(InventoryModel::ModelColumn);
    if (inventory->sortOrder() != modelOrder)
        clickHeader(InventoryModel::ModelColumn);
    QCOMPARE(inventory->sortOrder(), modelOrder);

    // A saved view and the page's saved state keep the sort.
    page->saveView(QStringLiteral("by model"));
    page->setSort(InventoryModel::DeliveryDateColumn, Qt::DescendingOrder);
    QCOMPARE(header->sortIndicatorSection(), int(InventoryModel::DeliveryDateColumn));
    QVERIFY(page->applyView(QStringLiteral("by model")));
    QCOMPARE(inventory->sortColumn(), int(InventoryModel::ModelColumn));
    QCOMPARE(inventory->sortOrder(), modelOrder);
    QCOMPARE(header->sortIndicatorSection(), int(InventoryModel::ModelColumn));
    page->removeView(QStringLiteral("by model"));

    QSettings settings;
    page->setSort(InventoryModel::CustomerColumn, Qt::DescendingOrder);
    page->saveState(settings);
    page->setSort(InventoryModel::SerialColumn, Qt::AscendingOrder);
    page->restoreState(settings);
    QCOMPARE(inventory->sortColumn(), int(InventoryModel::CustomerColumn));
    QCOMPARE(inventory->sortOrder(), Qt::DescendingOrder);
    QCOMPARE(header->sortIndicatorSection(), int(InventoryModel::CustomerColumn));
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QCOMPARE(inventory->query().queryItemValue(QStringLiteral("sort")), QStringLiteral("customerId"));
    page->setSort(InventoryModel::SerialColumn, Qt::AscendingOrder);
    page->saveState(settings);
}

PROVISIO_TEST_MAIN(TestCrmAppWidgets)
#include "tst_crm_app_widgets.moc"
