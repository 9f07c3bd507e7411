// SPDX-License-Identifier: Apache-2.0
// The audit log and the telemetry history at scale (AuditLog,
// TelemetryStore): every query a page makes, with any combination of the
// filters the API and the CRM offer and with a cursor, goes through the
// database's own EXPLAIN and may neither read the whole table nor sort the
// matches; pages are exactly the ordered matches, ties across page
// boundaries included; retention deletes exactly the old rows, a backlog in
// several bounded statements with rests between them (RetentionSweep). On
// a real SQLite file, and on a real PostgreSQL database in the _pg variant.
#include "middlewareprocess.h"
#include "testdatabase.h"

#include "domain/retentionsweep.h"
#include "protocol/timeutil.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/telemetrystore.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>

using namespace Provisio;

namespace {
constexpr int kEntries = 12000;
constexpr int kDevices = 4;
constexpr int kMessagesPerDevice = 3000;
const QDateTime kBase = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);

// Three entries per second, so ties on `at` fall across page boundaries.
QString entryTime(int i)
{
    return toIsoUtc(kBase.addSecs(i / 3));
}

struct Row
{
    qint64 id = 0;
    QString at, actor, action, entityType, entityId;
};

// Writes audit entries 0..count-1 as `rowOf` gives them (their after
// document `{"n":i}`), a hundred per statement, in one transaction; the
// error's text, empty when all went in.
QString writeAuditLog(Database &db, int count, const std::function<Row(int)> &rowOf)
{
    const MultiRowInsert insert(
        QStringLiteral("INSERT INTO audit_log (at, actor, action, entity_type, entity_id, after_doc) VALUES"), 6, 100);
    if (!db.beginTransaction())
        return QStringLiteral("cannot begin");
    for (int from = 0; from < count;) {
        const int rows = insert.rowsFor(count - from);
        QVariantList binds;
        for (int i = from; i < from + rows; ++i) {
            const Row r = rowOf(i);
            binds << r.at << r.actor << r.action << r.entityType << r.entityId << QStringLiteral("{\"n\":%1}").arg(i);
        }
        if (auto written = db.execWrite(insert.sql(rows), binds); !written) {
            db.rollback();
            return written.error().message;
        }
        from += rows;
    }
    return db.commit() ? QString() : QStringLiteral("cannot commit");
}

// Common and rare values of every column, so some combinations are best
// read by one filter's index and some by another's.
Row entry(int i)
{
    Row r;
    r.at = entryTime(i);
    r.actor = i % 10 < 7   ? QStringLiteral("token:import")
              : i % 10 < 9 ? QStringLiteral("token:alice")
                           : QStringLiteral("device:SER-%1").arg(i);
    // The CSV import's entries (action import, type device) are indexed
    // apart (migrations 26 and 27): a tenth of the log, by the common
    // actor, so that pages merge them with the others.
    r.action = i % 1000 == 500 ? QStringLiteral("delete")
               : i % 10 == 4   ? QStringLiteral("import")
               : i % 10 < 6    ? QStringLiteral("create")
               : i % 10 < 9    ? QStringLiteral("update")
                               : QStringLiteral("sell");
    r.entityType = i % 10 == 3 ? QStringLiteral("customer") : QStringLiteral("device");
    r.entityId = QStringLiteral("E-%1").arg(i % 3000);
    return r;
}

// The audit filter a test row's mask names: bit 0 alice's entries, 1
// deletions, 2 `entityType`, 3 one entity, 4 and 5 the window's start
// (a quarter into the log) and end (three quarters).
AuditLog::Filter auditFilterOf(int mask, const QString &entityType)
{
    AuditLog::Filter filter;
    if (mask & 1)
        filter.actor = QStringLiteral("token:alice");
    if (mask & 2)
        filter.action = QStringLiteral("delete");
    if (mask & 4)
        filter.entityType = entityType;
    if (mask & 8)
        filter.entityId = entry(500).entityId;
    if (mask & 16)
        filter.since = entryTime(kEntries / 4);
    if (mask & 32)
        filter.until = entryTime(kEntries * 3 / 4);
    return filter;
}
} // namespace

class TestHistoryScale : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void detectorSeesScansAndSorts();
    void noAuditPageReadsTheWholeLog_data();
    void noAuditPageReadsTheWholeLog();
    void everyFilterCombinationIsOneIndexRange_data();
    void everyFilterCombinationIsOneIndexRange();
    void auditPagesAreTheOrderedMatches_data();
    void auditPagesAreTheOrderedMatches();
    void auditCursorFromBeforeIsUnderstood();
    void auditBadCursorIsRefused_data();
    void auditBadCursorIsRefused();
    void auditFilterWithControlCharacterIsRefused_data();
    void auditFilterWithControlCharacterIsRefused();
    void importersOtherEntriesAreTheirOwnRange_data();
    void importersOtherEntriesAreTheirOwnRange();
    void noTelemetryPageReadsTheWholeTable_data();
    void noTelemetryPageReadsTheWholeTable();
    void telemetryPagesAreTheOrderedMatches();
    void retentionStatementsUseTheirIndex();
    void auditRetentionDeletesExactlyTheOldEntriesInBoundedRounds();
    void telemetryRetentionDeletesExactlyTheOldMessagesInBoundedRounds();

