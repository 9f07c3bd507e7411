// SPDX-License-Identifier: Apache-2.0
// The CRM's views as a person reads them. The device view's telemetry chart, shown offscreen in a real window and
// fed through the TelemetryModel's live-event path (what the EventFeed
// delivers): readings of very different magnitudes each on their own axis,
// readable labels, the range picker, the legend's toggles, hover values and
// the CSV export. Banners that do not move the page, one date format with
// the zone, and record changes as a diff.
#include "apiclient.h"
#include "auditmodel.h"
#include "core/crmcoretestutil.h"
#include "displayformat.h"
#include "dpstestutil.h"
#include "eventfeed.h"
#include "jsondiff.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "overviewpage.h"
#include "telemetrychart.h"
#include "telemetrymodel.h"
#include "widgettestutil.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QGraphicsTextItem>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QProgressBar>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QValueAxis>

using namespace Provisio::Crm;

namespace {

const QString kDevice = QStringLiteral("sensor-0001");

QJsonObject reading(const QDateTime &at, const QJsonObject &body)
{
    return QJsonObject{{QStringLiteral("deviceId"), kDevice},
                       {QStringLiteral("data"),
                        QJsonObject{{QStringLiteral("receivedDateTimeUtc"), at.toUTC().toString(Qt::ISODateWithMs)},
                                    {QStringLiteral("properties"), QJsonObject()},
                                    {QStringLiteral("size"), 40},
                                    {QStringLiteral("body"), body}}}};
}

// What the chart's scene shows as text: axis labels and titles.
QStringList sceneTexts(QChartView *view)
{
    QStringList texts;
    const auto items = view->scene()->items();
    for (QGraphicsItem *item : items) {
        if (auto *text = dynamic_cast<QGraphicsTextItem *>(item))
            texts << text->toPlainText();
    }
    return texts;
}

} // namespace

class TestCrmAppViews : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void magnitudesGetTheirOwnReadableAxes();
    void nonNegativeDataHasNoNegativeTicks();
    void deviceWithoutTelemetrySaysSo();
    void rangePickerWindowsTheReadings();
    void legendHidesASeriesAndExportFollows();
    void hoverNamesTheNearestReading();
    void bannerDoesNotMoveThePage();
    void datesCarryTheirZone();
    void statusBarIsNotLiveWhileAHubIsDown();
    void changesReadAsADiff();
    void overviewCountsTheFleet();

private:
    Provisio::Test::CrmFixture m_f;
    // 30 readings a minute apart, ending now: pressure ~1013 hPa, humidity
    // ~43 %, temperature ~21 °C.
    void feedWeather(TelemetryModel &model);
};

void TestCrmAppViews::initTestCase()
{
    Provisio::Test::useCleanSettings(QStringLiteral("tst_crm_app_views"));
}

void TestCrmAppViews::feedWeather(TelemetryModel &model)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 29; i >= 0; --i) {
        model.applyEvent(QStringLiteral("telemetry"),
                         reading(now.addSecs(-60 * i), QJsonObject{{QStringLiteral("pressure"), 1013.0 + (i % 5) * 0.2},
                                                                   {QStringLiteral("humidity"), 42.0 + (i % 7) * 0.4},
                                                                   {QStringLiteral("temperature"), 21.0 + i * 0.05}}));
    }
}

