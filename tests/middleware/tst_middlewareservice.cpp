// SPDX-License-Identifier: Apache-2.0
// The middleware as an operator meets it: first start, TLS, the token CLI,
// health, metrics, configuration, clean shutdown.
#include "childprocesswatch.h"
#include "httpsclient.h"
#include "middlewareprocess.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSslCertificate>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <sys/stat.h>

using namespace Provisio::Test;

class TestMiddlewareService : public QObject
{
    Q_OBJECT

private:
    ChildProcessWatch m_children;
    // One instance for the role matrix, started before the first test
    // function and stopped after the last.
    std::unique_ptr<MiddlewareProcess> m_roles;
    QHash<QString, QString> m_roleTokens;

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init() { m_children.begin(); }
    void cleanup() { m_children.verify(); }
    void firstStartCreatesDataDirectory();
    void serverCertificateCoversLocalNames();
    void extraTlsNamesAreIssued();
    void healthAndServiceInfo();
    void tokenCliCreateListRevoke();
    void tokenCliRejectsBadRole();
    void rolesAreEnforced_data();
    void rolesAreEnforced();
    void metricsInPrometheusFormat();
    void unknownEndpointAndMethod();
    void sigtermShutsDownCleanly();
    void logJsonWritesOneObjectPerLine();
    void restartKeepsIdScope();
    void plainHttpOnlyWithExplicitFlag();
    void ownCertificateIsServed();
    void badListenAddressIsRefused_data();
    void badListenAddressIsRefused();
    void portInUseIsReported();
    void environmentConfiguresService();
};

void TestMiddlewareService::firstStartCreatesDataDirectory()
{
    MiddlewareProcess mw;
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    const QDir dir(mw.dataDir());
    QVERIFY(dir.exists(QStringLiteral("tls/ca.crt")));
    QVERIFY(dir.exists(QStringLiteral("tls/ca.key")));
    QVERIFY(dir.exists(QStringLiteral("tls/server.crt")));
    QVERIFY(dir.exists(QStringLiteral("tls/server.key")));
    if (mw.databaseUrl().isEmpty()) {
        QVERIFY(dir.exists(QStringLiteral("provisio.db")));
        QVERIFY(dir.exists(QStringLiteral("provisio.db-wal"))); // WAL mode
    }
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(dir.filePath(QStringLiteral("tls/ca.key"))).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0600);
    QCOMPARE(::stat(QFile::encodeName(mw.dataDir()).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0077), 0);
    // "0ne" + 8 hex digits, the shape of a DPS ID scope.
    QVERIFY2(QRegularExpression(QStringLiteral("^0ne[0-9A-F]{8}$")).match(mw.idScope()).hasMatch(),
             qPrintable(mw.idScope()));
}

