// SPDX-License-Identifier: Apache-2.0
// TelemetryOutbox on real SQLite files (order, persistence across a simulated
// restart, the capacity bound and its persisted drop counter) and
// OutboxSender's queue logic against a fake publish function standing in for
// MqttClient::publish at QoS 1.
#include "telemetryoutbox.h"

#include "mqtt/mqtttopic.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Kiosk;
using namespace Qt::Literals::StringLiterals;

namespace {

// Records what the sender publishes; acknowledgements are sent by the test.
struct FakeNetwork
{
    struct Sent
    {
        int mid;
        QString topic;
        QByteArray payload;
    };
    QList<Sent> sent;
    int nextMid = 1;
    bool accepting = true;

    OutboxSender::PublishFunction publish()
    {
        return [this](const QString &topic, const QByteArray &payload) {
            if (!accepting)
                return -1;
            sent.append({nextMid, topic, payload});
            return nextMid++;
        };
    }
};

std::unique_ptr<TelemetryOutbox> openOrFail(const QString &path, int capacity = 10000)
{
    auto box = TelemetryOutbox::open(path, capacity);
    if (!box) {
        qWarning("%s", qPrintable(box.error().message));
        return nullptr;
    }
    return std::move(box).value();
}

QByteArray body(int i)
{
    return QByteArray("msg-") + QByteArray::number(i);
}

} // namespace

class TestTelemetryOutbox : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString dbPath(const char *name) const { return m_tmp.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void rejectsBadCapacity()
    {
        auto box = TelemetryOutbox::open(dbPath("bad.db"), 0);
        QVERIFY(!box);
        QCOMPARE(box.error().code, ErrorCode::InvalidInput);
    }

    void enqueuePeekOrder()
    {
        auto box = openOrFail(dbPath("order.db"));
        QVERIFY(box);
        QCOMPARE(box->size(), 0);
        const TelemetryOutbox::Properties props{{u"a"_s, u"1"_s}, {u"b"_s, u"x y"_s}, {u"a"_s, u"2"_s}};
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i) {
            auto id = box->enqueue(body(i), i == 2 ? props : TelemetryOutbox::Properties{});
            QVERIFY2(id.ok(), qPrintable(id.error().message));
            ids << *id;
        }
        QCOMPARE(box->size(), 5);
        const auto all = box->peek(100);
        QCOMPARE(all.size(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(all[i].id, ids[i]);
            QCOMPARE(all[i].body, body(i));
            QCOMPARE(all[i].attempts, 0);
            QVERIFY(all[i].enqueuedAt.isValid());
        }
        QCOMPARE(all[2].properties, props);
        QCOMPARE(box->peek(2).size(), 2);
        QCOMPARE(box->peek(2).last().id, ids[1]);

        box->markAttempt(ids[0]);
        box->markAttempt(ids[0]);
        QCOMPARE(box->peek(1).first().attempts, 2);

        QVERIFY(box->acknowledge(ids[0]).ok());
        QVERIFY(box->acknowledge(ids[3]).ok());
        QVERIFY(box->acknowledge(ids[3]).ok()); // already gone: still fine
        const auto rest = box->peek(100);
        QCOMPARE(rest.size(), 3);
        QCOMPARE(rest[0].body, body(1));
        QCOMPARE(rest[1].body, body(2));
        QCOMPARE(rest[2].body, body(4));
        QCOMPARE(box->droppedCount(), 0);
    }

    void persistsAcrossRestart()
    {
        const QString path = dbPath("restart.db");
        QList<qint64> ids;
        {
            auto box = openOrFail(path);
            QVERIFY(box);
            for (int i = 0; i < 20; ++i)
                ids << *box->enqueue(body(i), {{u"n"_s, QString::number(i)}});
            box->markAttempt(ids[0]);
            QVERIFY(box->acknowledge(ids[5]).ok());
        } // the device program stops
        auto box = openOrFail(path);
        QVERIFY(box);
        QCOMPARE(box->size(), 19);
        const auto all = box->peek(100);
        QCOMPARE(all.first().attempts, 1);
        int expected = 0;
        for (const auto &e : all) {
            if (expected == 5)
                ++expected;
            QCOMPARE(e.body, body(expected));
            QCOMPARE(e.properties, (TelemetryOutbox::Properties{{u"n"_s, QString::number(expected)}}));
            ++expected;
        }
        // Ids are never reused, even after a restart.
        auto next = box->enqueue("after", {});
        QVERIFY(next.ok());
        QVERIFY(*next > ids.last());
    }

