// SPDX-License-Identifier: Apache-2.0
//
// provisio-bench-crm-history: the audit log and the telemetry history at
// scale, on SQLite or PostgreSQL. It fills the middleware's database with
// N audit entries and M telemetry messages by bulk SQL (the generator is
// described below and in docs/benchmarks.md), starts a real middleware on
// it, and drives the CRM's own models in a real QTableView (offscreen):
// the audit page with every filter the CRM offers and deep keyset pages,
// the device telemetry view with and without a time window, and deep
// telemetry pages through the API. Each figure is request + JSON + paint.
// Then it adds a backlog of B old audit entries (older than a year) and B
// old telemetry messages (8 to 30 days old) to the tables, restarts the
// middleware with --audit-days 365 and the default --telemetry-days 7, and
// measures the sweeps that delete exactly the backlog (rows, rounds, the
// time per round from the middleware's log) and, meanwhile, the latency of
// telemetry batch inserts (100 messages, one transaction) by a second
// writer on the same database, against the same inserts before the sweep:
// how long ingest has to wait for the database while old rows go.
//
// The generator (rows i = 0..N-1, oldest first, evenly spread in time):
// audit entries over the last 364 days; actor token:import 60 %,
// token:crm-alice 25 %, token:crm-bob 5 %, device:SN-… 10 %; action create
// 50 %, update 30 %, sell 10 %, enroll 5 %, issueActivationCode 4 %,
// disable 0.9 %, delete 0.1 %; entity type device (enrollment for enroll,
// customer for 4 % of the rest); entity id one of 1,000,000 serials; a
// ~70-byte after document. Telemetry over the last 6 days (inside the
// default 7 days of retention) from D devices in turn, a ~35-byte JSON
// body each, no message id. Indexes are dropped during the fill and
// created again after it (their definitions read back from the database),
// as a restore of a dump would.

#include "support/benchutil.h"
#include "support/middlewareserver.h"
#include "support/processstats.h"

#include "apiclient.h"
#include "auditmodel.h"
#include "plaintextdelegate.h"
#include "telemetrymodel.h"

#include "protocol/timeutil.h"
#include "storage/database.h"
#include "storage/registrationstore.h"
#include "storage/telemetrystore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

using namespace Provisio;
using namespace Provisio::Bench;
using Provisio::Crm::ApiCall;
using Provisio::Crm::ApiClient;
using Provisio::Crm::ApiFailure;
using Provisio::Crm::AuditModel;
using Provisio::Crm::TelemetryModel;

