// SPDX-License-Identifier: Apache-2.0
// The inventory listing at scale (InventoryStore): every query a filtered,
// searched or sorted listing makes is put through the database's own
// EXPLAIN, and none may read the whole devices table; the search index
// follows every insert, update and delete; the search finds what it
// should. On a real SQLite file, and on a real PostgreSQL database in the
// _pg variant.
#include "middlewareprocess.h"
#include "testdatabase.h"

#include "storage/database.h"
#include "storage/inventorystore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;

Q_DECLARE_METATYPE(Provisio::DeviceRecord)

namespace {
// More devices than a listing reads in order before it turns to the
// filter's own index, so both ways are taken.
constexpr int kDevices = InventoryStore::kOrderedWindow + 1500;

DeviceRecord device(int i)
{
    DeviceRecord d;
    d.serial = QStringLiteral("SRCH-%1").arg(i, 6, 10, QLatin1Char('0'));
    d.model = i % 5 ? QStringLiteral("Sensor %1").arg(i % 3) : QStringLiteral("Gateway");
    d.manufacturer = QStringLiteral("Acme");
    d.batch = QStringLiteral("B%1").arg(i / 1000);
    d.deliveryDate = QDate(2026, 1, 1).addDays(i % 300);
    return d;
}
} // namespace

class TestInventorySearch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void noQueryReadsTheWholeTable_data();
    void noQueryReadsTheWholeTable();
    void pagesAreTheOrderedMatches_data();
    void pagesAreTheOrderedMatches();
    void searchFollowsEveryChange();
    void searchTextIsLiteral();
    void searchFollowsTheCustomersName();
    void documentIsTheRecordsJson_data();
    void documentIsTheRecordsJson();
    void listedItemsAreTheRecordsJson_data();
    void listedItemsAreTheRecordsJson();
    void batchWithScatteredRowIdsIsIndexed();
    void existenceCheckIsPlannedForItsValues();

private:
    QStringList serialsOf(const InventoryStore::Filter &filter, const InventoryStore::Sort &sort = {},
                          int limit = 1000);
    // The plan of `sql` with its bindings, one line per step.
    QStringList planOf(const QString &sql, const QVariantList &binds);
    void verifySearchIndex();

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<InventoryStore> m_store;
    QList<DeviceRecord> m_all;
};

void TestInventorySearch::initTestCase()
{
    auto db = Test::openMigratedDatabase(m_dir.path(), QStringLiteral("db"));
    QVERIFY2(db, qPrintable(db.error().message));
    m_db = std::move(*db);
    m_store = std::make_unique<InventoryStore>(*m_db);
    QVERIFY(m_db->execAffected(QStringLiteral("INSERT INTO customers (id, name, etag, created, updated, doc) "
                                              "VALUES ('cust-rare', 'Rare Customer', 'e', 'x', 'x', '{}')")));
    QList<DeviceRecord> devices;
    for (int i = 0; i < kDevices; ++i) {
        DeviceRecord d = device(i);
        if (i % 1000 == 7) { // a few of everything rare, spread over the serials
            d.status = QStringLiteral("sold");
            d.customerId = QStringLiteral("cust-rare");
            d.model = QStringLiteral("Rare Model");
            d.notes = QStringLiteral("Needle in the haystack %1").arg(i);
        }
        devices << d;
    }
    QVERIFY(m_db->beginTransaction());
    auto created = m_store->createMany(devices);
    QVERIFY2(created, qPrintable(created.error().message));
    QVERIFY(m_db->commit());
    m_all = *created;
    verifySearchIndex();
}

void TestInventorySearch::cleanupTestCase()
{
    m_store.reset();
    m_db.reset();
}

QStringList TestInventorySearch::serialsOf(const InventoryStore::Filter &filter, const InventoryStore::Sort &sort,
                                           int limit)
{
    QStringList out;
    PageRequest page;
    page.limit = limit;
    for (;;) {
        auto r = m_store->list(filter, page, sort);
        if (!r) {
            qWarning() << r.error().message;
            return {QStringLiteral("error")};
        }
        for (const DeviceRecord &d : r->items)
            out << d.serial;
        if (r->nextCursor.isEmpty())
            return out;
        auto next = parsePageRequest(QString::number(limit), r->nextCursor);
        if (!next)
            return {QStringLiteral("bad cursor")};
        page = *next;
    }
}

QStringList TestInventorySearch::planOf(const QString &sql, const QVariantList &binds)
{
    return Test::queryPlan(*m_db, sql, binds, false);
}

