// SPDX-License-Identifier: Apache-2.0
// Database's statements bound through the client libraries themselves
// (SQLite's, libpq) instead of Qt SQL: the batch writes and the reads every
// registration makes.
#include "database.h"

#include <QLoggingCategory>
#include <QSqlDriver>
#include <QVarLengthArray>

#include <libpq-fe.h>
#include <sqlite3.h>

Q_DECLARE_LOGGING_CATEGORY(lcDb)

namespace Provisio {

void Database::finalizeNativeStatements()
{
    for (auto &entry : m_nativeStatements)
        sqlite3_finalize(static_cast<sqlite3_stmt *>(entry.second));
    m_nativeStatements.clear();
}

void *Database::nativeSqlite()
{
    if (m_dialect != Dialect::Sqlite || !m_db.isOpen())
        return nullptr;
    const QVariant v = m_db.driver()->handle();
    if (v.isValid() && qstrcmp(v.typeName(), "sqlite3*") == 0)
        return *static_cast<sqlite3 *const *>(v.constData());
    return nullptr;
}

Result<void> Database::execWrite(const QString &sql, const QVariantList &binds)
{
    if (auto inserted = execInsert(sql, binds); !inserted)
        return inserted.error();
    return {};
}

Result<qint64> Database::execInsert(const QString &sql, const QVariantList &binds)
{
    auto *handle = static_cast<sqlite3 *>(nativeSqlite());
    if (!handle && m_dialect == Dialect::Postgres) {
        if (void *pg = nativePostgres()) {
            auto r = execPostgres(pg, sql, binds);
            if (r || r.error().code == ErrorCode::Conflict)
                return r ? Result<qint64>(0) : Result<qint64>(r.error());
            // As exec(): a dead connection outside a transaction is opened
            // again once, and the statement tried on the new one.
            switch (reconnectIfLost()) {
            case Connection::Alive:
                return r.error();
            case Connection::Reconnected:
                if (void *again = nativePostgres(); again && (r = execPostgres(again, sql, binds)))
                    return 0;
                return r.error();
            case Connection::Lost:
                return Error(ErrorCode::Unavailable, QStringLiteral("the database is unreachable; try again shortly"));
            }
        }
    }
    if (!handle) {
        auto q = exec(sql, binds);
        if (!q)
            return q.error();
        q->finish();
        return 0;
    }
    if (auto r = stepNative(handle, sql, binds); !r)
        return r.error();
    return qint64(sqlite3_last_insert_rowid(handle));
}

void *Database::nativePostgres()
{
    if (m_dialect != Dialect::Postgres || !m_db.isOpen())
        return nullptr;
    const QVariant v = m_db.driver()->handle();
    // PGconn is libpq's typedef of struct pg_conn; Qt registers the struct.
    if (v.isValid() && (qstrcmp(v.typeName(), "pg_conn*") == 0 || qstrcmp(v.typeName(), "PGconn*") == 0))
        return *static_cast<PGconn *const *>(v.constData());
    return nullptr;
}

namespace {
// `?` placeholders as PostgreSQL's `$1`, `$2`, ... (none of the statements
// execWrite runs has a `?` inside a quoted literal or identifier; those
// are skipped all the same).
QByteArray numberedPlaceholders(const QString &sql)
{
    const QByteArray utf8 = sql.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() * 2);
    char quote = 0;
    int next = 1;
    for (const char c : utf8) {
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '?') {
            out += '$';
            out += QByteArray::number(next++);
            continue;
        }
        out += c;
    }
    return out;
}
} // namespace

