// SPDX-License-Identifier: Apache-2.0
// The administrator's day in provisio-crm, by clicks and typing on the real
// widgets (found by objectName), against a real middleware over HTTPS:
// create a customer, sell a device to it, enroll the device, and watch its
// registration arrive in the inventory table live, without a refresh.

#include "apiclient.h"
#include "childprocesswatch.h"
#include "crmtestutil.h"
#include "customerdialog.h"
#include "customersmodel.h"
#include "customerspage.h"
#include "devicedetail.h"
#include "enrollmentdialog.h"
#include "eventfeed.h"
#include "inventorymodel.h"
#include "inventorypage.h"
#include "jsonobjectedit.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "selldialog.h"

#include "cardsdialog.h"
#include "importwizard.h"

#include "crypto/keys.h"
#include "crypto/sastoken.h"
#include "widgettestutil.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

using namespace Provisio;
using namespace Provisio::Crm;
using namespace Provisio::Test;

class TestCrmAppFlow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void createCustomerByTyping();
    void sellDeviceByClicking();
    void createEnrollmentByTyping();
    void registrationArrivesLive();
    void cardsAndImportOpenFromTheToolBar();
    void activationCardsAreEmailedFromTheToolBar();

private:
    void clickAction(RecordListPage *page, const QString &actionName);
    bool selectSerial(const QString &serial);
    template<typename T>
    T *waitForDialog();

    CrmFixture m_f;
    std::unique_ptr<HttpsClient> m_admin;
    std::unique_ptr<ApiClient> m_api;
    std::unique_ptr<EventFeed> m_feed;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_inventoryTester;
    std::unique_ptr<QAbstractItemModelTester> m_customersTester;
    QString m_customerId;
};

void TestCrmAppFlow::initTestCase()
{
    useCleanSettings(QStringLiteral("tst_crm_app_flow"));
    QVERIFY(m_f.start());
    m_admin = m_f.client(m_f.adminToken);
    for (const QString &serial : {QStringLiteral("SN-APP-1"), QStringLiteral("SN-APP-2"), QStringLiteral("SN-APP-3")}) {
        const auto r = m_admin->post(QStringLiteral("/api/v1/devices"),
                                     {{QStringLiteral("serial"), serial},
                                      {QStringLiteral("model"), QStringLiteral("Sensor 2")},
                                      {QStringLiteral("manufacturer"), QStringLiteral("Acme")},
                                      {QStringLiteral("batch"), QStringLiteral("B7")},
                                      {QStringLiteral("deliveryDate"), QStringLiteral("2026-11-20")}});
        QCOMPARE(r.status, 201);
    }

    // The window gets an operator's connection, as most CRM users have.
    QFile caFile(m_f.mw->caCertificatePath());
    QVERIFY(caFile.open(QIODevice::ReadOnly));
    m_api = std::make_unique<ApiClient>();
    m_api->setConnection(QUrl(m_f.mw->baseUrl()), m_f.operatorToken.toUtf8(),
                         QSslCertificate::fromData(caFile.readAll(), QSsl::Pem));
    QSignalSpy probed(m_api.get(), &ApiClient::probed);
    m_api->probe();
    QVERIFY(probed.wait(20000));
    QCOMPARE(m_api->role(), QStringLiteral("operator"));

    m_feed = std::make_unique<EventFeed>(m_api.get());
    m_window = std::make_unique<MainWindow>(m_api.get(), m_feed.get());
    m_inventoryTester = std::make_unique<QAbstractItemModelTester>(m_window->inventoryModel());
    m_customersTester = std::make_unique<QAbstractItemModelTester>(m_window->customersModel());
    m_window->applyRole(m_api->role());
    m_window->start();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY_WITH_TIMEOUT(m_feed->isConnected(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->inventoryModel()->rowOf(QStringLiteral("SN-APP-3")) >= 0, 20000);

    // An operator manages inventory but not hubs: the role shapes the UI.
    QVERIFY(m_window->findChild<QAction *>(QStringLiteral("actionNewCustomer"))->isVisible());
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("actionAddHub"))->isVisible());
}

