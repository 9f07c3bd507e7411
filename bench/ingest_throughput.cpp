// SPDX-License-Identifier: Apache-2.0
//
// provisio-bench-ingest: sustained end-to-end telemetry ingest, device ->
// hub -> middleware -> database, in messages per second, next to what a
// bare Mosquitto accepts from the very same publishers in the same run.
//
// For each database (SQLite always; PostgreSQL with --postgres URL) a fresh
// `provisio-middleware serve` links a hub through the CRM API, `hub-config`
// writes the hub's mosquitto.conf, a real mosquitto runs it with the
// provisio plugin, and N devices are enrolled and registered through the
// DPS API. Then N devices (Provisio's MqttClient, one TLS connection each,
// MQTT 3.1.1 as Azure's SDKs) each send M JSON messages as fast as the hub
// lets them. The clock runs from the first
// publisher's start until the middleware reports (provisio_telemetry_stored_total
// on /metrics) that all N x M are stored: the end-to-end rate. The hub's
// own accept rate in that run (until the last publisher saw its last PUBACK)
// is printed too; back-pressure makes it follow the middleware.
//
// The bare broker: the same mosquitto.conf without the plugin lines and with
// allow_anonymous true (the same TLS listener and limits), no middleware and
// no subscriber, the same publishers and messages: how fast Mosquitto alone
// acknowledges them on this machine. Its rate is measured before and after
// the end-to-end runs and the median is taken, so drift on a shared machine
// falls on both sides.

#include "support/benchutil.h"
#include "support/middlewareserver.h"
#include "support/processstats.h"
#include "support/rawhttpsconnection.h"
#include "support/requestrunner.h"

#include "crypto/sastoken.h"
#include "mqtt/mqttclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Provisio;
using namespace Provisio::Bench;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailures = 1;
constexpr int kExitSetupFailed = 2;

const QString kHubName = QStringLiteral("bench-ingest");
const QString kHubHost = QStringLiteral("bench-ingest.provisio.test");

struct Options
{
    int devices = 20;
    int messages = 5000;
    int payloadBytes = 64;
    QString postgres;
    qint64 creditWindow = 0; // plugin_opt_credit_window_messages; 0: as hub-config writes it
    QString middlewareBin;
    QString mosquittoBin;
    QString pluginPath;
    int timeoutSeconds = 600;
};

struct Device
{
    QString id;
    QString hubKey;
};

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

bool waitForPort(quint16 port, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(200))
            return true;
        QThread::msleep(100);
    }
    return false;
}

// One request with the given extra header lines, on its own connection.
Answer rawRequest(const Endpoint &endpoint, const QByteArray &method, const QByteArray &target,
                  const QByteArray &headers, const QByteArray &body)
{
    QByteArray all = "Accept: application/json\r\n" + headers;
    if (!body.isEmpty())
        all += "Content-Type: application/json\r\n";
    RequestRunner runner(endpoint, 1);
    runner.setKeepBodies(true);
    const auto result =
        runner.run({RawHttpsConnection::buildRequest(method, target, endpoint.hostHeader(), all, body)});
    Answer a;
    a.status = result.status.empty() ? 0 : result.status.front();
    a.body = result.bodies.empty() ? QByteArray() : result.bodies.front();
    return a;
}

// A mosquitto broker started from a configuration file.
class Broker
{
public:
    ~Broker() { stop(); }
    bool start(const QString &bin, const QString &conf, quint16 port, QString *error)
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(bin, {QStringLiteral("-c"), conf});
        if (!m_process.waitForStarted(5000) || !waitForPort(port, 10000)) {
            *error = QStringLiteral("mosquitto did not start: %1").arg(QString::fromUtf8(m_process.readAll()));
            return false;
        }
        return true;
    }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    QByteArray log() { return m_log += m_process.readAll(); }
    qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
    QByteArray m_log;
};