void TestMiddlewareService::serverCertificateCoversLocalNames()
{
    MiddlewareProcess mw;
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    const auto certs = QSslCertificate::fromPath(QDir(mw.dataDir()).filePath(QStringLiteral("tls/server.crt")));
    QVERIFY(!certs.isEmpty());
    const auto sans = certs.first().subjectAlternativeNames();
    const QStringList dns = sans.values(QSsl::DnsEntry);
    const QStringList ips = sans.values(QSsl::IpAddressEntry);
    QVERIFY(dns.contains(QStringLiteral("localhost")));
    QVERIFY(dns.contains(QHostInfo::localHostName(), Qt::CaseInsensitive));
    QVERIFY(ips.contains(QStringLiteral("127.0.0.1")));
    QVERIFY2(ips.contains(QStringLiteral("::1")) || ips.contains(QStringLiteral("0:0:0:0:0:0:0:1")),
             qPrintable(ips.join(QLatin1Char(','))));

    // Trusting only the instance's CA, both names verify.
    for (const QString &host : {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")}) {
        HttpsClient client(QStringLiteral("https://%1:%2").arg(host).arg(mw.port()), mw.caCertificatePath());
        const auto r = client.get(QStringLiteral("/healthz"));
        QVERIFY2(r.status == 200, qPrintable(host + QLatin1Char(' ') + r.error));
    }
    // A client that does not trust the CA is refused.
    HttpsClient untrusting(mw.baseUrl(), QString());
    QCOMPARE(untrusting.get(QStringLiteral("/healthz")).status, 0);
}

void TestMiddlewareService::extraTlsNamesAreIssued()
{
    MiddlewareProcess mw({QStringLiteral("--tls-name"), QStringLiteral("provisio.example.test"),
                          QStringLiteral("--tls-name"), QStringLiteral("10.11.12.13")});
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    const auto certs = QSslCertificate::fromPath(QDir(mw.dataDir()).filePath(QStringLiteral("tls/server.crt")));
    QVERIFY(!certs.isEmpty());
    const auto sans = certs.first().subjectAlternativeNames();
    QVERIFY(sans.values(QSsl::DnsEntry).contains(QStringLiteral("provisio.example.test")));
    QVERIFY(sans.values(QSsl::IpAddressEntry).contains(QStringLiteral("10.11.12.13")));
}

void TestMiddlewareService::healthAndServiceInfo()
{
    MiddlewareProcess mw;
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    HttpsClient client(mw.baseUrl(), mw.caCertificatePath());
    const auto health = client.get(QStringLiteral("/healthz"));
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));

    // /api/v1/service needs a token.
    QCOMPARE(client.get(QStringLiteral("/api/v1/service")).status, 401);
    client.setBearer(mw.createToken(QStringLiteral("viewer")));
    const auto info = client.get(QStringLiteral("/api/v1/service"));
    QCOMPARE(info.status, 200);
    QCOMPARE(info.json().value(QStringLiteral("idScope")).toString(), mw.idScope());
    QVERIFY(!info.json().value(QStringLiteral("version")).toString().isEmpty());
    QVERIFY(info.json().value(QStringLiteral("hubs")).isArray());
}

void TestMiddlewareService::tokenCliCreateListRevoke()
{
    MiddlewareProcess mw;
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    const auto created = mw.cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--role"),
                                 QStringLiteral("operator"), QStringLiteral("--name"), QStringLiteral("crm-1")});
    QCOMPARE(created.exitCode, 0);
    // Only the token on stdout, one line, so scripts can capture it.
    const QString token = created.out.trimmed();
    QCOMPARE(created.out.count(QLatin1Char('\n')), 1);
    QVERIFY(token.startsWith(QLatin1String("pvs_")));
    QVERIFY(token.size() > 30);

    // Stored hashed: the secret is nowhere in the data directory's database.
    if (mw.databaseUrl().isEmpty()) {
        for (const QString &name : {QStringLiteral("provisio.db"), QStringLiteral("provisio.db-wal")}) {
            QFile f(QDir(mw.dataDir()).filePath(name));
            if (f.open(QIODevice::ReadOnly))
                QVERIFY(!f.readAll().contains(token.toUtf8()));
        }
    }

    HttpsClient client(mw.baseUrl(), mw.caCertificatePath());
    client.setBearer(token);
    QCOMPARE(client.get(QStringLiteral("/api/v1/service")).status, 200);

    const auto list = mw.cli({QStringLiteral("token"), QStringLiteral("list")});
    QCOMPARE(list.exitCode, 0);
    QVERIFY(list.out.contains(QLatin1String("crm-1")));
    QVERIFY(list.out.contains(QLatin1String("operator")));
    QVERIFY(!list.out.contains(token));

    const auto revoked = mw.cli({QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("crm-1")});
    QCOMPARE(revoked.exitCode, 0);
    // The service caches token lookups for a few seconds at most.
    QTRY_COMPARE_WITH_TIMEOUT(client.get(QStringLiteral("/api/v1/service")).status, 401, 10000);

    const auto again = mw.cli({QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("crm-1")});
    QVERIFY(again.exitCode != 0);
    QVERIFY(again.err.contains(QLatin1String("no active token")));

    // Audited like the API equivalents, the actor naming the OS account.
    HttpsClient admin(mw.baseUrl(), mw.caCertificatePath());
    admin.setBearer(mw.createToken(QStringLiteral("admin"), QStringLiteral("auditor")));
    const auto audit = admin.get(QStringLiteral("/api/v1/audit?entityType=token"));
    QCOMPARE(audit.status, 200);
    QStringList crmActions;
    for (const auto &v : audit.json().value(QStringLiteral("items")).toArray()) {
        const QJsonObject entry = v.toObject();
        QVERIFY2(entry.value(QStringLiteral("actor")).toString().startsWith(QLatin1String("cli:")),
                 qPrintable(entry.value(QStringLiteral("actor")).toString()));
        QVERIFY(entry.value(QStringLiteral("actor")).toString().size() > 4);
        if (entry.value(QStringLiteral("after")).toObject().value(QStringLiteral("name")).toString() ==
            QLatin1String("crm-1"))
            crmActions << entry.value(QStringLiteral("action")).toString();
    }
    // Newest first; the failed second revoke left no entry.
    QCOMPARE(crmActions, (QStringList{QStringLiteral("revoke"), QStringLiteral("create")}));
    QVERIFY(!audit.body.contains(token.toUtf8()));
}

