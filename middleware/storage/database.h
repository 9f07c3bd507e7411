// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVarLengthArray>
#include <QVariantList>

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace Provisio {

class WalCheckpointer;

// A view of one executed statement from Database's statement cache. It does
// not own the query: read its rows before running the same SQL again, then
// finish() it (or let the next exec of that SQL do so).
class Query
{
public:
    explicit Query(QSqlQuery *query) : m_query(query) { }
    bool next() { return m_query->next(); }
    QVariant value(int index) const { return m_query->value(index); }
    int numRowsAffected() const { return m_query->numRowsAffected(); }
    QVariant lastInsertId() const { return m_query->lastInsertId(); }
    void finish() { m_query->finish(); }

private:
    QSqlQuery *m_query;
};

// One connection to the middleware's database, SQLite (default, a file in
// the data directory) or PostgreSQL (scale-out). Stores speak SQL that both
// dialects accept (`?` placeholders, ON CONFLICT upserts); the few places
// where the dialects differ are handled here and in the migrations.
//
// Prepared statements are cached per SQL text: preparing is a measurable
// share of a registration's cost, and the service runs one connection on the
// event-loop thread, so a cache without locking is safe.
class Database
{
public:
    enum class Dialect { Sqlite, Postgres };

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // `location` is a file path (SQLite) or a postgresql:// / postgres:// URL.
    static Result<std::unique_ptr<Database>> open(const QString &location);

    Dialect dialect() const { return m_dialect; }
    // Human description without credentials, safe for logs.
    QString description() const { return m_description; }

    // Whether a second connection to the same database can be opened (not
    // to an in-memory SQLite database), and one, with the same settings:
    // for a thread of its own (DatabaseWriter), since a connection is used
    // only on the thread that opened it. Any thread may call these. On
    // SQLite, `pageCacheKiB` (when not 0) sets the new connection's own page
    // cache: each connection keeps one, and a thread that touches few pages
    // needs less than the main connection's.
    bool canOpenAnother() const;
    Result<std::unique_ptr<Database>> openAnother(int pageCacheKiB = 0) const;

    // Runs pending schema migrations, one transaction each.
    Result<void> migrate();
    int schemaVersion();

    // Executes a statement with positional `?` bindings. The returned query
    // is positioned before the first row.
    Result<Query> exec(const QString &sql, const QVariantList &binds = {});
    // Executes and returns the number of affected rows.
    Result<int> execAffected(const QString &sql, const QVariantList &binds = {});
    // Executes a write whose rows and count nobody reads, such as a
    // multi-row INSERT of a telemetry batch. On SQLite the values are bound
    // through SQLite's own interface: Qt's QSqlResult::bindValue looks every
    // position up by a generated name, which for a 600-value batch costs
    // more than the insert itself. On PostgreSQL through libpq: prepared
    // once per connection and run with the values as parameters (bytes in
    // binary), where Qt's driver writes every value into an EXECUTE's text
    // for the server to parse again. Same values, same NULL rules as exec().
    Result<void> execWrite(const QString &sql, const QVariantList &binds);
    // execWrite of a one-row INSERT whose row id the caller needs next
    // (SQLite's rowid, for the search index); 0 on PostgreSQL.
    Result<qint64> execInsert(const QString &sql, const QVariantList &binds);
    // Runs a SELECT and returns its rows, each `columns` values long, read
    // to the end. On SQLite through SQLite's own interface (no Qt SQL
    // binding or row cache: the reads every registration makes), with the
    // values Qt's driver would give (text as QString, integers as qlonglong,
    // NULL as a null QString variant); on PostgreSQL through libpq, prepared
    // once per connection with the values as parameters (Qt's driver writes
    // them into an EXECUTE's text for the server to parse), with the values
    // Qt's driver gives for each column's type.
    //
    // PostgreSQL plans a prepared statement once for any values after its
    // fifth run when that generic plan looks no dearer, and keeps it until
    // the table's statistics change. Planned while its statistics said the
    // table was empty (vacuumed after its rows were deleted), a lookup is a
    // sequential scan, and stays one as the table grows until autovacuum
    // analyzes it again: the import's check of 500 serials at a time read the
    // whole growing table for each, and 200,000 devices took 40 to 45 s
    // instead of 10 when autovacuum came late.
    // `PlanEachRun` sends such a read unprepared, planned with its values
    // every time (a few tens of microseconds, worth it for a read of many
    // rows; on every registration's lookups it cost a quarter of the rate).
    enum class Plan { Cached, PlanEachRun };
    Result<QList<QVariantList>> selectRows(const QString &sql, const QVariantList &binds, int columns,
                                           Plan plan = Plan::Cached);

    // On SQLite a transaction takes the write lock when it begins (BEGIN
    // IMMEDIATE), waiting for another connection's write up to the busy
    // timeout: one that began reading and then wrote would fail at once
    // (SQLITE_BUSY) whenever another connection committed in between.
    bool beginTransaction();
    bool commit();
    void rollback();
    // SQLite: a read transaction, so that the statements until
    // endReadSnapshot() read one snapshot under one lock of the WAL instead
    // of taking both for each statement (DatabaseReader's batches). False,
    // with nothing to end, on PostgreSQL, inside a transaction, or when
    // SQLite refuses.
    bool beginReadSnapshot();
    void endReadSnapshot();
    bool inTransaction() const { return m_transactionDepth > 0; }

    // Runs `callback` once the outermost open transaction has committed, or
    // at once when none is open; a rollback (or a failed commit) discards it.
    // This is how side effects that others can observe (events, webhooks)
    // follow only changes that really happened. Callbacks run in the order
    // they were added, after the transaction is closed, so they may use the
    // database themselves.
    void afterCommit(std::function<void()> callback);

    // Sees every statement before it runs (with its bindings): how the
    // tests put each query a listing makes through EXPLAIN. One at a time;
    // an empty function removes it.
    using StatementObserver = std::function<void(const QString &sql, const QVariantList &binds)>;
    void setStatementObserver(StatementObserver observer) { m_observer = std::move(observer); }

    // Cheap liveness probe for /healthz.
    bool isHealthy();
    // SQLite on a file: the thread that checkpoints its WAL (shared by the
    // process's connections to the file); null otherwise.
    WalCheckpointer *walCheckpointer() const { return m_checkpointer.get(); }
    // This connection commits large transactions back to back (the CSV
    // import's writer): its commits leave the log to the checkpointer's
    // thread up to WalCheckpointer::kBulkInlinePages. Nothing elsewhere.
    void setBulkWriter();
    // The sqlite3 connection when this is SQLite (else null; for the
    // checkpointer's tests).
    void *sqliteHandle() { return nativeSqlite(); }

private:
    Database() = default;
    // `secureFile`: create the SQLite file, or make it the owner's alone
    // (only for the first connection of the process).
    static Result<std::unique_ptr<Database>> open(const QString &location, bool secureFile);
    Error sqlError(const QString &what, const QSqlQuery &query) const;
    Result<Query> execOnce(const QString &sql, const QVariantList &binds);
    // The sqlite3 connection when this is SQLite (else null), and one run
    // of `sql` on it with `binds` bound through SQLite's own interface.
    void *nativeSqlite();
    Result<void> stepNative(void *connection, const QString &sql, const QVariantList &binds);
    // UTF-8 texts of bound values, alive until their statement ran.
    using NativeTexts = QVarLengthArray<QByteArray, 64>;
    // The cached native statement for `sql`, its values bound (`texts` keeps
    // converted values alive until it ran); null with `error` set on failure.
    void *bindNative(void *connection, const QString &sql, const QVariantList &binds, NativeTexts &texts, Error &error);
    Error nativeError(void *connection, const char *what, int rc) const;
    // The libpq connection when this is PostgreSQL (else null), and one run
    // of `sql` on it as a statement prepared under a name of its own; with
    // `rows`, the first `columns` values of each row it returns go there,
    // as Qt's driver reads them (false in `*readable` when a column's type
    // is one this does not convert: the caller then reads through exec()).
    void *nativePostgres();
    Result<void> execPostgres(void *connection, const QString &sql, const QVariantList &binds,
                              QList<QVariantList> *rows = nullptr, int columns = 0, bool *readable = nullptr,
                              Plan plan = Plan::Cached);
    // PostgreSQL: whether the connection still answers, and a new one when it
    // does not (see database.cpp).
    enum class Connection { Alive, Reconnected, Lost };
    Connection reconnectIfLost();

    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_location; // as given to open(): may hold credentials, never logged
    QString m_description;
    Dialect m_dialect = Dialect::Sqlite;
    // unique_ptr: a Query handed out must survive later inserts.
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_statements;
    // execWrite's statements on SQLite (sqlite3_stmt), finalized before the
    // connection closes or the schema changes.
    std::unordered_map<QString, void *> m_nativeStatements;
    void finalizeNativeStatements();
    // execWrite's statements on PostgreSQL: SQL text -> prepared statement
    // name, valid on m_pgConnection (a reconnect starts over).
    std::unordered_map<QString, QByteArray> m_pgStatements;
    void *m_pgConnection = nullptr;
    int m_transactionDepth = 0;
    qint64 m_lastReconnectMs = 0;
    std::vector<std::function<void()>> m_afterCommit;
    StatementObserver m_observer;
    // SQLite on a file: the checkpointer this connection hands its WAL
    // checkpoints to; released after the connection closed.
    std::shared_ptr<WalCheckpointer> m_checkpointer;
};

// Commits on commit(), rolls back when it goes out of scope uncommitted, so an
// early `return error` never leaves a half-applied change behind.
class Transaction
{
public:
    explicit Transaction(Database &db) : m_db(db), m_active(db.beginTransaction()) { }
    ~Transaction()
    {
        if (m_active)
            m_db.rollback();
    }
    bool isActive() const { return m_active; }
    bool commit()
    {
        if (!m_active)
            return false;
        m_active = false;
        return m_db.commit();
    }

private:
    Database &m_db;
    bool m_active;
};

} // namespace Provisio
