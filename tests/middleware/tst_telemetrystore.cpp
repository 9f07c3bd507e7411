// SPDX-License-Identifier: Apache-2.0
// The telemetry history underneath GET /api/v1/devices/{id}/telemetry:
// TelemetryStore (batch insert, newest-first paging, retention by count and
// by age) on a real SQLite file, and on a real PostgreSQL database in the
// _pg variant, and TelemetryBuffer's batching and memory bounds. Also
// prints the ingest rate of batched writes against one transaction per
// message, the figure the batcher exists for.
#include "childprocesswatch.h"
#include "middlewareprocess.h"
#include "testdatabase.h"

#include "hublink/telemetrybuffer.h"
#include "protocol/timeutil.h"
#include "storage/database.h"
#include "storage/telemetrystore.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;

class TestTelemetryStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void roundTripKeepsBytesAndProperties_data();
    void roundTripKeepsBytesAndProperties();
    void batchesOfEverySize_data();
    void batchesOfEverySize();
    void pagesNewestFirst_data();
    void pagesNewestFirst();
    void timeRange_data();
    void timeRange();
    void badCursorIsRejected_data();
    void badCursorIsRejected();
    void pruneKeepsNewestPerDevice();
    void pruneByAgeIsBounded();
    void bufferSignalsFullBatch();
    void bufferNeverDrops();
    void bufferRestoreKeepsOrder();
    void bufferRedeliveryTakesOverTheAcknowledgement();
    void messageIdentityIsStoredOnce_data();
    void messageIdentityIsStoredOnce();
    void redeliveryOfAStoredDeliveryIsRecognised();
    void redeliveriesAreLookedUpTogether();
    void deliveryRecordIsOneRowPerBatchAndBounded();
    void deliveriesRecordedBeforeTheLogAreStillRecognised();
    void batchedAndSingleWritesStoreAll();

private:
    TelemetryStore::Message message(const QString &device, const QDateTime &at, const QByteArray &body,
                                    const MqttTopic::PropertyBag &properties = {});
    bool insert(const QList<TelemetryStore::Message> &messages);
    int rows(const QString &device = {});
    QList<TelemetryStore::Message> all(const QString &device);

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<TelemetryStore> m_store;
    const QDateTime m_base = QDateTime::currentDateTimeUtc().addSecs(-3600);
};

void TestTelemetryStore::initTestCase()
{
    auto db = Test::openMigratedDatabase(m_dir.path(), QStringLiteral("tele"));
    QVERIFY2(db, qPrintable(db.error().message));
    m_db = std::move(*db);
    m_store = std::make_unique<TelemetryStore>(*m_db);
}

void TestTelemetryStore::init()
{
    QVERIFY(!m_db->inTransaction());
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM telemetry")));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM telemetry_deliveries")));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM telemetry_delivery_log")));
}

void TestTelemetryStore::cleanupTestCase()
{
    m_store.reset();
    m_db.reset();
}

TelemetryStore::Message TestTelemetryStore::message(const QString &device, const QDateTime &at, const QByteArray &body,
                                                    const MqttTopic::PropertyBag &properties)
{
    TelemetryStore::Message m;
    m.deviceId = device;
    m.hubHost = QStringLiteral("hub1.test");
    m.received = at;
    m.body = body;
    m.properties = properties;
    return m;
}

bool TestTelemetryStore::insert(const QList<TelemetryStore::Message> &messages)
{
    Transaction tx(*m_db);
    auto r = m_store->insert(messages);
    if (!r) {
        qWarning() << r.error().message;
        return false;
    }
    return tx.commit();
}

int TestTelemetryStore::rows(const QString &device)
{
    auto q = device.isEmpty()
                 ? m_db->exec(QStringLiteral("SELECT COUNT(*) FROM telemetry"))
                 : m_db->exec(QStringLiteral("SELECT COUNT(*) FROM telemetry WHERE device_id = ?"), {device});
    if (!q || !q->next())
        return -1;
    const int n = q->value(0).toInt();
    q->finish();
    return n;
}

QList<TelemetryStore::Message> TestTelemetryStore::all(const QString &device)
{
    TelemetryStore::Filter filter;
    filter.deviceId = device;
    PageRequest page;
    page.limit = 1000;
    auto r = m_store->page(filter, page);
    return r ? r->items : QList<TelemetryStore::Message>();
}

