// SPDX-License-Identifier: Apache-2.0
// The inventory as an operator works it, offscreen against a real
// middleware: a selection that survives batches and leaves with the rows a
// filter hides, totals and "select all N matching", a device's timeline
// with a failed activation and the unlock, and adding, editing and retiring
// one device; exporting the filter's devices to a CSV file page by page.

#include "apiclient.h"
#include "crmtestutil.h"
#include "devicebatchjob.h"
#include "devicedetail.h"
#include "devicedialog.h"
#include "devicetimeline.h"
#include "enrollmentdialog.h"
#include "eventfeed.h"
#include "inventorypage.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "selldialog.h"

#include "crypto/activationcode.h"
#include "widgettestutil.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>

using namespace Provisio;
using namespace Provisio::Crm;
using namespace Provisio::Test;

class TestCrmAppDevices : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void selectionSurvivesBatches();
    void hiddenRowsAreNotActedOn();
    void totalsAndSelectAllMatching();
    void allMatchingRunsOnTheServer();
    void scrollingFetchesAhead();
    void batchJobFollowsTheFeed();
    void addEditRetireDevice();
    void customerSortIsByName();
    void timelineShowsFailedAttemptThenUnlock();
    void exportWritesEveryPage();
    void exportIsOffWhileShowFilters_data();
    void exportIsOffWhileShowFilters();
    void exportCancelOrFailureLeavesNoFile();

private:
    bool createDevice(const QString &serial, const QString &model = QString());
    void clickAction(const QString &actionName);
    bool select(const QStringList &serials);
    void setSearch(const QString &text);
    template<typename T>
    T *waitForDialog(const QString &name = {});
    void confirm(const QString &boxName, QMessageBox::ButtonRole role);

    CrmFixture m_f;
    std::unique_ptr<HttpsClient> m_admin;
    std::unique_ptr<ApiClient> m_api;
    std::unique_ptr<EventFeed> m_feed;
    std::unique_ptr<MainWindow> m_window;
    QString m_customerId;
};

void TestCrmAppDevices::initTestCase()
{
    useCleanSettings(QStringLiteral("tst_crm_app_devices"));
    // Batch jobs of two devices a chunk, so one over 300 devices takes
    // long enough to be cancelled on its way.
    qputenv("PROVISIO_BATCH_JOB_CHUNK", "2");
    QVERIFY(m_f.start());
    m_admin = m_f.client(m_f.adminToken);
    for (const QString &serial : {QStringLiteral("SEL-1"), QStringLiteral("SEL-2"), QStringLiteral("SEL-3")})
        QVERIFY(createDevice(serial, QStringLiteral("Sensor 2")));
    const auto customer =
        m_admin->post(QStringLiteral("/api/v1/customers"), {{QStringLiteral("name"), QStringLiteral("Fabrikam")}});
    QCOMPARE(customer.status, 201);
    m_customerId = customer.json().value(QStringLiteral("id")).toString();

    QFile caFile(m_f.mw->caCertificatePath());
    QVERIFY(caFile.open(QIODevice::ReadOnly));
    m_api = std::make_unique<ApiClient>();
    m_api->setConnection(QUrl(m_f.mw->baseUrl()), m_f.operatorToken.toUtf8(),
                         QSslCertificate::fromData(caFile.readAll(), QSsl::Pem));
    QSignalSpy probed(m_api.get(), &ApiClient::probed);
    m_api->probe();
    QVERIFY(probed.wait(20000));
    m_feed = std::make_unique<EventFeed>(m_api.get());
    m_window = std::make_unique<MainWindow>(m_api.get(), m_feed.get());
    m_window->applyRole(m_api->role());
    m_window->start();
    m_window->resize(1280, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY_WITH_TIMEOUT(m_feed->isConnected(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->inventoryModel()->rowOf(QStringLiteral("SEL-3")) >= 0, 20000);
}

void TestCrmAppDevices::cleanupTestCase()
{
    m_window.reset();
    m_feed.reset();
    m_api.reset();
}

bool TestCrmAppDevices::createDevice(const QString &serial, const QString &model)
{
    QJsonObject d{{QStringLiteral("serial"), serial}, {QStringLiteral("deliveryDate"), QStringLiteral("2026-11-20")}};
    if (!model.isEmpty())
        d.insert(QStringLiteral("model"), model);
    return m_admin->post(QStringLiteral("/api/v1/devices"), d).status == 201;
}

void TestCrmAppDevices::clickAction(const QString &actionName)
{
    auto *action = m_window->findChild<QAction *>(actionName);
    QVERIFY2(action, qPrintable(actionName));
    QTRY_VERIFY2(action->isEnabled(), qPrintable(actionName + QStringLiteral(" stays disabled")));
    QWidget *button = m_window->inventoryPage()->toolBar()->widgetForAction(action);
    QVERIFY2(button, qPrintable(actionName + QStringLiteral(" has no tool button")));
    QTest::mouseClick(button, Qt::LeftButton);
}

bool TestCrmAppDevices::select(const QStringList &serials)
{
    QTableView *table = m_window->inventoryPage()->table();
    table->clearSelection();
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        const QModelIndex index = table->model()->index(row, InventoryModel::SerialColumn);
        if (!serials.contains(index.data().toString()))
            continue;
        table->scrollTo(index);
        // Ctrl+click adds to the selection, as a user picks several rows.
        QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ControlModifier, table->visualRect(index).center());
    }
    QStringList selected = m_window->inventoryPage()->selectedSerials();
    selected.sort();
    QStringList wanted = serials;
    wanted.sort();
    return selected == wanted;
}