private:
    QStringList planOf(const QString &sql, const QVariantList &binds);
    // Every statement `run` makes, with its bindings.
    QList<QPair<QString, QVariantList>> statementsOf(const std::function<void()> &run);
    // What makes a plan read a table whole or sort its matches; empty when
    // none of that.
    QString fullReadIn(const QString &table, const QList<QPair<QString, QVariantList>> &statements, bool walkAllowed);
    QList<Row> expectedAudit(const AuditLog::Filter &filter) const;
    qint64 count(const QString &sql, const QVariantList &binds = {});

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<TelemetryStore> m_telemetry;
    QList<Row> m_rows; // as stored, ids included
};

void TestHistoryScale::initTestCase()
{
    auto db = Test::openMigratedDatabase(m_dir.path(), QStringLiteral("hist"));
    QVERIFY2(db, qPrintable(db.error().message));
    m_db = std::move(*db);
    m_audit = std::make_unique<AuditLog>(*m_db);
    m_telemetry = std::make_unique<TelemetryStore>(*m_db);

    // Written in id order, one statement per 100 entries.
    const QString written = writeAuditLog(*m_db, kEntries, entry);
    QVERIFY2(written.isEmpty(), qPrintable(written));
    auto q = m_db->exec(QStringLiteral("SELECT id FROM audit_log ORDER BY id"));
    QVERIFY(q);
    for (int i = 0; q->next(); ++i) {
        Row r = entry(i);
        r.id = q->value(0).toLongLong();
        m_rows << r;
    }
    q->finish();
    QCOMPARE(m_rows.size(), kEntries);

    QList<TelemetryStore::Message> messages;
    for (int d = 0; d < kDevices; ++d) {
        for (int i = 0; i < kMessagesPerDevice; ++i) {
            TelemetryStore::Message m;
            m.deviceId = QStringLiteral("dev-%1").arg(d);
            m.hubHost = QStringLiteral("hub");
            m.received = kBase.addSecs(i / 2); // two per second: ties again
            m.body = QByteArray::number(i);
            messages << m;
        }
    }
    QVERIFY(m_db->beginTransaction());
    auto stored = m_telemetry->insert(messages);
    QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().message));
    QVERIFY(m_db->commit());
    // PostgreSQL plans by its statistics, which autovacuum would gather
    // on a live system.
    if (m_db->dialect() == Database::Dialect::Postgres) {
        for (const char *table : {"audit_log", "telemetry"}) {
            auto analyzed = m_db->exec(QStringLiteral("ANALYZE ") + QLatin1String(table));
            QVERIFY(analyzed);
            analyzed->finish();
        }
    }
}

void TestHistoryScale::cleanupTestCase()
{
    m_telemetry.reset();
    m_audit.reset();
    m_db.reset();
}

QStringList TestHistoryScale::planOf(const QString &sql, const QVariantList &binds)
{
    return Test::queryPlan(*m_db, sql, binds, true);
}

QList<QPair<QString, QVariantList>> TestHistoryScale::statementsOf(const std::function<void()> &run)
{
    QList<QPair<QString, QVariantList>> statements;
    m_db->setStatementObserver([&statements](const QString &sql, const QVariantList &binds) {
        statements.append({sql, binds});
    });
    run();
    m_db->setStatementObserver({});
    return statements;
}