namespace {

// A value of a PostgreSQL result (text format) as Qt's PostgreSQL driver
// reads it, by the column's type: booleans, 2- and 4-byte integers as int,
// 8-byte ones as qlonglong, floating point and numeric as double, bytea as
// bytes, and text for the rest; NULL as a null value of that type. A
// date or time column (which Qt turns into QDate/QDateTime; the schema
// keeps timestamps as text) is not converted: *readable becomes false.
QVariant postgresValue(const PGresult *result, int row, int column, bool *readable)
{
    enum : Oid {
        Bool = 16,
        Bytea = 17,
        Int8 = 20,
        Int2 = 21,
        Int4 = 23,
        ObjectId = 26,
        AbsTime = 702,
        RelTime = 703,
        Float4 = 700,
        Float8 = 701,
        Date = 1082,
        Time = 1083,
        Timestamp = 1114,
        TimestampTz = 1184,
        TimeTz = 1266,
        Numeric = 1700,
    };
    QMetaType type;
    switch (PQftype(result, column)) {
    case Bool:
        type = QMetaType::fromType<bool>();
        break;
    case Int8:
        type = QMetaType::fromType<qlonglong>();
        break;
    case Int2:
    case Int4:
    case ObjectId:
        type = QMetaType::fromType<int>();
        break;
    case Float4:
    case Float8:
    case Numeric:
        type = QMetaType::fromType<double>();
        break;
    case Bytea:
        type = QMetaType::fromType<QByteArray>();
        break;
    case Date:
    case Time:
    case Timestamp:
    case TimestampTz:
    case TimeTz:
    case AbsTime:
    case RelTime:
        *readable = false;
        return {};
    default:
        type = QMetaType::fromType<QString>();
        break;
    }
    if (PQgetisnull(result, row, column))
        return QVariant(type);
    const char *value = PQgetvalue(result, row, column);
    const int length = PQgetlength(result, row, column);
    const QByteArray text = QByteArray::fromRawData(value, length);
    switch (type.id()) {
    case QMetaType::Bool:
        return QVariant(length > 0 && value[0] == 't');
    case QMetaType::LongLong:
        return QVariant(text.toLongLong());
    case QMetaType::Int:
        return QVariant(text.toInt());
    case QMetaType::Double:
        if (text == "NaN" || text.contains("Infinity")) {
            *readable = false; // Qt spells these its own way
            return {};
        }
        return QVariant(text.toDouble());
    case QMetaType::QByteArray: {
        size_t size = 0;
        unsigned char *bytes = PQunescapeBytea(reinterpret_cast<const unsigned char *>(value), &size);
        QByteArray out(reinterpret_cast<const char *>(bytes), qsizetype(size));
        PQfreemem(bytes);
        return QVariant(out);
    }
    default:
        return QVariant(QString::fromUtf8(value, length));
    }
}

} // namespace