void TestCrmAppDevices::setSearch(const QString &text)
{
    auto *search = m_window->inventoryPage()->findChild<QLineEdit *>(QStringLiteral("inventorySearch"));
    search->clear();
    QTest::keyClicks(search, text);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->filter().q, text, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->inventoryModel()->isLoading(), 15000);
}

template<typename T>
T *TestCrmAppDevices::waitForDialog(const QString &name)
{
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        for (T *dialog : m_window->findChildren<T *>(name)) {
            if (dialog->isVisible())
                return dialog;
        }
        QTest::qWait(20);
    }
    return nullptr;
}

void TestCrmAppDevices::confirm(const QString &boxName, QMessageBox::ButtonRole role)
{
    auto *box = waitForDialog<QMessageBox>(boxName);
    QVERIFY2(box, qPrintable(boxName));
    for (QAbstractButton *b : box->buttons()) {
        if (box->buttonRole(b) == role) {
            QTest::mouseClick(b, Qt::LeftButton);
            return;
        }
    }
    QFAIL("no such button");
}

void TestCrmAppDevices::selectionSurvivesBatches()
{
    setSearch(QStringLiteral("SEL-"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->rowCount(), 3, 15000);
    QVERIFY(select({QStringLiteral("SEL-1"), QStringLiteral("SEL-2")}));

    // Sell: pick the customer, OK.
    clickAction(QStringLiteral("actionSell"));
    auto *sell = waitForDialog<SellDialog>();
    QVERIFY(sell);
    auto *list = sell->findChild<QListView *>(QStringLiteral("sellCustomers"));
    QTRY_VERIFY(list->model()->rowCount() >= 1);
    const QModelIndex first = list->model()->index(0, list->modelColumn());
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(first).center());
    QTest::mouseClick(sell->findChild<QDialogButtonBox *>(QStringLiteral("sellButtons"))->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    for (const QString &serial : {QStringLiteral("SEL-1"), QStringLiteral("SEL-2")})
        QTRY_COMPARE_WITH_TIMEOUT(
            m_admin->get(QStringLiteral("/api/v1/devices/") + serial).json().value(QStringLiteral("status")).toString(),
            QStringLiteral("sold"), 15000);
    // The table reloaded after the batch; the same two rows are selected.
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->inventoryModel()->isLoading(), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryPage()->selectedSerials().size(), 2, 15000);
    QStringList selected = m_window->inventoryPage()->selectedSerials();
    selected.sort();
    QCOMPARE(selected, (QStringList{QStringLiteral("SEL-1"), QStringLiteral("SEL-2")}));

    // Enroll the same selection without selecting again.
    clickAction(QStringLiteral("actionEnroll"));
    auto *enroll = waitForDialog<EnrollmentDialog>();
    QVERIFY(enroll);
    QTest::mouseClick(
        enroll->findChild<QDialogButtonBox *>(QStringLiteral("enrollmentButtons"))->button(QDialogButtonBox::Ok),
        Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_admin->get(QStringLiteral("/api/v1/enrollments/sel-2")).status, 200, 15000);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/enrollments/sel-1")).status, 200);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/enrollments/sel-3")).status, 404);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->inventoryModel()->isLoading(), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryPage()->selectedSerials().size(), 2, 15000);
    // Cards are offered for them as they are.
    QTRY_VERIFY(m_window->findChild<QAction *>(QStringLiteral("actionCards"))->isEnabled());
}

void TestCrmAppDevices::hiddenRowsAreNotActedOn()
{
    setSearch(QStringLiteral("SEL-"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->rowCount(), 3, 15000);
    QVERIFY(select({QStringLiteral("SEL-2"), QStringLiteral("SEL-3")}));
    auto *sellAction = m_window->findChild<QAction *>(QStringLiteral("actionSell"));
    QVERIFY(sellAction->isEnabled());

    // A narrower search drops SEL-3 from the view and from the selection.
    setSearch(QStringLiteral("SEL-2"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->rowCount(), 1, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryPage()->selectedSerials(), QStringList{QStringLiteral("SEL-2")},
                              15000);
    // A search that hides every selected row leaves nothing to act on.
    setSearch(QStringLiteral("SEL-1"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->rowCount(), 1, 15000);
    QTRY_VERIFY(m_window->inventoryPage()->selectedSerials().isEmpty());
    QVERIFY(!sellAction->isEnabled());
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("actionReturn"))->isEnabled());
    // Back to all: the rows that left the view come back unselected.
    setSearch(QStringLiteral("SEL-"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->rowCount(), 3, 15000);
    QVERIFY(m_window->inventoryPage()->selectedSerials().isEmpty());

    // The presence filter hides rows on this side: none of these is online.
    QVERIFY(select({QStringLiteral("SEL-1"), QStringLiteral("SEL-3")}));
    QVERIFY(sellAction->isEnabled());
    auto *presence = m_window->inventoryPage()->findChild<QComboBox *>(QStringLiteral("inventoryPresenceFilter"));
    presence->setCurrentIndex(presence->findData(InventoryPage::OnlineOnly));
    QCOMPARE(m_window->inventoryPage()->shownRowCount(), 0);
    QVERIFY(m_window->inventoryPage()->selectedSerials().isEmpty());
    QVERIFY(!sellAction->isEnabled());
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("actionEnroll"))->isEnabled());
    presence->setCurrentIndex(presence->findData(InventoryPage::AllDevices));
    QCOMPARE(m_window->inventoryPage()->shownRowCount(), 3);
}