QString TestHistoryScale::fullReadIn(const QString &table, const QList<QPair<QString, QVariantList>> &statements,
                                     bool walkAllowed)
{
    // SQLite: "SCAN t" reads the table; "SCAN t USING INDEX" walks an index
    // from one end, bounded only by the LIMIT when nothing is filtered
    // during the walk (walkAllowed); a temporary B-tree for ORDER BY sorts
    // every match. PostgreSQL: a sequential scan surviving enable_seqscan =
    // off, a Sort node surviving enable_sort = off, or an index scan
    // without an Index Cond (the whole index walked; allowed as SQLite's
    // walk is).
    const bool sqlite = m_db->dialect() == Database::Dialect::Sqlite;
    const QRegularExpression tableScan(sqlite ? QStringLiteral("^SCAN %1$").arg(table)
                                              : QStringLiteral("Seq Scan on %1").arg(table));
    const QRegularExpression indexWalk(QStringLiteral("^SCAN %1 USING ").arg(table));
    const QRegularExpression pgIndexScan(
        QStringLiteral("Index (Only )?Scan (Backward )?using \\S+ on %1\\b").arg(table));
    const QRegularExpression pgRows(QStringLiteral("rows=(\\d+)"));
    const qint64 tableRows = count(QStringLiteral("SELECT COUNT(*) FROM ") + table);
    const QRegularExpression sort(sqlite ? QStringLiteral("TEMP B-TREE FOR ORDER BY")
                                         : QStringLiteral("^\\s*(->\\s*)?(Incremental )?Sort\\s+\\("));
    for (const auto &[sql, binds] : statements) {
        const QStringList plan = planOf(sql, binds);
        if (plan.isEmpty() || plan.constFirst().startsWith(QLatin1String("EXPLAIN failed")))
            return sql + QStringLiteral(": ") + plan.join(QLatin1Char('\n'));
        for (qsizetype i = 0; i < plan.size(); ++i) {
            const QString &line = plan.at(i);
            const QString l = line.trimmed();
            // The import's time index (migrations 26 and 27) holds only
            // entries its query asks for: walked from one end, every entry it
            // reads is on the page.
            bool walk = sqlite && indexWalk.match(l).hasMatch() &&
                        !l.startsWith(QStringLiteral("SCAN %1 USING INDEX audit_import_at").arg(table));
            if (!sqlite && pgIndexScan.match(line).hasMatch() &&
                !line.contains(QStringLiteral(" using audit_import_at on %1").arg(table))) {
                // PostgreSQL: an index scan without an Index Cond among its
                // own detail lines walks the whole index.
                const qsizetype indent = line.indexOf(QRegularExpression(QStringLiteral("\\S")));
                // Unless the planner expects the filter to keep at least a
                // quarter of what it reads (a common value: a page then
                // reads at most four times its rows, as PostgreSQL chooses
                // by its statistics).
                const auto estimate = pgRows.match(line);
                walk = !(estimate.hasMatch() && estimate.captured(1).toLongLong() * 4 >= tableRows);
                for (qsizetype j = i + 1; j < plan.size(); ++j) {
                    const QString &detail = plan.at(j);
                    const qsizetype depth = detail.indexOf(QRegularExpression(QStringLiteral("\\S")));
                    if (depth <= indent || detail.trimmed().startsWith(QLatin1String("->")))
                        break;
                    if (detail.trimmed().startsWith(QLatin1String("Index Cond:")))
                        walk = false;
                }
            }
            if (tableScan.match(l).hasMatch() || sort.match(line).hasMatch() || (!walkAllowed && walk))
                return QStringLiteral("%1\n  reads the whole table or sorts:\n  %2")
                    .arg(sql, plan.join(QLatin1String("\n  ")));
        }
    }
    return {};
}

QList<Row> TestHistoryScale::expectedAudit(const AuditLog::Filter &f) const
{
    QList<Row> out;
    for (const Row &r : m_rows) {
        if ((!f.actor.isEmpty() && r.actor != f.actor) || (!f.action.isEmpty() && r.action != f.action) ||
            (!f.entityType.isEmpty() && r.entityType != f.entityType) ||
            (!f.entityId.isEmpty() && r.entityId != f.entityId) || (!f.since.isEmpty() && r.at < f.since) ||
            (!f.until.isEmpty() && r.at >= f.until))
            continue;
        out << r;
    }
    std::sort(out.begin(), out.end(),
              [](const Row &a, const Row &b) { return a.at != b.at ? a.at > b.at : a.id > b.id; });
    return out;
}

qint64 TestHistoryScale::count(const QString &sql, const QVariantList &binds)
{
    auto q = m_db->exec(sql, binds);
    if (!q)
        return -1;
    const qint64 n = q->next() ? q->value(0).toLongLong() : -1;
    q->finish();
    return n;
}

void TestHistoryScale::detectorSeesScansAndSorts()
{
    // What the checks below look for, seen where it is: a filter no index
    // serves, an order no index gives, an index walked with a filter.
    for (const auto &[sql, binds] : {
             QPair<QString, QVariantList>{QStringLiteral("SELECT id FROM audit_log WHERE after_doc LIKE ? LIMIT 10"),
                                          {QStringLiteral("%7%")}},
             QPair<QString, QVariantList>{QStringLiteral("SELECT id FROM audit_log WHERE actor = ? ORDER BY "
                                                         "entity_id LIMIT 10"),
                                          {QStringLiteral("token:alice")}},
             QPair<QString, QVariantList>{QStringLiteral("SELECT id FROM telemetry WHERE hub_host = ? LIMIT 10"),
                                          {QStringLiteral("hub")}},
         }) {
        const QString table =
            sql.contains(QLatin1String("telemetry")) ? QStringLiteral("telemetry") : QStringLiteral("audit_log");
        QVERIFY2(!fullReadIn(table, {{sql, binds}}, false).isEmpty(), qPrintable(sql));
    }
}

void TestHistoryScale::noAuditPageReadsTheWholeLog_data()
{
    QTest::addColumn<int>("mask");
    // Every combination of the six filters (bit set: filter given).
    const char *names[] = {"actor", "action", "entityType", "entityId", "since", "until"};
    for (int mask = 0; mask < 64; ++mask) {
        QStringList parts;
        for (int b = 0; b < 6; ++b) {
            if (mask & (1 << b))
                parts << QLatin1String(names[b]);
        }
        QTest::addRow("%s", parts.isEmpty() ? "none" : qPrintable(parts.join(QLatin1Char('+')))) << mask;
    }
}

