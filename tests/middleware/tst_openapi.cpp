// SPDX-License-Identifier: Apache-2.0
// Keeps docs/openapi.json in step with the routes the middleware really
// registers: the real binary prints its routing table (`provisio-middleware
// routes`), and every route must be documented with the same method, path
// parameter names and role, and every documented operation must be a route.
// The document itself must parse, give every operation a response and have no
// dangling $ref. The API guide's route reference (docs/api.md) is held to the
// same table: one row per route, with its role, and no row for a route that
// does not exist.

#include "childprocesswatch.h"

#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>

namespace {

struct Route
{
    QString method; // lower case, as OpenAPI spells it
    QString pattern;
    QString access; // public, viewer, operator, admin
};

const QStringList kOperationKeys = {QStringLiteral("get"),    QStringLiteral("put"),     QStringLiteral("post"),
                                    QStringLiteral("delete"), QStringLiteral("options"), QStringLiteral("head"),
                                    QStringLiteral("patch"),  QStringLiteral("trace")};

// Resolves a local JSON pointer ("#/components/schemas/Hub"); null when it
// points nowhere.
QJsonValue resolvePointer(const QJsonObject &root, const QString &ref)
{
    if (!ref.startsWith(QLatin1String("#/")))
        return QJsonValue(QJsonValue::Undefined);
    QJsonValue node = root;
    const QStringList parts = ref.mid(2).split(QLatin1Char('/'));
    for (QString part : parts) {
        part.replace(QLatin1String("~1"), QLatin1String("/"));
        part.replace(QLatin1String("~0"), QLatin1String("~"));
        if (node.isObject()) {
            const QJsonObject o = node.toObject();
            if (!o.contains(part))
                return QJsonValue(QJsonValue::Undefined);
            node = o.value(part);
        } else if (node.isArray()) {
            bool ok = false;
            const int i = part.toInt(&ok);
            if (!ok || i < 0 || i >= node.toArray().size())
                return QJsonValue(QJsonValue::Undefined);
            node = node.toArray().at(i);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return node;
}

void collectRefs(const QJsonValue &value, const QString &where, QList<QPair<QString, QString>> &out)
{
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == QLatin1String("$ref") && it.value().isString())
                out.append({where, it.value().toString()});
            else
                collectRefs(it.value(), where + QLatin1Char('/') + it.key(), out);
        }
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        for (int i = 0; i < a.size(); ++i)
            collectRefs(a.at(i), where + QLatin1Char('/') + QString::number(i), out);
    }
}

// A parameter object with its $ref (one level, as the document uses) resolved.
QJsonObject parameterObject(const QJsonObject &root, const QJsonValue &p)
{
    const QJsonObject o = p.toObject();
    if (o.contains(QLatin1String("$ref")))
        return resolvePointer(root, o.value(QLatin1String("$ref")).toString()).toObject();
    return o;
}

} // namespace

class tst_OpenApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void documentParses();
    void everyRouteIsDocumented();
    void everyDocumentedOperationIsARoute();
    void pathParametersMatchCaptures();
    void everyOperationHasAResponse();
    void everyRefResolves();
    void apiGuideListsEveryRoute();

private:
    QJsonObject m_doc;
    QList<Route> m_routes;
    QString m_parseError;
};

void tst_OpenApi::initTestCase()
{
    QFile file(QStringLiteral(PROVISIO_OPENAPI_PATH));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(QStringLiteral("cannot read %1").arg(file.fileName())));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        m_parseError = QStringLiteral("%1 at offset %2").arg(error.errorString()).arg(error.offset);
    m_doc = doc.object();

    QProcess process;
    process.setProgram(QStringLiteral(PROVISIO_MIDDLEWARE_BIN));
    process.setArguments({QStringLiteral("routes")});
    process.start();
    QVERIFY2(process.waitForFinished(120000), "provisio-middleware routes did not finish");
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(QString::fromUtf8(process.readAllStandardError())));
    const QStringList lines =
        QString::fromUtf8(process.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    const QStringList accesses = {QStringLiteral("public"), QStringLiteral("viewer"), QStringLiteral("operator"),
                                  QStringLiteral("admin")};
    for (const QString &line : lines) {
        const QStringList f = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QVERIFY2(f.size() == 3, qPrintable(QStringLiteral("unexpected routes line: '%1'").arg(line)));
        QVERIFY2(accesses.contains(f.at(2)), qPrintable(QStringLiteral("unknown access in '%1'").arg(line)));
        m_routes.append({f.at(0).toLower(), f.at(1), f.at(2)});
    }
    // A sanity floor: a broken command printing nothing must not pass.
    QVERIFY2(m_routes.size() >= 40, qPrintable(QStringLiteral("only %1 routes listed").arg(m_routes.size())));
}