void TestInventorySearch::verifySearchIndex()
{
    if (m_db->dialect() != Database::Dialect::Sqlite)
        return;
    // FTS5's own check, against the devices table's text (rank 1).
    auto r =
        m_db->exec(QStringLiteral("INSERT INTO devices_search (devices_search, rank) VALUES ('integrity-check', 1)"));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    r->finish();
}

void TestInventorySearch::noQueryReadsTheWholeTable_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("customerId");
    QTest::addColumn<QString>("batch");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("matches");
    const int rare = (kDevices + 992) / 1000;
    const QStringList sorts = InventoryStore::sortFieldNames();
    struct Case
    {
        const char *name;
        QString status, model, customerId, batch, text;
        int matches;
    };
    const Case cases[] = {
        {"none", {}, {}, {}, {}, {}, kDevices},
        {"status rare", QStringLiteral("sold"), {}, {}, {}, {}, rare},
        {"status common", QStringLiteral("inStock"), {}, {}, {}, {}, kDevices - rare},
        {"model rare", {}, QStringLiteral("Rare Model"), {}, {}, {}, rare},
        {"model common", {}, QStringLiteral("Gateway"), {}, {}, {}, -1},
        {"customer", {}, {}, QStringLiteral("cust-rare"), {}, {}, rare},
        {"batch", {}, {}, {}, QStringLiteral("B3"), {}, 1000},
        {"text rare", {}, {}, {}, {}, QStringLiteral("needle"), rare},
        {"text none", {}, {}, {}, {}, QStringLiteral("zz-no-such"), 0},
        // The customer's name, not its id, is what a user types.
        {"text customer name", {}, {}, {}, {}, QStringLiteral("rare customer"), rare},
        {"text common", {}, {}, {}, {}, QStringLiteral("srch-00"), kDevices},
        {"status common + text rare", QStringLiteral("inStock"), {}, {}, {}, QStringLiteral("srch-00500"), 9},
        {"status rare + text common", QStringLiteral("sold"), {}, {}, {}, QStringLiteral("srch-"), rare},
        {"model common + text none", {}, QStringLiteral("Gateway"), {}, {}, QStringLiteral("needle"), 0},
    };
    for (const Case &c : cases) {
        for (const QString &sort : sorts) {
            for (const char *order : {"asc", "desc"}) {
                QTest::addRow("%s, sort %s %s", c.name, qPrintable(sort), order)
                    << c.status << c.model << c.customerId << c.batch << c.text << c.matches;
            }
        }
    }
}

