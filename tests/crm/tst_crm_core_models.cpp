// SPDX-License-Identifier: Apache-2.0
// The event feed and the CRM's models against a real middleware: paging
// 1,200 devices, server-side filters and sorts, live updates from real
// events; every model under QAbstractItemModelTester.
#include "childprocesswatch.h"
#include "core/crmcoretestutil.h"

#include "crypto/sastoken.h"
#include "customersmodel.h"
#include "dpstestutil.h"
#include "enrollmentsmodel.h"
#include "eventfeed.h"
#include "inventorymodel.h"
#include "telemetrymodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <sys/types.h>

using namespace Provisio;
using namespace Provisio::Test;
using namespace Provisio::Crm;

namespace {

// A viewer's inventory narrowed to a search, fully loaded, following the
// live event feed: how the inventory page sees the devices.
struct LiveInventory
{
    explicit LiveInventory(const CrmFixture &f)
        : api(crmClient(f, f.viewerToken)), feed(api.get()), inventory(api.get()),
          tester(&inventory, QAbstractItemModelTester::FailureReportingMode::QtTest)
    {
        inventory.setEventFeed(&feed);
        feed.start();
    }

    bool load(const QString &search)
    {
        if (!QTest::qWaitFor([this] { return feed.isConnected(); }, 20000))
            return false;
        InventoryModel::Filter filter;
        filter.q = search;
        QSignalSpy loaded(&inventory, &InventoryModel::allLoaded);
        inventory.setFilter(filter);
        inventory.fetchAll();
        return loaded.wait(20000);
    }

    std::unique_ptr<ApiClient> api;
    EventFeed feed;
    InventoryModel inventory;
    QAbstractItemModelTester tester;
};

} // namespace

class TestCrmCoreModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void eventFeedReceivesEvents();
    void eventFeedRejectsABadToken();
    void eventFeedReconnects();
    void eventFeedNoticesAFrozenMiddleware();
    void inventoryPagesThrough();
    void inventoryCountsAfterTheRows();
    void inventorySortKeepsTheCount();
    void inventoryFilters_data();
    void inventoryFilters();
    void inventoryUpdatesLive();
    void inventorySortPagesThrough();
    void inventorySorts_data();
    void inventorySorts();
    void customersModel();
    void enrollmentsModel();
    void hubsModel();
    void auditModel();
    void telemetryModel();
    void inventoryFollowsRegistration();

private:
    void importDevices(const QString &prefix, int count);
    QString createCustomer(const QString &name);

    CrmFixture m_f;
    std::unique_ptr<ApiClient> m_operator;
};

void TestCrmCoreModels::initTestCase()
{
    QVERIFY(m_f.start());
    m_operator = crmClient(m_f, m_f.operatorToken);
    importDevices(QStringLiteral("SN-INV"), 1200);
}

void TestCrmCoreModels::importDevices(const QString &prefix, int count)
{
    const CallResult r =
        waitFor(m_operator->postRaw(QStringLiteral("devices/import"), deviceCsv(prefix, 0, count), "text/csv"), 120000);
    QVERIFY2(r.ok, qPrintable(r.failure.message));
    QCOMPARE(r.body.object().value(QStringLiteral("created")).toInt(), count);
}

QString TestCrmCoreModels::createCustomer(const QString &name)
{
    const CallResult r = waitFor(m_operator->post(QStringLiteral("customers"), {{QStringLiteral("name"), name}}));
    return r.body.object().value(QStringLiteral("id")).toString();
}

void TestCrmCoreModels::eventFeedReceivesEvents()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    EventFeed feed(api.get());
    QSignalSpy connected(&feed, &EventFeed::connectedChanged);
    QSignalSpy events(&feed, &EventFeed::eventReceived);
    feed.start();
    QVERIFY(connected.wait(20000));
    QVERIFY(feed.isConnected());
    QCOMPARE(feed.role(), QStringLiteral("viewer"));

    QVERIFY(
        waitFor(m_operator->post(QStringLiteral("devices"), {{QStringLiteral("serial"), QStringLiteral("SN-FEED-1")},
                                                             {QStringLiteral("model"), QStringLiteral("Sensor 2")}}))
            .ok);
    QTRY_VERIFY_WITH_TIMEOUT(!events.isEmpty(), 20000);
    QCOMPARE(events.at(0).at(0).toString(), QStringLiteral("device.created"));
    const QJsonObject event = events.at(0).at(1).toJsonObject();
    QCOMPARE(event.value(QStringLiteral("data")).toObject().value(QStringLiteral("serial")).toString(),
             QStringLiteral("SN-FEED-1"));
    QVERIFY(event.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("evt_")));

    feed.stop();
    QVERIFY(!feed.isConnected());
}

void TestCrmCoreModels::eventFeedRejectsABadToken()
{
    auto api = crmClient(m_f, QStringLiteral("pvs_wrong"));
    EventFeed feed(api.get());
    feed.setBackoff(200, 400);
    QSignalSpy errors(&feed, &EventFeed::errorOccurred);
    feed.start();
    QVERIFY(errors.wait(20000));
    QVERIFY(!feed.isConnected());
    QVERIFY(!errors.at(0).at(0).toString().isEmpty());
    // It keeps trying, with the delay growing to its bound.
    QTRY_VERIFY_WITH_TIMEOUT(errors.count() >= 3, 20000);
    QCOMPARE(feed.reconnectDelay(), 400);
    feed.stop();
}