void TestTelemetryStore::roundTripKeepsBytesAndProperties_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<MqttTopic::PropertyBag>("properties");

    using Bag = MqttTopic::PropertyBag;
    QTest::newRow("json") << QByteArray(R"({"t":21.5})")
                          << Bag{{QStringLiteral("$.ct"), QStringLiteral("application/json")}};
    QTest::newRow("binary with NUL") << QByteArray("\x00\x01\xff\xfe raw", 8) << Bag{};
    QTest::newRow("empty body") << QByteArray() << Bag{{QStringLiteral("k"), QString()}};
    QTest::newRow("utf-8 property") << QByteArray("x")
                                    << Bag{{QStringLiteral("alert"), QStringLiteral("high temp \u00b0C & more")},
                                           {QStringLiteral("alert"), QStringLiteral("twice")}};
    // Outside the BMP (a surrogate pair in UTF-16): text binds as UTF-8.
    QTest::newRow("non-BMP property") << QByteArray("y")
                                      << Bag{{QStringLiteral("icon"),
                                              QString::fromUtf8("\xf0\x9f\x8c\xa1\xef\xb8\x8f hot")}};
    QTest::newRow("64 KiB") << QByteArray(64 * 1024, 'z') << Bag{};
}

void TestTelemetryStore::roundTripKeepsBytesAndProperties()
{
    QFETCH(QByteArray, body);
    QFETCH(MqttTopic::PropertyBag, properties);
    QVERIFY(insert({message(QStringLiteral("dev-rt"), m_base, body, properties)}));
    const auto stored = all(QStringLiteral("dev-rt"));
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first().body, body);
    QCOMPARE(stored.first().properties, properties);
    QCOMPARE(stored.first().hubHost, QStringLiteral("hub1.test"));
    QCOMPARE(toIsoUtc(stored.first().received), toIsoUtc(m_base));
    QVERIFY(stored.first().id > 0);
}

void TestTelemetryStore::batchesOfEverySize_data()
{
    QTest::addColumn<int>("count");
    // The INSERT goes in chunks of 100, 10 and 1 rows: every mix of them.
    for (int n : {1, 9, 10, 11, 99, 100, 101, 111, 500, 1234})
        QTest::addRow("%d", n) << n;
}

void TestTelemetryStore::batchesOfEverySize()
{
    QFETCH(int, count);
    QList<TelemetryStore::Message> batch;
    for (int i = 0; i < count; ++i)
        batch << message(QStringLiteral("dev-batch"), m_base.addMSecs(i), QByteArray::number(i));
    QVERIFY(insert(batch));
    QCOMPARE(rows(QStringLiteral("dev-batch")), count);
    const auto stored = all(QStringLiteral("dev-batch"));
    QCOMPARE(stored.size(), qMin(count, 1000));
    // Newest first, nothing lost or doubled.
    for (int i = 0; i < stored.size(); ++i)
        QCOMPARE(stored.at(i).body, QByteArray::number(count - 1 - i));
}

void TestTelemetryStore::pagesNewestFirst_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("limit");
    QTest::addColumn<bool>("sameInstant"); // every message in one millisecond: order by id

    QTest::newRow("7 by 2") << 7 << 2 << false;
    QTest::newRow("6 by 3") << 6 << 3 << false;
    QTest::newRow("5 by 10") << 5 << 10 << false;
    QTest::newRow("1 by 1") << 1 << 1 << false;
    QTest::newRow("7 by 2, one instant") << 7 << 2 << true;
}

void TestTelemetryStore::pagesNewestFirst()
{
    QFETCH(int, count);
    QFETCH(int, limit);
    QFETCH(bool, sameInstant);
    QList<TelemetryStore::Message> batch;
    for (int i = 0; i < count; ++i)
        batch << message(QStringLiteral("dev-page"), sameInstant ? m_base : m_base.addSecs(i), QByteArray::number(i));
    // Another device's messages never show.
    batch << message(QStringLiteral("dev-other"), m_base.addSecs(1), "other");
    QVERIFY(insert(batch));

    QList<QByteArray> walked;
    TelemetryStore::Filter filter;
    filter.deviceId = QStringLiteral("dev-page");
    PageRequest page;
    page.limit = limit;
    int pages = 0;
    while (true) {
        auto r = m_store->page(filter, page);
        QVERIFY2(r, qPrintable(r.error().message));
        QVERIFY(!r->items.isEmpty());
        QVERIFY(r->items.size() <= limit);
        for (const auto &m : std::as_const(r->items))
            walked << m.body;
        ++pages;
        if (r->nextCursor.isEmpty())
            break;
        QCOMPARE(r->items.size(), limit);
        auto next = parsePageRequest(QString::number(limit), r->nextCursor);
        QVERIFY(next);
        page = *next;
        QVERIFY(pages <= count);
    }
    QList<QByteArray> expected;
    for (int i = count - 1; i >= 0; --i)
        expected << QByteArray::number(i);
    QCOMPARE(walked, expected);
    QCOMPARE(pages, (count + limit - 1) / limit);
}