void TestMiddlewareService::tokenCliRejectsBadRole()
{
    MiddlewareProcess mw;
    const auto r =
        mw.cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--role"), QStringLiteral("root")});
    QVERIFY(r.exitCode != 0);
    QVERIFY(r.out.isEmpty());
    QVERIFY(r.err.contains(QLatin1String("--role")));
}

void TestMiddlewareService::initTestCase()
{
    m_roles = std::make_unique<MiddlewareProcess>();
    QVERIFY2(m_roles->start(), qPrintable(m_roles->lastError()));
    for (const QString &role : {QStringLiteral("viewer"), QStringLiteral("operator"), QStringLiteral("admin")}) {
        m_roleTokens.insert(role, m_roles->createToken(role, QStringLiteral("matrix-") + role));
        QVERIFY2(!m_roleTokens.value(role).isEmpty(), qPrintable(role));
    }
    m_roleTokens.insert(QStringLiteral("garbage"), QStringLiteral("pvs_not-a-real-token"));
    m_roleTokens.insert(QStringLiteral("none"), QString());
}

void TestMiddlewareService::cleanupTestCase()
{
    m_roles.reset();
}

// Every role against a route of each access level (read, operator's write,
// admin's read and write), as docs/api.md's role table states.
void TestMiddlewareService::rolesAreEnforced_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    struct Route
    {
        const char *name;
        QByteArray method;
        QString path;
        int viewer, op, admin; // expected status per role
    };
    const Route routes[] = {
        {"read", "GET", QStringLiteral("/api/v1/customers"), 200, 200, 200},
        {"read service", "GET", QStringLiteral("/api/v1/service"), 200, 200, 200},
        {"metrics", "GET", QStringLiteral("/metrics"), 200, 200, 200},
        {"write", "POST", QStringLiteral("/api/v1/customers"), 403, 201, 201},
        {"admin read", "GET", QStringLiteral("/api/v1/tokens"), 403, 403, 200},
        {"admin write", "POST", QStringLiteral("/api/v1/tokens"), 403, 403, 201},
        {"admin policy", "PUT", QStringLiteral("/api/v1/allocation-policy"), 403, 403, 200},
    };
    for (const Route &route : routes) {
        const QList<QPair<QString, int>> expected{{QStringLiteral("viewer"), route.viewer},
                                                  {QStringLiteral("operator"), route.op},
                                                  {QStringLiteral("admin"), route.admin},
                                                  {QStringLiteral("garbage"), 401},
                                                  {QStringLiteral("none"), 401}};
        for (const auto &[role, status] : expected) {
            QTest::addRow("%s %s", qPrintable(role), route.name) << role << route.method << route.path << status;
        }
    }
}

