// SPDX-License-Identifier: Apache-2.0
// provisio-schema-fixtures DIR: writes DIR/v1.sql .. vN.sql, the databases of
// every schema version so far (see schemafixture.h), for tst_schemaupgrade.
// Run it once when a migration is added, and commit the new file: the files
// of earlier versions stay as they are, so an edit of a shipped migration, or
// a migration that cannot upgrade real data, shows in the upgrade test.
//
// The records come from a real middleware (SQLite): a hub, a customer, a
// device sold to it, an enrollment and the device's registration through the
// DPS API, and the audit entries they made. Each version's file holds the
// columns that version had.
#include "devicetestutil.h"
#include "storage/migrations.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

#include <algorithm>
#include <cstdio>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

int fail(const QString &why)
{
    std::fprintf(stderr, "provisio-schema-fixtures: %s\n", qPrintable(why));
    return 1;
}

QString literal(const QVariant &value, bool *ok)
{
    if (value.isNull())
        return QStringLiteral("NULL");
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return QString::number(value.toLongLong());
    case QMetaType::Double:
        return QString::number(value.toDouble(), 'g', 17);
    case QMetaType::QString: {
        QString s = value.toString();
        if (s.contains(QLatin1Char('\n')) || s.contains(QLatin1Char('\r')))
            *ok = false; // one statement per line
        s.replace(QLatin1Char('\''), QLatin1String("''"));
        return QLatin1Char('\'') + s + QLatin1Char('\'');
    }
    default:
        *ok = false; // bytes: no portable literal; the fixture records hold none
        return QString();
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (app.arguments().size() != 2)
        return fail(QStringLiteral("usage: provisio-schema-fixtures DIR"));
    const QDir out(app.arguments().at(1));
    if (!out.exists())
        return fail(QStringLiteral("no directory %1").arg(out.path()));

    // A working installation.
    DeviceFixture f;
    if (!f.start())
        return fail(QStringLiteral("the middleware did not start"));
    const QString hubKey = QStringLiteral("c2lnbmluZy1rZXktb2YtdGhlLWZpeHR1cmUtaHViLTAx");
    if (f.putHub(QStringLiteral("hub1"), QStringLiteral("hub1.fixture.test"), 1, hubKey).status != 201)
        return fail(QStringLiteral("hub"));
    const auto customer =
        f.operatorClient->post(QStringLiteral("/api/v1/customers"),
                               QJsonObject{{QStringLiteral("name"), QStringLiteral("Fixture Customer O'Hara")},
                                           {QStringLiteral("email"), QStringLiteral("ops@customer.example")}});
    if (customer.status != 201)
        return fail(QStringLiteral("customer: ") + QString::fromUtf8(customer.body));
    const QString customerId = customer.json().value(QStringLiteral("id")).toString();
    const QString serial = QStringLiteral("SN-FX-0001");
    if (f.operatorClient
            ->post(QStringLiteral("/api/v1/devices"),
                   QJsonObject{{QStringLiteral("serial"), serial},
                               {QStringLiteral("model"), QStringLiteral("Sensor 2")},
                               {QStringLiteral("manufacturer"), QStringLiteral("Acme")},
                               {QStringLiteral("batch"), QStringLiteral("B7")},
                               {QStringLiteral("deliveryDate"), QStringLiteral("2026-11-20")}})
            .status != 201)
        return fail(QStringLiteral("device"));
    if (f.operatorClient
            ->post(QStringLiteral("/api/v1/devices/%1/sell").arg(serial),
                   QJsonObject{{QStringLiteral("customerId"), customerId}})
            .status != 200)
        return fail(QStringLiteral("sell"));
    const QString registrationId = QStringLiteral("sn-fx-0001");
    const auto enrollment =
        f.putEnrollment(registrationId, QJsonObject{{QStringLiteral("registrationId"), registrationId},
                                                    {QStringLiteral("serial"), serial}});
    if (enrollment.status != 201)
        return fail(QStringLiteral("enrollment: ") + QString::fromUtf8(enrollment.body));
    const QString deviceKey = DeviceFixture::primaryKey(enrollment.json());
    const auto registered = f.registerDevice(registrationId, deviceKey);
    if (registered.status != 200 && registered.status != 202)
        return fail(QStringLiteral("registration: ") + QString::fromUtf8(registered.body));
    const QJsonObject meta{{QStringLiteral("idScope"), f.mw->idScope()},
                           {QStringLiteral("adminToken"), f.admin->bearer()},
                           {QStringLiteral("customerId"), customerId},
                           {QStringLiteral("serial"), serial},
                           {QStringLiteral("registrationId"), registrationId},
                           {QStringLiteral("deviceKey"), deviceKey},
                           {QStringLiteral("hub"), QStringLiteral("hub1")},
                           {QStringLiteral("hubHost"), QStringLiteral("hub1.fixture.test")}};
    f.mw->stop();

    QSqlDatabase source = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("source"));
    source.setDatabaseName(QDir(f.mw->dataDir()).filePath(QStringLiteral("provisio.db")));
    if (!source.open())
        return fail(source.lastError().text());
    QHash<int, QString> appliedAt;
    QSqlQuery applied(QStringLiteral("SELECT version, applied_at FROM schema_migrations"), source);
    while (applied.next())
        appliedAt.insert(applied.value(0).toInt(), applied.value(1).toString());

    const QList<Migration> &all = migrations();
    for (int n = 1; n <= all.last().version; ++n) {
        QStringList lines{
            QStringLiteral("-- Provisio database at schema version %1: migrations 1..%1 as they shipped, and the "
                           "records of a working installation. Written by provisio-schema-fixtures; never edit.")
                .arg(n),
            QStringLiteral("-- meta: ") + QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact))};
        // The schema of version n, here and in a scratch database that says
        // which tables and columns version n had.
        const QString scratchName = QStringLiteral("scratch-%1").arg(n);
        QSqlDatabase scratch = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), scratchName);
        scratch.setDatabaseName(QStringLiteral(":memory:"));
        if (!scratch.open())
            return fail(scratch.lastError().text());
        for (const Migration &m : all) {
            if (m.version > n)
                break;
            for (const QString &statement : m.sql)
                lines << statement;
            for (const QString &statement : m.statements(Database::Dialect::Sqlite)) {
                QSqlQuery q(scratch);
                if (!q.exec(statement))
                    return fail(q.lastError().text());
            }
        }
        lines << QStringLiteral("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                "applied_at TEXT NOT NULL)");
        for (const Migration &m : all) {
            if (m.version > n)
                break;
            bool ok = true;
            lines << QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES (%1, %2, %3)")
                         .arg(m.version)
                         .arg(literal(m.name, &ok), literal(appliedAt.value(m.version), &ok));
        }
        QSqlQuery tables(QStringLiteral("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                        "'sqlite_%' ORDER BY rowid"),
                         scratch);
        // A full-text index (a virtual table and its shadow tables) is not
        // records: it is rebuilt from its content table after the rows.
        QStringList virtualTables;
        while (tables.next()) {
            const QString table = tables.value(0).toString();
            if (tables.value(1).toString().startsWith(QLatin1String("CREATE VIRTUAL TABLE"))) {
                virtualTables << table;
                continue;
            }
            if (std::any_of(virtualTables.cbegin(), virtualTables.cend(),
                            [&](const QString &v) { return table.startsWith(v + QLatin1Char('_')); }))
                continue;
            QStringList columns;
            QSqlQuery info(QStringLiteral("PRAGMA table_info(%1)").arg(table), scratch);
            while (info.next()) {
                const QString column = info.value(1).toString();
                const bool autoId =
                    column == QLatin1String("id") && info.value(5).toInt() == 1 &&
                    info.value(2).toString().compare(QLatin1String("INTEGER"), Qt::CaseInsensitive) == 0;
                if (!autoId && source.record(table).contains(column))
                    columns << column;
            }
            if (columns.isEmpty())
                continue;
            // A WITHOUT ROWID table (in the newest schema the rows come
            // from) has no rowid to keep the insertion order by: its rows
            // go in key order.
            QSqlQuery shape(source);
            shape.prepare(QStringLiteral("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?"));
            shape.addBindValue(table);
            if (!shape.exec())
                return fail(shape.lastError().text());
            const bool withoutRowid =
                shape.next() && shape.value(0).toString().contains(QLatin1String("WITHOUT ROWID"), Qt::CaseInsensitive);
            const QString list = columns.join(QLatin1String(", "));
            QSqlQuery rows(source);
            if (!rows.exec(QStringLiteral("SELECT %1 FROM %2 ORDER BY %3")
                               .arg(list, table, withoutRowid ? list : QStringLiteral("rowid"))))
                return fail(rows.lastError().text());
            while (rows.next()) {
                QStringList values;
                bool ok = true;
                for (int i = 0; i < columns.size(); ++i)
                    values << literal(rows.value(i), &ok);
                if (!ok)
                    return fail(QStringLiteral("a value of %1 has no one-line SQL literal").arg(table));
                lines << QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                             .arg(table, columns.join(QLatin1String(", ")), values.join(QLatin1String(", ")));
            }
        }
        for (const QString &v : std::as_const(virtualTables))
            lines << QStringLiteral("{{SQLITE}}INSERT INTO %1 (%1) VALUES ('rebuild')").arg(v);
        scratch.close();
        scratch = QSqlDatabase();
        QSqlDatabase::removeDatabase(scratchName);

        const QString path = out.filePath(QStringLiteral("v%1.sql").arg(n));
        if (QFile::exists(path))
            continue; // a shipped version's file stays as it is
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return fail(file.errorString());
        file.write((lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
        if (!file.commit())
            return fail(file.errorString());
        std::printf("wrote %s\n", qPrintable(path));
    }
    return 0;
}
