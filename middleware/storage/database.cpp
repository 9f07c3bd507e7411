// SPDX-License-Identifier: Apache-2.0
#include "database.h"
#include "migrations.h"
#include "walcheckpointer.h"

#include <QAtomicInt>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QUrl>
#include <QUrlQuery>
#include <QVarLengthArray>

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDb, "provisio.middleware.db")

namespace Provisio {

namespace {
QAtomicInt s_connectionCounter;

// An arbitrary constant naming Provisio's migration lock on PostgreSQL, so
// several middleware instances starting together migrate one at a time.
constexpr qint64 kMigrationLockId = 0x50524f5649534fLL;
} // namespace

Database::~Database()
{
    finalizeNativeStatements();
    m_statements.clear();
    if (m_db.isOpen())
        m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

namespace {
// The database holds enrollment and hub keys: its file is the owner's alone,
// wherever it lives (--database may point outside the 0700 data directory).
// SQLite gives its -wal and -shm files the main file's mode.
Result<void> createPrivateFile(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error(
            ErrorCode::Unavailable,
            QStringLiteral("cannot create database file %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
    struct stat st
    { };
    if (::fstat(fd, &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 0077) != 0) {
        if (::fchmod(fd, 0600) == 0)
            qCWarning(lcDb).noquote() << "database file" << path << "was readable by others; now mode 0600";
    }
    ::close(fd);
    for (const char *suffix : {"-wal", "-shm", "-journal"}) {
        const QByteArray side = native + suffix;
        struct stat sst
        { };
        if (::stat(side.constData(), &sst) == 0 && sst.st_uid == ::geteuid() && (sst.st_mode & 0077) != 0)
            ::chmod(side.constData(), 0600);
    }
    return {};
}
} // namespace

Result<std::unique_ptr<Database>> Database::open(const QString &location)
{
    return open(location, true);
}

Result<std::unique_ptr<Database>> Database::open(const QString &location, bool secureFile)
{
    std::unique_ptr<Database> db(new Database);
    db->m_location = location;
    db->m_connectionName = QStringLiteral("provisio-%1").arg(s_connectionCounter.fetchAndAddRelaxed(1));

    const bool isPostgres =
        location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
    if (isPostgres) {
        const QUrl url(location);
        if (!url.isValid() || url.host().isEmpty())
            return Error(ErrorCode::InvalidInput, QStringLiteral("invalid PostgreSQL URL"));
        db->m_dialect = Dialect::Postgres;
        db->m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), db->m_connectionName);
        if (!db->m_db.isValid())
            return Error(ErrorCode::Unavailable, QStringLiteral("the Qt PostgreSQL driver (QPSQL) is not installed"));
        db->m_db.setHostName(url.host());
        db->m_db.setPort(url.port(5432));
        db->m_db.setUserName(url.userName(QUrl::FullyDecoded));
        db->m_db.setPassword(url.password(QUrl::FullyDecoded));
        QString name = url.path();
        if (name.startsWith(QLatin1Char('/')))
            name.remove(0, 1);
        db->m_db.setDatabaseName(name.isEmpty() ? QStringLiteral("provisio") : name);
        // Pass libpq options (sslmode, connect_timeout, ...) through verbatim.
        QStringList options;
        const auto items = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
        for (const auto &item : items)
            options << item.first + QLatin1Char('=') + item.second;
        if (!options.isEmpty())
            db->m_db.setConnectOptions(options.join(QLatin1Char(';')));
        db->m_description =
            QStringLiteral("postgresql://%1:%2/%3").arg(url.host()).arg(url.port(5432)).arg(db->m_db.databaseName());
    } else {
        db->m_dialect = Dialect::Sqlite;
        db->m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), db->m_connectionName);
        if (!db->m_db.isValid())
            return Error(ErrorCode::Unavailable, QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));
        if (secureFile && location != QLatin1String(":memory:")) {
            if (auto secured = createPrivateFile(location); !secured)
                return secured.error();
        }
        db->m_db.setDatabaseName(location);
        db->m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        db->m_description = QStringLiteral("sqlite:%1").arg(QFileInfo(location).absoluteFilePath());
    }

    if (!db->m_db.open())
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot open database %1: %2").arg(db->m_description, db->m_db.lastError().text()));

    if (db->m_dialect == Dialect::Sqlite) {
        // WAL lets readers run while a writer commits; NORMAL sync is durable
        // across application crashes and only risks the last commits on power
        // loss, the usual trade for a WAL database.
        // A 32 MiB page cache (SQLite's default is 2 MB): a page of a
        // listing sorted by anything but serial reads rows from all over a
        // large devices table, and with the default cache every repeat
        // reads them again from the file.
        const char *pragmas[] = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                                 "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-32768"};
        for (const char *pragma : pragmas) {
            auto r = db->exec(QString::fromLatin1(pragma));
            if (!r)
                return r.error();
            // journal_mode answers with a row; an unfinished statement would
            // pin this connection's read snapshot, hiding every later write
            // by other connections (a token made with the CLI, another instance).
            r->finish();
        }
        // The log's checkpoints run on a thread of their own rather than in
        // the commit that fills it (WalCheckpointer).
        if (location != QLatin1String(":memory:")) {
            db->m_checkpointer = WalCheckpointer::forFile(QFileInfo(location).absoluteFilePath());
            db->m_checkpointer->watch(db->nativeSqlite());
        }
    }
    return db;
}