void TestMiddlewareService::rolesAreEnforced()
{
    QFETCH(QString, role);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    HttpsClient client(m_roles->baseUrl(), m_roles->caCertificatePath());
    client.setBearer(m_roleTokens.value(role));
    HttpsClient admin(m_roles->baseUrl(), m_roles->caCertificatePath());
    admin.setBearer(m_roleTokens.value(QStringLiteral("admin")));

    static int serial = 0;
    QJsonObject body;
    if (path == QLatin1String("/api/v1/customers"))
        body = {{QStringLiteral("name"), QStringLiteral("Matrix %1").arg(++serial)}};
    else if (path == QLatin1String("/api/v1/tokens"))
        body = {{QStringLiteral("role"), QStringLiteral("viewer")},
                {QStringLiteral("name"), QStringLiteral("matrix-made-%1").arg(++serial)}};
    else if (path == QLatin1String("/api/v1/allocation-policy"))
        body = {{QStringLiteral("allocationPolicy"), QStringLiteral("hashed")}};
    // What the route's collection holds before: a refused write changes nothing.
    const QString collection = path == QLatin1String("/api/v1/allocation-policy") ? QString() : path;
    const auto before =
        collection.isEmpty() ? HttpsClient::Reply{} : admin.get(collection + QStringLiteral("?limit=1000"));

    const auto r = method == "GET" ? client.get(path)
                                   : client.send(method, path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                                                 {{"Content-Type", "application/json"}});
    QVERIFY2(r.status == status, qPrintable(QStringLiteral("%1 %2 as %3: %4 %5")
                                                .arg(QString::fromLatin1(method), path, role)
                                                .arg(r.status)
                                                .arg(QString::fromUtf8(r.body))));
    if (status == 401) {
        QCOMPARE(r.json().value(QStringLiteral("errorCode")).toInt(), 401002);
        QVERIFY(!r.json().value(QStringLiteral("trackingId")).toString().isEmpty());
        QVERIFY(!r.header("WWW-Authenticate").isEmpty());
    }
    if (status == 403) {
        QCOMPARE(r.json().value(QStringLiteral("errorCode")).toInt(), 403001);
        QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(role), r.body.constData());
    }
    if ((status == 401 || status == 403) && method != "GET" && !collection.isEmpty()) {
        const auto after = admin.get(collection + QStringLiteral("?limit=1000"));
        QCOMPARE(after.status, 200);
        QCOMPARE(after.json(), before.json());
    }
}