void TestInventorySearch::noQueryReadsTheWholeTable()
{
    QFETCH(QString, status);
    QFETCH(QString, model);
    QFETCH(QString, customerId);
    QFETCH(QString, batch);
    QFETCH(QString, text);
    QFETCH(int, matches);
    const QStringList parts = QString::fromLatin1(QTest::currentDataTag()).split(QLatin1String(", sort "));
    const QStringList sortSpec = parts.constLast().split(QLatin1Char(' '));
    auto sort = InventoryStore::parseSort(sortSpec.at(0), sortSpec.at(1));
    QVERIFY(sort);
    InventoryStore::Filter filter;
    filter.status = status;
    filter.model = model;
    filter.customerId = customerId;
    filter.batch = batch;
    filter.text = text;

    // The first page and the next, with every statement they make.
    QList<QPair<QString, QVariantList>> statements;
    m_db->setStatementObserver([&statements](const QString &sql, const QVariantList &binds) {
        statements.append({sql, binds});
    });
    PageRequest page;
    page.limit = 50;
    auto first = m_store->list(filter, page, *sort);
    Result<RecordPage<DeviceRecord>> second = Error(ErrorCode::Internal, QStringLiteral("no second page"));
    if (first && !first->nextCursor.isEmpty()) {
        auto next = parsePageRequest(QStringLiteral("50"), first->nextCursor);
        QVERIFY(next);
        second = m_store->list(filter, *next, *sort);
    }
    m_db->setStatementObserver({});
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    if (matches >= 0)
        QCOMPARE(first->items.size(), std::min(matches, 50));
    if (!first->nextCursor.isEmpty())
        QVERIFY2(second, qPrintable(second ? QString() : second.error().message));

    // SQLite: "SCAN devices" (or its alias d) without an index reads the
    // whole table. "SCAN ... USING INDEX" walks an index in order: bounded
    // only where nothing is filtered during the walk, that is in the
    // unfiltered listing, the ordered window (kOrderedWindow rows) and the
    // probes bounded the same way; any other statement must seek (SEARCH)
    // or start from the text index. PostgreSQL: a sequential scan of
    // devices that survives enable_seqscan = off.
    const bool sqlite = m_db->dialect() == Database::Dialect::Sqlite;
    const QRegularExpression tableScan(sqlite ? QStringLiteral("^SCAN (devices|d)$")
                                              : QStringLiteral("Seq Scan on devices"));
    const QRegularExpression indexWalk(QStringLiteral("^SCAN (devices|d) USING "));
    // The detector itself: a search no index serves is seen as a scan.
    const QStringList unindexed =
        planOf(QStringLiteral("SELECT serial FROM devices WHERE doc LIKE ?"), {QStringLiteral("%ab%")});
    QVERIFY2(std::any_of(unindexed.cbegin(), unindexed.cend(),
                         [&](const QString &line) { return tableScan.match(line.trimmed()).hasMatch(); }),
             qPrintable(unindexed.join(QLatin1Char('\n'))));
    QVERIFY(!statements.isEmpty());
    const bool unfiltered =
        status.isEmpty() && model.isEmpty() && customerId.isEmpty() && batch.isEmpty() && text.isEmpty();
    for (const auto &[sql, binds] : std::as_const(statements)) {
        const QStringList plan = planOf(sql, binds);
        QVERIFY2(!plan.isEmpty() && !plan.constFirst().startsWith(QLatin1String("EXPLAIN failed")),
                 qPrintable(plan.join(QLatin1Char('\n'))));
        const bool bounded = unfiltered || binds.contains(InventoryStore::kOrderedWindow) ||
                             binds.contains(InventoryStore::kOrderedWindow + 1);
        for (const QString &line : plan) {
            const bool scan = tableScan.match(line.trimmed()).hasMatch() ||
                              (sqlite && !bounded && indexWalk.match(line.trimmed()).hasMatch());
            QVERIFY2(
                !scan,
                qPrintable(
                    QStringLiteral("%1\n  reads the whole table:\n  %2").arg(sql, plan.join(QLatin1String("\n  ")))));
        }
    }
}

void TestInventorySearch::pagesAreTheOrderedMatches_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("sort");
    QTest::addColumn<QString>("order");
    QTest::newRow("text rare by serial") << QString() << QString() << QStringLiteral("Needle") << "serial"
                                         << "asc";
    QTest::newRow("text rare by delivery desc") << QString() << QString() << QStringLiteral("NEEDLE") << "deliveryDate"
                                                << "desc";
    QTest::newRow("text common by model") << QString() << QString() << QStringLiteral("srch-001") << "model"
                                          << "asc";
    QTest::newRow("model common by batch desc") << QString() << QStringLiteral("Gateway") << QString() << "batch"
                                                << "desc";
    QTest::newRow("status + text by delivery")
        << QStringLiteral("inStock") << QString() << QStringLiteral("sensor 2") << "deliveryDate"
        << "asc";
    QTest::newRow("model + text in notes")
        << QString() << QStringLiteral("Rare Model") << QStringLiteral("haystack 20") << "serial"
        << "desc";
}

void TestInventorySearch::pagesAreTheOrderedMatches()
{
    QFETCH(QString, status);
    QFETCH(QString, model);
    QFETCH(QString, text);
    QFETCH(QString, sort);
    QFETCH(QString, order);
    auto parsed = InventoryStore::parseSort(sort, order);
    QVERIFY(parsed);
    // What the listing must be, worked out here from the records.
    QList<DeviceRecord> expected;
    for (const DeviceRecord &d : std::as_const(m_all)) {
        if ((!status.isEmpty() && d.status != status) || (!model.isEmpty() && d.model != model))
            continue;
        if (!InventoryStore::searchTextOf(d).contains(text.toLower()))
            continue;
        expected << d;
    }
    const auto key = [&](const DeviceRecord &d) {
        const QString value = sort == QLatin1String("model")          ? d.model
                              : sort == QLatin1String("batch")        ? d.batch
                              : sort == QLatin1String("deliveryDate") ? d.deliveryDate.toString(Qt::ISODate)
                                                                      : QString();
        return std::make_pair(value, d.serial);
    };
    std::sort(expected.begin(), expected.end(), [&](const DeviceRecord &a, const DeviceRecord &b) {
        return order == QLatin1String("desc") ? key(b) < key(a) : key(a) < key(b);
    });
    QStringList want;
    for (const DeviceRecord &d : std::as_const(expected))
        want << d.serial;
    InventoryStore::Filter filter;
    filter.status = status;
    filter.model = model;
    filter.text = text;
    QVERIFY(!want.isEmpty());
    QCOMPARE(serialsOf(filter, *parsed, 97), want);
    // The total the CRM shows counts the same devices, up to its cap.
    auto total = m_store->count(filter);
    QVERIFY(total);
    QCOMPARE(*total, qint64(want.size()));
    if (want.size() > 2) {
        auto capped = m_store->count(filter, 2);
        QVERIFY(capped);
        QCOMPARE(*capped, qint64(3)); // cap + 1: "more than 2"
    }
}