void TestHistoryScale::noAuditPageReadsTheWholeLog()
{
    QFETCH(int, mask);
    const AuditLog::Filter filter = auditFilterOf(mask, QStringLiteral("device"));
    PageRequest page;
    page.limit = 11; // a next page for most combinations
    QList<AuditLog::Entry> first, second;
    const auto statements = statementsOf([&] {
        auto r = m_audit->list(filter, page);
        if (!r)
            return;
        first = *r;
        if (first.size() < page.limit)
            return;
        PageRequest next = page;
        next.afterKey = AuditLog::cursorKey(first.constLast());
        if (auto s = m_audit->list(filter, next))
            second = *s;
    });
    const QList<Row> expected = expectedAudit(filter);
    QCOMPARE(first.size(), std::min<qsizetype>(expected.size(), page.limit));
    if (expected.size() > page.limit)
        QCOMPARE(second.size(), std::min<qsizetype>(expected.size() - page.limit, page.limit));
    QVERIFY(!statements.isEmpty());
    const QString problem = fullReadIn(QStringLiteral("audit_log"), statements, mask == 0);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestHistoryScale::everyFilterCombinationIsOneIndexRange_data()
{
    QTest::addColumn<int>("mask");
    QTest::addColumn<bool>("window");
    QTest::addColumn<bool>("cursor");
    QTest::addColumn<QString>("index");
    // Every combination of actor, action and entity type (bit set: given),
    // with and without a time window and a cursor; the index that holds
    // exactly that combination before (at, id).
    const char *names[] = {"actor", "action", "entityType"};
    const char *indexes[] = {nullptr,      "audit_actor",      "audit_action",      "audit_actor_action",
                             "audit_type", "audit_actor_type", "audit_type_action", "audit_actor_action_type"};
    for (int mask = 1; mask < 8; ++mask) {
        QStringList parts;
        for (int b = 0; b < 3; ++b) {
            if (mask & (1 << b))
                parts << QLatin1String(names[b]);
        }
        for (const bool window : {false, true}) {
            for (const bool cursor : {false, true}) {
                QTest::addRow("%s%s%s", qPrintable(parts.join(QLatin1Char('+'))), window ? " in a window" : "",
                              cursor ? ", next page" : "")
                    << mask << window << cursor << QString::fromLatin1(indexes[mask]);
            }
        }
    }
}

void TestHistoryScale::everyFilterCombinationIsOneIndexRange()
{
    // A combination that matches few entries or none (alice never deletes,
    // alice's customers are few) is where reading one filter's index and
    // checking the others would read thousands of entries for a page: the
    // page's statement must read its combination's index with every filter
    // in the index condition, so it reads its own rows and no others.
    QFETCH(int, mask);
    QFETCH(bool, window);
    QFETCH(bool, cursor);
    QFETCH(QString, index);
    const AuditLog::Filter filter = auditFilterOf(mask | (window ? 16 | 32 : 0), QStringLiteral("customer"));
    PageRequest page;
    page.limit = 10;
    if (cursor)
        page.afterKey = pairCursorKey(entryTime(kEntries / 2), QString::number(m_rows.at(kEntries / 2).id));
    QList<AuditLog::Entry> got;
    const auto statements = statementsOf([&] {
        if (auto r = m_audit->list(filter, page))
            got = *r;
    });
    QList<Row> expected = expectedAudit(filter);
    if (cursor) {
        const Row &last = m_rows.at(kEntries / 2);
        expected.erase(
            std::remove_if(expected.begin(), expected.end(),
                           [&](const Row &r) { return r.at > last.at || (r.at == last.at && r.id >= last.id); }),
            expected.end());
    }
    QCOMPARE(got.size(), std::min<qsizetype>(expected.size(), page.limit));
    for (qsizetype i = 0; i < got.size(); ++i)
        QCOMPARE(got.at(i).id, expected.at(i).id);
    const bool sqlite = m_db->dialect() == Database::Dialect::Sqlite;
    // The import's entries are read apart (migrations 26 and 27) when the
    // filters could match them (no action, no type: actor alone): then a
    // second statement reads the import's actor index.
    const bool importsToo = mask == 1;
    QCOMPARE(statements.size(), importsToo ? 2 : 1);
    for (const auto &[sql, binds] : statements) {
        const QStringList plan = planOf(sql, binds);
        const QString shown = plan.join(QLatin1String("\n  "));
        const QRegularExpression read(
            sqlite ? QStringLiteral("^SEARCH audit_log USING INDEX (?<index>\\w+) \\((?<condition>.*)\\)$")
                   : QStringLiteral("Index Scan (Backward )?using (?<index>\\w+) on audit_log\\b"));
        QStringList columns;
        for (const auto &[bit, column] : {std::pair{1, "actor"}, std::pair{2, "action"}, std::pair{4, "entity_type"}}) {
            if (mask & bit)
                columns << QLatin1String(column);
        }
        const bool importStatement = sql.contains(QLatin1String("WHERE action = 'import' AND entity_type = 'device'"));
        QVERIFY(!importStatement || importsToo);
        const QString expectedIndex = importStatement ? QStringLiteral("audit_import_actor") : index;
        bool found = false;
        for (qsizetype i = 0; i < plan.size(); ++i) {
            const auto m = read.match(plan.at(i).trimmed());
            if (!m.hasMatch())
                continue;
            found = true;
            QVERIFY2(m.captured(QStringLiteral("index")) == expectedIndex,
                     qPrintable(QStringLiteral("reads %1, not %2:\n  %3")
                                    .arg(m.captured(QStringLiteral("index")), expectedIndex, shown)));
            // Every filter is a condition of the index range; none is checked
            // row by row.
            QString condition = m.captured(QStringLiteral("condition"));
            QString residual;
            if (!sqlite) {
                for (qsizetype j = i + 1; j < plan.size() && !plan.at(j).trimmed().startsWith(QLatin1String("->"));
                     ++j) {
                    const QString detail = plan.at(j).trimmed();
                    if (detail.startsWith(QLatin1String("Index Cond:")))
                        condition = detail;
                    else if (detail.startsWith(QLatin1String("Filter:")))
                        residual = detail;
                }
            }
            for (const QString &column : std::as_const(columns)) {
                // PostgreSQL's combination indexes, and its import actor
                // index, are keyed by the values joined: the column is in the
                // key expression.
                const QRegularExpression named(QStringLiteral("\\b%1\\b ?=").arg(column));
                const bool joined = !sqlite;
                const QRegularExpression keyed(joined ? QStringLiteral("\\b%1\\b").arg(column) : named.pattern());
                QVERIFY2(condition.contains(keyed),
                         qPrintable(QStringLiteral("%1 is not in the index condition:\n  %2").arg(column, shown)));
                QVERIFY2(!residual.contains(named),
                         qPrintable(QStringLiteral("%1 is checked row by row:\n  %2").arg(column, shown)));
            }
        }
        QVERIFY2(found, qPrintable(QStringLiteral("no index range read:\n  ") + shown));
    }
    const QString problem = fullReadIn(QStringLiteral("audit_log"), statements, false);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestHistoryScale::auditPagesAreTheOrderedMatches_data()
{
    QTest::addColumn<QString>("actor");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("entityType");
    QTest::addColumn<QString>("entityId");
    QTest::addColumn<int>("since"); // entry index, -1: none
    QTest::addColumn<int>("until");
    const QString none;
    QTest::newRow("all") << none << none << none << none << -1 << -1;
    QTest::newRow("window") << none << none << none << none << 1000 << 2500;
    QTest::newRow("common actor") << QStringLiteral("token:import") << none << none << none << -1 << -1;
    QTest::newRow("common actor + rare action")
        << QStringLiteral("token:import") << QStringLiteral("delete") << none << none << -1 << -1;
    QTest::newRow("rare actor + common action")
        << QStringLiteral("device:SER-9") << QStringLiteral("create") << none << none << -1 << -1;
    QTest::newRow("type + action in a window")
        << none << QStringLiteral("update") << QStringLiteral("customer") << none << 3000 << 9000;
    QTest::newRow("entity") << none << none << none << entry(77).entityId << -1 << -1;
    QTest::newRow("entity + type + actor")
        << QStringLiteral("token:alice") << none << QStringLiteral("device") << entry(8).entityId << -1 << -1;
    QTest::newRow("nothing") << QStringLiteral("token:nobody") << none << none << none << -1 << -1;
    QTest::newRow("two common filters, no match")
        << QStringLiteral("token:alice") << QStringLiteral("delete") << none << none << -1 << -1;
    QTest::newRow("three filters, no match")
        << QStringLiteral("token:alice") << QStringLiteral("sell") << QStringLiteral("customer") << none << 600 << -1;
    QTest::newRow("actor + type in a window")
        << QStringLiteral("token:import") << none << QStringLiteral("customer") << none << 100 << 11000;
    QTest::newRow("the import's entries") << none << QStringLiteral("import") << none << none << -1 << -1;
    QTest::newRow("the import's entries in a window")
        << none << QStringLiteral("import") << QStringLiteral("device") << none << 2000 << 5000;
    QTest::newRow("importer's devices, imported and not")
        << QStringLiteral("token:import") << none << QStringLiteral("device") << none << -1 << -1;
    QTest::newRow("import by another actor")
        << QStringLiteral("token:alice") << QStringLiteral("import") << none << none << -1 << -1;
    QTest::newRow("import of another type")
        << none << QStringLiteral("import") << QStringLiteral("customer") << none << -1 << -1;
    QTest::newRow("an imported entity") << none << none << none << entry(4).entityId << -1 << -1;
}

void TestHistoryScale::auditPagesAreTheOrderedMatches()
{
    QFETCH(QString, actor);
    QFETCH(QString, action);
    QFETCH(QString, entityType);
    QFETCH(QString, entityId);
    QFETCH(int, since);
    QFETCH(int, until);
    AuditLog::Filter filter;
    filter.actor = actor;
    filter.action = action;
    filter.entityType = entityType;
    filter.entityId = entityId;
    filter.since = since >= 0 ? entryTime(since) : QString();
    filter.until = until >= 0 ? entryTime(until) : QString();
    QList<qint64> expected;
    for (const Row &r : expectedAudit(filter))
        expected << r.id;
    QList<qint64> got;
    PageRequest page;
    page.limit = 37;
    for (int pages = 0; pages < 1000; ++pages) {
        auto r = m_audit->list(filter, page);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        for (const AuditLog::Entry &e : *r)
            got << e.id;
        if (r->size() < page.limit)
            break;
        page.afterKey = AuditLog::cursorKey(r->constLast());
    }
    QCOMPARE(got.size(), expected.size());
    QCOMPARE(got, expected);
}

void TestHistoryScale::auditCursorFromBeforeIsUnderstood()
{
    // A cursor handed out before the log was ordered by time held the id of
    // the page's last entry; it goes on after that entry.
    const QList<Row> all = expectedAudit({});
    PageRequest page;
    page.limit = 5;
    page.afterKey = QString::number(all.at(100).id);
    auto r = m_audit->list({}, page);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(r->at(i).id, all.at(101 + i).id);
}

void TestHistoryScale::auditBadCursorIsRefused_data()
{
    QTest::addColumn<QString>("afterKey");
    QTest::newRow("text") << QStringLiteral("abc");
    QTest::newRow("unknown id") << QStringLiteral("999999999");
    QTest::newRow("pair without id") << pairCursorKey(entryTime(5), QStringLiteral("x"));
    QTest::newRow("pair without time") << pairCursorKey(QString(), QStringLiteral("5"));
    QTest::newRow("three") << QStringLiteral("[\"a\",\"b\",\"c\"]");
}

void TestHistoryScale::auditBadCursorIsRefused()
{
    QFETCH(QString, afterKey);
    PageRequest page;
    page.afterKey = afterKey;
    auto r = m_audit->list({}, page);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::InvalidInput);
}

void TestHistoryScale::auditFilterWithControlCharacterIsRefused_data()
{
    // PostgreSQL's combination keys join the values with a unit separator:
    // a filter holding one could match another combination's entries.
    QTest::addColumn<QString>("actor");
    QTest::addColumn<QString>("entityType");
    QTest::addColumn<QString>("entityId");
    QTest::newRow("separator in the actor")
        << QStringLiteral("token:alice\x1f") << QStringLiteral("device") << QString();
    QTest::newRow("separator in the type") << QStringLiteral("token") << QStringLiteral(":alice\x1f") << QString();
    QTest::newRow("newline in the entity") << QString() << QString() << QStringLiteral("E-1\n");
}

void TestHistoryScale::auditFilterWithControlCharacterIsRefused()
{
    QFETCH(QString, actor);
    QFETCH(QString, entityType);
    QFETCH(QString, entityId);
    AuditLog::Filter filter;
    filter.actor = actor;
    filter.entityType = entityType;
    filter.entityId = entityId;
    bool ran = false;
    const auto statements = statementsOf([&] {
        auto r = m_audit->list(filter, {});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidInput);
        QVERIFY(r.error().message.contains(QLatin1String("control characters")));
        ran = true;
    });
    QVERIFY(ran);
    QVERIFY(statements.isEmpty());
}