// A strict reader of the Prometheus text exposition format (version 0.0.4):
// "# HELP name text", "# TYPE name counter|gauge|histogram|summary|untyped",
// and samples `name{label="value",...} value [timestamp]`, where a label
// value escapes only \\, \" and \n. Returns the first malformed line's
// reason, or nothing.
static QString prometheusTextError(const QByteArray &text, QHash<QString, QString> *types)
{
    static const QRegularExpression name(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
    static const QRegularExpression labelName(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    static const QRegularExpression number(
        QStringLiteral("^(?:[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?Inf|NaN)$"));
    if (!text.endsWith('\n'))
        return QStringLiteral("the text does not end with a line feed");
    const QList<QByteArray> lines = text.left(text.size() - 1).split('\n');
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw);
        auto bad = [&](const QString &why) -> QString {
            return why + QStringLiteral(": \"") + line + QLatin1Char('"');
        };
        if (line.isEmpty())
            continue;
        if (line.startsWith(QLatin1Char('#'))) {
            const QStringList parts = line.split(QLatin1Char(' '));
            if (parts.size() >= 3 && (parts.at(1) == QLatin1String("HELP") || parts.at(1) == QLatin1String("TYPE"))) {
                if (!name.match(parts.at(2)).hasMatch())
                    return bad(QStringLiteral("bad metric name in comment"));
                if (parts.at(1) == QLatin1String("TYPE")) {
                    static const QStringList kinds{QStringLiteral("counter"), QStringLiteral("gauge"),
                                                   QStringLiteral("histogram"), QStringLiteral("summary"),
                                                   QStringLiteral("untyped")};
                    if (parts.size() != 4 || !kinds.contains(parts.at(3)))
                        return bad(QStringLiteral("bad TYPE line"));
                    if (types->contains(parts.at(2)))
                        return bad(QStringLiteral("second TYPE line for the same metric"));
                    types->insert(parts.at(2), parts.at(3));
                }
            }
            continue;
        }
        int i = 0;
        while (i < line.size() && line.at(i) != QLatin1Char('{') && line.at(i) != QLatin1Char(' '))
            ++i;
        const QString metric = line.left(i);
        if (!name.match(metric).hasMatch())
            return bad(QStringLiteral("bad metric name"));
        if (i < line.size() && line.at(i) == QLatin1Char('{')) {
            ++i;
            QSet<QString> seen;
            while (true) {
                if (i < line.size() && line.at(i) == QLatin1Char('}')) {
                    ++i;
                    break;
                }
                const int eq = line.indexOf(QLatin1Char('='), i);
                if (eq < 0)
                    return bad(QStringLiteral("label without '='"));
                const QString label = line.mid(i, eq - i);
                if (!labelName.match(label).hasMatch() || seen.contains(label))
                    return bad(QStringLiteral("bad or repeated label name"));
                seen.insert(label);
                i = eq + 1;
                if (i >= line.size() || line.at(i) != QLatin1Char('"'))
                    return bad(QStringLiteral("label value not quoted"));
                ++i;
                bool closed = false;
                while (i < line.size()) {
                    const QChar c = line.at(i);
                    if (c == QLatin1Char('\\')) {
                        if (i + 1 >= line.size() || !QStringLiteral("\\\"n").contains(line.at(i + 1)))
                            return bad(QStringLiteral("bad escape in label value"));
                        i += 2;
                        continue;
                    }
                    ++i;
                    if (c == QLatin1Char('"')) {
                        closed = true;
                        break;
                    }
                }
                if (!closed)
                    return bad(QStringLiteral("unterminated label value"));
                if (i < line.size() && line.at(i) == QLatin1Char(','))
                    ++i;
                else if (i >= line.size() || line.at(i) != QLatin1Char('}'))
                    return bad(QStringLiteral("labels not separated by ','"));
            }
        }
        if (i >= line.size() || line.at(i) != QLatin1Char(' '))
            return bad(QStringLiteral("no space before the value"));
        const QStringList rest = line.mid(i + 1).split(QLatin1Char(' '));
        if (rest.isEmpty() || rest.size() > 2 || !number.match(rest.at(0)).hasMatch())
            return bad(QStringLiteral("bad sample value"));
        if (rest.size() == 2 && !QRegularExpression(QStringLiteral("^-?[0-9]+$")).match(rest.at(1)).hasMatch())
            return bad(QStringLiteral("bad timestamp"));
        // A sample belongs to a declared metric (histograms add suffixes).
        QString family = metric;
        for (const QString &suffix : {QStringLiteral("_bucket"), QStringLiteral("_sum"), QStringLiteral("_count")}) {
            if (!types->contains(family) && metric.endsWith(suffix))
                family = metric.left(metric.size() - suffix.size());
        }
        if (!types->contains(family))
            return bad(QStringLiteral("sample before or without its TYPE line"));
    }
    return QString();
}