void TestTelemetryStore::timeRange_data()
{
    QTest::addColumn<int>("since"); // seconds after the base, -1: unbounded
    QTest::addColumn<int>("until");
    QTest::addColumn<QList<QByteArray>>("expected");

    // Messages at base + 0, 1, 2, 3, 4 seconds, bodies "0".."4".
    QTest::newRow("unbounded") << -1 << -1 << QList<QByteArray>{"4", "3", "2", "1", "0"};
    QTest::newRow("since is inclusive") << 2 << -1 << QList<QByteArray>{"4", "3", "2"};
    QTest::newRow("until is exclusive") << -1 << 2 << QList<QByteArray>{"1", "0"};
    QTest::newRow("both") << 1 << 4 << QList<QByteArray>{"3", "2", "1"};
    QTest::newRow("one instant") << 3 << 4 << QList<QByteArray>{"3"};
    QTest::newRow("after the last") << 5 << -1 << QList<QByteArray>{};
}

void TestTelemetryStore::timeRange()
{
    QFETCH(int, since);
    QFETCH(int, until);
    QFETCH(QList<QByteArray>, expected);
    QList<TelemetryStore::Message> batch;
    for (int i = 0; i < 5; ++i)
        batch << message(QStringLiteral("dev-range"), m_base.addSecs(i), QByteArray::number(i));
    QVERIFY(insert(batch));
    TelemetryStore::Filter filter;
    filter.deviceId = QStringLiteral("dev-range");
    if (since >= 0)
        filter.since = m_base.addSecs(since);
    if (until >= 0)
        filter.until = m_base.addSecs(until);
    auto r = m_store->page(filter, PageRequest());
    QVERIFY2(r, qPrintable(r.error().message));
    QList<QByteArray> bodies;
    for (const auto &m : std::as_const(r->items))
        bodies << m.body;
    QCOMPARE(bodies, expected);
}

void TestTelemetryStore::badCursorIsRejected_data()
{
    QTest::addColumn<QString>("afterKey");
    QTest::newRow("not a pair") << QStringLiteral("12");
    QTest::newRow("id not a number") << QStringLiteral(R"(["2024-01-01T00:00:00.000Z","x"])");
    QTest::newRow("time not a time") << QStringLiteral(R"(["yesterday","5"])");
}

void TestTelemetryStore::badCursorIsRejected()
{
    QFETCH(QString, afterKey);
    TelemetryStore::Filter filter;
    filter.deviceId = QStringLiteral("dev");
    PageRequest page;
    page.afterKey = afterKey;
    auto r = m_store->page(filter, page);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::InvalidInput);
}

void TestTelemetryStore::pruneKeepsNewestPerDevice()
{
    QList<TelemetryStore::Message> batch;
    for (int i = 0; i < 20; ++i)
        batch << message(QStringLiteral("dev-a"), m_base.addSecs(i), QByteArray::number(i));
    // Three in one millisecond: the cut falls between rows of equal time.
    for (int i = 0; i < 3; ++i)
        batch << message(QStringLiteral("dev-b"), m_base, QByteArray::number(i));
    QVERIFY(insert(batch));

    // Bounded: 15 to go, at most 6 per call, the oldest first.
    QCOMPARE(*m_store->pruneDevice(QStringLiteral("dev-a"), 5, 6), 6);
    QCOMPARE(rows(QStringLiteral("dev-a")), 14);
    QCOMPARE(all(QStringLiteral("dev-a")).constLast().body, QByteArray("6"));
    QCOMPARE(*m_store->pruneDevice(QStringLiteral("dev-a"), 5, 6), 6);
    QCOMPARE(*m_store->pruneDevice(QStringLiteral("dev-a"), 5, 6), 3);
    QList<QByteArray> left;
    for (const auto &m : all(QStringLiteral("dev-a")))
        left << m.body;
    QCOMPARE(left, (QList<QByteArray>{"19", "18", "17", "16", "15"}));
    QCOMPARE(*m_store->pruneDevice(QStringLiteral("dev-a"), 5, 1000), 0);

    QCOMPARE(*m_store->pruneDevice(QStringLiteral("dev-b"), 2, 1000), 1);
    left.clear();
    for (const auto &m : all(QStringLiteral("dev-b")))
        left << m.body;
    QCOMPARE(left, (QList<QByteArray>{"2", "1"}));
    QCOMPARE(*m_store->pruneDevice(QStringLiteral("nobody"), 1, 1000), 0);
}

