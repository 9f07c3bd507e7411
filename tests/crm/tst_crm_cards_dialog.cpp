// SPDX-License-Identifier: Apache-2.0
// The activation cards dialog against a real middleware over real HTTPS:
// codes are issued for the selected devices, the exported PDF carries the
// right text and a QR code that, scanned and sent to the activation API,
// really activates the device; batches show progress; the full key appears
// only on request and never in a log.
#include "activationcard.h"
#include "activationcardrenderer.h"
#include "cardlistmodel.h"
#include "cardpreview.h"
#include "cardsdialog.h"

#include "apiclient.h"
#include "childprocesswatch.h"
#include "httpsclient.h"
#include "middlewareprocess.h"
#include "widgettestutil.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMimeData>
#include <QMutex>
#include <QPrintPreviewDialog>
#include <QPrinter>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Provisio;
using namespace Provisio::Crm;
using namespace Provisio::Test;

namespace {

QString tool(const char *name)
{
    return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

QByteArray run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(60000);
    return p.readAllStandardOutput();
}

// Every message any part of the program logs, to prove secrets stay out.
QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;
void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log << message;
    }
    // Debug chatter (Qt's own included) is captured, not printed.
    if (g_previousHandler && type != QtDebugMsg)
        g_previousHandler(type, context, message);
}

// ctest runs every suite with QT_LOGGING_RULES=*.debug=false, and the
// environment's rules override QLoggingCategory::setFilterRules(): this suite
// must see debug lines, so it drops that rule before the application reads
// it, and sets its own filter (debug off, on while capturing).
const bool g_debugRulesOwnedHere = [] {
    qunsetenv("QT_LOGGING_RULES");
    return true;
}();

} // namespace