void TestMiddlewareService::metricsInPrometheusFormat()
{
    // The reader itself refuses what the old pattern let through.
    QHash<QString, QString> scratch;
    for (const QByteArray &malformed :
         {QByteArray("# TYPE a counter\na{route=\"/x\" 1\n"), QByteArray("# TYPE a counter\na{route=/x} 1\n"),
          QByteArray("# TYPE a counter\na 1 2 3\n"), QByteArray("# TYPE a counter\na one\n"),
          QByteArray("# TYPE a counter\na{x=\"1\"y=\"2\"} 1\n"), QByteArray("b 1\n"),
          QByteArray("# TYPE a counter\na 1")}) {
        scratch.clear();
        QVERIFY2(!prometheusTextError(malformed, &scratch).isEmpty(), malformed.constData());
    }
    scratch.clear();
    QCOMPARE(prometheusTextError("# HELP a x\n# TYPE a histogram\na_bucket{le=\"+Inf\"} 3\na_sum 1.5e-3\na_count 3\n",
                                 &scratch),
             QString());

    MiddlewareProcess &mw = *m_roles;
    HttpsClient client(mw.baseUrl(), mw.caCertificatePath());
    client.setBearer(m_roleTokens.value(QStringLiteral("viewer")));
    client.get(QStringLiteral("/healthz"));
    const auto r = client.get(QStringLiteral("/metrics"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("Content-Type").startsWith("text/plain"));
    QHash<QString, QString> types;
    const QString error = prometheusTextError(r.body, &types);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(types.value(QStringLiteral("provisio_http_requests_total")), QStringLiteral("counter"));
    QCOMPARE(types.value(QStringLiteral("provisio_http_request_duration_seconds")), QStringLiteral("histogram"));
    QVERIFY(types.contains(QStringLiteral("provisio_uptime_seconds")));
    QVERIFY(r.body.contains("provisio_http_requests_total{route=\"/healthz\",status=\"200\"}"));
    QVERIFY(r.body.contains("provisio_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"}"));
}

void TestMiddlewareService::unknownEndpointAndMethod()
{
    MiddlewareProcess mw;
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    HttpsClient client(mw.baseUrl(), mw.caCertificatePath());
    const auto missing = client.get(QStringLiteral("/no/such/thing"));
    QCOMPARE(missing.status, 404);
    QVERIFY(missing.json().value(QStringLiteral("message")).toString().contains(QLatin1String("no such endpoint")));
    const auto method = client.send("DELETE", QStringLiteral("/healthz"));
    QCOMPARE(method.status, 405);
}

void TestMiddlewareService::sigtermShutsDownCleanly()
{
    MiddlewareProcess mw;
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    mw.stop();
    QCOMPARE(mw.exitStatus(), QProcess::NormalExit);
    QCOMPARE(mw.exitCode(), 0);
    QVERIFY2(mw.log().contains(QLatin1String("shutting down")), qPrintable(mw.log()));
}

void TestMiddlewareService::logJsonWritesOneObjectPerLine()
{
    // README: "JSON lines with --log-json". Every line a JSON object with the
    // time, level, category and message; a line in the text format (or a
    // message split over lines) fails.
    MiddlewareProcess mw({QStringLiteral("--log-json")});
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    HttpsClient client(mw.baseUrl(), mw.caCertificatePath());
    QCOMPARE(client.get(QStringLiteral("/api/v1/service")).status, 401); // something to log
    mw.stop();
    QCOMPARE(mw.exitCode(), 0);
    const QStringList lines = mw.log().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.size() >= 2, qPrintable(mw.log()));
    bool sawShutdown = false;
    for (const QString &line : lines) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), qPrintable(line));
        const QJsonObject o = doc.object();
        for (const char *key : {"ts", "level", "category", "message"})
            QVERIFY2(o.value(QLatin1String(key)).isString(), qPrintable(line));
        QVERIFY2(QDateTime::fromString(o.value(QStringLiteral("ts")).toString(), Qt::ISODateWithMs).isValid(),
                 qPrintable(line));
        sawShutdown =
            sawShutdown || o.value(QStringLiteral("message")).toString().contains(QLatin1String("shutting down"));
    }
    QVERIFY2(sawShutdown, qPrintable(mw.log()));
}

void TestMiddlewareService::restartKeepsIdScope()
{
    MiddlewareProcess mw;
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    const QString scope = mw.idScope();
    const QString token = mw.createToken(QStringLiteral("admin"));
    const QByteArray ca = [&] {
        QFile f(mw.caCertificatePath());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QVERIFY(mw.restart());
    QCOMPARE(mw.idScope(), scope);
    QFile f(mw.caCertificatePath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), ca); // the CA is kept; devices keep trusting it
    HttpsClient client(mw.baseUrl(), mw.caCertificatePath());
    client.setBearer(token);
    QCOMPARE(client.get(QStringLiteral("/api/v1/service")).status, 200);
}