void Database::setBulkWriter()
{
    if (m_checkpointer)
        m_checkpointer->watch(nativeSqlite(), WalCheckpointer::kBulkInlinePages);
}

bool Database::canOpenAnother() const
{
    return !(m_dialect == Dialect::Sqlite && m_location == QLatin1String(":memory:"));
}

Result<std::unique_ptr<Database>> Database::openAnother(int pageCacheKiB) const
{
    if (!canOpenAnother())
        return Error(ErrorCode::Unavailable, QStringLiteral("an in-memory database has no second connection"));
    // Not through createPrivateFile(): closing a descriptor of the file
    // drops every POSIX lock this process holds on it, the first
    // connection's included, and another process could then take the WAL
    // file from under it.
    auto opened = open(m_location, false);
    if (opened && pageCacheKiB > 0 && (*opened)->dialect() == Dialect::Sqlite) {
        if (auto r = (*opened)->exec(QStringLiteral("PRAGMA cache_size=-%1").arg(pageCacheKiB)))
            r->finish();
    }
    return opened;
}

Error Database::sqlError(const QString &what, const QSqlQuery &query) const
{
    const QSqlError err = query.lastError();
    // Constraint violations are the caller's fault (duplicate key, dangling
    // reference); everything else is ours or the database's.
    const QString native = err.nativeErrorCode();
    const QString text = err.databaseText().isEmpty() ? err.text() : err.databaseText();
    const bool constraint = text.contains(QLatin1String("UNIQUE constraint"), Qt::CaseInsensitive) ||
                            text.contains(QLatin1String("FOREIGN KEY constraint"), Qt::CaseInsensitive) ||
                            native == QLatin1String("23505") || native == QLatin1String("23503");
    if (constraint)
        return Error(ErrorCode::Conflict, QStringLiteral("conflicting record: %1").arg(text));
    qCWarning(lcDb).noquote() << what << "failed:" << err.text();
    return Error(ErrorCode::Unavailable, QStringLiteral("database error"));
}

namespace {
// PostgreSQL prepares only SELECT, INSERT, UPDATE, DELETE, VALUES (and WITH
// around them); the Qt driver sends `PREPARE … AS <statement>`, so DDL
// (migrations) must run unprepared there.
bool preparable(Database::Dialect dialect, const QString &sql)
{
    if (dialect != Database::Dialect::Postgres)
        return true;
    const QString head = sql.trimmed().section(QLatin1Char(' '), 0, 0).toUpper();
    return head == QLatin1String("SELECT") || head == QLatin1String("INSERT") || head == QLatin1String("UPDATE") ||
           head == QLatin1String("DELETE") || head == QLatin1String("WITH") || head == QLatin1String("VALUES");
}
} // namespace

Result<Query> Database::exec(const QString &sql, const QVariantList &binds)
{
    if (m_observer)
        m_observer(sql, binds);
    auto r = execOnce(sql, binds);
    if (r || r.error().code == ErrorCode::Conflict || m_dialect != Dialect::Postgres)
        return r;
    switch (reconnectIfLost()) {
    case Connection::Alive:
        return r; // the statement's own failure
    case Connection::Reconnected:
        return execOnce(sql, binds);
    case Connection::Lost:
        break;
    }
    return Error(ErrorCode::Unavailable, QStringLiteral("the database is unreachable; try again shortly"));
}