class TestCardsDialog : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MiddlewareProcess> m_mw;
    std::unique_ptr<HttpsClient> m_admin;
    std::unique_ptr<HttpsClient> m_device;
    QString m_adminToken;
    QString m_viewerToken;
    QString m_customerId;
    QHash<QString, QString> m_creationCodes; // serial -> the code from the enrollment's 201

    std::unique_ptr<ApiClient> makeApi(const QString &token)
    {
        auto api = std::make_unique<ApiClient>();
        api->setConnection(QUrl(m_mw->baseUrl()), token.toUtf8(), QSslCertificate::fromPath(m_mw->caCertificatePath()));
        return api;
    }

    bool addDevice(const QString &serial, bool enroll, bool sell)
    {
        auto r = m_admin->post(QStringLiteral("/api/v1/devices"),
                               QJsonObject{{QStringLiteral("serial"), serial},
                                           {QStringLiteral("model"), QStringLiteral("Sensor 2")},
                                           {QStringLiteral("manufacturer"), QStringLiteral("Acme")}});
        if (r.status != 201)
            return false;
        if (sell) {
            r = m_admin->post(QStringLiteral("/api/v1/devices/%1/sell").arg(serial),
                              QJsonObject{{QStringLiteral("customerId"), m_customerId}});
            if (r.status != 200)
                return false;
        }
        if (enroll) {
            const QString id = serial.toLower();
            r = m_admin->put(QStringLiteral("/api/v1/enrollments/") + id,
                             QJsonObject{{QStringLiteral("registrationId"), id},
                                         {QStringLiteral("serial"), serial},
                                         {QStringLiteral("attestation"),
                                          QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
            if (r.status != 201)
                return false;
            m_creationCodes.insert(serial, r.json().value(QStringLiteral("activationCode")).toString());
        }
        return true;
    }

    int activate(const QString &serial, const QString &code)
    {
        return m_device
            ->post(QStringLiteral("/api/v1/activation"),
                   QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("code"), code}})
            .status;
    }

    static bool issue(ActivationCardsDialog &dialog)
    {
        QSignalSpy done(&dialog, &ActivationCardsDialog::cardsIssued);
        QTest::mouseClick(dialog.issueButton(), Qt::LeftButton);
        return done.wait(30000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(g_debugRulesOwnedHere);
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
        QStandardPaths::setTestModeEnabled(true);
        m_mw = std::make_unique<MiddlewareProcess>();
        m_adminToken = m_mw->createToken(QStringLiteral("admin"), QStringLiteral("admin"));
        m_viewerToken = m_mw->createToken(QStringLiteral("viewer"), QStringLiteral("viewer"));
        QVERIFY(!m_adminToken.isEmpty() && !m_viewerToken.isEmpty());
        QVERIFY2(m_mw->start(), qPrintable(m_mw->lastError()));
        m_admin = std::make_unique<HttpsClient>(m_mw->baseUrl(), m_mw->caCertificatePath());
        m_admin->setBearer(m_adminToken);
        m_device = std::make_unique<HttpsClient>(m_mw->baseUrl(), m_mw->caCertificatePath());
        const auto customer = m_admin->post(QStringLiteral("/api/v1/customers"),
                                            QJsonObject{{QStringLiteral("name"), QStringLiteral("Contoso Ltd")}});
        QCOMPARE(customer.status, 201);
        m_customerId = customer.json().value(QStringLiteral("id")).toString();
    }

    void issuesCardsAndExportsAWorkingPdf()
    {
        const QString pdftotext = tool("pdftotext"), pdftoppm = tool("pdftoppm"), zbar = tool("zbarimg");
        if (pdftotext.isEmpty() || pdftoppm.isEmpty() || zbar.isEmpty())
            QSKIP("pdftotext/pdftoppm (poppler-utils) or zbarimg (zbar-tools) is not installed");
        QVERIFY(addDevice(QStringLiteral("SN-A1"), true, true));
        QVERIFY(addDevice(QStringLiteral("SN-A2"), true, false));
        QVERIFY(addDevice(QStringLiteral("SN-A3"), false, true));

        auto api = makeApi(m_adminToken);
        ActivationCardsDialog dialog(nullptr, api.get(),
                                     {QStringLiteral("SN-A1"), QStringLiteral("SN-A2"), QStringLiteral("SN-A3"),
                                      QStringLiteral("SN-NOPE"), QStringLiteral("SN-A1")});
        QAbstractItemModelTester tester(dialog.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        dialog.show();
        QCOMPARE(dialog.model()->rowCount(), 4); // the repeated serial once
        QVERIFY(!dialog.exportButton()->isEnabled());
        QVERIFY(issue(dialog));

        QCOMPARE(dialog.model()->readyCount(), 2);
        QCOMPARE(dialog.model()->failedCount(), 2);
        QCOMPARE(dialog.progressBar()->value(), 4);
        QCOMPARE(dialog.progressBar()->maximum(), 4);
        QVERIFY(dialog.model()->error(2).contains(QStringLiteral("no enrollment")));
        QVERIFY(dialog.model()->error(3).contains(QStringLiteral("no device")));
        QVERIFY(dialog.statusLabel()->text().contains(QStringLiteral("2 of 4 cards ready")));
        QVERIFY(dialog.exportButton()->isEnabled());
        QVERIFY(dialog.printButton()->isEnabled());

        const QList<ActivationCard> cards = dialog.cards();
        QCOMPARE(cards.size(), 2);
        QCOMPARE(cards.at(0).serial, QStringLiteral("SN-A1"));
        QCOMPARE(cards.at(0).customerName, QStringLiteral("Contoso Ltd"));
        QCOMPARE(cards.at(0).model, QStringLiteral("Sensor 2"));
        QCOMPARE(cards.at(0).registrationId, QStringLiteral("sn-a1"));
        QCOMPARE(cards.at(0).idScope, m_mw->idScope());
        QVERIFY(cards.at(0).expiresUtc > QDateTime::currentDateTimeUtc());
        QVERIFY(cards.at(1).customerName.isEmpty());
        // The first row is selected and previewed.
        QVERIFY(dialog.preview()->hasCard());
        QCOMPARE(dialog.preview()->card().serial, QStringLiteral("SN-A1"));
        dialog.resize(900, 760);
        saveScreenshot(&dialog, "crm-cards-dialog.png");
        saveScreenshot(dialog.preview(), "crm-cards-card.png");

        // A new code voids the one issued when the enrollment was created.
        QVERIFY(cards.at(0).activationCode != m_creationCodes.value(QStringLiteral("SN-A1")));
        QVERIFY(activate(QStringLiteral("SN-A1"), m_creationCodes.value(QStringLiteral("SN-A1"))) != 200);

        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("cards.pdf"));
        QSignalSpy exported(&dialog, &ActivationCardsDialog::pdfExported);
        QVERIFY(dialog.exportPdf(pdf).ok());
        QCOMPARE(exported.count(), 1);
        const QString text = QString::fromUtf8(run(pdftotext, {QStringLiteral("-layout"), pdf, QStringLiteral("-")}));
        for (const ActivationCard &card : cards) {
            QVERIFY2(text.contains(card.serial), qPrintable(text));
            QVERIFY2(text.contains(card.activationCode), qPrintable(text));
        }
        QVERIFY(text.contains(QStringLiteral("Contoso Ltd")));
        QVERIFY(text.contains(m_mw->idScope()));
        QVERIFY(!text.contains(QStringLiteral("SN-A3")));
        QCOMPARE(text.count(u'\f'), 1); // both cards on one A4 page

        // The QR codes, as a camera sees the printed page.
        QVERIFY(QProcess::execute(pdftoppm, {QStringLiteral("-r"), QStringLiteral("200"), QStringLiteral("-png"), pdf,
                                             dir.filePath(QStringLiteral("page"))}) == 0);
        const QStringList pages = QDir(dir.path()).entryList({QStringLiteral("page*.png")});
        QCOMPARE(pages.size(), 1);
        const QList<QByteArray> payloads =
            run(zbar, {QStringLiteral("--raw"), QStringLiteral("-q"), dir.filePath(pages.first())})
                .trimmed()
                .split('\n');
        QCOMPARE(payloads.size(), 2);
        QStringList scanned;
        for (const QByteArray &payload : payloads) {
            const ActivationCard card = ActivationCard::fromQrPayload(payload.trimmed());
            QVERIFY2(!card.serial.isEmpty(), payload.constData());
            QCOMPARE(card.middlewareUrl, m_mw->baseUrl());
            const auto printed = std::find_if(cards.cbegin(), cards.cend(),
                                              [&](const ActivationCard &c) { return c.serial == card.serial; });
            QVERIFY(printed != cards.cend());
            QCOMPARE(card.activationCode, printed->activationCode);
            scanned << card.serial;
        }
        scanned.sort();
        QCOMPARE(scanned, QStringList({QStringLiteral("SN-A1"), QStringLiteral("SN-A2")}));

        // What the device does with the scanned card: it works, once.
        const ActivationCard first = ActivationCard::fromQrPayload(payloads.first().trimmed());
        QCOMPARE(activate(first.serial, first.activationCode), 200);
        QCOMPARE(activate(first.serial, first.activationCode), 409);
    }

    void batchShowsProgressAndPrints()
    {
        const QString pdftotext = tool("pdftotext");
        if (pdftotext.isEmpty())
            QSKIP("pdftotext (poppler-utils) is not installed");
        QStringList serials;
        for (int i = 0; i < 10; ++i) {
            serials << QStringLiteral("SN-B%1").arg(i, 2, 10, QLatin1Char('0'));
            QVERIFY(addDevice(serials.last(), true, i % 2 == 0));
        }
        auto api = makeApi(m_adminToken);
        ActivationCardsDialog dialog(nullptr, api.get(), serials);
        QAbstractItemModelTester tester(dialog.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<int> values;
        connect(dialog.progressBar(), &QProgressBar::valueChanged, this, [&](int v) { values << v; });
        QSignalSpy done(&dialog, &ActivationCardsDialog::cardsIssued);
        QTest::mouseClick(dialog.issueButton(), Qt::LeftButton);
        QVERIFY(dialog.isBusy());
        QCOMPARE(dialog.issueButton()->text(), QStringLiteral("Stop"));
        QVERIFY(!dialog.exportButton()->isEnabled());
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().at(0).toInt(), 10);
        QCOMPARE(done.first().at(1).toInt(), 0);
        // One step per device, never backwards.
        QCOMPARE(values.last(), 10);
        QVERIFY(values.size() >= 10);
        QVERIFY(std::is_sorted(values.cbegin(), values.cend()));

        // Printing draws the same cards as the PDF export: print to a PDF printer.
        QTemporaryDir dir;
        QPrinter printer(QPrinter::HighResolution);
        printer.setOutputFormat(QPrinter::PdfFormat);
        printer.setOutputFileName(dir.filePath(QStringLiteral("printed.pdf")));
        dialog.printTo(&printer);
        const QString text = QString::fromUtf8(run(pdftotext, {printer.outputFileName(), QStringLiteral("-")}));
        QCOMPARE(text.count(u'\f'), 4); // 10 cards, 3 per page
        for (const QString &serial : serials)
            QVERIFY2(text.contains(serial), qPrintable(text));

        // The print preview opens on the same pages without blocking.
        QTest::mouseClick(dialog.printButton(), Qt::LeftButton);
        QPrintPreviewDialog *preview = nullptr;
        QTRY_VERIFY((preview = dialog.findChild<QPrintPreviewDialog *>(QStringLiteral("printPreview"))));
        QTRY_VERIFY(preview->isVisible());
        preview->close();
    }

    void fullKeyOnlyOnRequestAndNeverLogged()
    {
        QVERIFY(addDevice(QStringLiteral("SN-K1"), true, true));
        const QString key = m_admin->get(QStringLiteral("/api/v1/enrollments/sn-k1"))
                                .json()
                                .value(QStringLiteral("attestation"))
                                .toObject()
                                .value(QStringLiteral("symmetricKey"))
                                .toObject()
                                .value(QStringLiteral("primaryKey"))
                                .toString();
        QVERIFY(!key.isEmpty());

        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
        g_previousHandler = qInstallMessageHandler(captureMessages);
        auto api = makeApi(m_adminToken);
        ActivationCardsDialog dialog(nullptr, api.get(), {QStringLiteral("SN-K1")});
        dialog.show();
        QVERIFY(issue(dialog));
        const QString code = dialog.cards().value(0).activationCode;
        QVERIFY(!code.isEmpty());
        // The key is nowhere in the dialog until asked for.
        QVERIFY(!dialog.findChild<FullKeyDialog *>());
        QVERIFY(dialog.fullKeyButton()->isEnabled());
        QTest::mouseClick(dialog.fullKeyButton(), Qt::LeftButton);
        FullKeyDialog *keyDialog = nullptr;
        QTRY_VERIFY((keyDialog = dialog.findChild<FullKeyDialog *>()));
        auto *keyEdit = keyDialog->findChild<QLineEdit *>(QStringLiteral("symmetricKey"));
        QVERIFY(keyEdit);
        QCOMPARE(keyEdit->text(), key);
        QVERIFY(keyEdit->isReadOnly());
        QTest::mouseClick(keyDialog->copyButton(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), key);
        QCOMPARE(QGuiApplication::clipboard()->mimeData()->data(QStringLiteral("x-kde-passwordManagerHint")),
                 QByteArray("secret"));
        keyDialog->close();
        qInstallMessageHandler(g_previousHandler);
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));

        QMutexLocker lock(&g_logMutex);
        // Debug lines really reached the capture (the one the card fetcher
        // writes for each issued code among them).
        QVERIFY2(g_log.contains(QStringLiteral("activation code issued for \"SN-K1\"")),
                 qPrintable(g_log.join(QLatin1Char('\n')).left(2000)));
        for (const QString &line : std::as_const(g_log)) {
            QVERIFY2(!line.contains(key), qPrintable(line));
            QVERIFY2(!line.contains(code, Qt::CaseInsensitive), qPrintable(line));
            QVERIFY2(!line.contains(QString(code).remove(QLatin1Char('-')), Qt::CaseInsensitive), qPrintable(line));
            QVERIFY2(!line.contains(m_adminToken), qPrintable(line));
        }
    }

    void viewerIsToldWhyNot()
    {
        QVERIFY(addDevice(QStringLiteral("SN-V1"), true, false));
        auto api = makeApi(m_viewerToken);
        ActivationCardsDialog dialog(nullptr, api.get(), {QStringLiteral("SN-V1")});
        QVERIFY(issue(dialog));
        QCOMPARE(dialog.model()->readyCount(), 0);
        QCOMPARE(dialog.model()->state(0), CardListModel::Failed);
        QVERIFY2(dialog.model()->error(0).contains(QStringLiteral("operator")), qPrintable(dialog.model()->error(0)));
        QVERIFY(!dialog.exportButton()->isEnabled());
        QVERIFY(!dialog.exportPdf(QDir::temp().filePath(QStringLiteral("never.pdf"))).ok());
        // The viewer's attempt issued no code: the one from the enrollment still works.
        QCOMPARE(activate(QStringLiteral("SN-V1"), m_creationCodes.value(QStringLiteral("SN-V1"))), 200);
    }

    void cleanupTestCase() { m_mw.reset(); }
};

PROVISIO_TEST_MAIN(TestCardsDialog)
#include "tst_crm_cards_dialog.moc"