void TestMiddlewareService::plainHttpOnlyWithExplicitFlag()
{
    MiddlewareProcess mw({QStringLiteral("--plain-http-behind-proxy")});
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    QVERIFY(mw.baseUrl().startsWith(QLatin1String("http://")));
    HttpsClient client(mw.baseUrl(), QString());
    QCOMPARE(client.get(QStringLiteral("/healthz")).status, 200);

    MiddlewareProcess tls;
    QVERIFY2(tls.start(), qPrintable(tls.lastError()));
    QVERIFY(tls.baseUrl().startsWith(QLatin1String("https://")));
    HttpsClient plain(QString(tls.baseUrl()).replace(QLatin1String("https://"), QLatin1String("http://")), QString());
    QVERIFY(plain.get(QStringLiteral("/healthz")).status != 200);
}

void TestMiddlewareService::ownCertificateIsServed()
{
    // An operator's certificate: made by another middleware's CA.
    MiddlewareProcess issuer;
    QVERIFY2(issuer.start(), qPrintable(issuer.lastError()));
    issuer.stop();
    const QString cert = QDir(issuer.dataDir()).filePath(QStringLiteral("tls/server.crt"));
    const QString key = QDir(issuer.dataDir()).filePath(QStringLiteral("tls/server.key"));

    MiddlewareProcess mw({QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key});
    mw.setProbeCaCertificate(issuer.caCertificatePath());
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));
    // The served chain is the operator's: the issuer's CA verifies it, the own one does not.
    HttpsClient viaIssuer(mw.baseUrl(), issuer.caCertificatePath());
    QCOMPARE(viaIssuer.get(QStringLiteral("/healthz")).status, 200);
    HttpsClient viaOwn(mw.baseUrl(), mw.caCertificatePath());
    QCOMPARE(viaOwn.get(QStringLiteral("/healthz")).status, 0);

    MiddlewareProcess half({QStringLiteral("--tls-cert"), cert});
    QVERIFY(!half.start());
    QVERIFY2(half.lastError().contains(QLatin1String("--tls-key")), qPrintable(half.lastError()));
}

void TestMiddlewareService::badListenAddressIsRefused_data()
{
    QTest::addColumn<QString>("listen");
    QTest::newRow("no port") << QStringLiteral("127.0.0.1");
    QTest::newRow("port too big") << QStringLiteral("127.0.0.1:70000");
    QTest::newRow("not an address") << QStringLiteral("not-an-ip:8443");
}

void TestMiddlewareService::badListenAddressIsRefused()
{
    QFETCH(QString, listen);
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(PROVISIO_MIDDLEWARE_BIN),
            {QStringLiteral("serve"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"), listen});
    QVERIFY(p.waitForFinished(20000));
    QVERIFY(p.exitCode() != 0);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(listen.section(QLatin1Char(':'), 0, 0)) || err.contains(QLatin1String("port")),
             qPrintable(err));
    // Nothing was created for a refused configuration.
    QVERIFY(!QFile::exists(QDir(dir.path()).filePath(QStringLiteral("provisio.db"))));
}

void TestMiddlewareService::portInUseIsReported()
{
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(PROVISIO_MIDDLEWARE_BIN),
            {QStringLiteral("serve"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
             QStringLiteral("127.0.0.1:%1").arg(blocker.serverPort())});
    QVERIFY(p.waitForFinished(20000));
    QVERIFY(p.exitCode() != 0);
    QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(QLatin1String("cannot listen")));
}

void TestMiddlewareService::environmentConfiguresService()
{
    // PROVISIO_* variables configure what the command line leaves out.
    QTemporaryDir dir;
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PROVISIO_DATA_DIR"), dir.path());
    env.insert(QStringLiteral("PROVISIO_PLAIN_HTTP"), QStringLiteral("true"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(PROVISIO_MIDDLEWARE_BIN),
            {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(p.canReadLine() || p.state() != QProcess::Running, 20000);
    const QString line = QString::fromUtf8(p.readLine());
    QVERIFY2(line.contains(QLatin1String("listening on http://")), qPrintable(line));
    QVERIFY(QFile::exists(QDir(dir.path()).filePath(QStringLiteral("provisio.db"))));
    p.terminate();
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

PROVISIO_TEST_GUILESS_MAIN(TestMiddlewareService)
#include "tst_middlewareservice.moc"