    void twoOutboxesAtOnce()
    {
        auto a = openOrFail(dbPath("a.db"));
        auto b = openOrFail(dbPath("b.db"));
        QVERIFY(a && b);
        QVERIFY(a->enqueue("a", {}).ok());
        QCOMPARE(a->size(), 1);
        QCOMPARE(b->size(), 0);
    }

    void capacityDropsOldest_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<int>("messages");
        QTest::newRow("under") << 10 << 7;
        QTest::newRow("exactly full") << 10 << 10;
        QTest::newRow("one over") << 10 << 11;
        QTest::newRow("far over") << 5 << 23;
        QTest::newRow("capacity one") << 1 << 4;
    }

    void capacityDropsOldest()
    {
        QFETCH(int, capacity);
        QFETCH(int, messages);
        const QString path = dbPath(QTest::currentDataTag()) + QStringLiteral(".db");
        const int expectedDropped = qMax(0, messages - capacity);
        {
            auto box = openOrFail(path, capacity);
            QVERIFY(box);
            for (int i = 0; i < messages; ++i)
                QVERIFY(box->enqueue(body(i), {}).ok());
            QCOMPARE(box->size(), qMin(messages, capacity));
            QCOMPARE(box->droppedCount(), qint64(expectedDropped));
            QCOMPARE(box->peek(1).first().body, body(expectedDropped));
        }
        auto box = openOrFail(path, capacity);
        QVERIFY(box);
        QCOMPARE(box->droppedCount(), qint64(expectedDropped));
        const auto all = box->peek(1000);
        QCOMPARE(all.size(), qMin(messages, capacity));
        for (int i = 0; i < all.size(); ++i)
            QCOMPARE(all[i].body, body(expectedDropped + i));
        // The counter keeps growing across restarts.
        if (messages >= capacity) {
            QVERIFY(box->enqueue("more", {}).ok());
            QCOMPARE(box->droppedCount(), qint64(expectedDropped + 1));
        }
    }

    void senderRespectsInFlightLimit_data()
    {
        QTest::addColumn<int>("maxInFlight");
        QTest::addColumn<int>("messages");
        QTest::newRow("1 of 5") << 1 << 5;
        QTest::newRow("3 of 10") << 3 << 10;
        QTest::newRow("32 of 100") << 32 << 100;
        QTest::newRow("more room than messages") << 50 << 7;
    }

    void senderRespectsInFlightLimit()
    {
        QFETCH(int, maxInFlight);
        QFETCH(int, messages);
        auto box = openOrFail(dbPath(QTest::currentDataTag()) + QStringLiteral("-sender.db"));
        QVERIFY(box);
        for (int i = 0; i < messages; ++i)
            QVERIFY(box->enqueue(body(i), {{u"k"_s, u"v"_s}}).ok());
        FakeNetwork net;
        OutboxSender sender(box.get(), QStringLiteral("dev-1"), net.publish(), maxInFlight);
        QSignalSpy acked(&sender, &OutboxSender::messageAcknowledged);
        QCOMPARE(net.sent.size(), 0); // nothing before the connection
        sender.onConnected();
        QCOMPARE(net.sent.size(), qMin(maxInFlight, messages));
        QCOMPARE(sender.inFlight(), qMin(maxInFlight, messages));
        QCOMPARE(net.sent.first().topic, MqttTopic::telemetryTopic(QStringLiteral("dev-1"), {{u"k"_s, u"v"_s}}));
        QCOMPARE(box->peek(1).first().attempts, 1);

        // Acknowledge one at a time, oldest first; the window refills.
        int acknowledged = 0;
        while (acknowledged < net.sent.size()) {
            sender.onPublished(net.sent[acknowledged].mid, 0);
            ++acknowledged;
            QVERIFY(sender.inFlight() <= maxInFlight);
            QCOMPARE(sender.inFlight(), qMin(maxInFlight, messages - acknowledged));
        }
        QCOMPARE(net.sent.size(), messages);
        QCOMPARE(acked.size(), messages);
        QCOMPARE(box->size(), 0);
        for (int i = 0; i < messages; ++i)
            QCOMPARE(net.sent[i].payload, body(i));
    }

    void senderAckOutOfOrderAndUnknownMid()
    {
        auto box = openOrFail(dbPath("ooo.db"));
        QVERIFY(box);
        for (int i = 0; i < 4; ++i)
            QVERIFY(box->enqueue(body(i), {}).ok());
        FakeNetwork net;
        OutboxSender sender(box.get(), QStringLiteral("dev"), net.publish(), 4);
        sender.onConnected();
        QCOMPARE(net.sent.size(), 4);
        sender.onPublished(999, 0); // not ours: ignored
        QCOMPARE(box->size(), 4);
        sender.onPublished(net.sent[2].mid, 0x10); // "no matching subscribers" is success
        QCOMPARE(box->size(), 3);
        const auto rest = box->peek(10);
        QCOMPARE(rest[0].body, body(0));
        QCOMPARE(rest[1].body, body(1));
        QCOMPARE(rest[2].body, body(3));
        sender.onPublished(net.sent[2].mid, 0); // duplicate ack: ignored
        QCOMPARE(box->size(), 3);
        QCOMPARE(net.sent.size(), 4); // each entry sent once per connection
    }

    void connectionLossResendsUnacknowledged()
    {
        auto box = openOrFail(dbPath("loss.db"));
        QVERIFY(box);
        for (int i = 0; i < 6; ++i)
            QVERIFY(box->enqueue(body(i), {}).ok());
        FakeNetwork net;
        OutboxSender sender(box.get(), QStringLiteral("dev"), net.publish(), 4);
        sender.onConnected();
        QCOMPARE(net.sent.size(), 4);
        sender.onPublished(net.sent[0].mid, 0);
        QCOMPARE(net.sent.size(), 5); // body(4) fills the window
        const int staleMid = net.sent[1].mid;

        sender.onConnectionLost();
        QCOMPARE(sender.inFlight(), 0);
        QVERIFY(box->enqueue(body(6), {}).ok());
        sender.drain(); // not connected: nothing goes out
        QCOMPARE(net.sent.size(), 5);
        sender.onPublished(staleMid, 0); // from the dead connection: ignored
        QCOMPARE(box->size(), 6);

        net.sent.clear();
        sender.onConnected();
        QCOMPARE(net.sent.size(), 4);
        QCOMPARE(net.sent[0].payload, body(1));
        QCOMPARE(net.sent[3].payload, body(4));
        QCOMPARE(box->peek(1).first().attempts, 2);
        while (sender.inFlight() > 0)
            sender.onPublished(net.sent[net.sent.size() - sender.inFlight()].mid, 0);
        QCOMPARE(box->size(), 0);
        QCOMPARE(net.sent.size(), 6);
        QCOMPARE(net.sent.last().payload, body(6));
    }

    // With end-to-end confirmation the hub's PUBACK alone never removes a
    // message: only the back end's "stored" for its $.mid does.
    void pubackAloneKeepsUnconfirmedMessages()
    {
        auto box = openOrFail(dbPath("confirm.db"));
        QVERIFY(box);
        const auto mid = [](int i) { return QStringLiteral("mid-%1").arg(i); };
        for (int i = 0; i < 6; ++i)
            QVERIFY(box->enqueue(body(i), {{u"$.mid"_s, mid(i)}}).ok());
        FakeNetwork net;
        OutboxSender sender(box.get(), QStringLiteral("dev"), net.publish(), 4);
        sender.setConfirmation(5, 60000);
        QSignalSpy stored(&sender, &OutboxSender::messageAcknowledged);
        sender.onConnected();
        QCOMPARE(net.sent.size(), 4);
        for (int i = 0; i < 4; ++i)
            sender.onPublished(net.sent[i].mid, 0);
        // Acknowledged by the hub, not stored: all still in the outbox, and
        // the window (5) lets only one more go out.
        QCOMPARE(box->size(), 6);
        QCOMPARE(stored.size(), 0);
        QCOMPARE(sender.unconfirmed(), 4);
        QCOMPARE(net.sent.size(), 5);
        // A confirmation removes exactly the ids it names (unknown ones and
        // ids of messages still waiting for their PUBACK included).
        sender.onStored({mid(0), mid(2), u"someone-else"_s, mid(4)});
        QCOMPARE(box->size(), 3);
        QCOMPARE(stored.size(), 3);
        QCOMPARE(sender.unconfirmed(), 2);
        QCOMPARE(net.sent.size(), 6); // room again: body(5)

        // The hub dies: the connection drops. Everything unconfirmed goes
        // again on the next connection, the PUBACKed ones included.
        sender.onConnectionLost();
        net.sent.clear();
        sender.onConnected();
        QCOMPARE(net.sent.size(), 3);
        QCOMPARE(net.sent[0].payload, body(1));
        QCOMPARE(net.sent[1].payload, body(3));
        QCOMPARE(net.sent[2].payload, body(5));
        sender.onStored({mid(1), mid(3), mid(5)});
        QCOMPARE(box->size(), 0);
        QCOMPARE(stored.size(), 6);
    }

    void unconfirmedMessagesAreResentAfterTheTimeout()
    {
        auto box = openOrFail(dbPath("confirm-timeout.db"));
        QVERIFY(box);
        QVERIFY(box->enqueue(body(0), {{u"$.mid"_s, u"m0"_s}}).ok());
        QVERIFY(box->enqueue(body(1), {{u"$.mid"_s, u"m1"_s}}).ok());
        FakeNetwork net;
        OutboxSender sender(box.get(), QStringLiteral("dev"), net.publish(), 4);
        sender.setConfirmation(10, 1000);
        sender.onConnected();
        QCOMPARE(net.sent.size(), 2);
        sender.onPublished(net.sent[0].mid, 0);
        sender.onPublished(net.sent[1].mid, 0);
        sender.onStored({u"m1"_s});
        QCOMPARE(box->size(), 1);
        // m0 is never confirmed: sent again once the timeout ran out.
        QTRY_COMPARE_WITH_TIMEOUT(net.sent.size(), 3, 5000);
        QCOMPARE(net.sent[2].payload, body(0));
        QCOMPARE(box->size(), 1);
        sender.onPublished(net.sent[2].mid, 0);
        sender.onStored({u"m0"_s});
        QCOMPARE(box->size(), 0);
    }

    // A message without $.mid cannot be confirmed: the PUBACK removes it.
    void messageWithoutIdNeedsNoConfirmation()
    {
        auto box = openOrFail(dbPath("confirm-noid.db"));
        QVERIFY(box);
        QVERIFY(box->enqueue(body(0), {}).ok());
        FakeNetwork net;
        OutboxSender sender(box.get(), QStringLiteral("dev"), net.publish(), 4);
        sender.setConfirmation(10, 60000);
        sender.onConnected();
        sender.onPublished(net.sent[0].mid, 0);
        QCOMPARE(box->size(), 0);
    }

    void publishFailureKeepsEntries()
    {
        auto box = openOrFail(dbPath("pubfail.db"));
        QVERIFY(box);
        for (int i = 0; i < 3; ++i)
            QVERIFY(box->enqueue(body(i), {}).ok());
        FakeNetwork net;
        net.accepting = false;
        OutboxSender sender(box.get(), QStringLiteral("dev"), net.publish(), 8);
        sender.onConnected();
        QCOMPARE(sender.inFlight(), 0);
        QCOMPARE(box->size(), 3);
        net.accepting = true;
        sender.drain();
        QCOMPARE(net.sent.size(), 3);
    }

    void refusedEntriesReportedAndRemoved_data()
    {
        QTest::addColumn<int>("reasonCode");
        QTest::addColumn<bool>("refused");
        QTest::newRow("success 0x00") << 0x00 << false;
        QTest::newRow("no subscribers 0x10") << 0x10 << false;
        QTest::newRow("unspecified 0x80") << 0x80 << true;
        QTest::newRow("not authorized 0x87") << 0x87 << true;
        QTest::newRow("quota exceeded 0x97") << 0x97 << true;
    }

    void refusedEntriesReportedAndRemoved()
    {
        QFETCH(int, reasonCode);
        QFETCH(bool, refused);
        auto box = openOrFail(dbPath(QTest::currentDataTag()) + QStringLiteral("-refused.db"));
        QVERIFY(box);
        const qint64 id = *box->enqueue("one", {});
        QVERIFY(box->enqueue("two", {}).ok());
        FakeNetwork net;
        OutboxSender sender(box.get(), QStringLiteral("dev"), net.publish(), 1);
        QSignalSpy refusedSpy(&sender, &OutboxSender::messageRefused);
        QSignalSpy ackedSpy(&sender, &OutboxSender::messageAcknowledged);
        sender.onConnected();
        sender.onPublished(net.sent[0].mid, reasonCode);
        QCOMPARE(box->size(), 1);
        QCOMPARE(box->peek(1).first().body, QByteArray("two"));
        QCOMPARE(net.sent.size(), 2); // the next one goes out either way
        QCOMPARE(refusedSpy.size(), refused ? 1 : 0);
        QCOMPARE(ackedSpy.size(), refused ? 0 : 1);
        QCOMPARE(sender.refusedCount(), refused ? 1 : 0);
        if (refused) {
            QCOMPARE(refusedSpy.first().at(0).toLongLong(), id);
            QCOMPARE(refusedSpy.first().at(1).toInt(), reasonCode);
        }
    }

    // Many messages, acks in varying order, connection losses at various
    // points: once every ack came back, each body was acknowledged exactly
    // once and the outbox is empty.
    void everyEntryDeliveredExactlyOnce_data()
    {
        QTest::addColumn<int>("messages");
        QTest::addColumn<int>("maxInFlight");
        QTest::addColumn<int>("lossEvery");
        QTest::newRow("no loss") << 200 << 32 << 0;
        QTest::newRow("loss every 17 acks") << 200 << 32 << 17;
        QTest::newRow("loss every 3 acks, window 5") << 120 << 5 << 3;
        QTest::newRow("window 1, loss every 2") << 40 << 1 << 2;
    }

    void everyEntryDeliveredExactlyOnce()
    {
        QFETCH(int, messages);
        QFETCH(int, maxInFlight);
        QFETCH(int, lossEvery);
        auto box = openOrFail(dbPath(QTest::currentDataTag()) + QStringLiteral("-once.db"));
        QVERIFY(box);
        FakeNetwork net;
        OutboxSender sender(box.get(), QStringLiteral("dev"), net.publish(), maxInFlight);
        QHash<QByteArray, int> acknowledgedBodies;
        QHash<int, QByteArray> bodyByMid;
        QList<int> pending; // mids in flight on the current connection

        // Half before connecting, the rest while running.
        for (int i = 0; i < messages / 2; ++i)
            QVERIFY(box->enqueue(body(i), {}).ok());
        int enqueued = messages / 2;
        int consumed = 0;
        auto collect = [&] {
            for (; consumed < net.sent.size(); ++consumed) {
                bodyByMid.insert(net.sent[consumed].mid, net.sent[consumed].payload);
                pending.append(net.sent[consumed].mid);
            }
        };
        sender.onConnected();
        collect();
        int acks = 0;
        int rounds = 0;
        while (box->size() > 0 && rounds++ < 100000) {
            if (enqueued < messages) {
                QVERIFY(box->enqueue(body(enqueued++), {}).ok());
                sender.drain();
                collect();
            }
            QVERIFY(sender.inFlight() <= maxInFlight);
            if (!sender.isConnected()) {
                pending.clear();
                sender.onConnected();
                collect();
                continue;
            }
            if (pending.isEmpty())
                continue;
            // Alternate between the oldest and the newest in-flight message.
            const int mid = (acks % 2) ? pending.takeLast() : pending.takeFirst();
            sender.onPublished(mid, 0);
            acknowledgedBodies[bodyByMid.value(mid)] += 1;
            ++acks;
            collect();
            if (lossEvery > 0 && acks % lossEvery == 0)
                sender.onConnectionLost();
        }
        QCOMPARE(box->size(), 0);
        QCOMPARE(enqueued, messages);
        QCOMPARE(acknowledgedBodies.size(), messages);
        for (int i = 0; i < messages; ++i)
            QCOMPARE(acknowledgedBodies.value(body(i)), 1);
        QCOMPARE(box->droppedCount(), 0);
        if (lossEvery > 0)
            QVERIFY(net.sent.size() > messages); // the losses did force resends
        else
            QCOMPARE(net.sent.size(), messages);
    }
};

QTEST_GUILESS_MAIN(TestTelemetryOutbox)
#include "tst_telemetryoutbox.moc"