void TestCrmAppFlow::cleanupTestCase()
{
    m_inventoryTester.reset();
    m_customersTester.reset();
    m_window.reset();
    m_feed.reset();
    m_api.reset();
}

void TestCrmAppFlow::clickAction(RecordListPage *page, const QString &actionName)
{
    auto *action = m_window->findChild<QAction *>(actionName);
    QVERIFY2(action, qPrintable(actionName));
    QTRY_VERIFY2(action->isEnabled(), qPrintable(actionName + QStringLiteral(" stays disabled")));
    QWidget *button = page->toolBar()->widgetForAction(action);
    QVERIFY2(button, qPrintable(actionName + QStringLiteral(" has no tool button")));
    QTest::mouseClick(button, Qt::LeftButton);
}

bool TestCrmAppFlow::selectSerial(const QString &serial)
{
    InventoryPage *page = m_window->inventoryPage();
    QTableView *table = page->findChild<QTableView *>(QStringLiteral("inventoryTable"));
    const int sourceRow = m_window->inventoryModel()->rowOf(serial);
    if (!table || sourceRow < 0)
        return false;
    // Find the row as the table shows it (through the sort proxy) and click it.
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        const QModelIndex index = table->model()->index(row, InventoryModel::SerialColumn);
        if (index.data().toString() != serial)
            continue;
        table->scrollTo(index);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
        return page->selectedSerials() == QStringList{serial};
    }
    return false;
}

template<typename T>
T *TestCrmAppFlow::waitForDialog()
{
    T *dialog = nullptr;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        dialog = m_window->findChild<T *>();
        if (dialog && dialog->isVisible())
            return dialog;
        QTest::qWait(20);
    }
    return nullptr;
}

void TestCrmAppFlow::createCustomerByTyping()
{
    m_window->showPage(MainWindow::CustomersView);
    clickAction(m_window->customersPage(), QStringLiteral("actionNewCustomer"));
    auto *dialog = waitForDialog<CustomerDialog>();
    QVERIFY(dialog);
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("customerName"));
    auto *email = dialog->findChild<QLineEdit *>(QStringLiteral("customerEmail"));
    auto *phone = dialog->findChild<QLineEdit *>(QStringLiteral("customerPhone"));
    QPushButton *ok =
        dialog->findChild<QDialogButtonBox *>(QStringLiteral("customerButtons"))->button(QDialogButtonBox::Ok);
    QVERIFY(name && email && phone && ok);
    QVERIFY(!ok->isEnabled()); // no name yet
    QTest::keyClicks(name, QStringLiteral("Contoso Ltd"));
    QTest::keyClicks(email, QStringLiteral("ops at contoso"));
    QVERIFY(!ok->isEnabled()); // an address the middleware would refuse
    email->clear();
    QTest::keyClicks(email, QStringLiteral("ops@contoso.example"));
    QTest::keyClicks(phone, QStringLiteral("+49 30 1234"));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);

    // It arrives in the customers table and in the middleware.
    CustomersModel *customers = m_window->customersModel();
    QTRY_VERIFY_WITH_TIMEOUT(customers->rowCount() == 1, 15000);
    QCOMPARE(customers->index(0, CustomersModel::NameColumn).data().toString(), QStringLiteral("Contoso Ltd"));
    const auto r = m_admin->get(QStringLiteral("/api/v1/customers?q=Contoso"));
    QCOMPARE(r.status, 200);
    const QJsonArray items = r.json().value(QStringLiteral("items")).toArray();
    QCOMPARE(items.size(), 1);
    const QJsonObject customer = items.first().toObject();
    QCOMPARE(customer.value(QStringLiteral("email")).toString(), QStringLiteral("ops@contoso.example"));
    QCOMPARE(customer.value(QStringLiteral("phone")).toString(), QStringLiteral("+49 30 1234"));
    m_customerId = customer.value(QStringLiteral("id")).toString();
    QVERIFY(!m_customerId.isEmpty());
    QTRY_VERIFY(m_window->banner()->isVisible());
    QCOMPARE(m_window->banner()->kind(), MessageBanner::Kind::Positive);
}