void TestCrmAppDevices::totalsAndSelectAllMatching()
{
    // More than a tall window shows, so scrolling has not loaded them all.
    for (int i = 0; i < 60; ++i)
        QVERIFY(createDevice(QStringLiteral("TOT-%1").arg(i, 2, 10, QLatin1Char('0'))));
    InventoryModel *inventory = m_window->inventoryModel();
    // The table fetches as it scrolls, until its rows fill the view (no
    // model tester runs here: it calls fetchMore() on every change).
    inventory->setPageSize(10); // 60 matches: the first page is loaded
    setSearch(QStringLiteral("TOT-"));
    QTRY_COMPARE_WITH_TIMEOUT(inventory->total(), qint64(60), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(inventory->rowCount() >= 10, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!inventory->isLoading(), 15000);
    QVERIFY2(inventory->rowCount() < 60, qPrintable(QString::number(inventory->rowCount())));
    auto *count = m_window->inventoryPage()->findChild<QLabel *>(QStringLiteral("inventoryCount"));
    QVERIFY2(count->text().startsWith(QStringLiteral("60 match, %1 loaded").arg(inventory->rowCount())),
             qPrintable(count->text()));

    auto *selectAll = m_window->inventoryPage()->findChild<QToolButton *>(QStringLiteral("inventorySelectAll"));
    QVERIFY(selectAll);
    QCOMPARE(selectAll->text(), QStringLiteral("Select all 60 matching"));
    // "All 60" is selected without loading them: the actions run on the
    // server by filter (allMatchingRunsOnTheServer).
    const int loaded = inventory->rowCount();
    selectAll->click();
    QVERIFY(m_window->inventoryPage()->allMatchingSelected());
    QVERIFY2(selectAll->text().startsWith(QStringLiteral("All 60 matching devices selected")),
             qPrintable(selectAll->text()));
    QCOMPARE(m_window->inventoryPage()->selectedSerials().size(), loaded);
    // Nothing is loaded for it (the view may still fetch a page to fill
    // itself as it would anyway).
    QTest::qWait(300);
    QVERIFY2(inventory->rowCount() < 60, qPrintable(QString::number(inventory->rowCount())));
    // Clicking it again clears the selection; so does picking a row.
    selectAll->click();
    QVERIFY(!m_window->inventoryPage()->allMatchingSelected());
    QVERIFY(m_window->inventoryPage()->selectedSerials().isEmpty());
    QTest::keyClick(m_window->inventoryPage()->table(), Qt::Key_A, Qt::ControlModifier);
    QVERIFY(m_window->inventoryPage()->allMatchingSelected());
    QVERIFY(select({QStringLiteral("TOT-00")}));
    QVERIFY(!m_window->inventoryPage()->allMatchingSelected());
    QCOMPARE(selectAll->text(), QStringLiteral("Select all 60 matching"));

    // A narrower filter counts again.
    setSearch(QStringLiteral("TOT-1"));
    QTRY_COMPARE_WITH_TIMEOUT(inventory->total(), qint64(10), 15000);
    QTRY_VERIFY2_WITH_TIMEOUT(count->text().startsWith(QStringLiteral("10 match, all loaded")),
                              qPrintable(count->text()), 15000);
    inventory->setPageSize(500);
}

void TestCrmAppDevices::scrollingFetchesAhead()
{
    QByteArray csv = "serial,model\n";
    for (int i = 0; i < 200; ++i)
        csv += QStringLiteral("AHD-%1,Gateway\n").arg(i, 3, 10, QLatin1Char('0')).toUtf8();
    QCOMPARE(m_admin->send("POST", QStringLiteral("/api/v1/devices/import"), csv, {}, "text/csv").status, 200);
    InventoryModel *inventory = m_window->inventoryModel();
    inventory->setPageSize(40);
    setSearch(QStringLiteral("AHD-"));
    QTRY_COMPARE_WITH_TIMEOUT(inventory->total(), qint64(200), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!inventory->isLoading(), 15000);
    QTableView *table = m_window->inventoryPage()->table();
    const int loaded = inventory->rowCount();
    QVERIFY2(loaded < 200, qPrintable(QString::number(loaded)));

    // Scrolled until 10 loaded rows are left below the last one shown (less
    // than half a page of 40): the next page comes, though the scroll bar
    // is not at its end (where the view would ask by itself).
    table->scrollTo(table->model()->index(loaded - 11, 0), QAbstractItemView::PositionAtBottom);
    QVERIFY(table->verticalScrollBar()->value() < table->verticalScrollBar()->maximum());
    QTRY_VERIFY_WITH_TIMEOUT(inventory->rowCount() > loaded, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!inventory->isLoading(), 15000);
    // With a page below the rows shown, nothing more is asked for.
    const int ahead = inventory->rowCount();
    QTest::qWait(300);
    QCOMPARE(inventory->rowCount(), ahead);
    QVERIFY(ahead < 200);
    inventory->setPageSize(500);
}

void TestCrmAppDevices::allMatchingRunsOnTheServer()
{
    constexpr int kDevices = 300;
    QByteArray csv = "serial,model\n";
    for (int i = 0; i < kDevices; ++i)
        csv += QStringLiteral("ALL-%1,Gateway\n").arg(i, 3, 10, QLatin1Char('0')).toUtf8();
    QCOMPARE(m_admin->send("POST", QStringLiteral("/api/v1/devices/import"), csv, {}, "text/csv").status, 200);
    const auto count = [this](const QString &query) {
        return m_admin->get(QStringLiteral("/api/v1/devices?count=true&limit=1&q=ALL-&") + query)
            .json()
            .value(QStringLiteral("total"))
            .toInt();
    };
    InventoryModel *inventory = m_window->inventoryModel();
    inventory->setPageSize(10);
    setSearch(QStringLiteral("ALL-"));
    QTRY_COMPARE_WITH_TIMEOUT(inventory->total(), qint64(kDevices), 15000);
    QVERIFY(inventory->rowCount() < kDevices);
    QTableView *table = m_window->inventoryPage()->table();
    table->setFocus();

    // Ctrl+A selects all 300 matching; Sell runs as a job on the server.
    QTest::keyClick(table, Qt::Key_A, Qt::ControlModifier);
    QVERIFY(m_window->inventoryPage()->allMatchingSelected());
    clickAction(QStringLiteral("actionSell"));
    auto *sell = waitForDialog<SellDialog>();
    QVERIFY(sell);
    QCOMPARE(sell->windowTitle(), QStringLiteral("Sell all 300 matching devices"));
    auto *list = sell->findChild<QListView *>(QStringLiteral("sellCustomers"));
    QTRY_VERIFY(list->model()->rowCount() >= 1);
    const QModelIndexList fabrikam =
        list->model()->match(list->model()->index(0, list->modelColumn()), Qt::DisplayRole, QStringLiteral("Fabrikam"));
    QCOMPARE(fabrikam.size(), 1);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(fabrikam.constFirst()).center());
    QTest::mouseClick(sell->findChild<QDialogButtonBox *>(QStringLiteral("sellButtons"))->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    QVERIFY(waitForDialog<QProgressDialog>(QStringLiteral("batchJobProgress")));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->banner()->text().startsWith(QStringLiteral("Sold 300 devices to Fabrikam.")),
                             30000);
    QCOMPARE(count(QStringLiteral("status=sold&customerId=") + m_customerId), kDevices);
    // The view reloaded at the end, still one page, and the selection is gone.
    QTRY_VERIFY_WITH_TIMEOUT(!inventory->isLoading(), 15000);
    QVERIFY(inventory->rowCount() < kDevices);
    QVERIFY(!m_window->inventoryPage()->allMatchingSelected());
    QTRY_COMPARE(m_window->findChildren<QProgressDialog *>(QStringLiteral("batchJobProgress")).size(), 0);

    // Return all of them, and cancel on the way: what was done stays done.
    // (Ctrl+A right after the reload: the selection follows the count,
    // which comes after the first page.)
    QTest::keyClick(table, Qt::Key_A, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->inventoryPage()->allMatchingSelected(), 15000);
    QCOMPARE(inventory->total(), qint64(kDevices));
    clickAction(QStringLiteral("actionReturn"));
    confirm(QStringLiteral("confirmAllMatching"), QMessageBox::YesRole);
    auto *progress = waitForDialog<QProgressDialog>(QStringLiteral("batchJobProgress"));
    QVERIFY(progress);
    auto *cancel = progress->findChild<QPushButton *>();
    QVERIFY(cancel);
    QCOMPARE(cancel->text(), QStringLiteral("Cancel"));
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(m_window->banner()->text().contains(QStringLiteral("Cancelled after")),
                              qPrintable(m_window->banner()->text()), 30000);
    const int back = count(QStringLiteral("status=inStock"));
    QVERIFY2(back < kDevices, qPrintable(m_window->banner()->text()));
    QCOMPARE(back + count(QStringLiteral("status=sold")), kDevices);
    QVERIFY2(m_window->banner()->text().startsWith(QStringLiteral("Returned %1 devices to stock.").arg(back)),
             qPrintable(m_window->banner()->text()));
    inventory->setPageSize(500);
}