// The publishers of one run: one MqttClient per device (Provisio's device
// client: TLS, MQTT 3.1.1 as Azure's SDKs speak it, at most 1000
// unacknowledged messages, resent after a reconnect, reconnecting whenever
// the hub closes the connection to hold it back), each handing over its
// next message as soon as one is acknowledged. (mosquitto_pub is no
// substitute: its threaded loop stops for good when a TLS connection is
// closed by the server, and `-l` can miss its last acknowledgement.)
struct Publisher
{
    std::unique_ptr<MqttClient> client;
    QByteArray topic;
    QList<QByteArray> *lines = nullptr;
    int next = 0;
    int acknowledged = 0;
    int refused = 0;

    void feed()
    {
        while (next < lines->size() && client->pendingMessageCount() < client->maxPendingMessages()) {
            if (client->publish(QString::fromUtf8(topic), lines->at(next), 1) < 0)
                break;
            ++next;
        }
    }
};

struct PublishRun
{
    qint64 acceptedNs = 0; // start .. the last PUBACK of every device
    int unacknowledged = 0;
    int refused = 0;
};

class Publishers
{
public:
    Publishers(const std::vector<Device> &devices, quint16 port, const QString &caPath, QList<QByteArray> *lines,
               bool anonymous)
    {
        for (const Device &d : devices) {
            auto p = std::make_unique<Publisher>();
            p->lines = lines;
            p->topic = "devices/" + d.id.toUtf8() + "/messages/events/";
            p->client = std::make_unique<MqttClient>();
            MqttClient &c = *p->client;
            c.setHostname(QStringLiteral("127.0.0.1"));
            c.setPort(port);
            c.setClientId(d.id);
            c.setProtocolVersion(MqttClient::Mqtt311);
            c.setTlsEnabled(true);
            c.setCaCertificateFile(caPath);
            c.setPeerVerifyName(kHubHost);
            c.setReconnectDelays(100, 1000);
            if (!anonymous) {
                c.setUsername(kHubHost + QLatin1Char('/') + d.id + QStringLiteral("/?api-version=2021-04-12"));
                c.setPassword(SasToken::create(kHubHost + QStringLiteral("/devices/") + d.id, d.hubKey,
                                               QDateTime::currentSecsSinceEpoch() + 3600));
            }
            Publisher *raw = p.get();
            QObject::connect(&c, &MqttClient::messagePublished, &c, [this, raw](int, int reason) {
                if (reason == 0)
                    ++raw->acknowledged;
                else
                    ++raw->refused;
                if (raw->acknowledged + raw->refused == raw->lines->size())
                    ++m_done;
                m_lastAckNs = m_clock.nsecsElapsed();
                raw->feed();
            });
            m_publishers.push_back(std::move(p));
        }
    }
    ~Publishers()
    {
        for (auto &p : m_publishers)
            p->client->disconnectFromHost();
    }
    void start()
    {
        m_clock.start();
        for (auto &p : m_publishers) {
            p->feed();
            p->client->connectToHost();
        }
    }
    bool done() const { return m_done == int(m_publishers.size()); }
    qint64 elapsedNs() const { return m_clock.nsecsElapsed(); }
    PublishRun result() const
    {
        PublishRun r;
        r.acceptedNs = m_lastAckNs;
        for (const auto &p : m_publishers) {
            r.unacknowledged += int(p->lines->size()) - p->acknowledged - p->refused;
            r.refused += p->refused;
        }
        return r;
    }

private:
    std::vector<std::unique_ptr<Publisher>> m_publishers;
    QElapsedTimer m_clock;
    qint64 m_lastAckNs = 0;
    int m_done = 0;
};

// Runs the event loop for up to `ms` (the publishers live on it).
void spin(int ms)
{
    QDeadlineTimer until(ms);
    while (!until.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, int(std::max<qint64>(until.remainingTime(), 1)));
}

// provisio_telemetry_stored_total from /metrics, -1 when unavailable.
double storedTotal(const Endpoint &endpoint, const QString &token)
{
    const Answer a = request(endpoint, "GET", "/metrics", token);
    if (a.status != 200)
        return -1;
    static const QRegularExpression line(
        QStringLiteral("^provisio_telemetry_stored_total(?:\\{[^}]*\\})? ([0-9.e+]+)$"),
        QRegularExpression::MultilineOption);
    const auto m = line.match(QString::fromUtf8(a.body));
    return m.hasMatch() ? m.captured(1).toDouble() : 0;
}