void TestInventorySearch::searchFollowsEveryChange()
{
    const auto find = [&](const QString &text) {
        InventoryStore::Filter filter;
        filter.text = text;
        return serialsOf(filter);
    };
    // Created one by one.
    DeviceRecord d;
    d.serial = QStringLiteral("FOLLOW-1");
    d.model = QStringLiteral("Kettle");
    d.notes = QStringLiteral("blue lid");
    QVERIFY(m_store->create(d));
    QCOMPARE(find(QStringLiteral("kettle")), QStringList{d.serial});
    QCOMPARE(find(QStringLiteral("BLUE LID")), QStringList{d.serial});
    verifySearchIndex();
    // Edited: the old text is gone, the new found.
    auto edited = m_store->update(d.serial, {}, [](const DeviceRecord &current) -> Result<DeviceRecord> {
        DeviceRecord next = current;
        next.model = QStringLiteral("Toaster");
        next.notes = QStringLiteral("red lid");
        return next;
    });
    QVERIFY(edited);
    QCOMPARE(find(QStringLiteral("kettle")), QStringList());
    QCOMPARE(find(QStringLiteral("blue lid")), QStringList());
    QCOMPARE(find(QStringLiteral("toaster")), QStringList{d.serial});
    verifySearchIndex();
    // Sold: the customer is searchable; retired: a change that leaves the
    // text alone.
    auto sold = m_store->update(d.serial, {}, [](const DeviceRecord &current) -> Result<DeviceRecord> {
        DeviceRecord next = current;
        next.customerId = QStringLiteral("cust-rare");
        next.status = QStringLiteral("sold");
        return next;
    });
    QVERIFY(sold);
    InventoryStore::Filter soldToRare;
    soldToRare.text = QStringLiteral("toaster");
    soldToRare.customerId = QStringLiteral("cust-rare");
    QCOMPARE(serialsOf(soldToRare), QStringList{d.serial});
    auto retired = m_store->update(d.serial, {}, [](const DeviceRecord &current) -> Result<DeviceRecord> {
        DeviceRecord next = current;
        next.status = QStringLiteral("retired");
        return next;
    });
    QVERIFY(retired);
    InventoryStore::Filter retiredToaster;
    retiredToaster.text = QStringLiteral("toaster");
    retiredToaster.status = QStringLiteral("retired");
    QCOMPARE(serialsOf(retiredToaster), QStringList{d.serial});
    verifySearchIndex();
    // A failed update (stale etag) changes neither the row nor the index.
    auto stale = m_store->update(d.serial, "\"stale\"", [](const DeviceRecord &current) -> Result<DeviceRecord> {
        DeviceRecord next = current;
        next.model = QStringLiteral("Never");
        return next;
    });
    QVERIFY(!stale);
    QCOMPARE(find(QStringLiteral("never")), QStringList());
    verifySearchIndex();
    // Deleted.
    QVERIFY(m_store->remove(d.serial, {}));
    QCOMPARE(find(QStringLiteral("toaster")), QStringList());
    verifySearchIndex();
    // A batch of new devices (the import's way in), one of them a
    // duplicate: nothing of the batch stays once it is rolled back.
    DeviceRecord a;
    a.serial = QStringLiteral("FOLLOW-2");
    a.batch = QStringLiteral("Lot Zebra");
    DeviceRecord dup = device(3);
    QVERIFY(m_db->beginTransaction());
    auto failed = m_store->createMany({a, dup});
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, ErrorCode::Conflict);
    m_db->rollback();
    QCOMPARE(find(QStringLiteral("zebra")), QStringList());
    verifySearchIndex();
    QVERIFY(m_db->beginTransaction());
    QVERIFY(m_store->createMany({a}));
    QVERIFY(m_db->commit());
    QCOMPARE(find(QStringLiteral("lot zebra")), QStringList{a.serial});
    QVERIFY(m_store->remove(a.serial, {}));
    verifySearchIndex();
}