void TestTelemetryStore::pruneByAgeIsBounded()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<TelemetryStore::Message> batch;
    for (int i = 0; i < 25; ++i)
        batch << message(QStringLiteral("dev-old"), now.addDays(-10).addSecs(i), "old");
    batch << message(QStringLiteral("dev-old"), now.addDays(-6), "recent");
    batch << message(QStringLiteral("dev-new"), now, "now");
    QVERIFY(insert(batch));

    const QDateTime cutoff = now.addDays(-7);
    QCOMPARE(*m_store->pruneOlderThan(cutoff, 10), 10);
    QCOMPARE(*m_store->pruneOlderThan(cutoff, 10), 10);
    QCOMPARE(*m_store->pruneOlderThan(cutoff, 10), 5);
    QCOMPARE(*m_store->pruneOlderThan(cutoff, 10), 0);
    QCOMPARE(rows(QStringLiteral("dev-old")), 1);
    QCOMPARE(all(QStringLiteral("dev-old")).first().body, QByteArray("recent"));
    QCOMPARE(rows(QStringLiteral("dev-new")), 1);
}

void TestTelemetryStore::bufferSignalsFullBatch()
{
    TelemetryBuffer::Options options;
    options.batchSize = 3;
    TelemetryBuffer buffer(options);
    QVERIFY(!buffer.add(message(QStringLiteral("d1"), m_base, "a")));
    QVERIFY(!buffer.add(message(QStringLiteral("d2"), m_base.addSecs(2), "b")));
    QVERIFY(buffer.add(message(QStringLiteral("d1"), m_base.addSecs(1), "c")));
    QCOMPARE(buffer.pendingCount(), 3);
    QCOMPARE(buffer.unflushed(QStringLiteral("d1")).count, 2);
    QCOMPARE(buffer.unflushed(QStringLiteral("d1")).last, m_base.addSecs(1));
    const auto taken = buffer.takePending();
    QCOMPARE(taken.size(), 3);
    QCOMPARE(taken.at(0).message.body, QByteArray("a"));
    QCOMPARE(taken.at(2).message.body, QByteArray("c"));
    QCOMPARE(buffer.pendingCount(), 0);
    QCOMPARE(buffer.pendingBytes(), 0);
    // Counters are separate from the messages.
    QCOMPARE(buffer.takeUnflushed().size(), 2);
    QCOMPARE(buffer.unflushed(QStringLiteral("d1")).count, 0);
}

void TestTelemetryStore::bufferNeverDrops()
{
    // Every waiting message is one its hub has not forgotten yet only if it
    // was not acknowledged: the buffer keeps all of them, whatever the
    // batch size (the hubs' in-flight windows bound it, not dropping).
    TelemetryBuffer::Options options;
    options.batchSize = 4;
    TelemetryBuffer buffer(options);
    int acknowledged = 0;
    for (int i = 0; i < 7; ++i)
        buffer.add(message(QStringLiteral("d"), m_base.addSecs(i), QByteArray::number(i)), [&] { ++acknowledged; });
    QCOMPARE(buffer.pendingCount(), 7);
    QCOMPARE(buffer.unflushed(QStringLiteral("d")).count, 7);
    const auto taken = buffer.takePending();
    QCOMPARE(taken.size(), 7);
    QCOMPARE(taken.first().message.body, QByteArray("0"));
    QCOMPARE(acknowledged, 0); // the buffer never acknowledges by itself
    for (const auto &e : taken)
        e.acknowledge();
    QCOMPARE(acknowledged, 7);
}