void TestCrmAppDevices::batchJobFollowsTheFeed()
{
    // With the live feed connected, a batch job learns its progress and its
    // end from batchJob.* events: a short job has ended before the first
    // poll (after DeviceBatchJob::kFeedPollMs) would have gone out, so the
    // job's client asks nothing but the start. Its own ApiClient counts
    // just its calls.
    QVERIFY(m_feed->isConnected());
    for (int i = 0; i < 3; ++i)
        QVERIFY(createDevice(QStringLiteral("FEED-%1").arg(i), QStringLiteral("FeedModel")));
    QFile caFile(m_f.mw->caCertificatePath());
    QVERIFY(caFile.open(QIODevice::ReadOnly));
    ApiClient api;
    api.setConnection(QUrl(m_f.mw->baseUrl()), m_f.operatorToken.toUtf8(),
                      QSslCertificate::fromData(caFile.readAll(), QSsl::Pem));
    int calls = 0;
    int busy = 0;
    connect(&api, &ApiClient::busyCountChanged, &api, [&](int count) {
        if (count > busy)
            calls += count - busy;
        busy = count;
    });
    QUrlQuery filter;
    filter.addQueryItem(QStringLiteral("model"), QStringLiteral("FeedModel"));
    auto *job = new DeviceBatchJob(
        &api, QStringLiteral("feed"), filter,
        QJsonObject{{QStringLiteral("action"), QStringLiteral("sell")}, {QStringLiteral("customerId"), m_customerId}});
    job->follow(m_feed.get());
    QSignalSpy finished(job, &DeviceBatchJob::finished);
    QSignalSpy progress(job, &DeviceBatchJob::progressChanged);
    QString state;
    qint64 succeeded = -1;
    connect(job, &DeviceBatchJob::finished, this, [&] {
        state = job->state();
        succeeded = job->succeeded();
    });
    QElapsedTimer took;
    took.start();
    job->start();
    QVERIFY(finished.wait(20000));
    QCOMPARE(state, QStringLiteral("completed"));
    QCOMPARE(succeeded, qint64(3));
    QVERIFY(progress.count() >= 2); // the start's answer, then the events
    if (took.elapsed() < DeviceBatchJob::kFeedPollMs)
        QCOMPARE(calls, 1);
    else
        QVERIFY2(calls <= 1 + int(took.elapsed() / DeviceBatchJob::kFeedPollMs),
                 qPrintable(QStringLiteral("%1 calls in %2 ms").arg(calls).arg(took.elapsed())));
}