void TestInventorySearch::searchTextIsLiteral()
{
    DeviceRecord a;
    a.serial = QStringLiteral("LIT-1");
    a.notes = QStringLiteral("100% pure_silk");
    DeviceRecord b;
    b.serial = QStringLiteral("LIT-2");
    b.notes = QStringLiteral("1000 pureXsilk");
    QVERIFY(m_store->create(a));
    QVERIFY(m_store->create(b));
    InventoryStore::Filter filter;
    filter.text = QStringLiteral("0% pure_s");
    QCOMPARE(serialsOf(filter), QStringList{a.serial});
    filter.text = QStringLiteral("e_s");
    QCOMPARE(serialsOf(filter), QStringList{a.serial});
    // Two characters: no index, still the right answer.
    filter.text = QStringLiteral("0%");
    QCOMPARE(serialsOf(filter), QStringList{a.serial});
    QVERIFY(m_store->remove(a.serial, {}));
    QVERIFY(m_store->remove(b.serial, {}));
}

void TestInventorySearch::searchFollowsTheCustomersName()
{
    QStringList sold;
    for (const DeviceRecord &d : std::as_const(m_all)) {
        if (d.customerId == QLatin1String("cust-rare"))
            sold << d.serial;
    }
    QVERIFY(sold.size() > 5);
    const auto find = [&](const QString &text) {
        InventoryStore::Filter filter;
        filter.text = text;
        return serialsOf(filter);
    };
    QCOMPARE(find(QStringLiteral("Rare Customer")), sold);
    QCOMPARE(find(QStringLiteral("quiet buyer")), QStringList());

    // Renamed: the new name finds the devices, the old one no longer does,
    // and the index matches the texts; each statement seeks its devices.
    QVERIFY(m_db->execAffected(QStringLiteral("UPDATE customers SET name = 'Quiet Buyer' WHERE id = 'cust-rare'")));
    QList<QPair<QString, QVariantList>> statements;
    m_db->setStatementObserver([&statements](const QString &sql, const QVariantList &binds) {
        statements.append({sql, binds});
    });
    auto changed = m_store->reindexCustomer(QStringLiteral("cust-rare"), QStringLiteral("Quiet Buyer"));
    m_db->setStatementObserver({});
    QVERIFY2(changed, qPrintable(changed ? QString() : changed.error().message));
    QCOMPARE(*changed, qint64(sold.size()));
    QCOMPARE(find(QStringLiteral("QUIET BUYER")), sold);
    QCOMPARE(find(QStringLiteral("rare customer")), QStringList());
    verifySearchIndex();
    const bool sqlite = m_db->dialect() == Database::Dialect::Sqlite;
    const QRegularExpression scan(sqlite ? QStringLiteral("^SCAN (devices|d)( USING .*)?$")
                                         : QStringLiteral("Seq Scan on devices"));
    for (const auto &[sql, binds] : std::as_const(statements)) {
        const QStringList plan = planOf(sql, binds);
        for (const QString &line : plan)
            QVERIFY2(!scan.match(line.trimmed()).hasMatch(),
                     qPrintable(sql + QLatin1String("\n  ") + plan.join(QLatin1String("\n  "))));
    }
    // The same name again changes nothing.
    changed = m_store->reindexCustomer(QStringLiteral("cust-rare"), QStringLiteral("Quiet Buyer"));
    QVERIFY(changed);
    QCOMPARE(*changed, qint64(0));

    QVERIFY(m_db->execAffected(QStringLiteral("UPDATE customers SET name = 'Rare Customer' WHERE id = 'cust-rare'")));
    QVERIFY(m_store->reindexCustomer(QStringLiteral("cust-rare"), QStringLiteral("Rare Customer")));
    QCOMPARE(find(QStringLiteral("rare customer")), sold);
    verifySearchIndex();
}