void TestCrmCoreModels::eventFeedReconnects()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    EventFeed feed(api.get());
    feed.setBackoff(100, 1000);
    QSignalSpy connected(&feed, &EventFeed::connectedChanged);
    QSignalSpy events(&feed, &EventFeed::eventReceived);
    feed.start();
    QTRY_VERIFY_WITH_TIMEOUT(feed.isConnected(), 20000);

    // The middleware goes away and comes back on the same port.
    m_f.mw->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!feed.isConnected(), 20000);
    QVERIFY(m_f.mw->start());
    QTRY_VERIFY_WITH_TIMEOUT(feed.isConnected(), 30000);

    QVERIFY(
        waitFor(m_operator->post(QStringLiteral("devices"), {{QStringLiteral("serial"), QStringLiteral("SN-FEED-2")}}))
            .ok);
    QTRY_VERIFY_WITH_TIMEOUT(!events.isEmpty(), 20000);
    QCOMPARE(events.last()
                 .at(1)
                 .toJsonObject()
                 .value(QStringLiteral("data"))
                 .toObject()
                 .value(QStringLiteral("serial"))
                 .toString(),
             QStringLiteral("SN-FEED-2"));
}

void TestCrmCoreModels::eventFeedNoticesAFrozenMiddleware()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    EventFeed feed(api.get());
    feed.setBackoff(100, 500);
    feed.setHeartbeat(200, 1000);
    QSignalSpy errors(&feed, &EventFeed::errorOccurred);
    feed.start();
    QTRY_VERIFY_WITH_TIMEOUT(feed.isConnected(), 20000);
    // Still live after several heartbeats: the server answers the pings.
    QTest::qWait(1500);
    QVERIFY(feed.isConnected());
    QVERIFY(errors.isEmpty());

    // Frozen, its sockets stay open: only the heartbeat notices.
    QVERIFY(m_f.mw->sendSignal(SIGSTOP));
    QElapsedTimer frozen;
    frozen.start();
    QTRY_VERIFY_WITH_TIMEOUT(!feed.isConnected(), 10000);
    const qint64 noticedMs = frozen.elapsed();
    QVERIFY(m_f.mw->sendSignal(SIGCONT));
    QVERIFY2(noticedMs < 3000, qPrintable(QString::number(noticedMs)));
    QVERIFY(!errors.isEmpty());
    QVERIFY2(errors.last().at(0).toString().contains(QLatin1String("not answered")),
             qPrintable(errors.last().at(0).toString()));
    // Thawed, it is live again.
    QTRY_VERIFY_WITH_TIMEOUT(feed.isConnected(), 20000);
    feed.stop();
}

void TestCrmCoreModels::inventoryPagesThrough()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    // No QAbstractItemModelTester here: it calls fetchMore() itself after
    // every insert, and this test is about what a view's scrolling asks for
    // (the other inventory tests run under the tester).
    InventoryModel model(api.get());
    InventoryModel::Filter filter;
    filter.q = QStringLiteral("SN-INV");
    QSignalSpy pages(&model, &InventoryModel::pageLoaded);
    model.setFilter(filter);
    QVERIFY(pages.wait(20000));
    QCOMPARE(model.rowCount(), 500);
    QVERIFY(model.canFetchMore(QModelIndex()));
    QCOMPARE(model.columnCount(), int(InventoryModel::ColumnCount));
    QCOMPARE(model.headerData(InventoryModel::SerialColumn, Qt::Horizontal).toString(), QStringLiteral("Serial"));

    model.fetchMore(QModelIndex());
    QVERIFY(!model.canFetchMore(QModelIndex())); // one page at a time
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1000, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(model.canFetchMore(QModelIndex()), 20000);
    model.fetchMore(QModelIndex());
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1200, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), 20000);
    QVERIFY(!model.canFetchMore(QModelIndex()));

    // Every device once, and the serial index finds each row.
    QSet<QString> serials;
    for (int row = 0; row < model.rowCount(); ++row)
        serials.insert(model.index(row, InventoryModel::SerialColumn).data().toString());
    QCOMPARE(serials.size(), 1200);
    const int row = model.rowOf(QStringLiteral("SN-INV-000777"));
    QVERIFY(row >= 0);
    QCOMPARE(model.index(row, InventoryModel::SerialColumn).data().toString(), QStringLiteral("SN-INV-000777"));
    QCOMPARE(model.index(row, InventoryModel::ModelColumn).data().toString(), QStringLiteral("Gateway"));
    QCOMPARE(model.index(row, InventoryModel::BatchColumn).data().toString(), QStringLiteral("B7"));
    QCOMPARE(model.index(row, InventoryModel::DeliveryDateColumn).data().toString(), QStringLiteral("2026-11-20"));
    QCOMPARE(
        model.index(row, 0).data(InventoryModel::RecordRole).toJsonObject().value(QStringLiteral("status")).toString(),
        QStringLiteral("inStock"));
}