void TestTelemetryStore::bufferRestoreKeepsOrder()
{
    TelemetryBuffer::Options options;
    TelemetryBuffer buffer(options);
    for (int i = 0; i < 3; ++i)
        buffer.add(message(QStringLiteral("d"), m_base, QByteArray::number(i)));
    QList<TelemetryBuffer::Entry> failed = buffer.takePending();
    // Arrived while the write failed.
    for (int i = 3; i < 6; ++i)
        buffer.add(message(QStringLiteral("d"), m_base, QByteArray::number(i)));
    buffer.restorePending(failed);
    QList<QByteArray> bodies;
    for (const auto &e : buffer.takePending())
        bodies << e.message.body;
    QCOMPARE(bodies, (QList<QByteArray>{"0", "1", "2", "3", "4", "5"}));
}

void TestTelemetryStore::bufferRedeliveryTakesOverTheAcknowledgement()
{
    TelemetryBuffer buffer(TelemetryBuffer::Options{});
    TelemetryStore::Message first = message(QStringLiteral("d"), m_base, "x");
    first.session = QStringLiteral("mw|hub");
    first.packetId = 7;
    first.digest = "abc";
    QStringList acks;
    buffer.add(first, [&] { acks << QStringLiteral("old"); });
    TelemetryStore::Message again = first;
    again.redelivered = true;
    QVERIFY(buffer.adoptRedelivery(again, [&] { acks << QStringLiteral("new"); }));
    TelemetryStore::Message other = again;
    other.digest = "abd"; // same identifier, other content: not the same message
    QVERIFY(!buffer.adoptRedelivery(other, [] {}));
    other.digest = first.digest;
    other.packetId = 8;
    QVERIFY(!buffer.adoptRedelivery(other, [] {}));
    const auto taken = buffer.takePending();
    QCOMPARE(taken.size(), 1);
    taken.first().acknowledge();
    QCOMPARE(acks, QStringList{QStringLiteral("new")});
}

void TestTelemetryStore::messageIdentityIsStoredOnce_data()
{
    QTest::addColumn<bool>("sameBatch");
    QTest::newRow("later batch") << false;
    QTest::newRow("same batch") << true;
}

void TestTelemetryStore::messageIdentityIsStoredOnce()
{
    QFETCH(bool, sameBatch);
    TelemetryStore::Message a = message(QStringLiteral("dev-id"), m_base, "a");
    a.messageId = QStringLiteral("m-1");
    TelemetryStore::Message b = message(QStringLiteral("dev-id"), m_base, "b");
    b.messageId = QStringLiteral("m-2");
    TelemetryStore::Message otherDevice = a;
    otherDevice.deviceId = QStringLiteral("dev-other");
    TelemetryStore::Message noId = message(QStringLiteral("dev-id"), m_base, "c");
    if (sameBatch) {
        QVERIFY(insert({a, b, a, otherDevice, noId, noId}));
    } else {
        QVERIFY(insert({a, noId}));
        QVERIFY(insert({a, b, otherDevice, noId}));
    }
    // m-1 once, m-2 once, and messages without an identity every time.
    QCOMPARE(rows(QStringLiteral("dev-id")), 4);
    QCOMPARE(rows(QStringLiteral("dev-other")), 1);
}

void TestTelemetryStore::redeliveryOfAStoredDeliveryIsRecognised()
{
    TelemetryStore::Message m = message(QStringLiteral("dev-dup"), m_base, "v");
    m.session = QStringLiteral("provisio-mw-a|hub1.test");
    m.packetId = 12;
    m.digest = "0123456789abcdef";
    QVERIFY(insert({m}));
    TelemetryStore::Message again = m;
    again.redelivered = true;
    auto seen = m_store->isStoredRedelivery(again);
    QVERIFY(seen);
    QVERIFY(*seen);
    // The identifier used again by the hub for another message.
    TelemetryStore::Message next = m;
    next.digest = "fedcba9876543210";
    seen = m_store->isStoredRedelivery(next);
    QVERIFY(seen);
    QVERIFY(!*seen);
    QVERIFY(insert({next}));
    seen = m_store->isStoredRedelivery(again);
    QVERIFY(seen);
    QVERIFY(!*seen); // the record follows the last stored delivery
    // Another session's identifier 12 is another delivery.
    TelemetryStore::Message otherSession = next;
    otherSession.session = QStringLiteral("provisio-mw-b|hub1.test");
    seen = m_store->isStoredRedelivery(otherSession);
    QVERIFY(seen);
    QVERIFY(!*seen);
}