// CPU seconds (user + system) of the PostgreSQL backends serving
// `database` (their command line reads "postgres: USER DATABASE HOST(PORT)
// ..."): the middleware's own connections, as a database name of its own
// tells them apart from other clusters' and databases' backends.
double postgresBackendCpu(const QString &database)
{
    if (database.isEmpty())
        return 0;
    double total = 0;
    const QByteArray needle = ' ' + database.toUtf8() + ' ';
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!cmdline.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
            continue;
        const QByteArray line = cmdline.read(4096).replace('\0', ' ');
        if (line.startsWith("postgres: ") && line.contains(needle))
            total += ProcessStats::read(pid).cpuSeconds;
    }
    return total;
}

// Where the CPU time of a run went, in seconds: the load generator (this
// program), the broker, the middleware and its database server (PostgreSQL's
// backends; SQLite runs inside the middleware).
struct CpuUse
{
    double publishers = 0;
    double broker = 0;
    double middleware = 0;
    double database = 0;

    static CpuUse now(qint64 brokerPid, qint64 middlewarePid, const QString &postgresDatabase)
    {
        CpuUse c;
        c.publishers = ProcessStats::read(0).cpuSeconds;
        c.broker = brokerPid > 0 ? ProcessStats::read(brokerPid).cpuSeconds : 0;
        c.middleware = middlewarePid > 0 ? ProcessStats::read(middlewarePid).cpuSeconds : 0;
        c.database = postgresBackendCpu(postgresDatabase);
        return c;
    }
    CpuUse since(const CpuUse &start) const
    {
        return {publishers - start.publishers, broker - start.broker, middleware - start.middleware,
                database - start.database};
    }
    double total() const { return publishers + broker + middleware + database; }
};

QString postgresDatabaseName(const QString &url)
{
    return url.isEmpty() ? QString() : QUrl(url).path().mid(1);
}

// The hub-config file without the plugin: anonymous, otherwise the same.
bool writeBareConfig(const QString &pluginConf, const QString &bareConf, QString *error)
{
    QFile in(pluginConf);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(pluginConf);
        return false;
    }
    QByteArray text;
    int removed = 0;
    for (const QByteArray &line : in.readAll().split('\n')) {
        const QByteArray t = line.trimmed();
        const QByteArray key = t.left(t.indexOf(' '));
        if (key == "plugin" || key.startsWith("plugin_opt_")) {
            ++removed;
            continue;
        }
        text += key == "allow_anonymous" ? QByteArray("allow_anonymous true") : line;
        text += '\n';
    }
    QFile out(bareConf);
    if (removed == 0 || !out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(text) != text.size()) {
        *error = QStringLiteral("cannot derive %1 from %2").arg(bareConf, pluginConf);
        return false;
    }
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

struct EndToEnd
{
    QString database;
    double storedPerSecond = 0;
    double acceptedPerSecond = 0;
    double stored = 0;
    int failedPublishers = 0;
    int refusals = 0; // connections the hub closed to hold devices back
    CpuUse cpu;       // from the first publish until all are stored
};

struct Setup
{
    std::unique_ptr<MiddlewareServer> middleware;
    Broker hub;
    Endpoint endpoint;
    QString token;
    quint16 port = 0;
    QString hubConf;
    QString caPath;
    QString database; // empty: SQLite
    std::vector<Device> devices;
};