void TestCrmCoreModels::inventoryCountsAfterTheRows()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    // No QAbstractItemModelTester: it would fetch more pages itself, and
    // this is about what the first page brings.
    InventoryModel model(api.get());
    // What the page sees, in order: the rows first, then "counting", then
    // the total, which comes in a request of its own.
    QStringList seen;
    connect(&model, &QAbstractItemModel::rowsInserted, &model, [&](const QModelIndex &, int first, int last) {
        seen.append(QStringLiteral("rows %1 total %2").arg(last - first + 1).arg(model.total()));
    });
    connect(&model, &InventoryModel::countingChanged, &model,
            [&](bool counting) { seen.append(QStringLiteral("counting %1").arg(counting)); });
    connect(&model, &InventoryModel::totalChanged, &model,
            [&](qint64 total) { seen.append(QStringLiteral("total %1").arg(total)); });
    InventoryModel::Filter all;
    all.q = QStringLiteral("SN-INV");
    model.setFilter(all);
    QTRY_VERIFY_WITH_TIMEOUT(model.total() >= 0, 20000);
    QCOMPARE(seen.join(QStringLiteral(", ")),
             (QStringList{QStringLiteral("rows 500 total -1"), QStringLiteral("counting 1"),
                          QStringLiteral("counting 0"), QStringLiteral("total 1200")})
                 .join(QStringLiteral(", ")));
    QCOMPARE(model.rowCount(), 500);
    QVERIFY(!model.totalIsLowerBound());

    // A newer filter while the older one's count is on its way: the old
    // answer never becomes the total, the new filter's count does.
    InventoryModel::Filter gateways = all;
    gateways.model = QStringLiteral("Gateway"); // 600 of the 1,200
    bool switched = false;
    auto conn = connect(&model, &InventoryModel::countingChanged, &model, [&](bool counting) {
        if (counting && !switched) {
            switched = true;
            QTimer::singleShot(0, &model, [&] {
                seen.append(QStringLiteral("switch"));
                model.setFilter(gateways);
            });
        }
    });
    seen.clear();
    model.setFilter({}); // all 1,200 plus the others: a count again
    QTRY_VERIFY_WITH_TIMEOUT(switched, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(model.total(), qint64(600), 20000);
    disconnect(conn);
    QTest::qWait(300); // room for a late answer to the older filter
    QCOMPARE(model.total(), qint64(600));
    QCOMPARE(model.query().queryItemValue(QStringLiteral("model")), QStringLiteral("Gateway"));
    // After the switch, that is: the older count may have come back
    // before it (a loaded machine), and was the total then.
    const qsizetype switchedAt = seen.indexOf(QStringLiteral("switch"));
    QVERIFY(switchedAt >= 0);
    for (const QString &event : seen.mid(switchedAt))
        QVERIFY2(!event.startsWith(QStringLiteral("total")) || event == QStringLiteral("total 600") ||
                     event == QStringLiteral("total -1"),
                 qPrintable(seen.join(QStringLiteral(", "))));

    // One page holds every match: that is the total, nothing to count.
    InventoryModel::Filter few;
    few.q = QStringLiteral("SN-INV-00011");
    QSignalSpy counting(&model, &InventoryModel::countingChanged);
    model.setFilter(few);
    QTRY_COMPARE_WITH_TIMEOUT(model.total(), qint64(10), 20000);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(counting.count(), 0);
}

void TestCrmCoreModels::inventorySortKeepsTheCount()
{
    // A count does not depend on the order: sorting again reloads the rows
    // but neither forgets the total nor counts again, also while the
    // count is still on its way.
    auto api = crmClient(m_f, m_f.viewerToken);
    InventoryModel model(api.get());
    InventoryModel::Filter all;
    all.q = QStringLiteral("SN-INV");
    model.setFilter(all);
    QTRY_VERIFY_WITH_TIMEOUT(model.total() >= 0, 20000);
    QCOMPARE(model.total(), qint64(1200));
    QSignalSpy counting(&model, &InventoryModel::countingChanged);
    QSignalSpy totals(&model, &InventoryModel::totalChanged);
    QSignalSpy pages(&model, &InventoryModel::pageLoaded);
    model.sort(InventoryModel::ModelColumn, Qt::DescendingOrder);
    QVERIFY(pages.wait(20000));
    QCOMPARE(model.query().queryItemValue(QStringLiteral("sort")), QStringLiteral("model"));
    QCOMPARE(model.total(), qint64(1200));
    QTest::qWait(200);
    QCOMPARE(counting.count(), 0);
    QCOMPARE(totals.count(), 0);

    // A new filter starts a count; the order changes while it runs: the
    // count goes on and becomes the total, once.
    InventoryModel::Filter gateways = all;
    gateways.model = QStringLiteral("Gateway");
    bool sorted = false;
    auto conn = connect(&model, &InventoryModel::countingChanged, &model, [&](bool on) {
        if (on && !sorted) {
            sorted = true;
            QTimer::singleShot(0, &model, [&] { model.sort(InventoryModel::SerialColumn, Qt::DescendingOrder); });
        }
    });
    counting.clear();
    totals.clear();
    model.setFilter(gateways);
    QTRY_VERIFY_WITH_TIMEOUT(sorted, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(model.total(), qint64(600), 20000);
    disconnect(conn);
    QCOMPARE(model.query().queryItemValue(QStringLiteral("order")), QStringLiteral("desc"));
    QTest::qWait(200);
    QCOMPARE(counting.count(), 2); // on, off: one count
    QCOMPARE(totals.count(), 2);   // unknown (the new filter), then 600
    QCOMPARE(totals.at(1).at(0).toLongLong(), qint64(600));
}

void TestCrmCoreModels::inventoryFilters_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("q");
    QTest::addColumn<int>("rows");
    QTest::newRow("model") << QStringLiteral("Gateway") << QString() << QStringLiteral("SN-INV") << 600;
    QTest::newRow("search") << QString() << QString() << QStringLiteral("SN-INV-00011") << 10;
    QTest::newRow("status none") << QString() << QStringLiteral("retired") << QString() << 0;
    QTest::newRow("status + model") << QStringLiteral("Sensor 2") << QStringLiteral("inStock")
                                    << QStringLiteral("SN-INV-0000") << 50;
}

void TestCrmCoreModels::inventoryFilters()
{
    QFETCH(QString, model);
    QFETCH(QString, status);
    QFETCH(QString, q);
    QFETCH(int, rows);
    auto api = crmClient(m_f, m_f.viewerToken);
    InventoryModel inventory(api.get());
    QAbstractItemModelTester tester(&inventory, QAbstractItemModelTester::FailureReportingMode::QtTest);
    InventoryModel::Filter filter;
    filter.model = model;
    filter.status = status;
    filter.q = q;
    QSignalSpy loaded(&inventory, &InventoryModel::allLoaded);
    inventory.setFilter(filter);
    inventory.fetchAll();
    QVERIFY(loaded.wait(30000));
    QCOMPARE(inventory.rowCount(), rows);
    for (int row = 0; row < inventory.rowCount(); ++row) {
        if (!model.isEmpty())
            QCOMPARE(inventory.index(row, InventoryModel::ModelColumn).data().toString(), model);
        QVERIFY(inventory.index(row, InventoryModel::SerialColumn).data().toString().contains(q));
    }
    // Setting the same filter again asks nothing.
    QSignalSpy loading(&inventory, &InventoryModel::loadingChanged);
    inventory.setFilter(filter);
    QCOMPARE(loading.count(), 0);
}