Result<void> Database::execPostgres(void *connection, const QString &sql, const QVariantList &binds,
                                    QList<QVariantList> *rows, int columns, bool *readable, Plan plan)
{
    auto *conn = static_cast<PGconn *>(connection);
    if (m_observer)
        m_observer(sql, binds);
    if (conn != m_pgConnection) {
        m_pgStatements.clear(); // prepared on a connection that is gone
        m_pgConnection = conn;
    }
    // A read left unfinished (Qt's forward-only queries fetch row by row)
    // is discarded first, as Qt's driver does before each statement.
    while (PGresult *left = PQgetResult(conn))
        PQclear(left);
    const auto failed = [this, conn](const char *what, PGresult *result) {
        const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
        const QString text = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
        PQclear(result);
        if (state && (qstrcmp(state, "23505") == 0 || qstrcmp(state, "23503") == 0))
            return Error(ErrorCode::Conflict, QStringLiteral("conflicting record: %1").arg(text));
        qCWarning(lcDb).noquote() << what << "failed:" << text;
        return Error(ErrorCode::Unavailable, QStringLiteral("database error"));
    };
    // The prepared statement's name; none for a statement planned each run.
    const char *prepared = nullptr;
    if (plan == Plan::Cached) {
        auto it = m_pgStatements.find(sql);
        if (it == m_pgStatements.end()) {
            const QByteArray name = "provisio_write_" + QByteArray::number(qulonglong(m_pgStatements.size() + 1));
            // Parameter types left to the server: it takes each from the
            // column or comparison the parameter stands in.
            PGresult *made = PQprepare(conn, name.constData(), numberedPlaceholders(sql).constData(), 0, nullptr);
            if (PQresultStatus(made) != PGRES_COMMAND_OK)
                return failed("prepare", made);
            PQclear(made);
            it = m_pgStatements.emplace(sql, name).first;
        }
        prepared = it->second.constData();
    }
    // Text as UTF-8 (the connection's encoding), numbers as their decimal
    // text, bytes in binary format (no escaping either way); null stays
    // SQL NULL as in Qt's driver.
    const int count = int(binds.size());
    QVarLengthArray<QByteArray, 64> texts;
    texts.reserve(count);
    QVarLengthArray<const char *, 64> values(count);
    QVarLengthArray<int, 64> lengths(count);
    QVarLengthArray<int, 64> formats(count);
    for (int i = 0; i < count; ++i) {
        const QVariant &value = binds.at(i);
        values[i] = nullptr;
        lengths[i] = 0;
        formats[i] = 0;
        const auto text = [&](QByteArray bytes) {
            texts.append(std::move(bytes));
            values[i] = texts.back().constData();
        };
        switch (value.metaType().id()) {
        case QMetaType::UnknownType:
        case QMetaType::Nullptr:
            break;
        case QMetaType::QString: {
            const QString &string = *static_cast<const QString *>(value.constData());
            if (!string.isNull())
                text(string.toUtf8());
            break;
        }
        case QMetaType::QByteArray: {
            const QByteArray &bytes = *static_cast<const QByteArray *>(value.constData());
            if (!bytes.isNull()) {
                values[i] = bytes.constData();
                lengths[i] = int(bytes.size());
                formats[i] = 1;
            }
            break;
        }
        case QMetaType::Bool:
            text(value.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false"));
            break;
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
            text(QByteArray::number(value.toLongLong()));
            break;
        case QMetaType::ULongLong:
            text(QByteArray::number(value.toULongLong()));
            break;
        case QMetaType::Double:
            text(QByteArray::number(value.toDouble(), 'g', 17));
            break;
        default:
            if (!value.isNull())
                text(value.toString().toUtf8());
            break;
        }
    }
    // Unprepared (the unnamed statement), PostgreSQL plans it for these
    // values (see Plan).
    PGresult *result = prepared ? PQexecPrepared(conn, prepared, count, values.constData(), lengths.constData(),
                                                 formats.constData(), 0)
                                : PQexecParams(conn, numberedPlaceholders(sql).constData(), count, nullptr,
                                               values.constData(), lengths.constData(), formats.constData(), 0);
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return failed("query", result);
    if (rows) {
        const int count = PQntuples(result);
        const int available = qMin(columns, PQnfields(result));
        rows->reserve(count);
        for (int r = 0; r < count && *readable; ++r) {
            QVariantList row;
            row.reserve(columns);
            for (int c = 0; c < columns; ++c)
                row << (c < available ? postgresValue(result, r, c, readable) : QVariant());
            rows->append(std::move(row));
        }
    }
    PQclear(result);
    return {};
}

Error Database::nativeError(void *connection, const char *what, int rc) const
{
    const QString text = QString::fromUtf8(sqlite3_errmsg(static_cast<sqlite3 *>(connection)));
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return Error(ErrorCode::Conflict, QStringLiteral("conflicting record: %1").arg(text));
    qCWarning(lcDb).noquote() << what << "failed:" << text;
    return Error(ErrorCode::Unavailable, QStringLiteral("database error"));
}

void *Database::bindNative(void *connection, const QString &sql, const QVariantList &binds, NativeTexts &texts,
                           Error &error)
{
    auto *handle = static_cast<sqlite3 *>(connection);
    if (m_observer)
        m_observer(sql, binds);
    auto it = m_nativeStatements.find(sql);
    if (it == m_nativeStatements.end()) {
        sqlite3_stmt *prepared = nullptr;
        const int rc = sqlite3_prepare16_v3(handle, sql.utf16(), int(sql.size() * 2), SQLITE_PREPARE_PERSISTENT,
                                            &prepared, nullptr);
        if (rc != SQLITE_OK) {
            error = nativeError(handle, "prepare", rc);
            return nullptr;
        }
        it = m_nativeStatements.emplace(sql, prepared).first;
    }
    auto *stmt = static_cast<sqlite3_stmt *>(it->second);
    // A read of the same SQL left unfinished starts over.
    sqlite3_reset(stmt);
    if (sqlite3_bind_parameter_count(stmt) != binds.size()) {
        error = Error(
            ErrorCode::Internal,
            QStringLiteral("%1 values for %2 placeholders").arg(binds.size()).arg(sqlite3_bind_parameter_count(stmt)));
        return nullptr;
    }
    // Text binds as UTF-8, the database's encoding: bound as UTF-16, SQLite
    // converts every value itself, byte by byte, which a batch INSERT of
    // hundreds of values paid for measurably. The converted texts (and
    // other values' text) are kept alive in `texts` until the statement ran
    // (bound without copying).
    texts.reserve(binds.size());
    const auto bindText = [stmt, &texts](int at, const QString &text) {
        if (text.isNull())
            return sqlite3_bind_null(stmt, at);
        texts.append(text.toUtf8());
        const QByteArray &utf8 = texts.back();
        return sqlite3_bind_text(stmt, at, utf8.constData(), int(utf8.size()), SQLITE_STATIC);
    };
    int rc = SQLITE_OK;
    for (int i = 0; i < binds.size() && rc == SQLITE_OK; ++i) {
        const QVariant &value = binds.at(i);
        const int at = i + 1;
        switch (value.metaType().id()) {
        case QMetaType::UnknownType:
        case QMetaType::Nullptr:
            rc = sqlite3_bind_null(stmt, at);
            break;
        case QMetaType::QString: {
            // As Qt's driver: a null string is SQL NULL.
            rc = bindText(at, *static_cast<const QString *>(value.constData()));
            break;
        }
        case QMetaType::QByteArray: {
            const QByteArray &bytes = *static_cast<const QByteArray *>(value.constData());
            rc = bytes.isNull() ? sqlite3_bind_null(stmt, at)
                                : sqlite3_bind_blob(stmt, at, bytes.constData(), int(bytes.size()), SQLITE_STATIC);
            break;
        }
        case QMetaType::Bool:
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
        case QMetaType::ULongLong:
            rc = sqlite3_bind_int64(stmt, at, value.toLongLong());
            break;
        case QMetaType::Double:
            rc = sqlite3_bind_double(stmt, at, value.toDouble());
            break;
        default:
            rc = bindText(at, value.toString());
            break;
        }
    }
    if (rc != SQLITE_OK) {
        error = nativeError(handle, "bind", rc);
        sqlite3_clear_bindings(stmt);
        return nullptr;
    }
    return stmt;
}

Result<void> Database::stepNative(void *connection, const QString &sql, const QVariantList &binds)
{
    NativeTexts texts;
    Error error;
    auto *stmt = static_cast<sqlite3_stmt *>(bindNative(connection, sql, binds, texts, error));
    if (!stmt)
        return error;
    int rc = SQLITE_OK;
    do
        rc = sqlite3_step(stmt);
    while (rc == SQLITE_ROW);
    const Result<void> result = rc == SQLITE_DONE ? Result<void>() : Result<void>(nativeError(connection, "query", rc));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return result;
}

Result<QList<QVariantList>> Database::selectRows(const QString &sql, const QVariantList &binds, int columns, Plan plan)
{
    QList<QVariantList> rows;
    auto *handle = static_cast<sqlite3 *>(nativeSqlite());
    if (!handle && m_dialect == Dialect::Postgres) {
        if (void *pg = nativePostgres()) {
            bool readable = true;
            auto r = execPostgres(pg, sql, binds, &rows, columns, &readable, plan);
            if (!r && r.error().code != ErrorCode::Conflict) {
                // As exec(): a dead connection outside a transaction is
                // opened again once, and the read tried on the new one.
                switch (reconnectIfLost()) {
                case Connection::Alive:
                    break;
                case Connection::Reconnected:
                    if (void *again = nativePostgres()) {
                        rows.clear();
                        r = execPostgres(again, sql, binds, &rows, columns, &readable, plan);
                    }
                    break;
                case Connection::Lost:
                    return Error(ErrorCode::Unavailable,
                                 QStringLiteral("the database is unreachable; try again shortly"));
                }
            }
            if (!r)
                return r.error();
            if (readable)
                return rows;
            rows.clear(); // a type this does not convert: read through Qt's driver
        }
    }
    if (!handle) {
        auto q = exec(sql, binds);
        if (!q)
            return q.error();
        while (q->next()) {
            QVariantList row;
            row.reserve(columns);
            for (int i = 0; i < columns; ++i)
                row << q->value(i);
            rows << row;
        }
        q->finish();
        return rows;
    }
    NativeTexts texts;
    Error error;
    auto *stmt = static_cast<sqlite3_stmt *>(bindNative(handle, sql, binds, texts, error));
    if (!stmt)
        return error;
    const int available = qMin(columns, sqlite3_column_count(stmt));
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        QVariantList row;
        row.reserve(columns);
        for (int i = 0; i < columns; ++i) {
            if (i >= available) {
                row << QVariant();
                continue;
            }
            // The values Qt's SQLite driver reads for these types.
            switch (sqlite3_column_type(stmt, i)) {
            case SQLITE_INTEGER:
                row << QVariant(qlonglong(sqlite3_column_int64(stmt, i)));
                break;
            case SQLITE_FLOAT:
                row << QVariant(sqlite3_column_double(stmt, i));
                break;
            case SQLITE_BLOB: {
                const void *data = sqlite3_column_blob(stmt, i);
                row << QVariant(QByteArray(static_cast<const char *>(data), sqlite3_column_bytes(stmt, i)));
                break;
            }
            case SQLITE_NULL:
                row << QVariant(QMetaType::fromType<QString>());
                break;
            default: {
                // As UTF-8, the database's own encoding: SQLite's conversion
                // to UTF-16 goes a character at a time, Qt's a block at a time.
                const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(stmt, i));
                row << QVariant(QString::fromUtf8(text, sqlite3_column_bytes(stmt, i)));
                break;
            }
            }
        }
        rows << row;
    }
    const Result<QList<QVariantList>> result = rc == SQLITE_DONE
                                                   ? Result<QList<QVariantList>>(std::move(rows))
                                                   : Result<QList<QVariantList>>(nativeError(handle, "query", rc));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return result;
}

} // namespace Provisio