void TestCrmAppDevices::addEditRetireDevice()
{
    setSearch(QStringLiteral("NEW-"));
    clickAction(QStringLiteral("actionAddDevice"));
    auto *dialog = waitForDialog<DeviceDialog>();
    QVERIFY(dialog);
    auto *serial = dialog->findChild<QLineEdit *>(QStringLiteral("deviceSerial"));
    auto *model = dialog->findChild<QLineEdit *>(QStringLiteral("deviceModel"));
    auto *date = dialog->findChild<QLineEdit *>(QStringLiteral("deviceDeliveryDate"));
    QPushButton *ok =
        dialog->findChild<QDialogButtonBox *>(QStringLiteral("deviceButtons"))->button(QDialogButtonBox::Ok);
    QVERIFY(serial && model && date && ok);
    QVERIFY(!ok->isEnabled()); // no serial yet
    QTest::keyClicks(serial, QStringLiteral("NEW 1"));
    QVERIFY(!ok->isEnabled()); // a space is not allowed
    serial->clear();
    QTest::keyClicks(serial, QStringLiteral("NEW-1"));
    QVERIFY(ok->isEnabled());
    QTest::keyClicks(date, QStringLiteral("20.11.2026"));
    QVERIFY(!ok->isEnabled()); // not yyyy-MM-dd
    date->clear();
    QTest::keyClicks(date, QStringLiteral("2026-11-21"));
    QTest::keyClicks(model, QStringLiteral("Sensor 3"));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    HttpsClient::Reply r;
    QTRY_VERIFY_WITH_TIMEOUT((r = m_admin->get(QStringLiteral("/api/v1/devices/NEW-1"))).status == 200, 15000);
    QCOMPARE(r.json().value(QStringLiteral("model")).toString(), QStringLiteral("Sensor 3"));
    QCOMPARE(r.json().value(QStringLiteral("deliveryDate")).toString(), QStringLiteral("2026-11-21"));

    // Edit: the serial stays, the model changes, a cleared date is cleared.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->inventoryModel()->rowOf(QStringLiteral("NEW-1")) >= 0, 15000);
    QVERIFY(select({QStringLiteral("NEW-1")}));
    clickAction(QStringLiteral("actionEditDevice"));
    dialog = waitForDialog<DeviceDialog>();
    QVERIFY(dialog);
    QVERIFY(dialog->findChild<QLineEdit *>(QStringLiteral("deviceSerial"))->isReadOnly());
    model = dialog->findChild<QLineEdit *>(QStringLiteral("deviceModel"));
    QCOMPARE(model->text(), QStringLiteral("Sensor 3"));
    model->clear();
    QTest::keyClicks(model, QStringLiteral("Sensor 4"));
    dialog->findChild<QLineEdit *>(QStringLiteral("deviceDeliveryDate"))->clear();
    QTest::mouseClick(
        dialog->findChild<QDialogButtonBox *>(QStringLiteral("deviceButtons"))->button(QDialogButtonBox::Ok),
        Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_admin->get(QStringLiteral("/api/v1/devices/NEW-1")).json().value(QStringLiteral("model")).toString(),
        QStringLiteral("Sensor 4"), 15000);
    QVERIFY(m_admin->get(QStringLiteral("/api/v1/devices/NEW-1"))
                .json()
                .value(QStringLiteral("deliveryDate"))
                .toString()
                .isEmpty());

    // Retire: asked first; Cancel changes nothing, Retire retires.
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->inventoryModel()->isLoading(), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryPage()->selectedSerials(), QStringList{QStringLiteral("NEW-1")},
                              15000);
    clickAction(QStringLiteral("actionRetireDevice"));
    confirm(QStringLiteral("confirmRetireDevice"), QMessageBox::RejectRole);
    QTest::qWait(300);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/devices/NEW-1")).json().value(QStringLiteral("status")).toString(),
             QStringLiteral("inStock"));
    clickAction(QStringLiteral("actionRetireDevice"));
    confirm(QStringLiteral("confirmRetireDevice"), QMessageBox::DestructiveRole);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_admin->get(QStringLiteral("/api/v1/devices/NEW-1")).json().value(QStringLiteral("status")).toString(),
        QStringLiteral("retired"), 15000);
    // A retired device is not offered for retirement again.
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->findChild<QAction *>(QStringLiteral("actionRetireDevice"))->isEnabled(), 15000);
}