void TestCrmAppFlow::sellDeviceByClicking()
{
    QVERIFY(!m_customerId.isEmpty());
    m_window->showPage(MainWindow::InventoryView);
    QVERIFY(selectSerial(QStringLiteral("SN-APP-1")));
    clickAction(m_window->inventoryPage(), QStringLiteral("actionSell"));
    auto *dialog = waitForDialog<SellDialog>();
    QVERIFY(dialog);
    auto *list = dialog->findChild<QListView *>(QStringLiteral("sellCustomers"));
    QPushButton *sell =
        dialog->findChild<QDialogButtonBox *>(QStringLiteral("sellButtons"))->button(QDialogButtonBox::Ok);
    QVERIFY(list && sell);
    QVERIFY(!sell->isEnabled()); // no customer picked yet
    QTRY_VERIFY(list->model()->rowCount() == 1);
    const QModelIndex first = list->model()->index(0, list->modelColumn());
    QCOMPARE(first.data().toString(), QStringLiteral("Contoso Ltd"));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(first).center());
    QVERIFY(sell->isEnabled());
    QTest::mouseClick(sell, Qt::LeftButton);

    QTRY_COMPARE_WITH_TIMEOUT(
        m_admin->get(QStringLiteral("/api/v1/devices/SN-APP-1")).json().value(QStringLiteral("status")).toString(),
        QStringLiteral("sold"), 15000);
    QCOMPARE(
        m_admin->get(QStringLiteral("/api/v1/devices/SN-APP-1")).json().value(QStringLiteral("customerId")).toString(),
        m_customerId);
    // The table names the customer.
    InventoryModel *inventory = m_window->inventoryModel();
    QTRY_COMPARE_WITH_TIMEOUT(
        inventory->index(qMax(0, inventory->rowOf(QStringLiteral("SN-APP-1"))), InventoryModel::CustomerColumn)
            .data()
            .toString(),
        QStringLiteral("Contoso Ltd"), 15000);
    // The other devices were not touched.
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/devices/SN-APP-2")).json().value(QStringLiteral("status")).toString(),
             QStringLiteral("inStock"));
}