void TestCrmAppViews::magnitudesGetTheirOwnReadableAxes()
{
    TelemetryModel model(nullptr);
    model.setDeviceId(kDevice);
    TelemetryChart chart(&model);
    chart.resize(900, 760);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    feedWeather(model);
    QCoreApplication::processEvents();
    QCOMPARE(chart.seriesNames(),
             (QStringList{QStringLiteral("humidity"), QStringLiteral("pressure"), QStringLiteral("temperature")}));
    QCOMPARE(chart.pointCount(QStringLiteral("pressure")), 30);
    QValueAxis *pressure = chart.valueAxis(QStringLiteral("pressure"));
    QValueAxis *humidity = chart.valueAxis(QStringLiteral("humidity"));
    QVERIFY(pressure && humidity && pressure != humidity);
    // Each axis spans its own readings closely: humidity's 2.4 % of change
    // takes more than a third of its axis, not a sliver of 0…1014.
    QVERIFY2(pressure->min() >= 1012 && pressure->max() <= 1014.5,
             qPrintable(QStringLiteral("%1..%2").arg(pressure->min()).arg(pressure->max())));
    QVERIFY2(humidity->min() >= 40 && humidity->max() <= 46,
             qPrintable(QStringLiteral("%1..%2").arg(humidity->min()).arg(humidity->max())));
    QVERIFY((44.4 - 42.0) / (humidity->max() - humidity->min()) > 0.33);
    // Labels as drawn: whole numbers, none cut short with an ellipsis; the
    // time axis has labels and names the zone.
    for (const QString &name : chart.seriesNames()) {
        QChartView *view = chart.chartView(name);
        QVERIFY(view && view->isVisible());
        const QStringList texts = sceneTexts(view);
        QVERIFY2(!texts.isEmpty(), qPrintable(name));
        for (const QString &text : texts)
            QVERIFY2(!text.contains(QChar(0x2026)) && !text.endsWith(QLatin1String("...")),
                     qPrintable(name + QStringLiteral(": ") + text));
        QVERIFY(chart.timeAxis(name)->labelsVisible());
        QVERIFY(chart.timeAxis(name)->format().startsWith(QLatin1String("HH:mm")));
    }
    const QStringList pressureTexts = sceneTexts(chart.chartView(QStringLiteral("pressure")));
    QVERIFY2(pressureTexts.filter(QRegularExpression(QStringLiteral("^101[234](\\.\\d)?$"))).size() >= 2,
             qPrintable(pressureTexts.join(QLatin1Char('|'))));
    Provisio::Test::saveScreenshot(&chart, "crm-telemetry-chart.png");
}

void TestCrmAppViews::nonNegativeDataHasNoNegativeTicks()
{
    TelemetryModel model(nullptr);
    model.setDeviceId(kDevice);
    TelemetryChart chart(&model);
    chart.resize(700, 400);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < 5; ++i)
        model.applyEvent(QStringLiteral("telemetry"),
                         reading(now.addSecs(i - 5), QJsonObject{{QStringLiteral("rain"), i % 2 ? 0.3 : 0.0}}));
    QValueAxis *rain = chart.valueAxis(QStringLiteral("rain"));
    QVERIFY(rain);
    QCOMPARE(rain->min(), 0.0);
    QVERIFY(rain->max() >= 0.3);
    // A flat reading still gets a range around it, not a collapsed axis.
    TelemetryModel flatModel(nullptr);
    flatModel.setDeviceId(kDevice);
    TelemetryChart flat(&flatModel);
    flatModel.applyEvent(QStringLiteral("telemetry"), reading(now, QJsonObject{{QStringLiteral("level"), 5.0}}));
    QVERIFY(flat.valueAxis(QStringLiteral("level"))->max() > flat.valueAxis(QStringLiteral("level"))->min());
    QVERIFY(flat.valueAxis(QStringLiteral("level"))->min() >= 0);
}