void TestInventorySearch::documentIsTheRecordsJson_data()
{
    QTest::addColumn<DeviceRecord>("record");
    DeviceRecord bare;
    bare.serial = QStringLiteral("DOC-1");
    QTest::newRow("bare") << bare;
    DeviceRecord full = device(42);
    full.customerId = QStringLiteral("cust-rare");
    full.soldDate = QDate(2026, 12, 6);
    full.status = QStringLiteral("sold");
    full.etag = QStringLiteral("e-tag_1");
    full.createdDateTimeUtc = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 678), Qt::UTC);
    full.lastUpdatedDateTimeUtc = full.createdDateTimeUtc.addSecs(90);
    full.notes = QStringLiteral("every field set");
    QTest::newRow("full") << full;
    DeviceRecord odd = bare;
    odd.notes = QStringLiteral("quote \" backslash \\ slash / tab\t newline\n cr\r bell\a nul") + QChar(0) +
                QChar(0x1f) + QStringLiteral(" del\x7f é ü 漢字 ") + QChar(0xd83d) + QChar(0xde00);
    odd.model = QStringLiteral("\b\f");
    QTest::newRow("characters to escape") << odd;
}

void TestInventorySearch::documentIsTheRecordsJson()
{
    // The stored document (and a listing's items) is written without
    // QJsonDocument: it must be what QJsonDocument writes for toJson().
    QFETCH(DeviceRecord, record);
    const QString document = InventoryStore::documentOf(record);
    QCOMPARE(document, QString::fromUtf8(QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact)));
    QCOMPARE(QJsonDocument::fromJson(document.toUtf8()).object(), record.toJson());
}

void TestInventorySearch::listedItemsAreTheRecordsJson_data()
{
    // Edits of a device's stored document (pairs of text to replace and
    // its replacement; %ETAG% stands for the device's etag), whether the
    // listing may copy the edited document as it is, and whether it can
    // be read at all.
    QTest::addColumn<QStringList>("edits");
    QTest::addColumn<bool>("copied");
    QTest::addColumn<bool>("readable");
    const QString notes = QStringLiteral("\"notes\":\"plain\"");
    QTest::newRow("as stored") << QStringList() << true << true;
    QTest::newRow("escapes as written")
        << QStringList{notes, QStringLiteral("\"notes\":\"q \\\" b \\\\ \\n\\t\\b\\f\\r \\u001f \\u0000 / é 漢\"")}
        << true << true;
    QTest::newRow("escaped printable") << QStringList{notes, QStringLiteral("\"notes\":\"\\u0041\"")} << false << true;
    QTest::newRow("upper-case hex") << QStringList{notes, QStringLiteral("\"notes\":\"\\u001F\"")} << false << true;
    QTest::newRow("long escape of a newline")
        << QStringList{notes, QStringLiteral("\"notes\":\"\\u000a\"")} << false << true;
    QTest::newRow("escaped slash") << QStringList{notes, QStringLiteral("\"notes\":\"a\\/b\"")} << false << true;
    QTest::newRow("escaped surrogate pair")
        << QStringList{notes, QStringLiteral("\"notes\":\"\\ud83d\\ude00\"")} << false << true;
    QTest::newRow("number for a string") << QStringList{notes, QStringLiteral("\"notes\":7")} << false << true;
    QTest::newRow("null for a string") << QStringList{notes, QStringLiteral("\"notes\":null")} << false << true;
    QTest::newRow("member out of order") << QStringList{QStringLiteral(",\"serial\":\"ITEM-1\""), QString(),
                                                        QStringLiteral("{\"batch\""),
                                                        QStringLiteral("{\"serial\":\"ITEM-1\",\"batch\"")}
                                         << false << true;
    QTest::newRow("unknown member") << QStringList{QStringLiteral("\"status\":\"sold\"}"),
                                                   QStringLiteral("\"status\":\"sold\",\"zz\":\"x\"}")}
                                    << false << true;
    QTest::newRow("repeated member") << QStringList{QStringLiteral("\"status\":\"sold\"}"),
                                                    QStringLiteral("\"status\":\"sold\",\"status\":\"retired\"}")}
                                     << false << true;
    QTest::newRow("white space") << QStringList{QStringLiteral("{\"batch\""), QStringLiteral("{ \"batch\"")} << false
                                 << true;
    QTest::newRow("white space after") << QStringList{QStringLiteral("\"sold\"}"), QStringLiteral("\"sold\"} ")}
                                       << false << true;
    QTest::newRow("no model") << QStringList{QStringLiteral("\"model\":\"M\","), QString()} << false << true;
    QTest::newRow("no etag") << QStringList{QStringLiteral("\"etag\":\"%ETAG%\","), QString()} << false << true;
    QTest::newRow("another etag") << QStringList{QStringLiteral("\"etag\":\""), QStringLiteral("\"etag\":\"x")} << false
                                  << true;
    QTest::newRow("another creation time")
        << QStringList{QStringLiteral("\"createdDateTimeUtc\":\"2"), QStringLiteral("\"createdDateTimeUtc\":\"1")}
        << false << true;
    QTest::newRow("another serial") << QStringList{QStringLiteral("\"serial\":\"ITEM-1\""),
                                                   QStringLiteral("\"serial\":\"ITEM-2\"")}
                                    << false << true;
    QTest::newRow("invalid date") << QStringList{QStringLiteral("\"deliveryDate\":\"2026-03-04\""),
                                                 QStringLiteral("\"deliveryDate\":\"2026-02-30\"")}
                                  << false << true;
    QTest::newRow("short date") << QStringList{QStringLiteral("\"deliveryDate\":\"2026-03-04\""),
                                               QStringLiteral("\"deliveryDate\":\"2026-3-4\"")}
                                << false << true;
    QTest::newRow("empty customer") << QStringList{QStringLiteral("\"customerId\":\"cust-rare\""),
                                                   QStringLiteral("\"customerId\":\"\"")}
                                    << false << true;
    QTest::newRow("two objects") << QStringList{QStringLiteral("{\"batch\""), QStringLiteral("{}{\"batch\"")} << false
                                 << false;
    QTest::newRow("not JSON") << QStringList{QStringLiteral("{"), QStringLiteral("not json {")} << false << false;
}