void TestCrmAppFlow::createEnrollmentByTyping()
{
    m_window->showPage(MainWindow::InventoryView);
    QTRY_VERIFY(m_window->inventoryModel()->rowOf(QStringLiteral("SN-APP-1")) >= 0);
    QVERIFY(selectSerial(QStringLiteral("SN-APP-1")));
    clickAction(m_window->inventoryPage(), QStringLiteral("actionEnroll"));
    auto *dialog = waitForDialog<EnrollmentDialog>();
    QVERIFY(dialog);
    auto *tags = dialog->findChild<JsonObjectEdit *>(QStringLiteral("enrollmentTags"));
    auto *tagsText = dialog->findChild<QPlainTextEdit *>(QStringLiteral("enrollmentTagsText"));
    auto *desiredText = dialog->findChild<QPlainTextEdit *>(QStringLiteral("enrollmentDesiredText"));
    QPushButton *ok =
        dialog->findChild<QDialogButtonBox *>(QStringLiteral("enrollmentButtons"))->button(QDialogButtonBox::Ok);
    QVERIFY(tags && tagsText && desiredText && ok);
    QVERIFY(ok->isEnabled()); // no twin is fine

    // Half-typed JSON: red border, a message, no OK.
    QTest::keyClicks(tagsText, QStringLiteral("{\"site\": \"lab\""));
    QVERIFY(!tags->isValid());
    QVERIFY(!tags->errorText().isEmpty());
    QVERIFY(tagsText->property("invalid").toBool());
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(tagsText, QStringLiteral("}"));
    QVERIFY(tags->isValid());
    QVERIFY(!tagsText->property("invalid").toBool());
    QTest::keyClicks(desiredText, QStringLiteral("[1, 2]")); // not an object
    QVERIFY(!ok->isEnabled());
    desiredText->clear();
    QTest::keyClicks(desiredText, QStringLiteral("{\"intervalMs\": 5000}"));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);

    HttpsClient::Reply r;
    QTRY_VERIFY_WITH_TIMEOUT((r = m_admin->get(QStringLiteral("/api/v1/enrollments/sn-app-1"))).status == 200, 15000);
    const QJsonObject enrollment = r.json();
    QCOMPARE(enrollment.value(QStringLiteral("serial")).toString(), QStringLiteral("SN-APP-1"));
    QCOMPARE(enrollment.value(QStringLiteral("provisioningStatus")).toString(), QStringLiteral("enabled"));
    const QJsonObject twin = enrollment.value(QStringLiteral("initialTwin")).toObject();
    QCOMPARE(twin.value(QStringLiteral("tags")).toObject().value(QStringLiteral("site")).toString(),
             QStringLiteral("lab"));
    QCOMPARE(twin.value(QStringLiteral("properties"))
                 .toObject()
                 .value(QStringLiteral("desired"))
                 .toObject()
                 .value(QStringLiteral("intervalMs"))
                 .toInt(),
             5000);
    // Only the selected device was enrolled.
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/enrollments/sn-app-2")).status, 404);
    InventoryModel *inventory = m_window->inventoryModel();
    QTRY_VERIFY_WITH_TIMEOUT(
        !inventory->index(qMax(0, inventory->rowOf(QStringLiteral("SN-APP-1"))), InventoryModel::EnrollmentColumn)
             .data()
             .toString()
             .isEmpty(),
        15000);
}

void TestCrmAppFlow::registrationArrivesLive()
{
    // A hub to be assigned to (no broker needed for the assignment itself).
    const auto hub = m_admin->put(QStringLiteral("/api/v1/hubs/hub1"),
                                  {{QStringLiteral("host"), QStringLiteral("hub1.provisio.test")},
                                   {QStringLiteral("port"), 8883},
                                   {QStringLiteral("allocationWeight"), 1}});
    QVERIFY2(hub.status == 201, hub.body.constData());
    const QJsonObject enrollment = m_admin->get(QStringLiteral("/api/v1/enrollments/sn-app-1")).json();
    const QString key = enrollment.value(QStringLiteral("attestation"))
                            .toObject()
                            .value(QStringLiteral("symmetricKey"))
                            .toObject()
                            .value(QStringLiteral("primaryKey"))
                            .toString();
    QVERIFY(!key.isEmpty());

    InventoryModel *inventory = m_window->inventoryModel();
    const int row = inventory->rowOf(QStringLiteral("SN-APP-1"));
    QVERIFY(row >= 0);
    QVERIFY(inventory->index(row, InventoryModel::RegistrationColumn).data().toString().isEmpty());
    // From here on nothing reloads the table: only the event feed can change it.
    QSignalSpy resets(inventory, &QAbstractItemModel::modelReset);

    // The device registers with DPS's own protocol.
    HttpsClient device(m_f.mw->baseUrl(), m_f.mw->caCertificatePath());
    const QString scope = m_f.mw->idScope();
    const QString sas = SasToken::create(scope + QStringLiteral("/registrations/sn-app-1"), key,
                                         QDateTime::currentSecsSinceEpoch() + 3600, QStringLiteral("registration"));
    const auto reg =
        device.put(QLatin1Char('/') + scope + QStringLiteral("/registrations/sn-app-1/register?api-version=2021-06-01"),
                   {{QStringLiteral("registrationId"), QStringLiteral("sn-app-1")}}, {{"Authorization", sas.toUtf8()}});
    QCOMPARE(reg.status, 202);
    QCOMPARE(reg.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));

    QTableView *table = m_window->inventoryPage()->findChild<QTableView *>(QStringLiteral("inventoryTable"));
    auto cellText = [&](int column) {
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            const QModelIndex index = table->model()->index(r, InventoryModel::SerialColumn);
            if (index.data().toString() == QLatin1String("SN-APP-1"))
                return index.siblingAtColumn(column).data().toString();
        }
        return QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(cellText(InventoryModel::RegistrationColumn), QStringLiteral("assigned"), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!cellText(InventoryModel::HubColumn).isEmpty(), 15000);
    QCOMPARE(resets.count(), 0);
}