void TestTelemetryStore::redeliveriesAreLookedUpTogether()
{
    // A whole in-flight window sent again after a reconnect: 123 deliveries
    // (statements of 100, 10 and 1 keys), stored ones among them, each
    // answered as isStoredRedelivery answers it alone.
    constexpr int kStored = 123;
    QList<TelemetryStore::Message> stored;
    for (int i = 0; i < kStored; ++i) {
        TelemetryStore::Message m =
            message(QStringLiteral("dev-window"), m_base.addMSecs(i), QByteArray::number(i), {});
        m.session = QStringLiteral("provisio-mw-w|hub1.test");
        m.packetId = quint16(i + 1);
        m.digest = QByteArray::number(i).leftJustified(TelemetryStore::kDigestBytes, '0');
        stored << m;
    }
    QVERIFY(insert(stored));
    QList<TelemetryStore::Message> again;
    QList<bool> expected;
    for (int i = 0; i < kStored; ++i) {
        TelemetryStore::Message m = stored.at(i);
        m.redelivered = true;
        switch (i % 5) {
        case 0: // the same delivery again: stored
            expected << true;
            break;
        case 1: // the identifier reused for another message
            m.digest = QByteArray(TelemetryStore::kDigestBytes, 'f');
            expected << false;
            break;
        case 2: // not marked as a redelivery
            m.redelivered = false;
            expected << false;
            break;
        case 3: // an identity of its own: the unique index decides
            m.messageId = QStringLiteral("mid-%1").arg(i);
            expected << false;
            break;
        default: // another session's identifier
            m.session = QStringLiteral("provisio-mw-other|hub1.test");
            expected << false;
            break;
        }
        again << m;
    }
    // A key twice in one batch is answered for both.
    again << again.first();
    expected << true;
    auto seen = m_store->storedRedeliveries(again);
    QVERIFY2(seen, qPrintable(seen.error().message));
    QCOMPARE(*seen, expected);
    for (int i = 0; i < again.size(); ++i) {
        if (!again.at(i).redelivered)
            continue;
        auto alone = m_store->isStoredRedelivery(again.at(i));
        QVERIFY(alone);
        QCOMPARE(*alone, expected.at(i));
    }
    QVERIFY(m_store->storedRedeliveries({}));
}

void TestTelemetryStore::deliveryRecordIsOneRowPerBatchAndBounded()
{
    // 75,000 deliveries of one session in batches of 5,000 (the hub's
    // packet identifiers wrap after 65,535): one record row per batch, and
    // rows that hold none of the session's latest kDeliveryHorizon
    // deliveries go.
    constexpr int kBatch = 5000;
    constexpr int kBatches = 15;
    const QString session = QStringLiteral("provisio-mw-h|hub1.test");
    const auto delivery = [&](int i) {
        TelemetryStore::Message m = message(QStringLiteral("dev-horizon"), m_base, QByteArray::number(i));
        m.session = session;
        m.packetId = quint16(i % 65535 + 1);
        m.digest = QByteArray::number(i).leftJustified(TelemetryStore::kDigestBytes, '-');
        return m;
    };
    const auto logRows = [&] {
        auto q = m_db->exec(QStringLiteral("SELECT COUNT(*) FROM telemetry_delivery_log WHERE session = ?"), {session});
        const int n = q && q->next() ? q->value(0).toInt() : -1;
        if (q)
            q->finish();
        return n;
    };
    // A message with an identity of its own needs no record.
    TelemetryStore::Message withId = delivery(-1);
    withId.messageId = QStringLiteral("mid-horizon");
    QVERIFY(insert({withId}));
    QCOMPARE(logRows(), 0);
    for (int b = 0; b < kBatches; ++b) {
        QList<TelemetryStore::Message> batch;
        for (int i = b * kBatch; i < (b + 1) * kBatch; ++i)
            batch << delivery(i);
        QVERIFY(insert(batch));
        QCOMPARE(logRows(), b + 1 - qMax(0, int(((b + 1) * kBatch - TelemetryStore::kDeliveryHorizon) / kBatch)));
    }
    // 75,000 - 65,536 = 9,464: the first batch's row (deliveries 1..5,000)
    // is gone, the second's (5,001..10,000) still holds recent ones.
    QCOMPARE(logRows(), kBatches - 1);
    QCOMPARE(rows(QStringLiteral("dev-horizon")), kBatch * kBatches + 1);
    const auto storedAgain = [&](int i) {
        TelemetryStore::Message again = delivery(i);
        again.redelivered = true;
        auto seen = m_store->isStoredRedelivery(again);
        return seen && *seen;
    };
    QVERIFY(storedAgain(9999));                  // the oldest row kept
    QVERIFY(storedAgain(kBatch * kBatches - 1)); // the latest
    QVERIFY(storedAgain(65535 + 7));             // identifier 8, used twice: the later use counts
    QVERIFY(!storedAgain(7));                    // ... not the earlier one
    TelemetryStore::Message changed = delivery(70000);
    changed.redelivered = true;
    changed.digest = QByteArray(TelemetryStore::kDigestBytes, 'x');
    auto seen = m_store->isStoredRedelivery(changed); // the identifier with other content
    QVERIFY(seen);
    QVERIFY(!*seen);
}