void tst_OpenApi::documentParses()
{
    QVERIFY2(m_parseError.isEmpty(), qPrintable(m_parseError));
    QCOMPARE(m_doc.value(QLatin1String("openapi")).toString(), QStringLiteral("3.0.3"));
    QVERIFY(!m_doc.value(QLatin1String("info")).toObject().value(QLatin1String("title")).toString().isEmpty());
    QVERIFY(m_doc.value(QLatin1String("paths")).isObject());
    const QJsonObject schemes =
        m_doc.value(QLatin1String("components")).toObject().value(QLatin1String("securitySchemes")).toObject();
    QVERIFY(schemes.contains(QLatin1String("bearerAuth")));
    QVERIFY(schemes.contains(QLatin1String("sasToken")));
}

void tst_OpenApi::everyRouteIsDocumented()
{
    const QJsonObject paths = m_doc.value(QLatin1String("paths")).toObject();
    QStringList problems;
    for (const Route &r : std::as_const(m_routes)) {
        const QString what = r.method.toUpper() + QLatin1Char(' ') + r.pattern;
        const QJsonObject item = paths.value(r.pattern).toObject();
        if (!item.contains(r.method)) {
            problems << what + QStringLiteral(": not in openapi.json");
            continue;
        }
        const QJsonObject op = item.value(r.method).toObject();
        const QString role = op.value(QLatin1String("x-provisio-role")).toString();
        if (role != r.access)
            problems << what + QStringLiteral(": x-provisio-role is '%1', the route needs '%2'").arg(role, r.access);
        // Bearer-protected routes say so; public ones do not ask for a bearer token.
        bool bearer = false;
        for (const QJsonValue &req : op.value(QLatin1String("security")).toArray())
            bearer = bearer || req.toObject().contains(QLatin1String("bearerAuth"));
        if (bearer != (r.access != QLatin1String("public")))
            problems << what + QStringLiteral(": security does not match access '%1'").arg(r.access);
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void tst_OpenApi::everyDocumentedOperationIsARoute()
{
    QSet<QString> routes;
    for (const Route &r : std::as_const(m_routes))
        routes.insert(r.method + QLatin1Char(' ') + r.pattern);
    const QJsonObject paths = m_doc.value(QLatin1String("paths")).toObject();
    QStringList stale;
    for (auto p = paths.begin(); p != paths.end(); ++p) {
        const QJsonObject item = p.value().toObject();
        for (auto m = item.begin(); m != item.end(); ++m) {
            if (!kOperationKeys.contains(m.key()))
                continue;
            if (!routes.contains(m.key() + QLatin1Char(' ') + p.key()))
                stale << m.key().toUpper() + QLatin1Char(' ') + p.key();
        }
    }
    QVERIFY2(stale.isEmpty(),
             qPrintable(QStringLiteral("documented but not routed:\n") + stale.join(QLatin1Char('\n'))));
}

void tst_OpenApi::pathParametersMatchCaptures()
{
    static const QRegularExpression capture(QStringLiteral("\\{([^}/]+)\\}"));
    const QJsonObject paths = m_doc.value(QLatin1String("paths")).toObject();
    QStringList problems;
    for (auto p = paths.begin(); p != paths.end(); ++p) {
        QSet<QString> captures;
        for (auto it = capture.globalMatch(p.key()); it.hasNext();)
            captures.insert(it.next().captured(1));
        const QJsonObject item = p.value().toObject();
        for (auto m = item.begin(); m != item.end(); ++m) {
            if (!kOperationKeys.contains(m.key()))
                continue;
            QSet<QString> declared;
            QJsonArray params = item.value(QLatin1String("parameters")).toArray();
            for (const QJsonValue &v : m.value().toObject().value(QLatin1String("parameters")).toArray())
                params.append(v);
            for (const QJsonValue &v : std::as_const(params)) {
                const QJsonObject param = parameterObject(m_doc, v);
                if (param.value(QLatin1String("in")).toString() != QLatin1String("path"))
                    continue;
                declared.insert(param.value(QLatin1String("name")).toString());
                if (!param.value(QLatin1String("required")).toBool())
                    problems << m.key().toUpper() + QLatin1Char(' ') + p.key() +
                                    QStringLiteral(": path parameter '%1' is not required")
                                        .arg(param.value(QLatin1String("name")).toString());
            }
            if (declared != captures) {
                QStringList d(declared.cbegin(), declared.cend());
                QStringList c(captures.cbegin(), captures.cend());
                d.sort();
                c.sort();
                problems << m.key().toUpper() + QLatin1Char(' ') + p.key() +
                                QStringLiteral(": path parameters [%1], captures [%2]")
                                    .arg(d.join(QLatin1String(", ")), c.join(QLatin1String(", ")));
            }
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void tst_OpenApi::everyOperationHasAResponse()
{
    const QJsonObject paths = m_doc.value(QLatin1String("paths")).toObject();
    QStringList problems;
    QSet<QString> operationIds;
    for (auto p = paths.begin(); p != paths.end(); ++p) {
        const QJsonObject item = p.value().toObject();
        for (auto m = item.begin(); m != item.end(); ++m) {
            if (!kOperationKeys.contains(m.key()))
                continue;
            const QString what = m.key().toUpper() + QLatin1Char(' ') + p.key();
            const QJsonObject op = m.value().toObject();
            const QJsonObject responses = op.value(QLatin1String("responses")).toObject();
            if (responses.isEmpty())
                problems << what + QStringLiteral(": no responses");
            for (auto r = responses.begin(); r != responses.end(); ++r) {
                const QJsonObject response = r.value().toObject();
                if (!response.contains(QLatin1String("$ref")) && !response.contains(QLatin1String("description")))
                    problems << what + QStringLiteral(": response %1 has no description").arg(r.key());
            }
            const QString id = op.value(QLatin1String("operationId")).toString();
            if (id.isEmpty())
                problems << what + QStringLiteral(": no operationId");
            else if (operationIds.contains(id))
                problems << what + QStringLiteral(": duplicate operationId '%1'").arg(id);
            operationIds.insert(id);
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void tst_OpenApi::everyRefResolves()
{
    QList<QPair<QString, QString>> refs;
    collectRefs(m_doc, QStringLiteral("#"), refs);
    QVERIFY(refs.size() > 50);
    QStringList dangling;
    for (const auto &r : std::as_const(refs)) {
        const QJsonValue target = resolvePointer(m_doc, r.second);
        if (target.isUndefined() || !target.isObject())
            dangling << r.first + QStringLiteral(" -> ") + r.second;
    }
    QVERIFY2(dangling.isEmpty(), qPrintable(QStringLiteral("dangling $ref:\n") + dangling.join(QLatin1Char('\n'))));
}

PROVISIO_TEST_GUILESS_MAIN(tst_OpenApi)
// docs/api.md, "Route reference": rows `| METHOD | `path` | role | purpose | errors |`.
// The role is the route's (`none` or `SAS` for the public ones: those need
// no CRM token, or a service SAS token instead), the purpose is not empty
// (an escaped `\|` is part of a cell).
void tst_OpenApi::apiGuideListsEveryRoute()
{
    QFile file(QStringLiteral(PROVISIO_API_GUIDE_PATH));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QString guide = QString::fromUtf8(file.readAll());
    const qsizetype start = guide.indexOf(QLatin1String("\n## Route reference\n"));
    QVERIFY2(start >= 0, "docs/api.md has no \"Route reference\" section");
    const qsizetype end = guide.indexOf(QLatin1String("\n## "), start + 1);
    const QString reference = guide.mid(start, end < 0 ? -1 : end - start);
    static const QRegularExpression row(QStringLiteral("^\\| (GET|PUT|POST|DELETE|PATCH) \\| `([^`]+)` \\| ([a-zA-Z]+) "
                                                       "\\| ((?:\\\\\\||[^|])*?\\S(?:\\\\\\||[^|])*) \\|"),
                                        QRegularExpression::MultilineOption);
    QHash<QString, QString> documented; // "get /path" -> role
    QStringList problems;
    for (auto it = row.globalMatch(reference); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const QString key = m.captured(1).toLower() + QLatin1Char(' ') + m.captured(2);
        if (documented.contains(key))
            problems << key + QStringLiteral(": listed twice");
        documented.insert(key, m.captured(3));
    }
    QVERIFY2(documented.size() >= 40, qPrintable(QStringLiteral("only %1 rows read").arg(documented.size())));
    for (const Route &r : std::as_const(m_routes)) {
        const QString key = r.method + QLatin1Char(' ') + r.pattern;
        if (!documented.contains(key)) {
            problems << key + QStringLiteral(": not in the route reference");
            continue;
        }
        const QString role = documented.take(key);
        const bool ok = r.access == QLatin1String("public")
                            ? (role == QLatin1String("none") || role == QLatin1String("SAS"))
                            : role == r.access;
        if (!ok)
            problems << key + QStringLiteral(": listed for '%1', the route needs '%2'").arg(role, r.access);
    }
    for (auto it = documented.cbegin(); it != documented.cend(); ++it)
        problems << it.key() + QStringLiteral(": listed but not routed");
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

#include "tst_openapi.moc"