bool setUp(const Options &o, const QString &database, const QString &dir, Setup &s, QString *error)
{
    const QString dataDir = QDir(dir).filePath(QStringLiteral("middleware"));
    const QString hubDir = QDir(dir).filePath(QStringLiteral("hub"));
    QDir().mkpath(dataDir);
    s.database = database;
    s.port = freePort();
    s.middleware = std::make_unique<MiddlewareServer>();
    // Every message stays in the history for the whole run.
    qputenv("PROVISIO_TELEMETRY_KEEP", "1000000");
    if (!s.middleware->start(o.middlewareBin, dataDir, database, error))
        return false;
    s.token = s.middleware->createToken(QStringLiteral("admin"), QStringLiteral("bench-ingest"), error);
    if (s.token.isEmpty())
        return false;
    s.endpoint = Endpoint::fromUrl(s.middleware->url(), s.middleware->caPath(), error);
    if (s.endpoint.port == 0)
        return false;
    const QByteArray hubBody =
        QJsonDocument(QJsonObject{{QStringLiteral("host"), kHubHost},
                                  {QStringLiteral("port"), int(s.port)},
                                  {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(s.port)}})
            .toJson(QJsonDocument::Compact);
    const Answer linked = request(s.endpoint, "PUT", "/api/v1/hubs/" + kHubName.toUtf8(), s.token, hubBody);
    if (linked.status != 200 && linked.status != 201) {
        *error = QStringLiteral("PUT hub: %1 %2").arg(linked.status).arg(QString::fromUtf8(linked.body.left(200)));
        return false;
    }
    QString log;
    QStringList hubConfig{QStringLiteral("hub-config"),
                          QStringLiteral("--data-dir"),
                          dataDir,
                          QStringLiteral("--hub"),
                          kHubName,
                          QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:%1").arg(s.port),
                          QStringLiteral("--out"),
                          hubDir,
                          QStringLiteral("--plugin"),
                          o.pluginPath};
    if (!database.isEmpty())
        hubConfig << QStringLiteral("--database") << database;
    if (s.middleware->run(hubConfig, error, &log).isEmpty())
        return false;
    s.hubConf = QDir(hubDir).filePath(QStringLiteral("mosquitto.conf"));
    s.caPath = QDir(hubDir).filePath(QStringLiteral("ca.crt"));
    if (o.creditWindow > 0) {
        QFile conf(s.hubConf);
        if (!conf.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1").arg(s.hubConf);
            return false;
        }
        QString text = QString::fromUtf8(conf.readAll());
        conf.close();
        static const QRegularExpression window(QStringLiteral("^plugin_opt_credit_window_messages .*$"),
                                               QRegularExpression::MultilineOption);
        text.replace(window, QStringLiteral("plugin_opt_credit_window_messages %1").arg(o.creditWindow));
        if (!conf.open(QIODevice::WriteOnly | QIODevice::Truncate) || conf.write(text.toUtf8()) <= 0) {
            *error = QStringLiteral("cannot write %1").arg(s.hubConf);
            return false;
        }
    }
    if (!s.hub.start(o.mosquittoBin, s.hubConf, s.port, error))
        return false;
    // The link is up once the hub says so.
    QDeadlineTimer linkUp(60000);
    for (;;) {
        const Answer st = request(s.endpoint, "GET", "/api/v1/hubs/" + kHubName.toUtf8() + "/status", s.token);
        if (QJsonDocument::fromJson(st.body).object().value(QStringLiteral("connected")).toBool())
            break;
        if (linkUp.hasExpired()) {
            *error = QStringLiteral("the middleware did not link the hub: %1").arg(QString::fromUtf8(st.body));
            return false;
        }
        QThread::msleep(200);
    }
    // Devices: an enrollment each, registered through the DPS API.
    for (int i = 0; i < o.devices; ++i) {
        Device d;
        d.id = QStringLiteral("bench-%1").arg(i);
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("registrationId"), d.id},
                                      {QStringLiteral("attestation"),
                                       QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}})
                .toJson(QJsonDocument::Compact);
        const Answer enrolled = request(s.endpoint, "PUT", "/api/v1/enrollments/" + d.id.toUtf8(), s.token, body);
        const QString key = QJsonDocument::fromJson(enrolled.body)
                                .object()
                                .value(QStringLiteral("attestation"))
                                .toObject()
                                .value(QStringLiteral("symmetricKey"))
                                .toObject()
                                .value(QStringLiteral("primaryKey"))
                                .toString();
        if (key.isEmpty()) {
            *error = QStringLiteral("enrollment %1: %2").arg(d.id, QString::fromUtf8(enrolled.body.left(200)));
            return false;
        }
        const QString scope = s.middleware->idScope();
        const QByteArray sas =
            "Authorization: " +
            SasToken::create(scope + QStringLiteral("/registrations/") + d.id, key,
                             QDateTime::currentSecsSinceEpoch() + 3600, QStringLiteral("registration"))
                .toUtf8() +
            "\r\n";
        const QByteArray base = '/' + scope.toUtf8() + "/registrations/" + d.id.toUtf8();
        Answer reg = rawRequest(s.endpoint, "PUT", base + "/register?api-version=2021-06-01", sas,
                                "{\"registrationId\":\"" + d.id.toUtf8() + "\"}");
        QDeadlineTimer assigned(30000);
        QJsonObject op = QJsonDocument::fromJson(reg.body).object();
        while (op.value(QStringLiteral("status")).toString() == QLatin1String("assigning") && !assigned.hasExpired()) {
            QThread::msleep(100);
            reg = rawRequest(s.endpoint, "GET",
                             base + "/operations/" + op.value(QStringLiteral("operationId")).toString().toUtf8() +
                                 "?api-version=2021-06-01",
                             sas, {});
            op = QJsonDocument::fromJson(reg.body).object();
        }
        d.hubKey = op.value(QStringLiteral("registrationState"))
                       .toObject()
                       .value(QStringLiteral("payload"))
                       .toObject()
                       .value(QStringLiteral("provisio"))
                       .toObject()
                       .value(QStringLiteral("hubDeviceKey"))
                       .toString();
        if (d.hubKey.isEmpty()) {
            *error = QStringLiteral("registration of %1: %2").arg(d.id, QString::fromUtf8(reg.body.left(300)));
            return false;
        }
        s.devices.push_back(d);
    }
    return true;
}