void TestHistoryScale::importersOtherEntriesAreTheirOwnRange_data()
{
    QTest::addColumn<QString>("actor");
    QTest::addColumn<QString>("action");
    QTest::newRow("the importer") << QStringLiteral("token:importer") << QString();
    QTest::newRow("the import action") << QString() << QStringLiteral("import");
}

void TestHistoryScale::importersOtherEntriesAreTheirOwnRange()
{
    // A log that is mostly one token's imports (as after a large CSV
    // import): 19 of 20 entries are the importer's `import`s, the rest
    // others' work and a few of the importer's own other entries. By its
    // share of the whole log the importer (or the action `import`) looks
    // common among the entries that are not imports too, and a page of
    // those walked the time index through all of them; it must read the
    // filter's own range, in the import's indexes and in the others'.
    QFETCH(QString, actor);
    QFETCH(QString, action);
    QTemporaryDir dir;
    auto opened = Test::openMigratedDatabase(dir.path(), QStringLiteral("importer"));
    QVERIFY2(opened, qPrintable(opened.error().message));
    Database &db = **opened;
    constexpr int kLog = 20000;
    const QString written = writeAuditLog(db, kLog, [](int i) {
        const bool imported = i % 20 != 0;
        const bool importersOwn = i % 1000 == 0; // 20 other entries of the importer
        Row r;
        r.at = entryTime(i);
        r.actor = imported || importersOwn ? QStringLiteral("token:importer") : QStringLiteral("token:alice");
        r.action = imported ? QStringLiteral("import") : QStringLiteral("sell");
        r.entityType = QStringLiteral("device");
        r.entityId = QStringLiteral("SER-%1").arg(i);
        return r;
    });
    QVERIFY2(written.isEmpty(), qPrintable(written));
    if (db.dialect() == Database::Dialect::Postgres) {
        auto analyzed = db.exec(QStringLiteral("ANALYZE audit_log"));
        QVERIFY(analyzed);
        analyzed->finish();
    }
    AuditLog audit(db);
    AuditLog::Filter filter;
    filter.actor = actor;
    filter.action = action;
    PageRequest page;
    page.limit = 50;
    QList<QPair<QString, QVariantList>> statements;
    db.setStatementObserver([&statements](const QString &sql, const QVariantList &binds) {
        statements.append({sql, binds});
    });
    auto listed = audit.list(filter, page);
    db.setStatementObserver({});
    QVERIFY2(listed, qPrintable(listed ? QString() : listed.error().message));
    QCOMPARE(listed->size(), page.limit);
    for (const AuditLog::Entry &e : std::as_const(*listed))
        QVERIFY(actor.isEmpty() ? e.action == action : e.actor == actor);
    QVERIFY(!statements.isEmpty());
    const QString column = actor.isEmpty() ? QStringLiteral("action") : QStringLiteral("actor");
    for (const auto &[sql, binds] : std::as_const(statements)) {
        // The import's own time index holds exactly the action's entries:
        // read from its newest end, every entry is on the page.
        if (column == QLatin1String("action") &&
            sql.contains(QLatin1String("WHERE action = 'import' AND entity_type = 'device'")))
            continue;
        const QStringList plan = Test::queryPlan(db, sql, binds, true);
        const QString shown = plan.join(QLatin1String("\n  "));
        // Every index read of the page is bounded by the filter: the index
        // condition names it (SQLite: `SEARCH ... USING INDEX i (actor=?`;
        // PostgreSQL: an `Index Cond:` line naming the column).
        bool bounded = false;
        bool read = false;
        for (const QString &line : plan) {
            const QString l = line.trimmed();
            if (l.startsWith(QLatin1String("SCAN audit_log")) || l.contains(QLatin1String("Seq Scan")))
                QFAIL(qPrintable(QStringLiteral("reads the log whole:\n  ") + shown));
            if (l.startsWith(QLatin1String("SEARCH audit_log")) || l.contains(QLatin1String(" on audit_log")))
                read = true;
            if ((l.startsWith(QLatin1String("SEARCH audit_log")) || l.startsWith(QLatin1String("Index Cond:"))) &&
                l.contains(QRegularExpression(QStringLiteral("\\b%1\\b").arg(column))))
                bounded = true;
        }
        QVERIFY2(read, qPrintable(QStringLiteral("no read of the log:\n  ") + shown));
        QVERIFY2(bounded, qPrintable(QStringLiteral("%1 does not bound the read:\n  %2").arg(column, shown)));
    }
}