// A PostgreSQL server that restarts (or fails over) ends every connection,
// and the Qt driver never opens a new one by itself: without this, one
// database restart would leave the instance answering 503 until it is
// restarted too. Outside a transaction (inside one the work is lost anyway
// and the caller rolls back), a failed statement probes the connection and,
// when it is dead, opens a new one: at most once a second, so an absent
// server costs one refused connect per second rather than one per request.
Database::Connection Database::reconnectIfLost()
{
    if (m_dialect != Dialect::Postgres || m_transactionDepth > 0)
        return Connection::Alive;
    if (m_db.isOpen()) {
        QSqlQuery probe(m_db);
        if (probe.exec(QStringLiteral("SELECT 1")))
            return Connection::Alive;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_lastReconnectMs != 0 && now - m_lastReconnectMs < 1000)
        return Connection::Lost;
    m_lastReconnectMs = now;
    m_statements.clear(); // prepared on the old connection
    m_pgStatements.clear();
    m_db.close();
    if (!m_db.open()) {
        qCWarning(lcDb).noquote() << "database" << m_description << "unreachable:" << m_db.lastError().text();
        return Connection::Lost;
    }
    qCInfo(lcDb).noquote() << "reconnected to" << m_description;
    return Connection::Reconnected;
}

Result<Query> Database::execOnce(const QString &sql, const QVariantList &binds)
{
    const bool prepare = preparable(m_dialect, sql);
    if (!prepare && !binds.isEmpty())
        return Error(ErrorCode::Internal, QStringLiteral("bound values in an unpreparable statement"));
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        auto query = std::make_unique<QSqlQuery>(m_db);
        query->setForwardOnly(true);
        if (prepare && !query->prepare(sql))
            return sqlError(QStringLiteral("prepare"), *query);
        it = m_statements.emplace(sql, std::move(query)).first;
    }
    QSqlQuery &query = *it->second;
    query.finish();
    if (!prepare) {
        if (!query.exec(sql))
            return sqlError(QStringLiteral("query"), query);
        return Query(&query);
    }
    for (int i = 0; i < binds.size(); ++i)
        query.bindValue(i, binds.at(i));
    if (!query.exec())
        return sqlError(QStringLiteral("query"), query);
    return Query(&query);
}

Result<int> Database::execAffected(const QString &sql, const QVariantList &binds)
{
    auto r = exec(sql, binds);
    if (!r)
        return r.error();
    const int n = r->numRowsAffected();
    r->finish();
    return n;
}

bool Database::beginTransaction()
{
    if (m_transactionDepth > 0) {
        ++m_transactionDepth;
        return true;
    }
    if (m_dialect == Dialect::Sqlite) {
        // A read left unfinished would pin an old snapshot, from which the
        // write lock cannot be taken once another connection committed.
        for (auto &q : m_statements)
            q.second->finish();
        auto *handle = static_cast<sqlite3 *>(nativeSqlite());
        const int rc = handle ? sqlite3_exec(handle, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) : SQLITE_MISUSE;
        if (rc != SQLITE_OK) {
            qCWarning(lcDb).noquote() << "begin transaction failed:"
                                      << (handle ? QString::fromUtf8(sqlite3_errmsg(handle)) : m_db.lastError().text());
            return false;
        }
        m_transactionDepth = 1;
        return true;
    }
    if (!m_db.transaction() && !(reconnectIfLost() == Connection::Reconnected && m_db.transaction())) {
        qCWarning(lcDb) << "begin transaction failed:" << m_db.lastError().text();
        return false;
    }
    m_transactionDepth = 1;
    return true;
}

bool Database::beginReadSnapshot()
{
    if (m_dialect != Dialect::Sqlite || m_transactionDepth > 0)
        return false;
    auto *handle = static_cast<sqlite3 *>(nativeSqlite());
    return handle && sqlite3_exec(handle, "BEGIN DEFERRED", nullptr, nullptr, nullptr) == SQLITE_OK;
}