QList<QByteArray> linesOf(const Options &o)
{
    QList<QByteArray> lines;
    const QByteArray filler(std::max(0, o.payloadBytes - 24), 'x');
    for (int i = 1; i <= o.messages; ++i)
        lines << "{\"seq\":" + QByteArray::number(i) + ",\"f\":\"" + filler + "\"}";
    return lines;
}

// One end-to-end run on a set-up middleware and hub.
EndToEnd measureEndToEnd(const Options &o, Setup &s, QList<QByteArray> *lines, QString *error)
{
    EndToEnd r;
    const double before = storedTotal(s.endpoint, s.token);
    const double want = before + double(o.devices) * o.messages;
    const qint64 middlewarePid = s.middleware->pid();
    const CpuUse cpuBefore = CpuUse::now(s.hub.pid(), middlewarePid, postgresDatabaseName(s.database));
    Publishers publishers(s.devices, s.port, s.caPath, lines, false);
    publishers.start();
    // The stored clock stops when the middleware reports the last message
    // in the database.
    QDeadlineTimer deadline(qint64(o.timeoutSeconds) * 1000);
    double stored = before;
    while (!deadline.hasExpired()) {
        spin(100);
        stored = storedTotal(s.endpoint, s.token);
        if (stored >= want)
            break;
    }
    const qint64 storedNs = publishers.elapsedNs();
    while (!publishers.done() && !deadline.hasExpired())
        spin(100);
    r.cpu = CpuUse::now(s.hub.pid(), middlewarePid, postgresDatabaseName(s.database)).since(cpuBefore);
    const PublishRun run = publishers.result();
    r.stored = stored - before;
    r.storedPerSecond = r.stored / (storedNs / 1e9);
    r.acceptedPerSecond = run.acceptedNs > 0 ? double(o.devices) * o.messages / (run.acceptedNs / 1e9) : 0;
    r.refusals = int(s.hub.log().count("holding devices back"));
    if (stored < want)
        *error = QStringLiteral("stored %1 of %2 messages in time").arg(r.stored).arg(double(o.devices) * o.messages);
    else if (run.unacknowledged || run.refused)
        *error = QStringLiteral("%1 unacknowledged, %2 refused").arg(run.unacknowledged).arg(run.refused);
    return r;
}

struct BareRun
{
    double perSecond = 0;
    CpuUse cpu; // publishers and broker
};