void TestTelemetryStore::deliveriesRecordedBeforeTheLogAreStillRecognised()
{
    // A delivery stored by a middleware before migration 25 (one
    // telemetry_deliveries row, digest in hex) whose acknowledgement was
    // lost: the hub sends it again to the upgraded middleware.
    const QByteArray digest = QByteArray("0123456789abcdef");
    QVERIFY(m_db->execAffected(
        QStringLiteral("INSERT INTO telemetry_deliveries (delivery_key, digest, stored) VALUES (?, ?, ?)"),
        {QStringLiteral("provisio-mw-old|hub1.test|41"), QString::fromLatin1(digest.toHex()), toIsoUtc(m_base)}));
    TelemetryStore::Message again = message(QStringLiteral("dev-old"), m_base, "v");
    again.session = QStringLiteral("provisio-mw-old|hub1.test");
    again.packetId = 41;
    again.digest = digest;
    again.redelivered = true;
    auto seen = m_store->isStoredRedelivery(again);
    QVERIFY(seen);
    QVERIFY(*seen);
    // Once the identifier is used again under the new record, that counts.
    TelemetryStore::Message next = again;
    next.redelivered = false;
    next.digest = QByteArray(TelemetryStore::kDigestBytes, 'n');
    QVERIFY(insert({next}));
    seen = m_store->isStoredRedelivery(again);
    QVERIFY(seen);
    QVERIFY(!*seen);
}

void TestTelemetryStore::batchedAndSingleWritesStoreAll()
{
    // 100 devices, 20 messages each, of a typical small JSON body: once
    // the way HubLink writes (batches of 500, one transaction each), once
    // one transaction per message; both store every message once. The two
    // rates are printed for reference only: a timed comparison fails on a
    // loaded machine, so throughput is a benchmark's figure
    // (provisio-bench-ingest, docs/benchmarks.md), not a test's verdict.
    constexpr int kMessages = 2000;
    QList<TelemetryStore::Message> messages;
    for (int i = 0; i < kMessages; ++i)
        messages << message(QStringLiteral("bench-%1").arg(i % 100), m_base.addMSecs(i),
                            QByteArray(R"({"temperature":21.5,"humidity":40,"seq":)") + QByteArray::number(i) + '}',
                            {{QStringLiteral("$.ct"), QStringLiteral("application/json")}});
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < kMessages; i += 500)
        QVERIFY(insert(messages.mid(i, 500)));
    const qint64 batchedNs = qMax<qint64>(1, timer.nsecsElapsed());
    QCOMPARE(rows(), kMessages);

    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM telemetry")));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM telemetry_delivery_log")));
    timer.restart();
    for (const auto &m : std::as_const(messages))
        QVERIFY(insert({m}));
    const qint64 singleNs = qMax<qint64>(1, timer.nsecsElapsed());
    QCOMPARE(rows(), kMessages);

    const double batched = kMessages / (batchedNs / 1e9);
    const double single = kMessages / (singleNs / 1e9);
    qInfo("%s: %.0f messages/s in batches of 500, %.0f messages/s one transaction each (%.1fx)",
          m_db->dialect() == Database::Dialect::Postgres ? "PostgreSQL" : "SQLite", batched, single, batched / single);
}

PROVISIO_TEST_GUILESS_MAIN(TestTelemetryStore)
#include "tst_telemetrystore.moc"