void TestCrmAppViews::deviceWithoutTelemetrySaysSo()
{
    TelemetryModel model(nullptr);
    model.setDeviceId(kDevice);
    TelemetryChart chart(&model);
    chart.resize(700, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    feedWeather(model);
    QVERIFY(chart.chartView(QStringLiteral("pressure"))->isVisible());
    // Another device, without telemetry: no chart and no scale of the last one.
    model.setDeviceId(QStringLiteral("sensor-0002"));
    QVERIFY(chart.seriesNames().isEmpty());
    QVERIFY(!chart.valueAxis(QStringLiteral("pressure")));
    auto *empty = chart.findChild<QLabel *>(QStringLiteral("telemetryEmpty"));
    QVERIFY(empty && empty->isVisible());
    QVERIFY2(empty->text().startsWith(QLatin1String("No telemetry yet")), qPrintable(empty->text()));
    QVERIFY(!chart.findChild<QWidget *>(QStringLiteral("telemetryExport"))->isEnabled());
}

void TestCrmAppViews::rangePickerWindowsTheReadings()
{
    TelemetryModel model(nullptr);
    model.setDeviceId(kDevice);
    TelemetryChart chart(&model);
    chart.resize(700, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QJsonObject body{{QStringLiteral("temperature"), 20.5}};

    // The last hour: the model asks the server from an hour ago on, and a
    // reading from three hours ago is not drawn.
    chart.setRange(TelemetryChart::LastHour);
    QVERIFY(qAbs(model.since().secsTo(now.addSecs(-3600))) < 60);
    QVERIFY(!model.until().isValid());
    model.applyEvent(QStringLiteral("telemetry"), reading(now.addSecs(-3 * 3600), body));
    model.applyEvent(QStringLiteral("telemetry"), reading(now.addSecs(-120), body));
    QCOMPARE(chart.pointCount(QStringLiteral("temperature")), 1);
    QDateTimeAxis *x = chart.timeAxis(QStringLiteral("temperature"));
    QVERIFY(qAbs(x->min().secsTo(now.addSecs(-3600))) < 60);
    QVERIFY(qAbs(x->max().secsTo(now)) < 60);

    // Seven days take both.
    chart.setRange(TelemetryChart::LastWeek);
    QVERIFY(qAbs(model.since().secsTo(now.addDays(-7))) < 60);
    model.applyEvent(QStringLiteral("telemetry"), reading(now.addSecs(-3 * 3600), body));
    model.applyEvent(QStringLiteral("telemetry"), reading(now.addSecs(-120), body));
    QCOMPARE(chart.pointCount(QStringLiteral("temperature")), 2);
    QCOMPARE(chart.timeAxis(QStringLiteral("temperature"))->format(), QStringLiteral("MM-dd HH:mm"));

    // A custom window in the past: the model asks for it and leaves live
    // readings (newer than its end) out.
    const QDateTime from = now.addSecs(-5 * 3600);
    const QDateTime to = now.addSecs(-2 * 3600);
    chart.setCustomRange(to, from); // either order
    chart.setRange(TelemetryChart::Custom);
    QCOMPARE(model.since(), from);
    QCOMPARE(model.until(), to);
    model.applyEvent(QStringLiteral("telemetry"), reading(now.addSecs(-3 * 3600), body));
    model.applyEvent(QStringLiteral("telemetry"), reading(now, body));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(chart.pointCount(QStringLiteral("temperature")), 1);

    // Through the picker itself: "Last 24 hours" from the combo box.
    auto *box = chart.findChild<QComboBox *>(QStringLiteral("telemetryRange"));
    QVERIFY(box);
    const int day = box->findData(TelemetryChart::LastDay);
    box->setCurrentIndex(day);
    Q_EMIT box->activated(day);
    QCOMPARE(chart.range(), TelemetryChart::LastDay);
    QVERIFY(qAbs(model.since().secsTo(now.addDays(-1))) < 60);
    auto *empty = chart.findChild<QLabel *>(QStringLiteral("telemetryEmpty"));
    QVERIFY(empty->isVisible()); // reloaded, nothing in it yet
}

void TestCrmAppViews::legendHidesASeriesAndExportFollows()
{
    TelemetryModel model(nullptr);
    model.setDeviceId(kDevice);
    TelemetryChart chart(&model);
    chart.resize(900, 760);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QDateTime t0 = QDateTime(QDate(2026, 12, 6), QTime(10, 0), Qt::UTC);
    chart.setCustomRange(t0.addSecs(-60), t0.addSecs(3600));
    chart.setRange(TelemetryChart::Custom);
    model.applyEvent(QStringLiteral("telemetry"),
                     reading(t0, QJsonObject{{QStringLiteral("pressure"), 1013.25},
                                             {QStringLiteral("humidity"), 43.5},
                                             {QStringLiteral("state"), QStringLiteral("ok")}}));
    model.applyEvent(QStringLiteral("telemetry"),
                     reading(t0.addSecs(60), QJsonObject{{QStringLiteral("pressure"), 1013.5}}));
    QCOMPARE(QString::fromUtf8(chart.csv()), QStringLiteral("time,humidity,pressure\n"
                                                            "2026-12-06T10:00:00.000Z,43.5,1013.25\n"
                                                            "2026-12-06T10:01:00.000Z,,1013.5\n"));
    // Clicking humidity in the legend hides its chart and its column.
    auto *toggle = chart.findChild<QToolButton *>(QStringLiteral("telemetryToggle_humidity"));
    QVERIFY(toggle && toggle->isVisible() && toggle->isChecked());
    QTest::mouseClick(toggle, Qt::LeftButton);
    QVERIFY(!chart.isSeriesVisible(QStringLiteral("humidity")));
    QVERIFY(!chart.chartView(QStringLiteral("humidity"))->isVisible());
    QVERIFY(chart.chartView(QStringLiteral("pressure"))->isVisible());
    QCOMPARE(QString::fromUtf8(chart.csv()), QStringLiteral("time,pressure\n"
                                                            "2026-12-06T10:00:00.000Z,1013.25\n"
                                                            "2026-12-06T10:01:00.000Z,1013.5\n"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("t.csv"));
    QVERIFY(chart.exportCsv(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), chart.csv());
    QString error;
    QVERIFY(!chart.exportCsv(dir.filePath(QStringLiteral("missing/t.csv")), &error));
    QVERIFY(!error.isEmpty());
    QTest::mouseClick(toggle, Qt::LeftButton);
    QVERIFY(chart.chartView(QStringLiteral("humidity"))->isVisible());
}

void TestCrmAppViews::hoverNamesTheNearestReading()
{
    TelemetryModel model(nullptr);
    model.setDeviceId(kDevice);
    TelemetryChart chart(&model);
    chart.resize(900, 760);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    feedWeather(model);
    QChartView *view = chart.chartView(QStringLiteral("pressure"));
    QTRY_VERIFY(view->chart()->plotArea().width() > 100);
    QLineSeries *series = qobject_cast<QLineSeries *>(view->chart()->series().value(0));
    QVERIFY(series);
    const QPointF point = series->at(10);
    const QPoint at = view->mapFromScene(view->chart()->mapToScene(view->chart()->mapToPosition(point, series)));
    QVERIFY(chart.hoverText().startsWith(QLatin1String("Times in ")));
    QTest::mouseMove(view->viewport(), at);
    QTRY_VERIFY2(chart.hoverText().startsWith(QLatin1String("pressure ")), qPrintable(chart.hoverText()));
    QVERIFY2(chart.hoverText().contains(QLocale().toString(point.y(), 'f', 1)), qPrintable(chart.hoverText()));
    QVERIFY(
        chart.hoverText().contains(QDateTime::fromMSecsSinceEpoch(qint64(point.x())).toString(QStringLiteral("t"))));
}

// An error banner appears (no middleware answers on the port) below the
// page: the page's toolbar and rows stay where the pointer is.
void TestCrmAppViews::bannerDoesNotMoveThePage()
{
    QTcpServer closed; // a free port, closed again: connections are refused
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    ApiClient api;
    api.setConnection(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port)), "token", {});
    EventFeed feed(&api);
    MainWindow window(&api, &feed);
    window.resize(1280, 800);
    window.applyRole(QStringLiteral("admin"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *pages = window.findChild<QStackedWidget *>(QStringLiteral("pages"));
    QVERIFY(pages);
    window.start();
    QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 20000);
    QCOMPARE(window.banner()->kind(), MessageBanner::Kind::Error);
    QCoreApplication::processEvents();
    const QPoint withBanner = pages->mapTo(&window, QPoint(0, 0));
    QVERIFY(window.banner()->mapTo(&window, QPoint(0, 0)).y() > withBanner.y() + pages->height() - 1);
    window.banner()->dismiss();
    QTRY_VERIFY(!window.banner()->isVisible());
    QCoreApplication::processEvents();
    QCOMPARE(pages->mapTo(&window, QPoint(0, 0)), withBanner);
    // And back: the next error does not push the page down either.
    window.banner()->showError(QStringLiteral("again"));
    QCoreApplication::processEvents();
    QCOMPARE(pages->mapTo(&window, QPoint(0, 0)), withBanner);
    feed.stop();
}

// "Live" only while the feed answers and every linked hub is connected: a
// hub the middleware cannot reach turns it into "Hub … down".
void TestCrmAppViews::statusBarIsNotLiveWhileAHubIsDown()
{
    QVERIFY(m_f.start());
    auto api = Provisio::Test::crmClient(m_f, m_f.adminToken);
    EventFeed feed(api.get());
    MainWindow window(api.get(), &feed);
    window.setHubCheckInterval(300);
    window.applyRole(QStringLiteral("admin"));
    window.start();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *live = window.findChild<QLabel *>(QStringLiteral("liveLabel"));
    QVERIFY(live);
    QTRY_COMPARE_WITH_TIMEOUT(live->text(), QStringLiteral("● Live"), 20000);
    // A hub whose host does not resolve: its link stays down.
    auto admin = m_f.client(m_f.adminToken);
    QCOMPARE(admin
                 ->put(QStringLiteral("/api/v1/hubs/hub1"),
                       {{QStringLiteral("host"), QStringLiteral("hub1.provisio.invalid")},
                        {QStringLiteral("allocationWeight"), 1}})
                 .status,
             201);
    QTRY_COMPARE_WITH_TIMEOUT(window.hubsDown(), QStringList{QStringLiteral("hub1")}, 30000);
    QCOMPARE(live->text(), QStringLiteral("◐ Hub hub1 down"));
    QVERIFY(live->toolTip().contains(QLatin1String("hub1")));
    // Gone again: live.
    QCOMPARE(admin->del(QStringLiteral("/api/v1/hubs/hub1")).status, 204);
    QTRY_COMPARE_WITH_TIMEOUT(live->text(), QStringLiteral("● Live"), 20000);
    feed.stop();
}

void TestCrmAppViews::datesCarryTheirZone()
{
    const QDateTime at(QDate(2026, 12, 6), QTime(9, 14, 3, 120), Qt::UTC);
    const QString zone = at.toLocalTime().toString(QStringLiteral("t"));
    QVERIFY(!zone.isEmpty());
    const QString shown = formatDateTime(at);
    QCOMPARE(shown, at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss ")) + zone);
    QCOMPARE(formatApiDateTime(QStringLiteral("2026-12-06T09:14:03.120Z")), shown);
    QCOMPARE(formatApiDateTime(QStringLiteral("2026-12-06T10:14:03+01:00")), formatDateTime(at.addMSecs(-120)));
    QVERIFY(formatDateTime(at, true).endsWith(QStringLiteral(".120 ") + zone));
    QCOMPARE(formatApiDateTime(QString()), QString());
    QCOMPARE(formatApiDateTime(QStringLiteral("soon")), QStringLiteral("soon"));
    // The telemetry table uses it too, to the millisecond.
    TelemetryModel model(nullptr);
    model.setDeviceId(kDevice);
    model.applyEvent(QStringLiteral("telemetry"), reading(at, QJsonObject{{QStringLiteral("t"), 1}}));
    QCOMPARE(model.index(0, TelemetryModel::ReceivedColumn).data().toString(), formatDateTime(at, true));
}

void TestCrmAppViews::changesReadAsADiff()
{
    const QJsonObject before{{QStringLiteral("serial"), QStringLiteral("SN-1")},
                             {QStringLiteral("status"), QStringLiteral("inStock")},
                             {QStringLiteral("notes"), QStringLiteral("scratched")},
                             {QStringLiteral("tags"), QJsonObject{{QStringLiteral("room"), QStringLiteral("hall")},
                                                                  {QStringLiteral("floor"), 1}}}};
    const QJsonObject after{{QStringLiteral("serial"), QStringLiteral("SN-1")},
                            {QStringLiteral("status"), QStringLiteral("sold")},
                            {QStringLiteral("customerId"), QStringLiteral("cus_0001")},
                            {QStringLiteral("tags"), QJsonObject{{QStringLiteral("room"), QStringLiteral("kitchen")},
                                                                 {QStringLiteral("floor"), 1}}}};
    const auto names = [](const QString &path, const QJsonValue &value) {
        return path == QLatin1String("customerId") && value.toString() == QLatin1String("cus_0001")
                   ? QStringLiteral("Acme Corp")
                   : QString();
    };
    const QStringList lines = describeChanges(before, after, names);
    QCOMPARE(lines, (QStringList{QStringLiteral("removed notes: \u201cscratched\u201d"),
                                 QStringLiteral("status: \u201cinStock\u201d \u2192 \u201csold\u201d"),
                                 QStringLiteral("tags.room: \u201chall\u201d \u2192 \u201ckitchen\u201d"),
                                 QStringLiteral("added customerId: Acme Corp")}));
    QVERIFY(describeChanges(after, after).isEmpty());
    // A created record lists what it was created with, nested by path.
    QCOMPARE(describeChanges({}, QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("a"), true}}}}),
             QStringList{QStringLiteral("added tags.a: yes")});

    // The audit log names a customer instead of its id.
    AuditModel audit(nullptr);
    audit.setCustomerNames(
        [](const QString &id) { return id == QLatin1String("cus_0001") ? QStringLiteral("Acme Corp") : QString(); });
    QCOMPARE(audit.customerName(QStringLiteral("cus_0001")), QStringLiteral("Acme Corp"));
    QCOMPARE(audit.customerName(QStringLiteral("cus_0002")), QStringLiteral("cus_0002"));
}