BareRun measureBare(const Options &o, const Setup &s, const QString &bareConf, QList<QByteArray> *lines, QString *error)
{
    Broker bare;
    const quint16 port = freePort();
    QString conf = bareConf + QStringLiteral(".port");
    {
        QFile in(bareConf), out(conf);
        if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        QByteArray text = in.readAll();
        text.replace(QByteArray("listener " + QByteArray::number(s.port)),
                     QByteArray("listener " + QByteArray::number(port)));
        // An empty store each time.
        text.replace("persistence true", "persistence false");
        out.write(text);
    }
    if (!bare.start(o.mosquittoBin, conf, port, error))
        return {};
    const CpuUse cpuBefore = CpuUse::now(bare.pid(), 0, {});
    Publishers publishers(s.devices, port, s.caPath, lines, true);
    publishers.start();
    QDeadlineTimer deadline(qint64(o.timeoutSeconds) * 1000);
    while (!publishers.done() && !deadline.hasExpired())
        spin(100);
    BareRun r;
    r.cpu = CpuUse::now(bare.pid(), 0, {}).since(cpuBefore);
    const PublishRun run = publishers.result();
    if (run.unacknowledged || run.refused) {
        *error = QStringLiteral("bare broker: %1 unacknowledged, %2 refused").arg(run.unacknowledged).arg(run.refused);
        return {};
    }
    r.perSecond = double(o.devices) * o.messages / (run.acceptedNs / 1e9);
    return r;
}

// CPU microseconds per message of each side, "publishers / broker /
// middleware / database".
QString cpuPerMessage(const CpuUse &cpu, double messages, bool endToEnd)
{
    const auto us = [messages](double seconds) { return fixed(messages > 0 ? seconds * 1e6 / messages : 0, 1); };
    QString text = us(cpu.publishers) + QStringLiteral(" / ") + us(cpu.broker);
    if (endToEnd)
        text += QStringLiteral(" / ") + us(cpu.middleware) + QStringLiteral(" / ") + us(cpu.database);
    return text + QStringLiteral(" (total ") + us(cpu.total()) + QLatin1Char(')');
}

QJsonObject cpuJson(const CpuUse &cpu, double messages)
{
    const auto us = [messages](double seconds) { return messages > 0 ? seconds * 1e6 / messages : 0; };
    return QJsonObject{{QStringLiteral("publishers"), us(cpu.publishers)},
                       {QStringLiteral("broker"), us(cpu.broker)},
                       {QStringLiteral("middleware"), us(cpu.middleware)},
                       {QStringLiteral("database"), us(cpu.database)}};
}

QString failureOrOk(const QString &e)
{
    return e.isEmpty() ? QStringLiteral("ok") : e;
}