void TestCrmAppDevices::customerSortIsByName()
{
    // Customers created in the reverse of their names' order, so the order
    // of their ids (random) cannot pass for the names'.
    QStringList names{QStringLiteral("Zulu Corp"), QStringLiteral("Mike Ltd"), QStringLiteral("Alpha Inc")};
    for (int i = 0; i < names.size(); ++i) {
        const auto c = m_admin->post(QStringLiteral("/api/v1/customers"), {{QStringLiteral("name"), names[i]}});
        QCOMPARE(c.status, 201);
        const QString serial = QStringLiteral("CS-%1").arg(i);
        QVERIFY(createDevice(serial));
        QCOMPARE(m_admin
                     ->post(QStringLiteral("/api/v1/devices/%1/sell").arg(serial),
                            {{QStringLiteral("customerId"), c.json().value(QStringLiteral("id")).toString()}})
                     .status,
                 200);
    }
    setSearch(QStringLiteral("CS-"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->rowCount(), 3, 15000);
    const auto shownCustomers = [this] {
        QStringList out;
        QAbstractItemModel *shown = m_window->inventoryPage()->table()->model();
        for (int row = 0; row < shown->rowCount(); ++row)
            out << shown->index(row, InventoryModel::CustomerColumn).data().toString();
        return out;
    };
    m_window->inventoryPage()->setSort(InventoryModel::CustomerColumn, Qt::AscendingOrder);
    QTRY_COMPARE_WITH_TIMEOUT(
        shownCustomers(),
        (QStringList{QStringLiteral("Alpha Inc"), QStringLiteral("Mike Ltd"), QStringLiteral("Zulu Corp")}), 15000);
    m_window->inventoryPage()->setSort(InventoryModel::CustomerColumn, Qt::DescendingOrder);
    QTRY_COMPARE_WITH_TIMEOUT(
        shownCustomers(),
        (QStringList{QStringLiteral("Zulu Corp"), QStringLiteral("Mike Ltd"), QStringLiteral("Alpha Inc")}), 15000);
    // Back to serial order: the server's order again.
    m_window->inventoryPage()->setSort(InventoryModel::SerialColumn, Qt::AscendingOrder);
    QTRY_COMPARE_WITH_TIMEOUT(
        shownCustomers(),
        (QStringList{QStringLiteral("Zulu Corp"), QStringLiteral("Mike Ltd"), QStringLiteral("Alpha Inc")}), 15000);
}

void TestCrmAppDevices::timelineShowsFailedAttemptThenUnlock()
{
    QVERIFY(createDevice(QStringLiteral("TL-1")));
    QCOMPARE(m_admin
                 ->put(QStringLiteral("/api/v1/enrollments/tl-1"),
                       {{QStringLiteral("serial"), QStringLiteral("TL-1")},
                        {QStringLiteral("attestation"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}})
                 .status,
             201);
    auto stranger = m_f.client(QString());
    for (int i = 0; i < 2; ++i) {
        const auto refused =
            stranger->post(QStringLiteral("/api/v1/activation"),
                           {{QStringLiteral("serial"), QStringLiteral("TL-1")},
                            {QStringLiteral("code"), ActivationCode::format(ActivationCode::generate())}});
        QCOMPARE(refused.status, 401);
        QVERIFY(!refused.header("X-Provisio-Attempts-Left").isEmpty());
    }

    m_window->showDevice(QStringLiteral("TL-1"));
    DeviceTimeline *timeline = m_window->deviceDetail()->timeline();
    QVERIFY(timeline);
    const auto kinds = [timeline] {
        QStringList out;
        for (const DeviceTimeline::Entry &e : timeline->entries())
            out << e.kind;
        return out;
    };
    QTRY_COMPARE_WITH_TIMEOUT(kinds().count(QStringLiteral("activationFailed")), 2, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(kinds().contains(QStringLiteral("codeIssued")), 15000);
    const QStringList order = kinds();
    // In the order it happened: delivered, enrolled, code issued, then the attempts.
    QVERIFY2(order.indexOf(QStringLiteral("delivered")) < order.indexOf(QStringLiteral("enrolled")),
             qPrintable(order.join(QLatin1Char(','))));
    QVERIFY2(order.indexOf(QStringLiteral("codeIssued")) < order.indexOf(QStringLiteral("activationFailed")),
             qPrintable(order.join(QLatin1Char(','))));
    for (const DeviceTimeline::Entry &e : timeline->entries()) {
        if (e.kind == QLatin1String("activationFailed"))
            QVERIFY2(e.detail.contains(QStringLiteral("unknown code")) &&
                         e.detail.contains(QStringLiteral("127.0.0.1")),
                     qPrintable(e.detail));
    }
    QCOMPARE(timeline->list()->topLevelItemCount(), int(timeline->entries().size()));

    // The inventory's "Activation failed" filter shows TL-1, not its neighbours.
    QVERIFY(createDevice(QStringLiteral("TL-2")));
    setSearch(QStringLiteral("TL-"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->rowCount(), 2, 15000);
    auto *presence = m_window->inventoryPage()->findChild<QComboBox *>(QStringLiteral("inventoryPresenceFilter"));
    presence->setCurrentIndex(presence->findData(InventoryPage::ActivationFailed));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryPage()->shownRowCount(), 1, 15000);
    QCOMPARE(m_window->inventoryPage()->table()->model()->index(0, InventoryModel::SerialColumn).data().toString(),
             QStringLiteral("TL-1"));

    auto *unlock = timeline->findChild<QPushButton *>(QStringLiteral("timelineUnlock"));
    QVERIFY(unlock);
    QTRY_VERIFY_WITH_TIMEOUT(unlock->isEnabled(), 15000);
    QVERIFY(timeline->findChild<QPushButton *>(QStringLiteral("timelineNewCard"))->isEnabled());
    auto *tabs = m_window->deviceDetail()->findChild<QTabWidget *>(QStringLiteral("deviceTabs"));
    tabs->setCurrentWidget(timeline);
    QTest::mouseClick(unlock, Qt::LeftButton);
    confirm(QStringLiteral("confirmActivationUnlock"), QMessageBox::AcceptRole);
    QTRY_VERIFY_WITH_TIMEOUT(kinds().contains(QStringLiteral("unlocked")), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!unlock->isEnabled(), 15000);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/devices/TL-1/activation-failures"))
                 .json()
                 .value(QStringLiteral("counting"))
                 .toInt(),
             0);
    // The attempts stay on the timeline, marked cleared.
    QCOMPARE(kinds().count(QStringLiteral("activationFailed")), 2);
    // Unlocked, it leaves the "Activation failed" filter by the live feed.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryPage()->shownRowCount(), 0, 15000);
    presence->setCurrentIndex(presence->findData(InventoryPage::AllDevices));
}

void TestCrmAppDevices::exportWritesEveryPage()
{
    constexpr int kDevices = 23;
    for (int i = 0; i < kDevices; ++i)
        QVERIFY(createDevice(QStringLiteral("EXP-%1").arg(i, 2, 10, QLatin1Char('0')), QStringLiteral("Exporter")));
    // A note over two lines with a comma: one device, however it is quoted.
    QCOMPARE(m_admin
                 ->patch(QStringLiteral("/api/v1/devices/EXP-05"),
                         {{QStringLiteral("notes"), QStringLiteral("dented case,\nsecond line")}})
                 .status,
             200);
    setSearch(QStringLiteral("EXP-"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->total(), qint64(kDevices), 15000);
    QStringList expected;
    for (const QJsonValue &d : m_admin->get(QStringLiteral("/api/v1/devices?q=EXP-&limit=100"))
                                   .json()
                                   .value(QStringLiteral("items"))
                                   .toArray())
        expected.append(d[QStringLiteral("serial")].toString());
    QCOMPARE(expected.size(), kDevices);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("devices.csv"));
    m_window->setExportPageSize(7); // four pages
    clickAction(QStringLiteral("actionExportDevices"));
    auto *files = waitForDialog<QFileDialog>(QStringLiteral("exportFileDialog"));
    QVERIFY(files);
    files->selectFile(path);
    static_cast<QDialog *>(files)->accept(); // as the Save button does
    QTRY_VERIFY2_WITH_TIMEOUT(m_window->banner()->text().startsWith(QStringLiteral("Exported 23 devices to")),
                              qPrintable(m_window->banner()->text()), 20000);
    QTRY_COMPARE(m_window->findChildren<QProgressDialog *>(QStringLiteral("exportProgress")).size(), 0);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QVERIFY2(lines.constFirst().startsWith("serial,model,manufacturer,batch,deliveryDate,status,customerId"),
             lines.constFirst().constData());
    int headers = 0;
    QStringList serials;
    for (const QByteArray &line : lines) {
        if (line.startsWith("serial,"))
            ++headers;
        else if (line.startsWith("EXP-")) {
            serials.append(QString::fromUtf8(line.left(line.indexOf(','))));
            QVERIFY2(line.contains(",Exporter,"), line.constData());
        }
    }
    QCOMPARE(headers, 1); // the pages concatenate to one CSV
    QCOMPARE(serials, expected);
    QVERIFY(lines.join('\n').contains("\"dented case,\nsecond line\""));
    m_window->setExportPageSize(0);
}

void TestCrmAppDevices::exportIsOffWhileShowFilters_data()
{
    QTest::addColumn<int>("presence");
    QTest::newRow("online") << int(InventoryPage::OnlineOnly);
    QTest::newRow("offline") << int(InventoryPage::OfflineOnly);
    QTest::newRow("activation failed") << int(InventoryPage::ActivationFailed);
}

void TestCrmAppDevices::exportIsOffWhileShowFilters()
{
    // Show is the CRM's own filter and the server's export cannot apply it:
    // the export is off while it is set, its button says why, and it is on
    // again with all devices shown.
    QFETCH(int, presence);
    auto *exportAction = m_window->findChild<QAction *>(QStringLiteral("actionExportDevices"));
    QVERIFY(exportAction);
    m_window->showPage(MainWindow::InventoryView);
    auto *button = qobject_cast<QToolButton *>(m_window->inventoryPage()->toolBar()->widgetForAction(exportAction));
    QVERIFY(button);
    const QString usualTip = exportAction->toolTip();
    QVERIFY(exportAction->isEnabled());
    auto *show = m_window->inventoryPage()->findChild<QComboBox *>(QStringLiteral("inventoryPresenceFilter"));
    show->setCurrentIndex(show->findData(presence));
    QVERIFY(!exportAction->isEnabled());
    QVERIFY(!button->isEnabled());
    QVERIFY2(button->toolTip().contains(show->currentText()) && button->toolTip().contains(QLatin1String("Show")),
             qPrintable(button->toolTip()));
    // A selection made meanwhile does not turn it back on.
    m_window->inventoryPage()->table()->selectAll();
    QVERIFY(!exportAction->isEnabled());
    show->setCurrentIndex(show->findData(InventoryPage::AllDevices));
    QVERIFY(exportAction->isEnabled());
    QCOMPARE(button->toolTip(), usualTip);
    m_window->inventoryPage()->table()->clearSelection();
}

void TestCrmAppDevices::exportCancelOrFailureLeavesNoFile()
{
    setSearch(QStringLiteral("EXP-"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->inventoryModel()->total(), qint64(23), 15000);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    // Cancelled before the last of 23 one-device pages: no file, no leftovers.
    const QString path = dir.filePath(QStringLiteral("cancelled.csv"));
    m_window->setExportPageSize(1);
    m_window->exportDevicesTo(path);
    auto *progress = waitForDialog<QProgressDialog>(QStringLiteral("exportProgress"));
    QVERIFY(progress);
    auto *cancel = progress->findChild<QPushButton *>();
    QVERIFY(cancel);
    QCOMPARE(cancel->text(), QStringLiteral("Cancel"));
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(m_window->banner()->text().startsWith(QStringLiteral("Export cancelled;")),
                              qPrintable(m_window->banner()->text()), 20000);
    QTRY_COMPARE(m_window->findChildren<QProgressDialog *>(QStringLiteral("exportProgress")).size(), 0);
    QVERIFY(!QFile::exists(path));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());

    // An existing file stays as it was when the export is cancelled.
    QFile existing(path);
    QVERIFY(existing.open(QIODevice::WriteOnly));
    existing.write("kept\n");
    existing.close();
    m_window->exportDevicesTo(path);
    progress = waitForDialog<QProgressDialog>(QStringLiteral("exportProgress"));
    QVERIFY(progress);
    QTest::mouseClick(progress->findChild<QPushButton *>(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->banner()->text().startsWith(QStringLiteral("Export cancelled;")), 20000);
    QVERIFY(existing.open(QIODevice::ReadOnly));
    QCOMPARE(existing.readAll(), QByteArray("kept\n"));
    existing.close();

    // A folder that does not exist: a clear error, nothing written.
    const QString nowhere = dir.filePath(QStringLiteral("missing/devices.csv"));
    m_window->exportDevicesTo(nowhere);
    QTRY_VERIFY2_WITH_TIMEOUT(m_window->banner()->text().startsWith(QStringLiteral("Export failed;")),
                              qPrintable(m_window->banner()->text()), 20000);
    QVERIFY2(m_window->banner()->text().contains(QStringLiteral("Cannot write")),
             qPrintable(m_window->banner()->text()));
    QVERIFY(!QFile::exists(nowhere));

    // A request the middleware refuses (a page above its limit): its message shows.
    m_window->setExportPageSize(20000); // above the middleware's 10,000
    m_window->exportDevicesTo(path);
    QTRY_VERIFY2_WITH_TIMEOUT(m_window->banner()->text().contains(QStringLiteral("The export stopped after 0 devices")),
                              qPrintable(m_window->banner()->text()), 20000);
    QVERIFY2(m_window->banner()->text().startsWith(QStringLiteral("Export failed;")),
             qPrintable(m_window->banner()->text()));
    QVERIFY2(m_window->banner()->text().contains(QStringLiteral("limit")), qPrintable(m_window->banner()->text()));
    QVERIFY(existing.open(QIODevice::ReadOnly));
    QCOMPARE(existing.readAll(), QByteArray("kept\n"));
    m_window->setExportPageSize(0);
}

QTEST_MAIN(TestCrmAppDevices)
#include "tst_crm_app_devices.moc"