void TestCrmCoreModels::inventoryUpdatesLive()
{
    LiveInventory live(m_f);
    QVERIFY(live.load(QStringLiteral("SN-INV-0001")));
    InventoryModel &inventory = live.inventory;
    QCOMPARE(inventory.rowCount(), 100);
    const int row = inventory.rowOf(QStringLiteral("SN-INV-000123"));
    QVERIFY(row >= 0);
    QVERIFY(inventory.index(row, InventoryModel::CustomerColumn).data().toString().isEmpty());

    // Sold elsewhere: the row shows the customer's name without a refresh.
    const QString customer = createCustomer(QStringLiteral("Live Update GmbH"));
    QVERIFY(!customer.isEmpty());
    QSignalSpy changed(&inventory, &QAbstractItemModel::dataChanged);
    QVERIFY(waitFor(m_operator->post(QStringLiteral("devices/SN-INV-000123/sell"),
                                     {{QStringLiteral("customerId"), customer}}))
                .ok);
    QTRY_COMPARE_WITH_TIMEOUT(inventory.index(row, InventoryModel::CustomerColumn).data().toString(),
                              QStringLiteral("Live Update GmbH"), 20000);
    QCOMPARE(inventory.index(row, 0)
                 .data(InventoryModel::RecordRole)
                 .toJsonObject()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("sold"));
    QCOMPARE(inventory.rowOf(QStringLiteral("SN-INV-000123")), row); // updated in place
    QCOMPARE(inventory.rowCount(), 100);

    // Enrolled elsewhere: the enrollment column follows.
    const CallResult enrolled = waitFor(m_operator->put(
        QStringLiteral("enrollments/sn-inv-000123"),
        {{QStringLiteral("registrationId"), QStringLiteral("sn-inv-000123")},
         {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
         {QStringLiteral("serial"), QStringLiteral("SN-INV-000123")}}));
    QVERIFY2(enrolled.ok, qPrintable(enrolled.failure.message));
    QTRY_COMPARE_WITH_TIMEOUT(inventory.index(row, InventoryModel::EnrollmentColumn).data().toString(),
                              QStringLiteral("enabled"), 20000);
    QCOMPARE(inventory.index(row, 0).data(InventoryModel::RegistrationIdRole).toString(),
             QStringLiteral("sn-inv-000123"));
    QVERIFY(waitFor(m_operator->post(QStringLiteral("enrollments/sn-inv-000123/disable"), {})).ok);
    QTRY_COMPARE_WITH_TIMEOUT(inventory.index(row, InventoryModel::EnrollmentColumn).data().toString(),
                              QStringLiteral("disabled"), 20000);

    // Deleted elsewhere: the row goes, the index stays right.
    QVERIFY(waitFor(m_operator->remove(QStringLiteral("enrollments/sn-inv-000123"))).ok);
    QVERIFY(waitFor(m_operator->post(QStringLiteral("devices/SN-INV-000123/return"), {})).ok);
    QVERIFY(waitFor(m_operator->remove(QStringLiteral("devices/SN-INV-000123"))).ok);
    QTRY_COMPARE_WITH_TIMEOUT(inventory.rowCount(), 99, 20000);
    QCOMPARE(inventory.rowOf(QStringLiteral("SN-INV-000123")), -1);
    const int later = inventory.rowOf(QStringLiteral("SN-INV-000199"));
    QCOMPARE(inventory.index(later, InventoryModel::SerialColumn).data().toString(), QStringLiteral("SN-INV-000199"));
}

void TestCrmCoreModels::inventorySortPagesThrough()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    // Scrolled page by page like inventoryPagesThrough (so without the
    // tester, which would fetch by itself): the server's order must hold
    // across the page boundaries at rows 500 and 1000, both inside a run
    // of equal models.
    InventoryModel model(api.get());
    const auto scrollToEnd = [&model] {
        while (model.canFetchMore(QModelIndex()) || model.isLoading()) {
            const int before = model.rowCount();
            if (!model.isLoading())
                model.fetchMore(QModelIndex());
            if (!QTest::qWaitFor([&] { return model.rowCount() > before && !model.isLoading(); }, 20000))
                return false;
        }
        return true;
    };
    const auto shown = [&model] {
        QStringList serials;
        for (int row = 0; row < model.rowCount(); ++row)
            serials << model.index(row, InventoryModel::SerialColumn).data().toString();
        return serials;
    };
    InventoryModel::Filter filter;
    filter.q = QStringLiteral("SN-INV");
    QSignalSpy sortChanged(&model, &InventoryModel::sortChanged);
    model.setFilter(filter);
    QVERIFY(scrollToEnd());
    QCOMPARE(model.sortColumn(), int(InventoryModel::SerialColumn));
    QCOMPARE(model.sortOrder(), Qt::AscendingOrder);
    const QStringList bySerial = shown(); // what earlier tests left of the 1,200
    QVERIFY(bySerial.size() >= 1190);

    model.sort(InventoryModel::ModelColumn, Qt::DescendingOrder);
    QCOMPARE(sortChanged.count(), 1);
    QCOMPARE(sortChanged.at(0).at(0).toInt(), int(InventoryModel::ModelColumn));
    QCOMPARE(model.sortColumn(), int(InventoryModel::ModelColumn));
    QCOMPARE(model.sortOrder(), Qt::DescendingOrder);
    QCOMPARE(model.rowCount(), 0); // restarted, not re-sorted locally
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 500, 20000);
    QVERIFY(model.canFetchMore(QModelIndex()));
    QVERIFY(scrollToEnd());

    // "Sensor 2" (even numbers) before "Gateway" (odd), each by serial
    // descending: exactly this list, every device once.
    QStringList expected;
    for (int parity : {0, 1}) {
        for (auto it = bySerial.crbegin(); it != bySerial.crend(); ++it) {
            if (it->right(6).toInt() % 2 == parity)
                expected << *it;
        }
    }
    const QStringList sorted = shown();
    QCOMPARE(sorted.size(), expected.size());
    for (int row : {0, 499, 500, 999, 1000, int(expected.size()) - 1})
        QCOMPARE(sorted.at(row), expected.at(row));
    QCOMPARE(sorted, expected);
    QCOMPARE(model.index(0, InventoryModel::ModelColumn).data().toString(), QStringLiteral("Sensor 2"));
    QCOMPARE(model.index(model.rowCount() - 1, InventoryModel::ModelColumn).data().toString(),
             QStringLiteral("Gateway"));
    QCOMPARE(model.rowOf(QStringLiteral("SN-INV-000001")), model.rowCount() - 1);

    // Sorting again the same way asks nothing; back to the default order
    // drops the sort parameters.
    QSignalSpy loading(&model, &InventoryModel::loadingChanged);
    model.sort(InventoryModel::ModelColumn, Qt::DescendingOrder);
    QCOMPARE(loading.count(), 0);
    QCOMPARE(sortChanged.count(), 1);
    model.sort(InventoryModel::SerialColumn, Qt::AscendingOrder);
    QVERIFY(!model.query().hasQueryItem(QStringLiteral("sort")));
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 500, 20000);
    QCOMPARE(model.index(0, InventoryModel::SerialColumn).data().toString(), QStringLiteral("SN-INV-000000"));
}