// The overview's numbers against what was put into the middleware: four
// devices delivered, three sold, two enrolled, one registered today.
void TestCrmAppViews::overviewCountsTheFleet()
{
    if (!m_f.mw)
        QVERIFY(m_f.start());
    auto admin = m_f.client(m_f.adminToken);
    QCOMPARE(admin
                 ->put(QStringLiteral("/api/v1/hubs/hub2"),
                       {{QStringLiteral("host"), QStringLiteral("hub2.provisio.invalid")},
                        {QStringLiteral("allocationWeight"), 1}})
                 .status,
             201);
    const auto customer =
        admin->post(QStringLiteral("/api/v1/customers"), {{QStringLiteral("name"), QStringLiteral("Acme Corp")}});
    QCOMPARE(customer.status, 201);
    const QString customerId = customer.json().value(QStringLiteral("id")).toString();
    QString key;
    for (int i = 1; i <= 4; ++i) {
        const QString serial = QStringLiteral("OV-%1").arg(i);
        QCOMPARE(admin->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), serial}}).status, 201);
        if (i <= 3)
            QCOMPARE(admin
                         ->post(QStringLiteral("/api/v1/devices/") + serial + QStringLiteral("/sell"),
                                {{QStringLiteral("customerId"), customerId}})
                         .status,
                     200);
        if (i <= 2) {
            const auto e = admin->put(QStringLiteral("/api/v1/enrollments/ov-%1").arg(i),
                                      {{QStringLiteral("registrationId"), QStringLiteral("ov-%1").arg(i)},
                                       {QStringLiteral("serial"), serial},
                                       {QStringLiteral("attestation"),
                                        QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
            QCOMPARE(e.status, 201);
            if (i == 1)
                key = e.json()
                          .value(QStringLiteral("attestation"))
                          .toObject()
                          .value(QStringLiteral("symmetricKey"))
                          .toObject()
                          .value(QStringLiteral("primaryKey"))
                          .toString();
        }
    }
    QCOMPARE(registerOverDps(*m_f.mw, QStringLiteral("ov-1"), key).value(QStringLiteral("status")).toString(),
             QStringLiteral("assigned"));

    auto api = Provisio::Test::crmClient(m_f, m_f.adminToken);
    EventFeed feed(api.get());
    MainWindow window(api.get(), &feed);
    window.resize(1280, 800);
    window.applyRole(QStringLiteral("admin"));
    window.start();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    OverviewPage *overview = window.overviewPage();
    QSignalSpy loaded(overview, &OverviewPage::loaded);
    window.showPage(MainWindow::OverviewView);
    QVERIFY(loaded.wait(20000));
    const OverviewPage::Funnel f = overview->funnel();
    QCOMPARE(f.delivered, 4);
    QCOMPARE(f.sold, 3);
    QCOMPARE(f.enrolled, 2);
    QCOMPARE(f.activated, 1);
    QCOMPARE(f.online, 0);
    const auto perDay = overview->registrationsPerDay();
    QCOMPARE(perDay.size(), OverviewPage::kDays);
    QCOMPARE(perDay.value(QDate::currentDate()), 1);
    QCOMPARE(perDay.value(QDate::currentDate().addDays(-1)), 0);
    QVERIFY2(overview->hubHealth().value(QStringLiteral("hub2")).startsWith(QLatin1String("not connected")),
             qPrintable(overview->hubHealth().value(QStringLiteral("hub2"))));
    auto *sold = overview->findChild<QProgressBar *>(QStringLiteral("funnel1"));
    QVERIFY(sold && sold->isVisible());
    QCOMPARE(sold->value(), 3);
    QCOMPARE(sold->maximum(), 4);
    Provisio::Test::saveScreenshot(&window, "crm-overview.png");
    feed.stop();
}

QTEST_MAIN(TestCrmAppViews)
#include "tst_crm_app_views.moc"
