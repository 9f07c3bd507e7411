// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

namespace Provisio::Test {

// A database as an earlier release left it, kept in the tree as
// tests/middleware/schema/vN.sql (written by provisio-schema-fixtures): the
// statements of migrations 1..N as they shipped, the schema_migrations rows,
// and the records a working installation holds, one statement per line.
// `{{AUTOID}}` and `{{BLOB}}` stand for what the dialects spell differently,
// a statement led by `{{SQLITE}}` or `{{POSTGRES}}` is for that one only
// (as in middleware/storage/migrations.cpp). The `-- meta:` line says what the
// records are (ids, the admin token, a device's key), so a test can read them
// back through the API after the upgrade.
struct SchemaFixture
{
    int version = 0;
    QStringList statements;
    QJsonObject meta;

    static QString directory() { return QStringLiteral(PROVISIO_SCHEMA_FIXTURES_DIR); }

    // The versions with a fixture, ascending.
    static QList<int> versions()
    {
        QList<int> out;
        static const QRegularExpression name(QStringLiteral("^v(\\d+)\\.sql$"));
        for (const QString &file : QDir(directory()).entryList({QStringLiteral("v*.sql")}, QDir::Files)) {
            const auto m = name.match(file);
            if (m.hasMatch())
                out << m.captured(1).toInt();
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    static SchemaFixture load(int version)
    {
        SchemaFixture f;
        QFile file(QDir(directory()).filePath(QStringLiteral("v%1.sql").arg(version)));
        if (!file.open(QIODevice::ReadOnly))
            return f;
        f.version = version;
        const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
        for (const QString &line : lines) {
            if (line.startsWith(QLatin1String("-- meta: ")))
                f.meta = QJsonDocument::fromJson(line.mid(9).toUtf8()).object();
            else if (!line.isEmpty() && !line.startsWith(QLatin1String("--")))
                f.statements << line;
        }
        return f;
    }

    // The statements for one dialect.
    QStringList statementsFor(bool postgres) const
    {
        QStringList out;
        for (QString s : statements) {
            for (const QLatin1String only : {QLatin1String("{{SQLITE}}"), QLatin1String("{{POSTGRES}}")}) {
                if (s.startsWith(only)) {
                    if ((only == QLatin1String("{{POSTGRES}}")) != postgres)
                        s.clear();
                    else
                        s.remove(0, only.size());
                }
            }
            if (s.isEmpty())
                continue;
            s.replace(QLatin1String("{{AUTOID}}"), postgres ? QLatin1String("BIGSERIAL PRIMARY KEY")
                                                            : QLatin1String("INTEGER PRIMARY KEY AUTOINCREMENT"));
            s.replace(QLatin1String("{{BLOB}}"), postgres ? QLatin1String("BYTEA") : QLatin1String("BLOB"));
            out << s;
        }
        return out;
    }
};

} // namespace Provisio::Test