void TestCrmCoreModels::inventorySorts_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("order");
    QTest::addColumn<QString>("field");
    QTest::newRow("serial desc") << int(InventoryModel::SerialColumn) << int(Qt::DescendingOrder) << "serial";
    QTest::newRow("model asc") << int(InventoryModel::ModelColumn) << int(Qt::AscendingOrder) << "model";
    QTest::newRow("manufacturer desc") << int(InventoryModel::ManufacturerColumn) << int(Qt::DescendingOrder)
                                       << "manufacturer";
    QTest::newRow("batch asc") << int(InventoryModel::BatchColumn) << int(Qt::AscendingOrder) << "batch";
    QTest::newRow("batch desc") << int(InventoryModel::BatchColumn) << int(Qt::DescendingOrder) << "batch";
    QTest::newRow("delivered desc") << int(InventoryModel::DeliveryDateColumn) << int(Qt::DescendingOrder)
                                    << "deliveryDate";
    QTest::newRow("customer asc") << int(InventoryModel::CustomerColumn) << int(Qt::AscendingOrder) << "customerId";
}

void TestCrmCoreModels::inventorySorts()
{
    QFETCH(int, column);
    QFETCH(int, order);
    QFETCH(QString, field);
    auto api = crmClient(m_f, m_f.viewerToken);
    InventoryModel inventory(api.get());
    inventory.setPageSize(250); // several pages for 600 devices
    QAbstractItemModelTester tester(&inventory, QAbstractItemModelTester::FailureReportingMode::QtTest);
    InventoryModel::Filter filter;
    filter.q = QStringLiteral("SN-INV-000"); // SN-INV-000000 .. 000999 that are left
    inventory.setFilter(filter);
    QTRY_VERIFY_WITH_TIMEOUT(!inventory.isLoading() && inventory.rowCount() > 0, 20000);

    QCOMPARE(InventoryModel::sortFieldOf(column), field);
    QCOMPARE(InventoryModel::columnOfSortField(field), column);
    QSignalSpy loaded(&inventory, &InventoryModel::allLoaded);
    inventory.sort(column, Qt::SortOrder(order));
    QCOMPARE(inventory.query().queryItemValue(QStringLiteral("sort")), field);
    inventory.fetchAll();
    QVERIFY(loaded.wait(30000));
    QVERIFY(inventory.rowCount() >= 990);

    // Every row after the one before it by (value, serial) in the order
    // asked for; missing values count as ''.
    const auto key = [&](int row) {
        const QJsonObject record = inventory.index(row, 0).data(InventoryModel::RecordRole).toJsonObject();
        return std::make_pair(record.value(field).toString(), record.value(QStringLiteral("serial")).toString());
    };
    QSet<QString> serials;
    for (int row = 0; row < inventory.rowCount(); ++row) {
        serials.insert(key(row).second);
        if (row == 0)
            continue;
        const bool inOrder = order == Qt::AscendingOrder ? key(row - 1) < key(row) : key(row) < key(row - 1);
        QVERIFY2(inOrder,
                 qPrintable(QStringLiteral("row %1: %2 %3 after %4 %5")
                                .arg(row)
                                .arg(key(row).first, key(row).second, key(row - 1).first, key(row - 1).second)));
    }
    QCOMPARE(serials.size(), inventory.rowCount());

    // A column the server cannot sort changes nothing and asks nothing.
    QSignalSpy loading(&inventory, &InventoryModel::loadingChanged);
    QSignalSpy resets(&inventory, &QAbstractItemModel::modelReset);
    for (int other : {int(InventoryModel::EnrollmentColumn), int(InventoryModel::RegistrationColumn),
                      int(InventoryModel::HubColumn), int(InventoryModel::OnlineColumn), -1}) {
        QVERIFY(!InventoryModel::isSortable(other));
        inventory.sort(other, Qt::AscendingOrder);
        QCOMPARE(inventory.sortColumn(), column);
        QCOMPARE(inventory.sortOrder(), Qt::SortOrder(order));
    }
    QCOMPARE(loading.count(), 0);
    QCOMPARE(resets.count(), 0);
    QVERIFY(inventory.headerData(InventoryModel::HubColumn, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .startsWith(QLatin1String("Not sortable")));
    QVERIFY(inventory.headerData(column, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .startsWith(QLatin1String("Click to sort")));
}

void TestCrmCoreModels::customersModel()
{
    createCustomer(QStringLiteral("Alpha Customer"));
    createCustomer(QStringLiteral("Beta Customer"));
    auto api = crmClient(m_f, m_f.viewerToken);
    CustomersModel customers(api.get());
    QAbstractItemModelTester tester(&customers, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&customers, &CustomersModel::allLoaded);
    customers.setSearch(QStringLiteral("Alpha"));
    customers.fetchAll();
    QVERIFY(loaded.wait(20000));
    QCOMPARE(customers.rowCount(), 1);
    QCOMPARE(customers.index(0, CustomersModel::NameColumn).data().toString(), QStringLiteral("Alpha Customer"));
    const QString id = customers.index(0, 0).data(CustomersModel::IdRole).toString();
    QCOMPARE(customers.nameFor(id), QStringLiteral("Alpha Customer"));

    // An event renames it in place.
    QJsonObject renamed = customers.record(0);
    renamed.insert(QStringLiteral("name"), QStringLiteral("Alpha Customer AG"));
    customers.applyEvent(QStringLiteral("customer.updated"), {{QStringLiteral("data"), renamed}});
    QCOMPARE(customers.nameFor(id), QStringLiteral("Alpha Customer AG"));
}

void TestCrmCoreModels::enrollmentsModel()
{
    for (const char *serial : {"SN-INV-000010", "SN-INV-000011"}) {
        const QString s = QString::fromLatin1(serial);
        const CallResult r = waitFor(m_operator->put(
            QStringLiteral("enrollments/") + s.toLower(),
            {{QStringLiteral("registrationId"), s.toLower()},
             {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
             {QStringLiteral("serial"), s}}));
        QVERIFY2(r.ok, qPrintable(r.failure.message));
    }
    auto api = crmClient(m_f, m_f.viewerToken);
    EventFeed feed(api.get());
    EnrollmentsModel enrollments(api.get());
    connect(&feed, &EventFeed::eventReceived, &enrollments, &EnrollmentsModel::applyEvent);
    feed.start();
    QTRY_VERIFY_WITH_TIMEOUT(feed.isConnected(), 20000);
    QAbstractItemModelTester tester(&enrollments, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&enrollments, &EnrollmentsModel::allLoaded);
    enrollments.fetchAll();
    QVERIFY(loaded.wait(20000));
    const int row = enrollments.rowOf(QStringLiteral("sn-inv-000010"));
    QVERIFY(row >= 0);
    QCOMPARE(enrollments.index(row, EnrollmentsModel::SerialColumn).data().toString(), QStringLiteral("SN-INV-000010"));
    QCOMPARE(enrollments.index(row, EnrollmentsModel::StatusColumn).data().toString(), QStringLiteral("enabled"));

    // Filter by serial, server-side.
    enrollments.setFilter(QStringLiteral("SN-INV-000011"), QString());
    enrollments.fetchAll();
    QVERIFY(loaded.wait(20000));
    QCOMPARE(enrollments.rowCount(), 1);
    QCOMPARE(enrollments.index(0, EnrollmentsModel::RegistrationIdColumn).data().toString(),
             QStringLiteral("sn-inv-000011"));

    // Live: disabled elsewhere.
    QVERIFY(waitFor(m_operator->post(QStringLiteral("enrollments/sn-inv-000011/disable"), {})).ok);
    QTRY_COMPARE_WITH_TIMEOUT(enrollments.index(0, EnrollmentsModel::StatusColumn).data().toString(),
                              QStringLiteral("disabled"), 20000);
}

void TestCrmCoreModels::hubsModel()
{
    auto admin = crmClient(m_f, m_f.adminToken);
    for (const char *name : {"hub-a", "hub-b"}) {
        const CallResult r =
            waitFor(admin->put(QStringLiteral("hubs/") + QLatin1String(name),
                               {{QStringLiteral("host"), QString(QLatin1String(name) + QStringLiteral(".example"))},
                                {QStringLiteral("allocationWeight"), 2}}));
        QVERIFY2(r.ok, qPrintable(r.failure.message));
    }
    auto api = crmClient(m_f, m_f.viewerToken);
    HubsModel hubs(api.get());
    QAbstractItemModelTester tester(&hubs, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&hubs, &HubsModel::allLoaded);
    hubs.fetchAll();
    QVERIFY(loaded.wait(20000));
    QCOMPARE(hubs.rowCount(), 2);
    const int row = hubs.rowOf(QStringLiteral("hub-b"));
    QCOMPARE(hubs.index(row, HubsModel::HostColumn).data().toString(), QStringLiteral("hub-b.example"));
    QCOMPARE(hubs.index(row, HubsModel::WeightColumn).data().toInt(), 2);
    // Nothing listens at hub-b.example: the link column says the middleware
    // is not connected to it (instead of staying blank), in red.
    // The list carries each hub's link state: the column is filled as soon
    // as the list is, without a status request per hub.
    QVERIFY2(hubs.index(row, HubsModel::LinkColumn).data().toString() != QString::fromUtf8("checking…"),
             "the link column waits for a status request although the list carries `link`");
    QTRY_VERIFY_WITH_TIMEOUT(
        hubs.index(row, HubsModel::LinkColumn).data().toString().startsWith(QStringLiteral("not ")), 20000);
    QVERIFY(hubs.index(row, HubsModel::LinkColumn).data(Qt::ForegroundRole).isValid());
    // A hub record without `link` (an older middleware, or a live event)
    // falls back to GET hubs/{name}/status.
    // (Weight 0: it takes no devices from later tests.)
    QVERIFY(waitFor(admin->put(QStringLiteral("hubs/hub-c"), {{QStringLiteral("host"), QStringLiteral("hub-c.example")},
                                                              {QStringLiteral("allocationWeight"), 0}}))
                .ok);
    hubs.applyEvent(QStringLiteral("hub.created"),
                    {{QStringLiteral("data"), QJsonObject{{QStringLiteral("name"), QStringLiteral("hub-c")},
                                                          {QStringLiteral("host"), QStringLiteral("hub-c.example")}}}});
    const int added = hubs.rowOf(QStringLiteral("hub-c"));
    QVERIFY(added >= 0);
    QCOMPARE(hubs.index(added, HubsModel::LinkColumn).data().toString(), QString::fromUtf8("checking…"));
    QTRY_VERIFY_WITH_TIMEOUT(
        hubs.index(added, HubsModel::LinkColumn).data().toString().startsWith(QStringLiteral("not ")), 20000);
    // A rotation with an overlap shows until when the replaced key works
    // (the hub.keyRotated event carries the record); before, nothing.
    QCOMPARE(hubs.index(row, HubsModel::KeyOverlapColumn).data().toString(), QString());
    const CallResult rotated =
        waitFor(admin->post(QStringLiteral("hubs/hub-b/rotate-key"), {{QStringLiteral("overlapSeconds"), 3600}}));
    QVERIFY2(rotated.ok, qPrintable(rotated.failure.message));
    QJsonObject record = rotated.body.object();
    QVERIFY(record.contains(QStringLiteral("previousKeyAcceptedUntil")));
    hubs.applyEvent(QStringLiteral("hub.keyRotated"), {{QStringLiteral("data"), record}});
    QVERIFY2(
        hubs.index(row, HubsModel::KeyOverlapColumn).data().toString().startsWith(QStringLiteral("accepted until")),
        qPrintable(hubs.index(row, HubsModel::KeyOverlapColumn).data().toString()));
    // Signing keys never sit in the model.
    for (int r = 0; r < hubs.rowCount(); ++r)
        QVERIFY(!hubs.record(r).contains(QStringLiteral("signingKey")));
}

void TestCrmCoreModels::auditModel()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    AuditModel audit(api.get());
    QAbstractItemModelTester tester(&audit, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&audit, &AuditModel::allLoaded);

    AuditModel::Filter filter;
    filter.entityType = QStringLiteral("customer");
    filter.actor = QStringLiteral("token:test-operator");
    audit.setFilter(filter);
    audit.fetchAll();
    QVERIFY(loaded.wait(20000));
    QVERIFY(audit.rowCount() >= 3);
    for (int row = 0; row < audit.rowCount(); ++row) {
        QCOMPARE(audit.index(row, AuditModel::EntityTypeColumn).data().toString(), QStringLiteral("customer"));
        QCOMPARE(audit.index(row, AuditModel::ActorColumn).data().toString(), QStringLiteral("token:test-operator"));
    }

    // The action is the server's filter: with one row a page, the first
    // page already holds the only sale, however many device entries there are.
    filter.entityType = QStringLiteral("device");
    filter.action = QStringLiteral("sell");
    audit.setPageSize(1);
    QSignalSpy pages(&audit, &AuditModel::pageLoaded);
    audit.setFilter(filter);
    QCOMPARE(audit.query().queryItemValue(QStringLiteral("action")), QStringLiteral("sell"));
    QVERIFY(pages.wait(20000));
    QCOMPARE(audit.rowCount(), 1);
    QCOMPARE(audit.index(0, AuditModel::ActionColumn).data().toString(),
             QStringLiteral("sold")); // the verb "sell", in words
    QCOMPARE(audit.index(0, AuditModel::EntityIdColumn).data().toString(), QStringLiteral("SN-INV-000123"));
    audit.fetchAll();
    QTRY_VERIFY_WITH_TIMEOUT(!audit.hasMore() && !audit.isLoading(), 30000);
    QCOMPARE(audit.rowCount(), 1);
    audit.setPageSize(200);

    // An end before everything happened leaves nothing; one after keeps the sale.
    filter.until = QDateTime::currentDateTimeUtc().addYears(-1);
    audit.setFilter(filter);
    audit.fetchAll();
    QVERIFY(loaded.wait(20000));
    QCOMPARE(audit.rowCount(), 0);
    filter.until = QDateTime::currentDateTimeUtc().addDays(1);
    audit.setFilter(filter);
    audit.fetchAll();
    QVERIFY(loaded.wait(20000));
    QCOMPARE(audit.rowCount(), 1);
    filter.until = QDateTime();

    // A start time in the future leaves nothing.
    filter.action.clear();
    filter.since = QDateTime::currentDateTimeUtc().addDays(1);
    audit.setFilter(filter);
    audit.fetchAll();
    QVERIFY(loaded.wait(20000));
    QCOMPARE(audit.rowCount(), 0);
}

void TestCrmCoreModels::telemetryModel()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    TelemetryModel telemetry(api.get());
    QAbstractItemModelTester tester(&telemetry, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // No registration has this device id: a clear error, no rows.
    QSignalSpy errors(&telemetry, &TelemetryModel::errorOccurred);
    telemetry.setDeviceId(QStringLiteral("no-such-device"));
    QVERIFY(errors.wait(20000));
    QCOMPARE(telemetry.rowCount(), 0);

    // Events for this device come in on top, newest first, bounded.
    telemetry.setMaximumMessages(2);
    for (int i = 1; i <= 3; ++i) {
        const QJsonObject event{
            {QStringLiteral("type"), QStringLiteral("telemetry")},
            {QStringLiteral("deviceId"), QStringLiteral("no-such-device")},
            {QStringLiteral("data"),
             QJsonObject{{QStringLiteral("receivedDateTimeUtc"), QStringLiteral("2026-11-26T10:00:0%1.000Z").arg(i)},
                         {QStringLiteral("properties"), QJsonObject{{QStringLiteral("unit"), QStringLiteral("C")}}},
                         {QStringLiteral("size"), 20},
                         {QStringLiteral("body"), QJsonObject{{QStringLiteral("temperature"), 20 + i}}}}}};
        telemetry.applyEvent(QStringLiteral("telemetry"), event);
    }
    telemetry.applyEvent(QStringLiteral("telemetry"), {{QStringLiteral("deviceId"), QStringLiteral("other")}});
    QCOMPARE(telemetry.rowCount(), 2);
    QCOMPARE(telemetry.numericValue(0, QStringLiteral("temperature")), 23.0);
    QCOMPARE(telemetry.index(0, TelemetryModel::PropertiesColumn).data().toString(), QStringLiteral("unit=C"));
    QCOMPARE(telemetry.index(0, TelemetryModel::BodyColumn).data().toString(), QStringLiteral("{\"temperature\":23}"));
    QCOMPARE(telemetry.totalCount(), 3);
}

void TestCrmCoreModels::inventoryFollowsRegistration()
{
    auto admin = crmClient(m_f, m_f.adminToken);
    QVERIFY(
        waitFor(admin->put(QStringLiteral("hubs/hub-r"), {{QStringLiteral("host"), QStringLiteral("hub-r.example")}}))
            .ok);
    // Only hub-r takes new devices.
    for (const char *other : {"hub-a", "hub-b"})
        QVERIFY(
            waitFor(admin->put(QStringLiteral("hubs/") + QLatin1String(other),
                               {{QStringLiteral("host"), QString(QLatin1String(other) + QStringLiteral(".example"))},
                                {QStringLiteral("allocationWeight"), 0}}))
                .ok);

    LiveInventory live(m_f);
    QVERIFY(live.load(QStringLiteral("SN-INV-00050")));
    InventoryModel &inventory = live.inventory;
    const int row = inventory.rowOf(QStringLiteral("SN-INV-000500"));
    QVERIFY(row >= 0);
    QVERIFY(inventory.index(row, InventoryModel::RegistrationColumn).data().toString().isEmpty());

    const CallResult enrolled = waitFor(m_operator->put(
        QStringLiteral("enrollments/sn-inv-000500"),
        {{QStringLiteral("registrationId"), QStringLiteral("sn-inv-000500")},
         {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
         {QStringLiteral("serial"), QStringLiteral("SN-INV-000500")}}));
    QVERIFY2(enrolled.ok, qPrintable(enrolled.failure.message));
    const QString key = enrolled.body.object()
                            .value(QStringLiteral("attestation"))
                            .toObject()
                            .value(QStringLiteral("symmetricKey"))
                            .toObject()
                            .value(QStringLiteral("primaryKey"))
                            .toString();
    QVERIFY(!key.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(inventory.index(row, InventoryModel::EnrollmentColumn).data().toString(),
                              QStringLiteral("enabled"), 20000);

    // The device registers over the DPS API, as a device does.
    QCOMPARE(registerOverDps(*m_f.mw, QStringLiteral("sn-inv-000500"), key).value(QStringLiteral("status")).toString(),
             QStringLiteral("assigned"));

    QTRY_COMPARE_WITH_TIMEOUT(inventory.index(row, InventoryModel::RegistrationColumn).data().toString(),
                              QStringLiteral("assigned"), 20000);
    QCOMPARE(inventory.index(row, InventoryModel::HubColumn).data().toString(), QStringLiteral("hub-r.example"));

    // A model opened afterwards shows the same from the lists.
    InventoryModel fresh(live.api.get());
    QSignalSpy freshLoaded(&fresh, &InventoryModel::allLoaded);
    fresh.setFilter(live.inventory.filter());
    fresh.fetchAll();
    QVERIFY(freshLoaded.wait(20000));
    const int freshRow = fresh.rowOf(QStringLiteral("SN-INV-000500"));
    QTRY_COMPARE_WITH_TIMEOUT(fresh.index(freshRow, InventoryModel::RegistrationColumn).data().toString(),
                              QStringLiteral("assigned"), 20000);
    QCOMPARE(fresh.index(freshRow, InventoryModel::HubColumn).data().toString(), QStringLiteral("hub-r.example"));
    QCOMPARE(fresh.index(freshRow, InventoryModel::EnrollmentColumn).data().toString(), QStringLiteral("enabled"));

    // The enrollments list carries where the device went, so the
    // enrollments page fills its Hub and Registration columns on load.
    EnrollmentsModel enrollments(live.api.get());
    QAbstractItemModelTester enrollmentsTester(&enrollments, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy enrollmentsLoaded(&enrollments, &EnrollmentsModel::allLoaded);
    enrollments.setFilter(QStringLiteral("SN-INV-000500"), QString());
    enrollments.fetchAll();
    QVERIFY(enrollmentsLoaded.wait(20000));
    QCOMPARE(enrollments.rowCount(), 1);
    QCOMPARE(enrollments.index(0, EnrollmentsModel::HubColumn).data().toString(), QStringLiteral("hub-r.example"));
    QCOMPARE(enrollments.index(0, EnrollmentsModel::RegistrationColumn).data().toString(), QStringLiteral("assigned"));
}

PROVISIO_TEST_GUILESS_MAIN(TestCrmCoreModels)
#include "tst_crm_core_models.moc"