void TestInventorySearch::listedItemsAreTheRecordsJson()
{
    // A listing's answer copies a stored document when it is the text the
    // record would be written as, and otherwise writes the record again:
    // either way each item must be exactly what the listing wrote before
    // it copied anything (the record list() reads, through documentOf).
    QFETCH(QStringList, edits);
    QFETCH(bool, copied);
    QFETCH(bool, readable);
    DeviceRecord d;
    d.serial = QStringLiteral("ITEM-1");
    d.model = QStringLiteral("M");
    d.manufacturer = QStringLiteral("Acme");
    d.batch = QStringLiteral("Lot Items");
    d.deliveryDate = QDate(2026, 3, 4);
    d.soldDate = QDate(2026, 3, 5);
    d.customerId = QStringLiteral("cust-rare");
    d.status = QStringLiteral("sold");
    d.notes = QStringLiteral("plain");
    auto created = m_store->create(d);
    QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
    const auto cleanup = qScopeGuard([&] { m_store->remove(d.serial, {}); });
    auto row =
        m_db->exec(QStringLiteral("SELECT doc, etag, created, updated FROM devices WHERE serial = ?"), {d.serial});
    QVERIFY(row && row->next());
    QString doc = row->value(0).toString();
    const QString etag = row->value(1).toString();
    const QString createdColumn = row->value(2).toString();
    const QString updatedColumn = row->value(3).toString();
    row->finish();
    for (qsizetype i = 0; i + 1 < edits.size(); i += 2) {
        const QString from = QString(edits.at(i)).replace(QLatin1String("%ETAG%"), etag);
        QVERIFY2(doc.contains(from), qPrintable(from + QLatin1String(" not in ") + doc));
        doc.replace(from, QString(edits.at(i + 1)).replace(QLatin1String("%ETAG%"), etag));
    }
    QVERIFY(m_db->execAffected(QStringLiteral("UPDATE devices SET doc = ? WHERE serial = ?"), {doc, d.serial}));
    QCOMPARE(InventoryStore::isDocumentOf(doc, d.serial, etag, createdColumn, updatedColumn), copied);

    InventoryStore::Filter filter;
    filter.batch = d.batch;
    auto records = m_store->list(filter, PageRequest());
    auto items = m_store->listItems(filter, PageRequest(), InventoryStore::Sort());
    QVERIFY(records && items);
    QCOMPARE(records->items.size(), 1);
    QCOMPARE(items->items.size(), 1);
    QCOMPARE(items->unreadable, records->unreadable);
    QCOMPARE(records->unreadable.contains(d.serial), !readable);
    if (!readable) {
        QVERIFY(items->items.first().json.isEmpty());
        QCOMPARE(items->items.first().record.toJson(), records->items.first().toJson());
        return;
    }
    const QByteArray before = InventoryStore::documentOf(records->items.first()).toUtf8();
    QCOMPARE(items->items.first().json, before);
    if (copied)
        QCOMPARE(items->items.first().json, doc.toUtf8());
}