void TestHistoryScale::noTelemetryPageReadsTheWholeTable_data()
{
    QTest::addColumn<bool>("since");
    QTest::addColumn<bool>("until");
    QTest::newRow("device") << false << false;
    QTest::newRow("device + since") << true << false;
    QTest::newRow("device + until") << false << true;
    QTest::newRow("device + window") << true << true;
}

void TestHistoryScale::noTelemetryPageReadsTheWholeTable()
{
    QFETCH(bool, since);
    QFETCH(bool, until);
    TelemetryStore::Filter filter;
    filter.deviceId = QStringLiteral("dev-2");
    if (since)
        filter.since = kBase.addSecs(200);
    if (until)
        filter.until = kBase.addSecs(1200);
    PageRequest page;
    page.limit = 25;
    int sizes[2] = {-1, -1};
    const auto statements = statementsOf([&] {
        auto first = m_telemetry->page(filter, page);
        if (!first)
            return;
        sizes[0] = int(first->items.size());
        auto next = parsePageRequest(QStringLiteral("25"), first->nextCursor);
        if (!next)
            return;
        if (auto second = m_telemetry->page(filter, *next))
            sizes[1] = int(second->items.size());
    });
    QCOMPARE(sizes[0], 25);
    QCOMPARE(sizes[1], 25);
    const QString problem = fullReadIn(QStringLiteral("telemetry"), statements, false);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestHistoryScale::telemetryPagesAreTheOrderedMatches()
{
    // Deep pages seek to their place: the whole history of one device in
    // pages of 7, newest first, each message once.
    TelemetryStore::Filter filter;
    filter.deviceId = QStringLiteral("dev-1");
    filter.since = kBase.addSecs(100);
    PageRequest page;
    page.limit = 7;
    QList<int> bodies;
    for (int pages = 0; pages < 1000; ++pages) {
        auto r = m_telemetry->page(filter, page);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        for (const auto &m : r->items)
            bodies << m.body.toInt();
        if (r->nextCursor.isEmpty())
            break;
        auto next = parsePageRequest(QStringLiteral("7"), r->nextCursor);
        QVERIFY(next);
        page = *next;
    }
    QList<int> expected;
    for (int i = kMessagesPerDevice - 1; i >= 200; --i)
        expected << i;
    QCOMPARE(bodies, expected);
}

void TestHistoryScale::retentionStatementsUseTheirIndex()
{
    // Checked without deleting: the statements' plans only.
    const QString cutoff = entryTime(kEntries / 2);
    const auto audit = statementsOf([&] {
        QVERIFY(m_db->beginTransaction());
        QVERIFY(m_audit->pruneOlderThan(cutoff, 10));
        m_db->rollback();
    });
    const auto telemetry = statementsOf([&] {
        QVERIFY(m_db->beginTransaction());
        QVERIFY(m_telemetry->pruneOlderThan(kBase.addSecs(500), 10));
        QVERIFY(m_telemetry->pruneDevice(QStringLiteral("dev-0"), 100, 10));
        m_db->rollback();
    });
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_log")), qint64(kEntries));
    for (const auto &[table, statements] :
         {std::pair{QStringLiteral("audit_log"), audit}, std::pair{QStringLiteral("telemetry"), telemetry}}) {
        QList<QPair<QString, QVariantList>> reads;
        for (const auto &s : statements) {
            if (!s.first.startsWith(QLatin1String("DELETE"))) {
                reads << s;
                continue;
            }
            // The DELETE's plan is its subquery's: explained alone.
            const qsizetype open = s.first.indexOf(QLatin1String("(SELECT"));
            QVERIFY(open > 0);
            reads << QPair<QString, QVariantList>{s.first.mid(open + 1, s.first.size() - open - 2), s.second};
        }
        QVERIFY(!reads.isEmpty());
        const QString problem = fullReadIn(table, reads, false);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
}

void TestHistoryScale::auditRetentionDeletesExactlyTheOldEntriesInBoundedRounds()
{
    const int cut = kEntries / 2 + 1; // between two entries of one second
    const QString cutoff = entryTime(cut);
    const qint64 old = count(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE at < ?"), {cutoff});
    QCOMPARE(old, qint64(cut / 3 * 3));
    RetentionSweep sweep(QStringLiteral("audit"), {1000, 30});
    QSignalSpy rounds(&sweep, &RetentionSweep::roundDone);
    QSignalSpy finished(&sweep, &RetentionSweep::finished);
    QList<qint64> roundTimes;
    QElapsedTimer clock;
    clock.start();
    bool inTransaction = false;
    const auto statements = statementsOf([&] {
        sweep.start([&](int maxRows) {
            inTransaction = inTransaction || m_db->inTransaction();
            roundTimes << clock.elapsed();
            return m_audit->pruneOlderThan(cutoff, maxRows);
        });
        QVERIFY(finished.wait(30000));
    });
    QVERIFY(!inTransaction);
    // 6000 old entries, 1000 a round: six full rounds and an empty one.
    QCOMPARE(finished.constFirst().at(0).toLongLong(), old);
    QCOMPARE(rounds.size(), int(old / 1000 + 1));
    for (const auto &r : std::as_const(rounds))
        QVERIFY(r.at(0).toInt() <= 1000);
    QCOMPARE(statements.size(), rounds.size());
    for (int i = 1; i < roundTimes.size(); ++i)
        QVERIFY2(roundTimes.at(i) - roundTimes.at(i - 1) >= 30, "the sweep rests between rounds");
    // Exactly the old ones went.
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE at < ?"), {cutoff}), qint64(0));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_log")), qint64(kEntries) - old);
    qint64 kept = 0;
    for (const Row &r : std::as_const(m_rows))
        kept += r.at >= cutoff;
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE at >= ?"), {cutoff}), kept);
    // A second sweep finds nothing.
    sweep.start([&](int maxRows) { return m_audit->pruneOlderThan(cutoff, maxRows); });
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.constLast().at(0).toLongLong(), qint64(0));
}