namespace {

constexpr int kExitSetupFailed = 2;
constexpr int kExitTargetMissed = 1;
constexpr qint64 kDayMs = 24 * 3600 * 1000LL;
const QString kMarker = QStringLiteral("crm-bench-history.json");

QString spread(const std::vector<double> &v)
{
    return QStringLiteral("p50 %1 ms, p95 %2 ms, max %3 ms")
        .arg(fixed(percentile(v, 50)), fixed(percentile(v, 95)), fixed(percentile(v, 100)));
}

QString deviceName(int d)
{
    return QStringLiteral("hist-dev-%1").arg(d, 5, 10, QLatin1Char('0'));
}

// --- The generator ----------------------------------------------------------

// ISO-8601 UTC text with milliseconds, as the middleware writes it, from
// milliseconds since the epoch in the SQL expression `ms`.
QString isoSql(Database::Dialect dialect, const QString &ms)
{
    if (dialect == Database::Dialect::Sqlite)
        return QStringLiteral("strftime('%Y-%m-%dT%H:%M:%fZ', (%1) / 1000.0, 'unixepoch')").arg(ms);
    return QStringLiteral("to_char(to_timestamp((%1) / 1000.0) AT TIME ZONE 'UTC', "
                          "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
        .arg(ms);
}

// Rows `from`..`to`-1 of a generated table as `SELECT ... FROM <series i>`.
QString seriesSql(Database::Dialect dialect, qint64 from, qint64 to, const QString &select)
{
    if (dialect == Database::Dialect::Sqlite)
        return QStringLiteral("WITH RECURSIVE s(i) AS (SELECT %1 UNION ALL SELECT i + 1 FROM s WHERE i < %2) "
                              "SELECT %3 FROM s")
            .arg(from)
            .arg(to - 1)
            .arg(select);
    return QStringLiteral("SELECT %3 FROM generate_series(%1::bigint, %2::bigint) AS s(i)")
        .arg(from)
        .arg(to - 1)
        .arg(select);
}

QString auditSelect(Database::Dialect dialect, qint64 start, qint64 stepMs)
{
    const QString serial = dialect == Database::Dialect::Sqlite ? QStringLiteral("'SN-' || ((i * 7919) % 1000000)")
                                                                : QStringLiteral("'SN-' || ((i * 7919) % 1000000)");
    return isoSql(dialect, QStringLiteral("%1 + i * %2").arg(start).arg(stepMs)) +
           QStringLiteral(", CASE WHEN i % 20 < 12 THEN 'token:import' WHEN i % 20 < 17 THEN 'token:crm-alice' "
                          "WHEN i % 20 = 17 THEN 'token:crm-bob' ELSE 'device:SN-' || (i % 1000000) END"
                          ", CASE WHEN i % 100 < 50 THEN 'create' WHEN i % 100 < 80 THEN 'update' "
                          "WHEN i % 100 < 90 THEN 'sell' WHEN i % 100 < 95 THEN 'enroll' "
                          "WHEN i % 100 < 99 THEN 'issueActivationCode' "
                          "WHEN (i / 100) % 10 = 0 THEN 'delete' ELSE 'disable' END"
                          ", CASE WHEN i % 100 >= 90 AND i % 100 < 95 THEN 'enrollment' "
                          "WHEN i % 25 = 3 THEN 'customer' ELSE 'device' END"
                          ", %1"
                          ", '{\"serial\":\"' || %1 || '\",\"model\":\"Sensor 2\",\"status\":\"inStock\"}'")
               .arg(serial);
}

QString telemetrySelect(Database::Dialect dialect, qint64 start, qint64 stepMs, int devices)
{
    const bool sqlite = dialect == Database::Dialect::Sqlite;
    const QString device = sqlite ? QStringLiteral("'hist-dev-' || printf('%05d', i % %1)").arg(devices)
                                  : QStringLiteral("'hist-dev-' || lpad((i % %1)::text, 5, '0')").arg(devices);
    const QString body = QStringLiteral("'{\"temperature\":' || (20 + i % 10) || ',\"seq\":' || i || '}'");
    return device + QStringLiteral(", 'hub-1.local', ") +
           isoSql(dialect, QStringLiteral("%1 + i * %2").arg(start).arg(stepMs)) + QStringLiteral(", '', ") +
           (sqlite ? QStringLiteral("CAST(%1 AS BLOB)").arg(body) : QStringLiteral("convert_to(%1, 'UTF8')").arg(body));
}

struct IndexDef
{
    QString name, sql;
};

Result<QList<IndexDef>> indexesOf(Database &db, const QString &table)
{
    const bool sqlite = db.dialect() == Database::Dialect::Sqlite;
    auto q = db.exec(sqlite ? QStringLiteral("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                                             "tbl_name = ? AND sql IS NOT NULL")
                            : QStringLiteral("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ? AND "
                                             "indexname NOT IN (SELECT conname FROM pg_constraint)"),
                     {table});
    if (!q)
        return q.error();
    QList<IndexDef> out;
    while (q->next())
        out.append({q->value(0).toString(), q->value(1).toString()});
    q->finish();
    return out;
}

Result<qint64> scalar(Database &db, const QString &sql, const QVariantList &binds = {})
{
    auto q = db.exec(sql, binds);
    if (!q)
        return q.error();
    const qint64 v = q->next() ? q->value(0).toLongLong() : 0;
    q->finish();
    return v;
}

Result<void> execAll(Database &db, const QString &sql)
{
    auto r = db.execAffected(sql);
    if (!r)
        return r.error();
    return {};
}

// Fills `table` with `rows` generated rows in chunks, without its indexes,
// and builds them again; prints the rates.
Result<void> fill(Database &db, const QString &table, const QString &columns, qint64 rows,
                  const std::function<QString(qint64, qint64)> &chunkSql)
{
    auto indexes = indexesOf(db, table);
    if (!indexes)
        return indexes.error();
    for (const IndexDef &i : std::as_const(*indexes)) {
        if (auto r = execAll(db, QStringLiteral("DROP INDEX ") + i.name); !r)
            return r;
    }
    QElapsedTimer clock;
    clock.start();
    constexpr qint64 kChunk = 1000000;
    for (qint64 from = 0; from < rows; from += kChunk) {
        const qint64 to = std::min(rows, from + kChunk);
        if (auto r = execAll(db, QStringLiteral("INSERT INTO %1 (%2) ").arg(table, columns) + chunkSql(from, to)); !r)
            return r;
        out() << "  " << table << ": " << to << " rows, " << fixed(clock.elapsed() / 1000.0, 1) << " s\n";
        out().flush();
    }
    const double insertSeconds = clock.elapsed() / 1000.0;
    clock.restart();
    for (const IndexDef &i : std::as_const(*indexes)) {
        if (auto r = execAll(db, i.sql); !r)
            return r;
    }
    const double indexSeconds = clock.elapsed() / 1000.0;
    if (db.dialect() == Database::Dialect::Postgres) {
        if (auto r = execAll(db, QStringLiteral("ANALYZE ") + table); !r)
            return r;
    }
    out() << "filled " << table << ": " << rows << " rows in " << fixed(insertSeconds, 1) << " s ("
          << fixed(rows / std::max(insertSeconds, 0.001), 0) << " rows/s), " << indexes->size() << " indexes in "
          << fixed(indexSeconds, 1) << " s\n";
    out().flush();
    return {};
}

qint64 fileBytes(const QString &dir)
{
    qint64 total = 0;
    for (const QFileInfo &f : QDir(dir).entryInfoList({QStringLiteral("provisio.db*")}, QDir::Files))
        total += f.size();
    return total;
}

// --- Timings through the CRM's models ---------------------------------------

struct Timed
{
    double totalMs = -1;
    int rows = 0;
};

// From asking for the audit model's first page until it is painted.
Timed firstAuditRows(AuditModel &model, QTableView &view, const std::function<void()> &start)
{
    Timed result;
    bool arrived = false;
    auto conn = QObject::connect(&model, &AuditModel::pageLoaded, [&](int, qint64) { arrived = true; });
    QElapsedTimer timer;
    timer.start();
    start();
    const bool ok = spinUntil([&] { return arrived || !model.lastError().isEmpty(); }, 120000);
    QObject::disconnect(conn);
    if (!ok || !arrived)
        return result;
    view.viewport()->repaint();
    result.totalMs = timer.nsecsElapsed() / 1e6;
    result.rows = model.rowCount();
    return result;
}

struct Server
{
    MiddlewareServer process;
    std::unique_ptr<ApiClient> api;
};

bool startServer(Server &server, const QString &bin, const QString &dataDir, const QString &database, QString *error)
{
    if (!server.process.start(bin, dataDir, database, error))
        return false;
    const QString token = server.process.createToken(
        QStringLiteral("operator"), QStringLiteral("bench-history-%1").arg(QDateTime::currentMSecsSinceEpoch()), error);
    if (token.isEmpty())
        return false;
    QFile caFile(server.process.caPath());
    if (!caFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read ") + server.process.caPath();
        return false;
    }
    server.api = std::make_unique<ApiClient>();
    server.api->setConnection(QUrl(server.process.url()), token.toUtf8(),
                              QSslCertificate::fromData(caFile.readAll(), QSsl::Pem));
    server.api->setTimeout(120000);
    return true;
}

struct Get
{
    bool ok = false;
    QJsonObject body;
    QString error;
    double ms = 0;
};

Get get(ApiClient &api, const QString &path, const QUrlQuery &query)
{
    Get g;
    bool done = false;
    QElapsedTimer timer;
    timer.start();
    ApiCall *call = api.get(path, query);
    QObject::connect(call, &ApiCall::finished, call, [&](const QJsonDocument &body, const QByteArray &) {
        g.ok = true;
        g.body = body.object();
        done = true;
    });
    QObject::connect(call, &ApiCall::failed, call, [&](const ApiFailure &failure) {
        g.error = failure.message;
        done = true;
    });
    if (!spinUntil([&] { return done; }, 120000))
        g.error = QStringLiteral("no answer in time");
    g.ms = timer.nsecsElapsed() / 1e6;
    return g;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("provisio-bench-crm-history"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures the CRM's audit and telemetry views and the retention sweep against a real middleware holding "
        "many audit entries and telemetry messages."));
    parser.addHelpOption();
    const QCommandLineOption auditOpt(QStringLiteral("audit"), QStringLiteral("Audit entries (default 1000000)."),
                                      QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption telemetryOpt(QStringLiteral("telemetry"),
                                          QStringLiteral("Telemetry messages (default 1000000)."), QStringLiteral("n"),
                                          QStringLiteral("1000000"));
    const QCommandLineOption devicesOpt(QStringLiteral("devices"),
                                        QStringLiteral("Devices the telemetry comes from (default 10000)."),
                                        QStringLiteral("n"), QStringLiteral("10000"));
    const QCommandLineOption databaseOpt(QStringLiteral("database"),
                                         QStringLiteral("PostgreSQL URL (default: SQLite in the data directory)."),
                                         QStringLiteral("url"));
    const QCommandLineOption dataOpt(QStringLiteral("data-dir"),
                                     QStringLiteral("Middleware data directory to prepare once and reuse (default: a "
                                                    "temporary one). The retention phase empties half the tables."),
                                     QStringLiteral("dir"));
    const QCommandLineOption repeatOpt(QStringLiteral("repeat"),
                                       QStringLiteral("Repetitions of each timing (default 5)."), QStringLiteral("n"),
                                       QStringLiteral("5"));
    const QCommandLineOption deepOpt(QStringLiteral("deep-pages"),
                                     QStringLiteral("Pages to scroll through (default 200)."), QStringLiteral("n"),
                                     QStringLiteral("200"));
    const QCommandLineOption backlogOpt(QStringLiteral("backlog"),
                                        QStringLiteral("Old audit entries and old telemetry messages the retention "
                                                       "sweeps delete (default 1000000 each)."),
                                        QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption batchOpt(QStringLiteral("retention-batch"),
                                      QStringLiteral("The middleware's --retention-batch in the sweep (default: its "
                                                     "own default)."),
                                      QStringLiteral("rows"));
    const QCommandLineOption noRetentionOpt(QStringLiteral("no-retention"),
                                            QStringLiteral("Skip the retention phase (keeps the data directory)."));
    const QCommandLineOption binOpt(QStringLiteral("middleware-bin"), QStringLiteral("provisio-middleware binary."),
                                    QStringLiteral("path"), QStringLiteral(PROVISIO_MIDDLEWARE_BIN));
    const QCommandLineOption strictOpt(QStringLiteral("check-targets"),
                                       QStringLiteral("Exit 1 when an audit or telemetry page median takes 100 ms or "
                                                      "more."));
    parser.addOptions({auditOpt, telemetryOpt, devicesOpt, databaseOpt, dataOpt, repeatOpt, deepOpt, backlogOpt,
                       batchOpt, noRetentionOpt, binOpt, strictOpt});
    parser.process(app);

    const qint64 auditRows = parser.value(auditOpt).toLongLong();
    const qint64 telemetryRows = parser.value(telemetryOpt).toLongLong();
    const int devices = std::clamp(parser.value(devicesOpt).toInt(), 1, 99999);
    const int repeat = std::clamp(parser.value(repeatOpt).toInt(), 1, 100);
    const int deepPages = std::clamp(parser.value(deepOpt).toInt(), 1, 100000);
    if (auditRows < 1000 || telemetryRows < 1000) {
        err() << "--audit and --telemetry must be at least 1000\n";
        return kExitSetupFailed;
    }
    const QString database = parser.value(databaseOpt);
    std::unique_ptr<QTemporaryDir> tempDir;
    QString dataDir = parser.value(dataOpt);
    if (dataDir.isEmpty()) {
        tempDir = std::make_unique<QTemporaryDir>();
        dataDir = tempDir->path();
    }
    QDir().mkpath(dataDir);

    out() << "provisio-bench-crm-history: " << auditRows << " audit entries, " << telemetryRows
          << " telemetry messages from " << devices << " devices, " << (database.isEmpty() ? "SQLite" : "PostgreSQL")
          << ", load average " << loadAverage() << "\n"
          << "machine: " << machine() << "\n";
    out().flush();

    // --- Fill (once per data directory) -------------------------------------
    const qint64 now = QDateTime::currentMSecsSinceEpoch() - 3600 * 1000; // an hour back: nothing in the future
    {
        const QString location = database.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("provisio.db")) : database;
        auto opened = Database::open(location);
        if (!opened) {
            err() << "cannot open the database: " << opened.error().message << "\n";
            return kExitSetupFailed;
        }
        Database &db = **opened;
        if (auto m = db.migrate(); !m) {
            err() << "cannot migrate: " << m.error().message << "\n";
            return kExitSetupFailed;
        }
        QFile marker(QDir(dataDir).filePath(kMarker));
        QJsonObject prepared;
        if (marker.open(QIODevice::ReadOnly))
            prepared = QJsonDocument::fromJson(marker.readAll()).object();
        marker.close();
        if (prepared.value(QStringLiteral("audit")).toDouble() == double(auditRows) &&
            prepared.value(QStringLiteral("telemetry")).toDouble() == double(telemetryRows)) {
            out() << "reusing the prepared tables in " << dataDir << "\n";
        } else {
            auto existing = scalar(db, QStringLiteral("SELECT COUNT(*) FROM audit_log"));
            if (!existing || *existing > 0) {
                err() << "the database holds audit entries already; use a fresh --data-dir or database\n";
                return kExitSetupFailed;
            }
            const auto dialect = db.dialect();
            const qint64 auditStart = now - 364 * kDayMs;
            const qint64 auditStep = std::max<qint64>(1, 364 * kDayMs / auditRows);
            auto filled = fill(db, QStringLiteral("audit_log"),
                               QStringLiteral("at, actor, action, entity_type, entity_id, after_doc"), auditRows,
                               [&](qint64 from, qint64 to) {
                                   return seriesSql(dialect, from, to, auditSelect(dialect, auditStart, auditStep));
                               });
            if (!filled) {
                err() << "cannot fill the audit log: " << filled.error().message << "\n";
                return kExitSetupFailed;
            }
            const qint64 telemetryStart = now - 6 * kDayMs;
            const qint64 telemetryStep = std::max<qint64>(1, 6 * kDayMs / telemetryRows);
            filled =
                fill(db, QStringLiteral("telemetry"), QStringLiteral("device_id, hub_host, received, properties, body"),
                     telemetryRows, [&](qint64 from, qint64 to) {
                         return seriesSql(dialect, from, to,
                                          telemetrySelect(dialect, telemetryStart, telemetryStep, devices));
                     });
            if (!filled) {
                err() << "cannot fill the telemetry: " << filled.error().message << "\n";
                return kExitSetupFailed;
            }
            // The devices the telemetry view reads: registered and assigned.
            RegistrationStore registrations(db);
            for (int d : {0, devices / 2, devices - 1}) {
                RegistrationRecord r;
                r.state.registrationId = deviceName(d);
                r.state.deviceId = deviceName(d);
                r.state.assignedHub = QStringLiteral("hub-1.local");
                r.state.status = QStringLiteral("assigned");
                r.state.createdDateTimeUtc = QDateTime::currentDateTimeUtc();
                r.state.lastUpdatedDateTimeUtc = r.state.createdDateTimeUtc;
                r.state.etag = QStringLiteral("bench");
                if (auto saved = registrations.save(r); !saved) {
                    err() << "cannot save a registration: " << saved.error().message << "\n";
                    return kExitSetupFailed;
                }
            }
            if (marker.open(QIODevice::WriteOnly | QIODevice::Truncate))
                marker.write(QJsonDocument(QJsonObject{{QStringLiteral("audit"), double(auditRows)},
                                                       {QStringLiteral("telemetry"), double(telemetryRows)}})
                                 .toJson());
        }
        if (database.isEmpty())
            out() << "database files: " << fixed(fileBytes(dataDir) / 1e9, 2) << " GB\n";
        else if (auto size = scalar(db, QStringLiteral("SELECT pg_database_size(current_database())")))
            out() << "database size: " << fixed(*size / 1e9, 2) << " GB\n";
    }
    out().flush();

    // --- Pages through the CRM --------------------------------------------------
    // No retention while pages are timed.
    qputenv("PROVISIO_AUDIT_DAYS", "0");
    Server server;
    QString error;
    if (!startServer(server, parser.value(binOpt), dataDir, database, &error)) {
        err() << "cannot start the middleware: " << error << "\n";
        return kExitSetupFailed;
    }
    ApiClient &api = *server.api;
    // Set up as the app's audit page (RecordListPage) and telemetry table
    // set up theirs: one line per cell painted by PlainTextDelegate, fixed
    // row heights, no row header.
    QTableView view;
    view.resize(1400, 900);
    view.setSelectionBehavior(QAbstractItemView::SelectRows);
    view.setAlternatingRowColors(true);
    view.setWordWrap(false);
    view.setItemDelegate(new Provisio::Crm::PlainTextDelegate(&view));
    view.verticalHeader()->hide();
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(view.fontMetrics().height() + 8);
    view.horizontalHeader()->setStretchLastSection(true);
    view.show();
    bool targetsMet = true;

    const QDateTime nowUtc = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
    struct Case
    {
        const char *label;
        AuditModel::Filter filter;
    };
    std::vector<Case> cases;
    {
        AuditModel::Filter f;
        cases.push_back({"none (first page)", f});
        f.actor = QStringLiteral("token:crm-bob");
        cases.push_back({"actor=token:crm-bob (5 %)", f});
        f = {};
        f.actor = QStringLiteral("device:SN-4218");
        cases.push_back({"actor=device:SN-4218 (rare)", f});
        f = {};
        f.action = QStringLiteral("delete");
        cases.push_back({"action=delete (0.1 %)", f});
        f = {};
        f.entityType = QStringLiteral("customer");
        cases.push_back({"entityType=customer (4 %)", f});
        f = {};
        f.entityId = QStringLiteral("SN-7919");
        cases.push_back({"entityId (one device)", f});
        f = {};
        f.entityType = QStringLiteral("device");
        f.entityId = QStringLiteral("SN-7919");
        cases.push_back({"entityType+entityId (device trail)", f});
        f = {};
        f.since = nowUtc.addDays(-300);
        f.until = nowUtc.addDays(-299);
        cases.push_back({"one day 300 days back", f});
        f = {};
        f.actor = QStringLiteral("token:import");
        f.action = QStringLiteral("delete");
        cases.push_back({"actor=token:import (60 %) + action=delete", f});
        f = {};
        f.actor = QStringLiteral("token:crm-bob");
        f.entityType = QStringLiteral("enrollment");
        cases.push_back({"actor=token:crm-bob + entityType=enrollment, no match", f});
        f = {};
        f.entityType = QStringLiteral("customer");
        f.action = QStringLiteral("delete");
        cases.push_back({"entityType=customer + action=delete, no match", f});
        f = {};
        f.entityType = QStringLiteral("enrollment");
        f.action = QStringLiteral("enroll");
        f.since = nowUtc.addDays(-200);
        f.until = nowUtc.addDays(-170);
        cases.push_back({"type+action in a 30-day window 200 days back", f});
        f = {};
        f.actor = QStringLiteral("token:crm-alice");
        f.action = QStringLiteral("sell");
        f.entityType = QStringLiteral("customer");
        f.since = nowUtc.addDays(-90);
        cases.push_back({"actor+action+type since 90 days", f});
    }
    std::vector<double> allAuditMedians;
    for (const Case &c : cases) {
        std::vector<double> times;
        int rows = 0;
        for (int i = 0; i < repeat; ++i) {
            AuditModel model(&api);
            view.setModel(&model);
            // An unchanged (empty) filter does not reload: the first page is
            // asked for as the window opening does.
            const Timed t = firstAuditRows(model, view, [&] {
                if (&c == &cases.front())
                    model.refresh();
                else
                    model.setFilter(c.filter);
            });
            times.push_back(t.totalMs);
            rows = t.rows;
            view.setModel(nullptr);
            if (times.back() < 0) {
                err() << "audit filter " << c.label << " never answered: " << model.lastError() << "\n";
                return kExitSetupFailed;
            }
        }
        const double median = percentile(times, 50);
        allAuditMedians.push_back(median);
        out() << "audit " << c.label << ": " << rows << " rows, " << spread(times)
              << (median < 100 ? "" : "  (target < 100 ms MISSED)") << "\n";
        out().flush();
        targetsMet &= median < 100;
    }

    // Deep keyset pages: scrolling the unfiltered log and a filtered one.
    for (const Case &c : {cases[0], cases[1]}) {
        AuditModel model(&api);
        model.setPageSize(100);
        view.setModel(&model);
        if (firstAuditRows(model, view, [&] {
                if (c.filter.actor.isEmpty())
                    model.refresh();
                else
                    model.setFilter(c.filter);
            }).totalMs < 0) {
            err() << "the audit log never answered\n";
            return kExitSetupFailed;
        }
        std::vector<double> pages;
        for (int p = 0; p < deepPages && model.hasMore(); ++p) {
            const int before = model.rowCount();
            QElapsedTimer timer;
            timer.start();
            model.fetchMore({});
            if (!spinUntil([&] { return model.rowCount() > before || !model.lastError().isEmpty(); }, 120000) ||
                !model.lastError().isEmpty()) {
                err() << "audit scrolling stopped at row " << before << ": " << model.lastError() << "\n";
                return kExitSetupFailed;
            }
            view.viewport()->repaint();
            pages.push_back(timer.nsecsElapsed() / 1e6);
        }
        out() << "audit " << c.label << ", next pages of 100 to row " << model.rowCount() << ": " << spread(pages)
              << "\n";
        view.setModel(nullptr);
    }
    out().flush();

    // Telemetry: the device view (TelemetryModel, first 100 messages).
    const auto telemetryView = [&](const QString &label, const QDateTime &since, const QDateTime &until) -> bool {
        std::vector<double> times;
        int rows = 0;
        for (int i = 0; i < repeat; ++i) {
            TelemetryModel model(&api);
            model.setPageSize(100);
            model.setMaximumMessages(100);
            view.setModel(&model);
            QElapsedTimer timer;
            timer.start();
            model.setDeviceId(deviceName(devices / 2));
            if (since.isValid() || until.isValid())
                model.setTimeRange(since, until);
            if (!spinUntil([&] { return !model.isLoading() && (model.rowCount() > 0 || !model.lastError().isEmpty()); },
                           120000) ||
                !model.lastError().isEmpty()) {
                err() << "telemetry " << label << " never answered: " << model.lastError() << "\n";
                return false;
            }
            view.viewport()->repaint();
            times.push_back(timer.nsecsElapsed() / 1e6);
            rows = model.rowCount();
            view.setModel(nullptr);
        }
        const double median = percentile(times, 50);
        out() << "telemetry " << label << ": " << rows << " rows, " << spread(times)
              << (median < 100 ? "" : "  (target < 100 ms MISSED)") << "\n";
        targetsMet &= median < 100;
        return true;
    };
    if (!telemetryView(QStringLiteral("device view (newest 100)"), {}, {}) ||
        !telemetryView(QStringLiteral("device view, one hour 5 days back"), nowUtc.addDays(-5),
                       nowUtc.addDays(-5).addSecs(3600)))
        return kExitSetupFailed;
    {
        // Deep pages through the API: one device's history, 100 at a time.
        std::vector<double> pages;
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("limit"), QStringLiteral("100"));
        QString cursor;
        int messages = 0;
        for (int p = 0; p < deepPages; ++p) {
            QUrlQuery q = query;
            if (!cursor.isEmpty())
                q.addQueryItem(QStringLiteral("cursor"), cursor);
            const Get g = get(api, QStringLiteral("devices/%1/telemetry").arg(deviceName(0)), q);
            if (!g.ok) {
                err() << "telemetry page failed: " << g.error << "\n";
                return kExitSetupFailed;
            }
            pages.push_back(g.ms);
            messages += g.body.value(QStringLiteral("messages")).toArray().size();
            cursor = g.body.value(QStringLiteral("nextCursor")).toString();
            if (cursor.isEmpty())
                break;
        }
        out() << "telemetry API pages of 100 (request + JSON) to message " << messages
              << " of one device: " << spread(pages) << "\n";
    }
    const ProcessStats mw = ProcessStats::read(server.process.pid());
    out() << "middleware resident memory " << fixed(mw.residentKiB / 1024.0) << " MiB\n";
    out().flush();
    server.process.stop();

    if (parser.isSet(noRetentionOpt))
        return parser.isSet(strictOpt) && !targetsMet ? kExitTargetMissed : 0;

    // --- Retention sweep, with ingest beside it ---------------------------------
    // A backlog of old rows, written the way rows arrive (indexes in
    // place), which --audit-days 365 and --telemetry-days 7 then delete.
    const qint64 backlog = std::max<qint64>(1, parser.value(backlogOpt).toLongLong());
    auto opened = Database::open(database.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("provisio.db")) : database);
    if (!opened) {
        err() << "cannot open the database: " << opened.error().message << "\n";
        return kExitSetupFailed;
    }
    {
        Database &db = **opened;
        const auto dialect = db.dialect();
        QElapsedTimer clock;
        clock.start();
        const qint64 auditStart = now - 2 * 365 * kDayMs;
        const qint64 auditStep = std::max<qint64>(1, 364 * kDayMs / backlog);
        const qint64 telemetryStart = now - 30 * kDayMs;
        const qint64 telemetryStep = std::max<qint64>(1, 22 * kDayMs / backlog);
        for (qint64 from = 0; from < backlog; from += 1000000) {
            const qint64 to = std::min(backlog, from + 1000000);
            auto a = execAll(db, QStringLiteral("INSERT INTO audit_log (at, actor, action, entity_type, entity_id, "
                                                "after_doc) ") +
                                     seriesSql(dialect, from, to, auditSelect(dialect, auditStart, auditStep)));
            auto t = a ? execAll(db, QStringLiteral("INSERT INTO telemetry (device_id, hub_host, received, "
                                                    "properties, body) ") +
                                         seriesSql(dialect, from, to,
                                                   telemetrySelect(dialect, telemetryStart, telemetryStep, devices)))
                       : a;
            if (!t) {
                err() << "cannot write the backlog: " << t.error().message << "\n";
                return kExitSetupFailed;
            }
        }
        out() << "backlog: " << backlog << " old audit entries and " << backlog << " old telemetry messages in "
              << fixed(clock.elapsed() / 1000.0, 1) << " s\n";
        out().flush();
    }
    Database &writer = **opened;
    TelemetryStore ingest(writer);
    int sequence = 0;
    const auto insertBatch = [&]() -> double {
        QList<TelemetryStore::Message> batch;
        for (int i = 0; i < 100; ++i) {
            TelemetryStore::Message m;
            m.deviceId = deviceName((sequence + i) % devices);
            m.hubHost = QStringLiteral("hub-1.local");
            m.received = QDateTime::currentDateTimeUtc();
            m.body = QByteArrayLiteral("{\"temperature\":21,\"seq\":") + QByteArray::number(sequence + i) + '}';
            m.messageId = QStringLiteral("bench-%1").arg(sequence + i);
            batch << m;
        }
        sequence += 100;
        QElapsedTimer timer;
        timer.start();
        if (!writer.beginTransaction())
            return -1;
        if (!ingest.insert(batch)) {
            writer.rollback();
            return -1;
        }
        if (!writer.commit())
            return -1;
        return timer.nsecsElapsed() / 1e6;
    };
    // Ingest without a sweep: the baseline, for 5 s.
    std::vector<double> baseline;
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 5000) {
            const double ms = insertBatch();
            if (ms < 0) {
                err() << "baseline ingest failed\n";
                return kExitSetupFailed;
            }
            baseline.push_back(ms);
            QThread::msleep(20);
        }
    }
    out() << "ingest without a sweep: " << baseline.size() * 100 << " messages in 5 s of batches of 100 with 20 ms "
          << "between, batch " << spread(baseline) << "\n";
    out().flush();

    // Counted before the sweep; its deletes then leave exactly the rest.
    auto auditBefore = scalar(writer, QStringLiteral("SELECT COUNT(*) FROM audit_log"));
    auto telemetryBefore = scalar(writer, QStringLiteral("SELECT COUNT(*) FROM telemetry"));
    qputenv("PROVISIO_AUDIT_DAYS", "365");
    qputenv("PROVISIO_TELEMETRY_DAYS", "7");
    qputenv("PROVISIO_TELEMETRY_PRUNE_MS", "1000");
    if (parser.isSet(batchOpt))
        qputenv("PROVISIO_RETENTION_BATCH", parser.value(batchOpt).toLatin1());
    qputenv("QT_LOGGING_RULES", "provisio.middleware.retention.debug=true");
    Server sweeper;
    if (!startServer(sweeper, parser.value(binOpt), dataDir, database, &error)) {
        err() << "cannot start the middleware for the sweep: " << error << "\n";
        return kExitSetupFailed;
    }
    const int sequenceAtSweep = sequence;
    QElapsedTimer sweepClock;
    sweepClock.start();
    std::vector<double> during;
    const QRegularExpression done(QStringLiteral("(audit|telemetry) retention deleted (\\d+) rows in (\\d+) rounds, "
                                                 "(\\d+) ms"));
    const auto finishedSweeps = [&] {
        QFile log(sweeper.process.logPath());
        if (!log.open(QIODevice::ReadOnly))
            return 0;
        return int(QString::fromUtf8(log.readAll()).count(done));
    };
    while (finishedSweeps() < 2 && sweepClock.elapsed() < 3600 * 1000) {
        const double ms = insertBatch();
        if (ms < 0) {
            err() << "ingest during the sweep failed\n";
            return kExitSetupFailed;
        }
        during.push_back(ms);
        QThread::msleep(20);
    }
    const double sweepSeconds = sweepClock.elapsed() / 1000.0;
    sweeper.process.stop();
    QFile log(sweeper.process.logPath());
    log.open(QIODevice::ReadOnly);
    const QString logText = QString::fromUtf8(log.readAll());
    const QRegularExpression round(
        QStringLiteral("(audit|telemetry) retention round \\d+ deleted (\\d+) rows in (\\d+) ms"));
    for (const QString &what : {QStringLiteral("audit"), QStringLiteral("telemetry")}) {
        std::vector<double> rounds;
        qint64 deleted = 0;
        for (auto it = round.globalMatch(logText); it.hasNext();) {
            const auto m = it.next();
            if (m.captured(1) != what)
                continue;
            rounds.push_back(m.captured(3).toDouble());
            deleted += m.captured(2).toLongLong();
        }
        QString total;
        for (auto it = done.globalMatch(logText); it.hasNext();) {
            const auto m = it.next();
            if (m.captured(1) == what)
                total = QStringLiteral(", sweep %1 s").arg(fixed(m.captured(4).toDouble() / 1000.0, 1));
        }
        out() << what << " retention: " << deleted << " rows in " << rounds.size() << " rounds of at most "
              << (parser.isSet(batchOpt) ? parser.value(batchOpt) : QStringLiteral("the default")) << total
              << "; round " << spread(rounds) << "\n";
    }
    auto auditAfter = scalar(writer, QStringLiteral("SELECT COUNT(*) FROM audit_log"));
    auto telemetryAfter = scalar(writer, QStringLiteral("SELECT COUNT(*) FROM telemetry"));
    if (auditBefore && auditAfter && telemetryBefore && telemetryAfter)
        out() << "rows: audit " << *auditBefore << " -> " << *auditAfter << " (backlog " << backlog << "), telemetry "
              << *telemetryBefore << " -> " << *telemetryAfter << " (backlog " << backlog << ", plus "
              << sequence - sequenceAtSweep << " ingested during the sweep)\n";
    out() << "ingest during the sweeps (" << fixed(sweepSeconds, 1) << " s): " << during.size() * 100
          << " messages, batch " << spread(during) << "\n";
    out().flush();
    return parser.isSet(strictOpt) && !targetsMet ? kExitTargetMissed : 0;
}