void Database::endReadSnapshot()
{
    for (auto &q : m_statements)
        q.second->finish();
    auto *handle = static_cast<sqlite3 *>(nativeSqlite());
    if (handle && !sqlite3_get_autocommit(handle) && m_transactionDepth == 0 &&
        sqlite3_exec(handle, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        qCWarning(lcDb).noquote() << "ending a read snapshot failed:" << QString::fromUtf8(sqlite3_errmsg(handle));
}

bool Database::commit()
{
    if (m_transactionDepth <= 0)
        return false;
    if (--m_transactionDepth > 0)
        return true;
    for (auto &q : m_statements)
        q.second->finish();
    // Taken before committing: a callback may open a transaction of its own.
    std::vector<std::function<void()>> callbacks;
    callbacks.swap(m_afterCommit);
    if (!m_db.commit()) {
        qCWarning(lcDb) << "commit failed:" << m_db.lastError().text();
        m_db.rollback();
        return false;
    }
    for (auto &callback : callbacks)
        callback();
    return true;
}

void Database::rollback()
{
    if (m_transactionDepth <= 0)
        return;
    // An inner failure undoes the whole outer unit of work.
    m_transactionDepth = 0;
    m_afterCommit.clear();
    for (auto &q : m_statements)
        q.second->finish();
    m_db.rollback();
}

void Database::afterCommit(std::function<void()> callback)
{
    if (!callback)
        return;
    if (m_transactionDepth > 0)
        m_afterCommit.push_back(std::move(callback));
    else
        callback();
}

bool Database::isHealthy()
{
    auto r = exec(QStringLiteral("SELECT 1"));
    if (!r || !r->next())
        return false;
    r->finish();
    return true;
}

int Database::schemaVersion()
{
    auto r = exec(QStringLiteral("SELECT MAX(version) FROM schema_migrations"));
    if (!r || !r->next())
        return 0;
    const int v = r->value(0).toInt();
    r->finish();
    return v;
}

Result<void> Database::migrate()
{
    // Instances starting together on one database migrate one at a time:
    // PostgreSQL through an advisory lock, SQLite by taking the write lock
    // (BEGIN IMMEDIATE) before the schema version is read and holding it
    // until every migration is applied; the next instance then finds the
    // schema current. Without it two instances both see version 0 and the
    // second fails on tables the first created.
    if (m_dialect == Dialect::Postgres) {
        auto lock = exec(QStringLiteral("SELECT pg_advisory_lock(?)"), {kMigrationLockId});
        if (!lock)
            return lock.error();
        lock->finish();
    } else {
        auto lock = exec(QStringLiteral("BEGIN IMMEDIATE"));
        if (!lock)
            return lock.error();
        lock->finish();
        m_transactionDepth = 1; // each migration's Transaction nests inside
    }
    auto unlock = [this] {
        if (m_dialect == Dialect::Postgres) {
            auto r = exec(QStringLiteral("SELECT pg_advisory_unlock(?)"), {kMigrationLockId});
            if (r)
                r->finish();
        } else {
            rollback();
        }
    };

    auto created = exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                       " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"));
    if (!created) {
        unlock();
        return created.error();
    }
    created->finish();

    const int current = schemaVersion();
    const auto &all = migrations();
    if (!all.isEmpty() && current > all.last().version) {
        unlock();
        return Error(ErrorCode::Unavailable, QStringLiteral("the database schema (version %1) is newer than this "
                                                            "middleware understands (%2); upgrade the middleware")
                                                 .arg(current)
                                                 .arg(all.last().version));
    }
    for (const Migration &m : all) {
        if (m.version <= current)
            continue;
        Transaction tx(*this);
        for (const QString &statement : m.statements(m_dialect)) {
            auto r = exec(statement);
            if (!r) {
                unlock();
                return Error(
                    r.error().code,
                    QStringLiteral("migration %1 (%2) failed: %3").arg(m.version).arg(m.name, r.error().message));
            }
            r->finish();
        }
        auto rec = exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) "
                                       "VALUES (?, ?, ?)"),
                        {m.version, m.name, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
        if (!rec || !tx.commit()) {
            unlock();
            return Error(ErrorCode::Unavailable, QStringLiteral("migration %1 could not be recorded").arg(m.version));
        }
        // Prepared statements may refer to the old schema.
        m_statements.clear();
        finalizeNativeStatements();
        qCInfo(lcDb).noquote() << "applied migration" << m.version << m.name;
    }
    if (m_dialect == Dialect::Sqlite) {
        if (!commit())
            return Error(ErrorCode::Unavailable, QStringLiteral("the migrations could not be committed"));
        return {};
    }
    unlock();
    return {};
}

} // namespace Provisio
