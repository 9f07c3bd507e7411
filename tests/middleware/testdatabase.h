// A migrated database for the suites that drive the storage layer directly.
#pragma once

#include "middlewareprocess.h"

#include "storage/database.h"

#include <QStringList>
#include <QVariantList>

#include <memory>

namespace Provisio::Test {

// A SQLite file named `name` in `directory`, or a fresh PostgreSQL database
// when the suite runs on PostgreSQL, opened and migrated to the newest schema.
inline Result<std::unique_ptr<Database>> openMigratedDatabase(const QString &directory, const QString &name)
{
    const QString location = MiddlewareProcess::testDatabaseLocation(directory, name);
    if (location.isEmpty())
        return Error(ErrorCode::Unavailable, QStringLiteral("no PostgreSQL database could be created"));
    auto db = Database::open(location);
    if (!db)
        return db.error();
    auto migrated = (*db)->migrate();
    if (!migrated)
        return migrated.error();
    return db;
}

// What the planner does with `sql` (the EXPLAIN lines), for the tests that
// keep scans from creeping back. PostgreSQL explains only literal text, so
// the bindings are written in; with sequential scans (and with
// `alsoPriceOutSorts`, sorts) priced out, a plan that still has one has no
// index to use.
inline QStringList queryPlan(Database &db, const QString &sql, const QVariantList &binds, bool alsoPriceOutSorts)
{
    QStringList lines;
    if (db.dialect() == Database::Dialect::Sqlite) {
        auto q = db.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + sql, binds);
        if (!q)
            return {QStringLiteral("EXPLAIN failed: ") + q.error().message};
        while (q->next())
            lines << q->value(3).toString();
        q->finish();
        return lines;
    }
    QString text;
    int next = 0;
    for (const QChar c : sql) {
        if (c != QLatin1Char('?')) {
            text += c;
            continue;
        }
        const QVariant v = binds.value(next++);
        if (v.typeId() == QMetaType::Int || v.typeId() == QMetaType::LongLong)
            text += v.toString();
        else
            text +=
                QLatin1Char('\'') + v.toString().replace(QLatin1Char('\''), QLatin1String("''")) + QLatin1Char('\'');
    }
    const auto set = [&db](const char *statement) {
        if (auto q = db.exec(QLatin1String(statement)))
            q->finish();
    };
    set("SET enable_seqscan = off");
    if (alsoPriceOutSorts)
        set("SET enable_sort = off");
    auto q = db.exec(QStringLiteral("EXPLAIN ") + text);
    if (q) {
        while (q->next())
            lines << q->value(0).toString();
        q->finish();
    }
    set("SET enable_seqscan = on");
    if (alsoPriceOutSorts)
        set("SET enable_sort = on");
    if (!q)
        return {QStringLiteral("EXPLAIN failed: ") + q.error().message};
    return lines;
}

} // namespace Provisio::Test