int run(const Options &o)
{
    for (const QString &file : {o.middlewareBin, o.mosquittoBin, o.pluginPath}) {
        if (!QFileInfo(file).isFile()) {
            err() << "provisio-bench-ingest: " << file << " does not exist" << Qt::endl;
            return kExitSetupFailed;
        }
    }
    QTemporaryDir work(QDir::temp().filePath(QStringLiteral("provisio-bench-ingest-XXXXXX")));
    QList<QByteArray> lines = linesOf(o);
    QStringList databases{QString()};
    if (!o.postgres.isEmpty())
        databases << o.postgres;

    std::vector<EndToEnd> results;
    std::vector<double> bare;
    CpuUse bareCpu; // summed over the bare runs
    int bareRuns = 0;
    int status = kExitOk;
    for (const QString &database : databases) {
        const QString label = database.isEmpty() ? QStringLiteral("SQLite") : QStringLiteral("PostgreSQL");
        err() << "setting up " << label << " (" << o.devices << " devices) ..." << Qt::endl;
        Setup s;
        QString error;
        if (!setUp(o, database, work.filePath(label), s, &error)) {
            err() << "provisio-bench-ingest: " << label << ": " << error << Qt::endl;
            return kExitSetupFailed;
        }
        const QString bareConf = work.filePath(label + QStringLiteral("-bare.conf"));
        if (!writeBareConfig(s.hubConf, bareConf, &error)) {
            err() << "provisio-bench-ingest: " << error << Qt::endl;
            return kExitSetupFailed;
        }
        QString bareError;
        const auto runBare = [&] {
            waitUntilQuiet("the bare broker's pass");
            const BareRun b = measureBare(o, s, bareConf, &lines, &bareError);
            bare.push_back(b.perSecond);
            const CpuUse sum = bareCpu;
            bareCpu = {sum.publishers + b.cpu.publishers, sum.broker + b.cpu.broker, 0, 0};
            ++bareRuns;
            err() << "  bare broker: " << fixed(b.perSecond, 0) << " msg/s (" << failureOrOk(bareError)
                  << "), CPU us/message publishers / broker: "
                  << cpuPerMessage(b.cpu, double(o.devices) * o.messages, false) << Qt::endl;
        };
        runBare();
        waitUntilQuiet("the end-to-end pass");
        EndToEnd r = measureEndToEnd(o, s, &lines, &error);
        r.database = label;
        err() << "  end to end:  " << fixed(r.storedPerSecond, 0) << " msg/s stored (" << failureOrOk(error)
              << "), CPU us/message publishers / broker / middleware / database: "
              << cpuPerMessage(r.cpu, double(o.devices) * o.messages, true) << Qt::endl;
        if (!error.isEmpty() || !bareError.isEmpty())
            status = kExitFailures;
        runBare();
        const QByteArray hubLog = s.hub.log();
        if (hubLog.contains("dropped")) {
            err() << "provisio-bench-ingest: the hub dropped messages" << Qt::endl;
            status = kExitFailures;
        }
        results.push_back(r);
        s.hub.stop();
        s.middleware->stop();
    }
    std::sort(bare.begin(), bare.end());
    const double bareMedian = bare.empty() ? 0 : bare[bare.size() / 2];

    out() << "Telemetry ingest, " << o.devices << " devices x " << o.messages << " QoS 1 messages of " << o.payloadBytes
          << " bytes (MqttClient, MQTT 3.1.1, TLS), credit window "
          << (o.creditWindow > 0 ? QString::number(o.creditWindow) : QStringLiteral("as hub-config writes it"))
          << "; load " << loadAverage() << Qt::endl;
    out() << QStringLiteral("%1 %2 %3 %4")
                 .arg(QStringLiteral("path"), -44)
                 .arg(QStringLiteral("msg/s"), 10)
                 .arg(QStringLiteral("of bare"), 8)
                 .arg(QStringLiteral("hub accepted msg/s"), 20)
          << Qt::endl;
    out() << QStringLiteral("%1 %2 %3")
                 .arg(QStringLiteral("bare Mosquitto (no plugin, no subscriber)"), -44)
                 .arg(fixed(bareMedian, 0), 10)
                 .arg(QStringLiteral("100 %"), 8)
          << Qt::endl;
    for (const EndToEnd &r : results) {
        out() << QStringLiteral("%1 %2 %3 %4")
                     .arg(QStringLiteral("device -> hub -> middleware -> %1").arg(r.database), -44)
                     .arg(fixed(r.storedPerSecond, 0), 10)
                     .arg(fixed(bareMedian > 0 ? 100 * r.storedPerSecond / bareMedian : 0, 0) + QStringLiteral(" %"), 8)
                     .arg(fixed(r.acceptedPerSecond, 0), 20)
              << Qt::endl;
    }
    // Where the time goes: on a machine whose cores the broker, the
    // publishers, the middleware and the database share, the rates follow
    // the CPU time each message costs.
    const double perRun = double(o.devices) * o.messages;
    out() << "CPU time per message (us): publishers / broker / middleware / database (total)" << Qt::endl;
    out() << QStringLiteral("%1 %2")
                 .arg(QStringLiteral("bare Mosquitto"), -44)
                 .arg(cpuPerMessage(bareCpu, perRun * std::max(bareRuns, 1), false))
          << Qt::endl;
    for (const EndToEnd &r : results) {
        out() << QStringLiteral("%1 %2")
                     .arg(QStringLiteral("device -> hub -> middleware -> %1").arg(r.database), -44)
                     .arg(cpuPerMessage(r.cpu, perRun, true))
              << Qt::endl;
    }
    // The last line: JSON for scripts.
    QJsonObject json{
        {QStringLiteral("devices"), o.devices},
        {QStringLiteral("messages"), o.messages},
        {QStringLiteral("payloadBytes"), o.payloadBytes},
        {QStringLiteral("creditWindow"), o.creditWindow},
        {QStringLiteral("bareMosquittoPerSecond"), bareMedian},
        {QStringLiteral("bareCpuMicrosecondsPerMessage"), cpuJson(bareCpu, perRun * std::max(bareRuns, 1))}};
    for (const EndToEnd &r : results) {
        json.insert(r.database.toLower(),
                    QJsonObject{{QStringLiteral("storedPerSecond"), r.storedPerSecond},
                                {QStringLiteral("hubAcceptedPerSecond"), r.acceptedPerSecond},
                                {QStringLiteral("ofBare"), bareMedian > 0 ? r.storedPerSecond / bareMedian : 0},
                                {QStringLiteral("stored"), r.stored},
                                {QStringLiteral("cpuMicrosecondsPerMessage"), cpuJson(r.cpu, perRun)}});
    }
    out() << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
    return status;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("End-to-end telemetry ingest (device -> hub -> middleware -> database) next to a bare "
                       "Mosquitto's accept rate with the same publishers."));
    parser.addHelpOption();
    const QCommandLineOption devices(QStringLiteral("devices"), QStringLiteral("Publishing devices (default 20)."),
                                     QStringLiteral("n"), QStringLiteral("20"));
    const QCommandLineOption messages(QStringLiteral("messages"),
                                      QStringLiteral("QoS 1 messages per device (default 5000)."), QStringLiteral("m"),
                                      QStringLiteral("5000"));
    const QCommandLineOption payload(QStringLiteral("payload-bytes"),
                                     QStringLiteral("Approximate JSON payload size (default 64)."),
                                     QStringLiteral("bytes"), QStringLiteral("64"));
    const QCommandLineOption postgres(QStringLiteral("postgres"),
                                      QStringLiteral("Also run against this PostgreSQL database "
                                                     "(postgresql://user@host:port/db; it must be empty)."),
                                      QStringLiteral("url"));
    const QCommandLineOption timeout(QStringLiteral("timeout"), QStringLiteral("Seconds a run may take (default 600)."),
                                     QStringLiteral("s"), QStringLiteral("600"));
    const QCommandLineOption window(QStringLiteral("credit-window"),
                                    QStringLiteral("The hub's credit window in messages (default: what hub-config "
                                                   "writes, 50000); e.g. 10000000 to see the path without "
                                                   "back-pressure."),
                                    QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption middleware(QStringLiteral("middleware"),
                                        QStringLiteral("The provisio-middleware to run (default: the one built with "
                                                       "this program); e.g. another build, to compare two under the "
                                                       "same conditions."),
                                        QStringLiteral("path"), QStringLiteral(PROVISIO_MIDDLEWARE_BIN));
    parser.addOptions({devices, messages, payload, postgres, timeout, window, middleware});
    parser.process(app);
    Options o;
    o.devices = std::clamp(parser.value(devices).toInt(), 1, 1000);
    o.messages = std::clamp(parser.value(messages).toInt(), 1, 10000000);
    o.payloadBytes = std::clamp(parser.value(payload).toInt(), 24, 256 * 1024);
    o.postgres = parser.value(postgres);
    o.creditWindow = std::clamp(parser.value(window).toLongLong(), qint64(0), qint64(10000000));
    o.timeoutSeconds = std::clamp(parser.value(timeout).toInt(), 10, 86400);
    o.middlewareBin = parser.value(middleware);
    o.mosquittoBin = QStringLiteral(PROVISIO_MOSQUITTO_BIN);
    o.pluginPath = QStringLiteral(PROVISIO_HUB_PLUGIN_BIN);
    return run(o);
}