void TestHistoryScale::telemetryRetentionDeletesExactlyTheOldMessagesInBoundedRounds()
{
    const QDateTime cutoff = kBase.addSecs(1000); // messages 0..1999 of every device
    RetentionSweep sweep(QStringLiteral("telemetry"), {700, 0});
    QSignalSpy rounds(&sweep, &RetentionSweep::roundDone);
    QSignalSpy finished(&sweep, &RetentionSweep::finished);
    sweep.start([&](int maxRows) { return m_telemetry->pruneOlderThan(cutoff, maxRows); });
    QVERIFY(finished.wait(30000));
    const qint64 old = qint64(kDevices) * 2000;
    QCOMPARE(finished.constFirst().at(0).toLongLong(), old);
    QCOMPARE(rounds.size(), int(old / 700 + 1));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM telemetry WHERE received < ?"), {toIsoUtc(cutoff)}), qint64(0));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM telemetry")), qint64(kDevices) * kMessagesPerDevice - old);
    for (int d = 0; d < kDevices; ++d)
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM telemetry WHERE device_id = ?"),
                       {QStringLiteral("dev-%1").arg(d)}),
                 qint64(kMessagesPerDevice - 2000));
}

QTEST_GUILESS_MAIN(TestHistoryScale)
#include "tst_historyscale.moc"