void TestCrmAppFlow::cardsAndImportOpenFromTheToolBar()
{
    m_window->showPage(MainWindow::InventoryView);
    QTRY_VERIFY(m_window->inventoryModel()->rowOf(QStringLiteral("SN-APP-1")) >= 0);
    QVERIFY(selectSerial(QStringLiteral("SN-APP-1")));
    clickAction(m_window->inventoryPage(), QStringLiteral("actionCards"));
    auto *cards = waitForDialog<ActivationCardsDialog>();
    QVERIFY(cards);
    cards->reject();
    QTRY_VERIFY(!m_window->findChild<ActivationCardsDialog *>());
    clickAction(m_window->inventoryPage(), QStringLiteral("actionImport"));
    auto *wizard = waitForDialog<ImportWizard>();
    QVERIFY(wizard);
    wizard->reject();
    QTRY_VERIFY(!m_window->findChild<ImportWizard *>());
}

// The batch action on the selection: each device's card is mailed (here to
// the middleware's outbox: the fixture has no SMTP server) and the device
// view says where it went.
void TestCrmAppFlow::activationCardsAreEmailedFromTheToolBar()
{
    m_window->showPage(MainWindow::InventoryView);
    QTRY_VERIFY(m_window->inventoryModel()->rowOf(QStringLiteral("SN-APP-1")) >= 0);
    QVERIFY(selectSerial(QStringLiteral("SN-APP-1")));
    auto *progress = m_window->findChild<QWidget *>(QStringLiteral("operationProgress"));
    QVERIFY(progress);
    clickAction(m_window->inventoryPage(), QStringLiteral("actionMailCards"));
    const QDir outbox(m_f.mw->dataDir() + QStringLiteral("/outbox"));
    QTRY_COMPARE_WITH_TIMEOUT(outbox.entryList({QStringLiteral("*.eml")}, QDir::Files).size(), 1, 20000);
    QFile eml(outbox.filePath(outbox.entryList({QStringLiteral("*.eml")}, QDir::Files).constFirst()));
    QVERIFY(eml.open(QIODevice::ReadOnly));
    QVERIFY(eml.readAll().contains("\r\nTo: ops@contoso.example\r\n"));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<MessageBanner *>()->text().contains(QStringLiteral("Queued 1 of 1")),
                             15000);

    const auto state = [this] {
        return m_admin->get(QStringLiteral("/api/v1/mails?registrationId=sn-app-1"))
            .json()
            .value(QStringLiteral("items"))
            .toArray()
            .first()
            .toObject()
            .value(QStringLiteral("state"))
            .toString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("sent"), 15000);
    m_window->showDevice(QStringLiteral("SN-APP-1"));
    auto *label = m_window->deviceDetail()->findChild<QLabel *>(QStringLiteral("deviceActivationMail"));
    QVERIFY(label);
    QTRY_VERIFY_WITH_TIMEOUT(label->text().contains(QStringLiteral("e-mailed to <b>ops@contoso.example</b>")), 15000);
}

PROVISIO_TEST_MAIN(TestCrmAppFlow)
#include "tst_crm_app_flow.moc"