void TestInventorySearch::batchWithScatteredRowIdsIsIndexed()
{
    if (m_db->dialect() != Database::Dialect::Sqlite)
        QSKIP("row ids and the FTS5 table are SQLite's");
    // A row holding the largest row id there is: SQLite then gives new rows
    // random ids, so a batch's rows are no range of ids and its search rows
    // must be found by serial (createMany's other way).
    QVERIFY(m_db->execAffected(QStringLiteral("INSERT INTO devices (rowid, serial, status, etag, created, updated, "
                                              "doc) VALUES (9223372036854775807, 'MAXROW-1', 'inStock', 'e', "
                                              "'x', 'x', '{}')")));
    QList<DeviceRecord> batch;
    for (int i = 0; i < 130; ++i) { // statements of 100 and 10 rows
        DeviceRecord d;
        d.serial = QStringLiteral("SCATTER-%1").arg(i, 3, 10, QLatin1Char('0'));
        d.batch = QStringLiteral("Lot Scatter");
        batch << d;
    }
    QVERIFY(m_db->beginTransaction());
    auto created = m_store->createMany(batch);
    QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
    QVERIFY(m_db->commit());
    // The search table itself holds each of them (its own LIKE), and
    // agrees with the devices' text.
    auto found = m_db->selectRows(
        QStringLiteral("SELECT count(*) FROM devices_search WHERE search_text LIKE '%lot scatter%'"), {}, 1);
    QVERIFY(found);
    QCOMPARE(found->at(0).at(0).toInt(), 130);
    verifySearchIndex();
    for (const DeviceRecord &d : std::as_const(batch))
        QVERIFY(m_store->remove(d.serial, {}));
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM devices WHERE serial = 'MAXROW-1'")));
    verifySearchIndex();
}

void TestInventorySearch::existenceCheckIsPlannedForItsValues()
{
    if (m_db->dialect() != Database::Dialect::Postgres)
        QSKIP("SQLite plans each statement once, by its indexes, not by statistics");
    // A devices table emptied and vacuumed: its statistics now say empty.
    // A lookup prepared and reused there took PostgreSQL's generic plan
    // after five runs, a sequential scan, and kept it while an import grew
    // the table, until autovacuum analyzed it again. The import's check of
    // which serials exist is planned for its values each time instead.
    QTemporaryDir dir;
    auto opened = Test::openMigratedDatabase(dir.path(), QStringLiteral("plans"));
    QVERIFY2(opened, qPrintable(opened.error().message));
    Database &db = **opened;
    InventoryStore store(db);
    QList<DeviceRecord> devices;
    QStringList serials;
    for (int i = 0; i < 1000; ++i) {
        devices << device(i);
        serials << device(i).serial;
    }
    QVERIFY(db.beginTransaction());
    QVERIFY(store.createMany(devices));
    QVERIFY(db.commit());
    QVERIFY(db.execAffected(QStringLiteral("DELETE FROM devices")));
    auto vacuumed = db.exec(QStringLiteral("VACUUM devices"));
    QVERIFY(vacuumed);
    vacuumed->finish();
    auto stats = db.selectRows(QStringLiteral("SELECT reltuples FROM pg_class WHERE relname = 'devices'"), {}, 1);
    QVERIFY(stats && stats->size() == 1);
    QCOMPARE(stats->at(0).at(0).toDouble(), 0.0);

    // Ten checks of 1,000 serials (two statements each), as an import makes.
    for (int run = 0; run < 10; ++run) {
        auto found = store.existing(serials);
        QVERIFY2(found, qPrintable(found ? QString() : found.error().message));
        QVERIFY(found->isEmpty());
    }
    // No statement of this connection reading devices by serial was ever
    // run on a generic plan (PostgreSQL counts them per prepared statement).
    auto generic = db.selectRows(QStringLiteral("SELECT COALESCE(SUM(generic_plans), 0), COUNT(*) FROM "
                                                "pg_prepared_statements WHERE statement LIKE ?"),
                                 {QStringLiteral("%FROM devices WHERE serial IN%")}, 2);
    QVERIFY2(generic, qPrintable(generic ? QString() : generic.error().message));
    QCOMPARE(generic->at(0).at(0).toLongLong(), 0);
    // And the answers are right once the devices are back.
    QVERIFY(db.beginTransaction());
    QVERIFY(store.createMany(devices.mid(0, 300)));
    QVERIFY(db.commit());
    auto found = store.existing(serials);
    QVERIFY(found);
    QCOMPARE(found->size(), 300);
    QVERIFY(found->contains(device(0).serial) && found->contains(device(299).serial));
    QVERIFY(!found->contains(device(300).serial));
}

QTEST_GUILESS_MAIN(TestInventorySearch)

#include "tst_inventorysearch.moc"
