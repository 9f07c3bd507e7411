// SPDX-License-Identifier: Apache-2.0
// Activation cards by e-mail against the real middleware and a real SMTP
// server (aiosmtpd, tests/support/smtpserver.py, which parses each message
// with Python's own e-mail parser): the mail reaches the customer with the
// code, the instructions and the QR code, over SMTP AUTH; its code activates
// the device; a server that is down is retried until it comes up; a refused
// recipient fails the mail at once; without an SMTP URL mails land in the
// outbox; bad requests change nothing; the queue has a limit; neither the
// password nor the code reaches the log or the audit.
#include "httpsclient.h"
#include "middlewareprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Provisio::Test;

namespace {

const QString kPassword = QStringLiteral("s3cret-smtp-Pa55");
const QString kUser = QStringLiteral("provisio-mailer");

QString str(const char *s)
{
    return QString::fromUtf8(s);
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// The Python that has aiosmtpd: Debian's, whatever else comes first on PATH.
QString pythonWithAiosmtpd()
{
    QStringList candidates{QStringLiteral("/usr/bin/python3")};
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (!onPath.isEmpty())
        candidates << onPath;
    for (const QString &python : std::as_const(candidates)) {
        if (!QFile::exists(python))
            continue;
        QProcess p;
        p.start(python, {QStringLiteral("-c"), QStringLiteral("import aiosmtpd")});
        if (p.waitForFinished(20000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0)
            return python;
    }
    return {};
}

// The real SMTP server in a process of its own.
class SmtpServer
{
public:
    SmtpServer(quint16 port, const QStringList &extra = {}) : m_port(port), m_extra(extra) { }
    ~SmtpServer() { stop(); }

    bool start()
    {
        const QString python = pythonWithAiosmtpd();
        if (python.isEmpty()) {
            m_error = QStringLiteral("no python3 with aiosmtpd (scripts/deps.sh installs python3-aiosmtpd)");
            return false;
        }
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->start(python, QStringList{QStringLiteral(PROVISIO_SMTP_SERVER_SCRIPT), QStringLiteral("127.0.0.1"),
                                             QString::number(m_port), m_dir.path()} +
                                     m_extra);
        QDeadlineTimer deadline(30000);
        while (!deadline.hasExpired()) {
            if (m_process->state() == QProcess::NotRunning)
                break;
            m_process->waitForReadyRead(200);
            m_output += m_process->readAll();
            if (m_output.contains("ready"))
                return true;
        }
        m_error = QStringLiteral("the SMTP server did not start: ") + QString::fromUtf8(m_output);
        return false;
    }
    void stop()
    {
        if (!m_process)
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(10000))
            m_process->kill();
        m_process->waitForFinished(5000);
        m_process.reset();
    }
    // The messages received so far, parsed (N.json), in arrival order.
    QList<QJsonObject> messages() const
    {
        QList<QJsonObject> out;
        for (int n = 1;; ++n) {
            QFile f(QDir(m_dir.path()).filePath(QString::number(n) + QStringLiteral(".json")));
            if (!f.open(QIODevice::ReadOnly))
                break;
            out << QJsonDocument::fromJson(f.readAll()).object();
        }
        return out;
    }
    QString error() const { return m_error; }

private:
    quint16 m_port;
    QStringList m_extra;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    QString m_error;
};

struct Fixture
{
    std::unique_ptr<MiddlewareProcess> mw;
    std::unique_ptr<HttpsClient> admin;
    std::unique_ptr<HttpsClient> anonymous;

    bool start(const QStringList &args)
    {
        mw = std::make_unique<MiddlewareProcess>(args);
        if (!mw->start()) {
            qWarning() << mw->lastError();
            return false;
        }
        admin = std::make_unique<HttpsClient>(mw->baseUrl(), mw->caCertificatePath());
        admin->setBearer(mw->createToken(QStringLiteral("admin")));
        anonymous = std::make_unique<HttpsClient>(mw->baseUrl(), mw->caCertificatePath());
        return !admin->bearer().isEmpty();
    }

    // A device in the inventory, sold to a customer with `email` (none when
    // empty; unsold when `sell` is false), and its enrollment `serial` in
    // lower case. Returns the registration id.
    QString enrolledDevice(const QString &serial, const QString &email, bool sell = true)
    {
        QJsonObject customer{{QStringLiteral("name"), QString(QStringLiteral("Customer of ") + serial)}};
        if (!email.isEmpty())
            customer.insert(QStringLiteral("email"), email);
        const QString customerId =
            admin->post(QStringLiteral("/api/v1/customers"), customer).json().value(QStringLiteral("id")).toString();
        admin->post(QStringLiteral("/api/v1/devices"),
                    QJsonObject{{QStringLiteral("serial"), serial},
                                {QStringLiteral("model"), QStringLiteral("Gauge 7")},
                                {QStringLiteral("manufacturer"), QStringLiteral("Acme")},
                                {QStringLiteral("batch"), QStringLiteral("B1")},
                                {QStringLiteral("deliveryDate"), QStringLiteral("2026-11-20")}});
        if (sell)
            admin->post(QStringLiteral("/api/v1/devices/") + serial + QStringLiteral("/sell"),
                        QJsonObject{{QStringLiteral("customerId"), customerId}});
        const QString id = serial.toLower();
        admin->put(QStringLiteral("/api/v1/enrollments/") + id,
                   QJsonObject{{QStringLiteral("registrationId"), id},
                               {QStringLiteral("attestation"),
                                QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
                               {QStringLiteral("serial"), serial}});
        return id;
    }

    HttpsClient::Reply mail(const QString &id, const QByteArray &body = "{}")
    {
        return admin->send("POST", QStringLiteral("/api/v1/enrollments/") + id + QStringLiteral("/activation-email"),
                           body);
    }
    QJsonObject mailState(const QString &mailId)
    {
        return admin->get(QStringLiteral("/api/v1/mails/") + mailId).json();
    }
    int mailCount()
    {
        return admin->get(QStringLiteral("/api/v1/mails")).json().value(QStringLiteral("items")).toArray().size();
    }
};

QString codeIn(const QString &text)
{
    static const QRegularExpression code(
        QStringLiteral("\\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=]"));
    return code.match(text).captured(0);
}

} // namespace

class TestActivationMail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mailedCardActivatesTheDevice()
    {
        const quint16 port = freePort();
        SmtpServer smtp(port, {QStringLiteral("--user"), kUser, QStringLiteral("--password"), kPassword});
        QVERIFY2(smtp.start(), qPrintable(smtp.error()));
        // The password from the environment, as an operator's unit would give it.
        qputenv("PROVISIO_SMTP_PASSWORD", kPassword.toUtf8());
        Fixture f;
        const bool started = f.start({QStringLiteral("--smtp-url"), QStringLiteral("smtp://127.0.0.1:%1").arg(port),
                                      QStringLiteral("--smtp-from"), QStringLiteral("cards@provisio.example"),
                                      QStringLiteral("--smtp-user"), kUser, QStringLiteral("--public-url"),
                                      QStringLiteral("https://provisio.example:8443")});
        qunsetenv("PROVISIO_SMTP_PASSWORD");
        QVERIFY(started);
        const QString id = f.enrolledDevice(QStringLiteral("MAIL-1"), QStringLiteral("owner@mail.example"));

        const auto queued = f.mail(id);
        QCOMPARE(queued.status, 202);
        const QString mailId = queued.json().value(QStringLiteral("mailId")).toString();
        QVERIFY(mailId.startsWith(QStringLiteral("mail_")));
        QCOMPARE(queued.json().value(QStringLiteral("to")).toString(), QStringLiteral("owner@mail.example"));
        QCOMPARE(queued.header("Location"), QByteArray("/api/v1/mails/") + mailId.toUtf8());
        QVERIFY(codeIn(QString::fromUtf8(queued.body)).isEmpty()); // the code is never in the answer

        QTRY_COMPARE_WITH_TIMEOUT(smtp.messages().size(), 1, 20000);
        const QJsonObject m = smtp.messages().first();
        QCOMPARE(m.value(QStringLiteral("rcptTos")).toArray(), QJsonArray{QStringLiteral("owner@mail.example")});
        QCOMPARE(m.value(QStringLiteral("mailFrom")).toString(), QStringLiteral("cards@provisio.example"));
        QCOMPARE(m.value(QStringLiteral("authUser")).toString(), kUser);
        QCOMPARE(m.value(QStringLiteral("to")).toString(), QStringLiteral("owner@mail.example"));
        QVERIFY2(m.value(QStringLiteral("subject")).toString().contains(QStringLiteral("MAIL-1")),
                 qPrintable(m.value(QStringLiteral("subject")).toString()));
        const QString text = m.value(QStringLiteral("text")).toString();
        const QString code = codeIn(text);
        QVERIFY2(!code.isEmpty(), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("tap Activate and type this code")));
        QVERIFY(text.contains(QStringLiteral("Customer of MAIL-1")));
        QVERIFY(text.contains(QStringLiteral("https://provisio.example:8443")));
        QVERIFY(m.value(QStringLiteral("html")).toString().contains(QStringLiteral("cid:activation-qr")));
        // The QR code: an inline PNG that the HTML names.
        const QJsonArray parts = m.value(QStringLiteral("parts")).toArray();
        QCOMPARE(parts.size(), 1);
        const QJsonObject qr = parts.first().toObject();
        QCOMPARE(qr.value(QStringLiteral("contentType")).toString(), QStringLiteral("image/png"));
        QCOMPARE(qr.value(QStringLiteral("contentId")).toString(), QStringLiteral("<activation-qr>"));
        QCOMPARE(qr.value(QStringLiteral("disposition")).toString(), QStringLiteral("inline"));
        QFile png(qr.value(QStringLiteral("path")).toString());
        QVERIFY(png.open(QIODevice::ReadOnly));
        QVERIFY(png.read(8) == QByteArray("\x89PNG\r\n\x1a\n", 8));
        // What the card's QR code says, read back as a device's scanner would.
        const QString zbar = QStandardPaths::findExecutable(QStringLiteral("zbarimg"));
        if (!zbar.isEmpty()) {
            QProcess p;
            p.start(zbar, {QStringLiteral("--raw"), QStringLiteral("-q"), png.fileName()});
            QVERIFY(p.waitForFinished(30000));
            QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()).trimmed(),
                     QStringLiteral("provisio:activate?serial=MAIL-1&code=%1&url=https%3A%2F%2Fprovisio.example%3A8443")
                         .arg(QString::fromLatin1(code.toUtf8().toPercentEncoding())));
        }

        // The delivery state, then the code at work.
        QTRY_COMPARE_WITH_TIMEOUT(f.mailState(mailId).value(QStringLiteral("state")).toString(), QStringLiteral("sent"),
                                  10000);
        const QJsonObject state = f.mailState(mailId);
        QCOMPARE(state.value(QStringLiteral("attempts")).toInt(), 1);
        QCOMPARE(state.value(QStringLiteral("transport")).toString(), QStringLiteral("smtp"));
        const QJsonArray listed = f.admin->get(QStringLiteral("/api/v1/mails?registrationId=") + id)
                                      .json()
                                      .value(QStringLiteral("items"))
                                      .toArray();
        QCOMPARE(listed.size(), 1);
        const auto activated = f.anonymous->post(
            QStringLiteral("/api/v1/activation"),
            QJsonObject{{QStringLiteral("serial"), QStringLiteral("MAIL-1")}, {QStringLiteral("code"), code}});
        QCOMPARE(activated.status, 200);

        // Audited as queued and sent; neither the audit nor the log holds
        // the code or the password.
        const auto audit = f.admin->get(QStringLiteral("/api/v1/audit?entityType=activationMail&entityId=") + mailId);
        QCOMPARE(audit.status, 200);
        const QJsonArray entries = audit.json().value(QStringLiteral("items")).toArray();
        QStringList actions;
        for (const auto &e : entries)
            actions << e.toObject().value(QStringLiteral("action")).toString();
        actions.sort();
        QCOMPARE(actions, (QStringList{QStringLiteral("queue"), QStringLiteral("send")}));
        const QString compact = code;
        QString bare = compact;
        bare.remove(QLatin1Char('-'));
        const QByteArray allAudit = f.admin->get(QStringLiteral("/api/v1/audit?limit=500")).body;
        QVERIFY(!allAudit.contains(compact.toUtf8()));
        QVERIFY(!allAudit.contains(bare.toUtf8()));
        const QString log = f.mw->drainLog();
        QVERIFY(log.contains(mailId));
        QVERIFY(!log.contains(kPassword));
        QVERIFY(!log.contains(compact));
        QVERIFY(!log.contains(bare));
        // Sent: the stored message (with its code) is gone.
        QVERIFY(!f.admin->get(QStringLiteral("/api/v1/mails/") + mailId).body.contains(compact.toUtf8()));
    }

    // STARTTLS when the server offers it (and AUTH only after it), smtps://
    // from the first byte, the server's certificate checked against
    // --smtp-ca-file; an untrusted certificate sends nothing.
    void tlsToTheServer_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<QString>("serverMode");
        QTest::addColumn<bool>("trusted");
        QTest::newRow("STARTTLS with AUTH") << str("smtp") << str("--starttls") << true;
        QTest::newRow("implicit TLS") << str("smtps") << str("--implicit-tls") << true;
        QTest::newRow("untrusted certificate") << str("smtp") << str("--starttls") << false;
    }

    void tlsToTheServer()
    {
        QFETCH(QString, scheme);
        QFETCH(QString, serverMode);
        QFETCH(bool, trusted);
        QTemporaryDir tls;
        const QString cert = tls.filePath(QStringLiteral("cert.pem"));
        const QString key = tls.filePath(QStringLiteral("key.pem"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                       QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("2"),
                       QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1")});
        QVERIFY(openssl.waitForFinished(60000));
        QCOMPARE(openssl.exitCode(), 0);
        const quint16 port = freePort();
        QStringList serverArgs{serverMode, cert, key};
        const bool auth = serverMode == QLatin1String("--starttls");
        if (auth)
            serverArgs << QStringLiteral("--user") << kUser << QStringLiteral("--password") << kPassword;
        SmtpServer smtp(port, serverArgs);
        QVERIFY2(smtp.start(), qPrintable(smtp.error()));
        QStringList args{QStringLiteral("--smtp-url"),
                         QStringLiteral("%1://localhost:%2").arg(scheme).arg(port),
                         QStringLiteral("--mail-initial-backoff"),
                         QStringLiteral("200ms"),
                         QStringLiteral("--mail-max-backoff"),
                         QStringLiteral("500ms")};
        if (trusted)
            args << QStringLiteral("--smtp-ca-file") << cert;
        if (auth)
            args << QStringLiteral("--smtp-user") << kUser;
        if (auth)
            qputenv("PROVISIO_SMTP_PASSWORD", kPassword.toUtf8());
        Fixture f;
        const bool started = f.start(args);
        qunsetenv("PROVISIO_SMTP_PASSWORD");
        QVERIFY(started);
        const QString id = f.enrolledDevice(QStringLiteral("TLS-1"), QStringLiteral("tls@mail.example"));
        const auto queued = f.mail(id);
        QCOMPARE(queued.status, 202);
        const QString mailId = queued.json().value(QStringLiteral("mailId")).toString();
        if (!trusted) {
            QTRY_VERIFY_WITH_TIMEOUT(f.mailState(mailId).value(QStringLiteral("attempts")).toInt() >= 2, 20000);
            const QJsonObject waiting = f.mailState(mailId);
            QVERIFY2(waiting.value(QStringLiteral("lastError"))
                         .toString()
                         .contains(QStringLiteral("certificate"), Qt::CaseInsensitive),
                     QJsonDocument(waiting).toJson().constData());
            QVERIFY(smtp.messages().isEmpty());
            return;
        }
        QTRY_COMPARE_WITH_TIMEOUT(smtp.messages().size(), 1, 20000);
        const QJsonObject m = smtp.messages().first();
        QVERIFY(m.value(QStringLiteral("tls")).toBool());
        QCOMPARE(m.value(QStringLiteral("authUser")).toString(), auth ? kUser : QString());
        QVERIFY(!codeIn(m.value(QStringLiteral("text")).toString()).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.mailState(mailId).value(QStringLiteral("state")).toString(), QStringLiteral("sent"),
                                  10000);
    }

    void serverDownIsRetriedUntilItComesUp()
    {
        const quint16 port = freePort();
        Fixture f;
        QVERIFY(f.start({QStringLiteral("--smtp-url"), QStringLiteral("smtp://127.0.0.1:%1").arg(port),
                         QStringLiteral("--mail-initial-backoff"), QStringLiteral("300ms"),
                         QStringLiteral("--mail-max-backoff"), QStringLiteral("1s"), QStringLiteral("--smtp-timeout"),
                         QStringLiteral("5s")}));
        const QString id = f.enrolledDevice(QStringLiteral("RETRY-1"), QStringLiteral("retry@mail.example"));
        const auto queued = f.mail(id);
        QCOMPARE(queued.status, 202);
        const QString mailId = queued.json().value(QStringLiteral("mailId")).toString();
        // Nobody listens: attempts pile up, each with its error, and the mail waits.
        QTRY_VERIFY_WITH_TIMEOUT(f.mailState(mailId).value(QStringLiteral("attempts")).toInt() >= 2, 20000);
        const QJsonObject waiting = f.mailState(mailId);
        QVERIFY(waiting.value(QStringLiteral("state")).toString() == QStringLiteral("queued") ||
                waiting.value(QStringLiteral("state")).toString() == QStringLiteral("sending"));
        QVERIFY2(!waiting.value(QStringLiteral("lastError")).toString().isEmpty(),
                 QJsonDocument(waiting).toJson().constData());

        SmtpServer smtp(port);
        QVERIFY2(smtp.start(), qPrintable(smtp.error()));
        QTRY_COMPARE_WITH_TIMEOUT(f.mailState(mailId).value(QStringLiteral("state")).toString(), QStringLiteral("sent"),
                                  20000);
        QCOMPARE(smtp.messages().size(), 1);
        QVERIFY(f.mailState(mailId).value(QStringLiteral("attempts")).toInt() >= 3);
        QVERIFY(!codeIn(smtp.messages().first().value(QStringLiteral("text")).toString()).isEmpty());
    }

    void refusedRecipientFailsAtOnce()
    {
        const quint16 port = freePort();
        SmtpServer smtp(port, {QStringLiteral("--reject-domain"), QStringLiteral("nowhere.example")});
        QVERIFY2(smtp.start(), qPrintable(smtp.error()));
        Fixture f;
        QVERIFY(f.start({QStringLiteral("--smtp-url"), QStringLiteral("smtp://127.0.0.1:%1").arg(port)}));
        const QString id = f.enrolledDevice(QStringLiteral("REFUSED-1"), QStringLiteral("someone@nowhere.example"));
        const auto queued = f.mail(id);
        QCOMPARE(queued.status, 202);
        const QString mailId = queued.json().value(QStringLiteral("mailId")).toString();
        QTRY_COMPARE_WITH_TIMEOUT(f.mailState(mailId).value(QStringLiteral("state")).toString(),
                                  QStringLiteral("failed"), 20000);
        const QJsonObject failed = f.mailState(mailId);
        QCOMPARE(failed.value(QStringLiteral("attempts")).toInt(), 1);
        QVERIFY2(failed.value(QStringLiteral("lastError")).toString().contains(QStringLiteral("550")),
                 QJsonDocument(failed).toJson().constData());
        QVERIFY(smtp.messages().isEmpty());
        // Another address for the same device goes out.
        const auto again = f.mail(id, R"({"to":"other@mail.example"})");
        QCOMPARE(again.status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(smtp.messages().size(), 1, 20000);
        QCOMPARE(smtp.messages().first().value(QStringLiteral("rcptTos")).toArray(),
                 QJsonArray{QStringLiteral("other@mail.example")});
    }

    void withoutServerMailsGoToTheOutbox()
    {
        Fixture f;
        QVERIFY(f.start({}));
        const QString id = f.enrolledDevice(QStringLiteral("OUTBOX-1"), QStringLiteral("box@mail.example"));
        const auto queued = f.mail(id, {});
        QCOMPARE(queued.status, 202);
        const QString mailId = queued.json().value(QStringLiteral("mailId")).toString();
        const QString file = f.mw->dataDir() + QStringLiteral("/outbox/") + mailId + QStringLiteral(".eml");
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(file), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(f.mailState(mailId).value(QStringLiteral("transport")).toString(),
                                  QStringLiteral("outbox"), 10000);
        QFile eml(file);
        QVERIFY(eml.open(QIODevice::ReadOnly));
        const QByteArray raw = eml.readAll();
        QVERIFY(raw.contains("\r\nTo: box@mail.example\r\n"));
        QVERIFY(raw.contains("Content-Type: image/png"));
    }

    void badRequestsChangeNothing_data()
    {
        QTest::addColumn<QString>("serial");
        QTest::addColumn<QString>("email");
        QTest::addColumn<bool>("sell");
        QTest::addColumn<bool>("enroll");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("says");
        QTest::newRow("unknown enrollment") << str("BAD-1") << str("a@mail.example") << true << false
                                            << QByteArray("{}") << 404 << str("no enrollment");
        QTest::newRow("not an address") << str("BAD-2") << str("a@mail.example") << true << true
                                        << QByteArray(R"({"to":"not-an-address"})") << 400 << str("'to'");
        QTest::newRow("header injection")
            << str("BAD-3") << str("a@mail.example") << true << true
            << QByteArray(R"({"to":"a@mail.example\r\nBcc: x@evil.example"})") << 400 << str("'to'");
        QTest::newRow("name and address") << str("BAD-4") << str("a@mail.example") << true << true
                                          << QByteArray(R"({"to":"Ann <a@mail.example>"})") << 400 << str("'to'");
        QTest::newRow("unknown field") << str("BAD-5") << str("a@mail.example") << true << true
                                       << QByteArray(R"({"cc":"a@mail.example"})") << 400 << str("cc");
        QTest::newRow("wrong type") << str("BAD-6") << str("a@mail.example") << true << true
                                    << QByteArray(R"({"to":42})") << 400 << str("to");
        QTest::newRow("malformed json") << str("BAD-7") << str("a@mail.example") << true << true
                                        << QByteArray("{\"to\":") << 400 << str("JSON");
        QTest::newRow("unsold device") << str("BAD-8") << str("a@mail.example") << false << true << QByteArray("{}")
                                       << 409 << str("not sold");
        QTest::newRow("customer without e-mail")
            << str("BAD-9") << QString() << true << true << QByteArray("{}") << 409 << str("no e-mail address");
    }

    void badRequestsChangeNothing()
    {
        QFETCH(QString, serial);
        QFETCH(QString, email);
        QFETCH(bool, sell);
        QFETCH(bool, enroll);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, says);
        if (!m_shared) {
            m_shared = std::make_unique<Fixture>();
            QVERIFY(m_shared->start({}));
        }
        Fixture &f = *m_shared;
        QString id = serial.toLower();
        if (enroll)
            id = f.enrolledDevice(serial, email, sell);
        const auto audit = [&f] {
            const auto r = f.admin->get(QStringLiteral("/api/v1/audit?limit=500"));
            return r.status == 200 ? int(r.json().value(QStringLiteral("items")).toArray().size()) : -1;
        };
        const int auditBefore = audit();
        QVERIFY(auditBefore >= 0);
        const int mailsBefore = f.mailCount();
        const auto reply = f.mail(id, body);
        QCOMPARE(reply.status, status);
        QVERIFY2(QString::fromUtf8(reply.body).contains(says), reply.body.constData());
        QCOMPARE(f.mailCount(), mailsBefore);
        QCOMPARE(audit(), auditBefore);
    }

    void viewersCannotSend()
    {
        Fixture f;
        QVERIFY(f.start({}));
        const QString id = f.enrolledDevice(QStringLiteral("VIEW-1"), QStringLiteral("v@mail.example"));
        HttpsClient viewer(f.mw->baseUrl(), f.mw->caCertificatePath());
        viewer.setBearer(f.mw->createToken(QStringLiteral("viewer")));
        QCOMPARE(
            viewer.send("POST", QStringLiteral("/api/v1/enrollments/") + id + QStringLiteral("/activation-email"), "{}")
                .status,
            403);
        QCOMPARE(viewer.get(QStringLiteral("/api/v1/mails")).status, 200);
        QCOMPARE(f.mailCount(), 0);
        QCOMPARE(f.admin->get(QStringLiteral("/api/v1/mails?state=lost")).status, 400);
        QCOMPARE(f.admin->get(QStringLiteral("/api/v1/mails?limit=501")).status, 400);
        QCOMPARE(f.admin->get(QStringLiteral("/api/v1/mails/mail_unknown")).status, 404);
    }

    void theQueueHasALimit()
    {
        // A server that never answers in time: mails stay queued.
        const quint16 port = freePort();
        Fixture f;
        QVERIFY(f.start({QStringLiteral("--smtp-url"), QStringLiteral("smtp://127.0.0.1:%1").arg(port),
                         QStringLiteral("--mail-queue-limit"), QStringLiteral("2"),
                         QStringLiteral("--mail-initial-backoff"), QStringLiteral("1h")}));
        const QString id = f.enrolledDevice(QStringLiteral("QUEUE-1"), QStringLiteral("q@mail.example"));
        QCOMPARE(f.mail(id).status, 202);
        QCOMPARE(f.mail(id).status, 202);
        const auto refused = f.mail(id);
        QCOMPARE(refused.status, 503);
        QVERIFY2(refused.body.contains("mail-queue-limit"), refused.body.constData());
        QCOMPARE(f.mailCount(), 2);
    }

    void cleanupTestCase() { m_shared.reset(); }

private:
    std::unique_ptr<Fixture> m_shared;
};

QTEST_GUILESS_MAIN(TestActivationMail)
#include "tst_activationmail.moc"
