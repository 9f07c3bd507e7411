// SPDX-License-Identifier: Apache-2.0
// The import wizard against a real middleware, driven through its widgets:
// a file with bad rows is validated and every bad row reported with its
// row number while nothing is written; a good file is imported in chunks
// with progress and a report that can be saved; Stop ends the import after
// the chunk in flight.
#include "childprocesswatch.h"
#include "columnmapping.h"
#include "csvpreviewmodel.h"
#include "importjob.h"
#include "importresultsmodel.h"
#include "importwizard.h"

#include "apiclient.h"
#include "httpsclient.h"
#include "middlewareprocess.h"
#include "widgettestutil.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <memory>
#include <optional>

using namespace Provisio;
using namespace Provisio::Crm;
using namespace Provisio::Test;

class TestImportWizard : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MiddlewareProcess> m_mw;
    std::unique_ptr<HttpsClient> m_admin;
    std::unique_ptr<ApiClient> m_api;
    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(content);
        return path;
    }

    // Serials in the inventory, all pages.
    QStringList inventory(const QString &prefix)
    {
        QStringList serials;
        QString cursor;
        do {
            QString path = QStringLiteral("/api/v1/devices?limit=1000&q=") + prefix;
            if (!cursor.isEmpty())
                path += QStringLiteral("&cursor=") + cursor;
            const auto reply = m_admin->get(path);
            if (reply.status != 200)
                return {QStringLiteral("HTTP %1").arg(reply.status)};
            for (const QJsonValue &v : reply.json().value(QStringLiteral("items")).toArray()) {
                const QString serial = v.toObject().value(QStringLiteral("serial")).toString();
                if (serial.startsWith(prefix))
                    serials << serial;
            }
            cursor = reply.json().value(QStringLiteral("nextCursor")).toString();
        } while (!cursor.isEmpty());
        return serials;
    }

    static QByteArray goodFile(const QString &prefix, int rows)
    {
        QByteArray csv("Serial Number,Product,Vendor,Lot,Delivered,Colour\r\n");
        for (int i = 0; i < rows; ++i)
            csv += QStringLiteral("%1%2,Sensor 2,Acme,B9,2026-11-20,grey\r\n")
                       .arg(prefix)
                       .arg(i, 5, 10, QLatin1Char('0'))
                       .toUtf8();
        return csv;
    }

    static void next(ImportWizard &wizard)
    {
        QAbstractButton *button =
            wizard.button(wizard.currentPage()->isCommitPage() ? QWizard::CommitButton : QWizard::NextButton);
        QVERIFY(button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
    }

    static bool validate(ImportWizard &wizard)
    {
        QSignalSpy checked(wizard.validationJob(), &ImportJob::finished);
        next(wizard); // mapping -> validation, which starts the dry run
        return wizard.currentId() == ImportWizard::ValidationPageId && checked.wait(60000);
    }

    // What picking `path` on the file page does, once the file has been
    // read: whether it holds a table (nothing: no answer, or more than one).
    static std::optional<bool> read(ImportWizard &wizard, const QString &path)
    {
        QSignalSpy loaded(&wizard, &ImportWizard::fileLoaded);
        wizard.loadFile(path);
        if (loaded.isEmpty() && !loaded.wait(60000))
            return std::nullopt;
        if (loaded.count() != 1 || wizard.isLoading())
            return std::nullopt;
        return loaded.first().first().toBool();
    }
    static bool load(ImportWizard &wizard, const QString &path) { return read(wizard, path) == true; }
    static bool refused(ImportWizard &wizard, const QString &path) { return read(wizard, path) == false; }

    // Shown, `path` loaded, its mapping taken as guessed and the dry run done.
    static bool loadAndValidate(ImportWizard &wizard, const QString &path)
    {
        wizard.show();
        if (!load(wizard, path))
            return false;
        next(wizard);
        return validate(wizard);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_mw = std::make_unique<MiddlewareProcess>();
        const QString token = m_mw->createToken(QStringLiteral("operator"), QStringLiteral("importer"));
        QVERIFY(!token.isEmpty());
        QVERIFY2(m_mw->start(), qPrintable(m_mw->lastError()));
        m_admin = std::make_unique<HttpsClient>(m_mw->baseUrl(), m_mw->caCertificatePath());
        m_admin->setBearer(token);
        m_api = std::make_unique<ApiClient>();
        m_api->setConnection(QUrl(m_mw->baseUrl()), token.toUtf8(),
                             QSslCertificate::fromPath(m_mw->caCertificatePath()));
        // One device that exists already, to collide with.
        QCOMPARE(m_admin
                     ->post(QStringLiteral("/api/v1/devices"),
                            QJsonObject{{QStringLiteral("serial"), QStringLiteral("OLD-1")}})
                     .status,
                 201);
    }

    void badRowsAreReportedAndNothingIsWritten()
    {
        // A German spreadsheet export: ';', a BOM, its own column names.
        const QString path = writeFile(QStringLiteral("bad.csv"),
                                       QByteArray("\xEF\xBB\xBFSeriennummer;Modell;Hersteller;Lieferdatum;Farbe\r\n"
                                                  "BAD-1;Sensor 2;Acme;2026-11-20;grau\r\n"    // row 2: fine
                                                  "BAD-2;Sensor 2;Acme;20.11.2026;grau\r\n"    // row 3: date form
                                                  "OLD-1;Sensor 2;Acme;2026-11-20;grau\r\n"    // row 4: exists
                                                  "\r\n"                                       // row 5: blank
                                                  "BAD-1;Sensor 2;Acme;2026-11-21;grau\r\n"    // row 6: repeated serial
                                                  ";Sensor 2;Acme;2026-11-20;grau\r\n"         // row 7: no serial
                                                  "BAD-3;Sensor 2\r\n"                         // row 8: too few fields
                                                  "BAD 4;Sensor 2;Acme;2026-11-20;grau\r\n")); // row 9: bad serial
        ImportWizard wizard(nullptr, m_api.get());
        QSignalSpy imported(&wizard, &ImportWizard::imported);
        wizard.show();
        QCOMPARE(wizard.currentId(), int(ImportWizard::FilePageId));
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());

        // Typing the path and Return loads the file and goes on to the columns.
        wizard.activateWindow();
        wizard.pathEdit()->setFocus();
        QTest::keyClicks(wizard.pathEdit(), path);
        QTest::keyClick(wizard.pathEdit(), Qt::Key_Return);
        QTRY_VERIFY(wizard.hasTable());
        QCOMPARE(QString(wizard.table().delimiter), QStringLiteral(";"));
        QCOMPARE(wizard.table().header.first(), QStringLiteral("Seriennummer"));
        QTRY_COMPARE(wizard.currentId(), int(ImportWizard::MappingPageId));
        QAbstractItemModelTester previewTester(wizard.previewModel(),
                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(wizard.previewModel()->rowCount(), 7);

        // The guesses, and the user's choice for the column nobody guessed.
        QCOMPARE(wizard.mappingCombo(0)->currentText(), QStringLiteral("Serial"));
        QCOMPARE(wizard.mappingCombo(1)->currentText(), QStringLiteral("Model"));
        QCOMPARE(wizard.mappingCombo(2)->currentText(), QStringLiteral("Manufacturer"));
        QCOMPARE(wizard.mappingCombo(3)->currentText(), QStringLiteral("Delivery date"));
        QCOMPARE(wizard.mappingCombo(4)->currentText(), QStringLiteral("(ignore)"));
        // Mapping a second column to Serial blocks the way on.
        wizard.mappingCombo(4)->setCurrentIndex(wizard.mappingCombo(4)->findText(QStringLiteral("Serial")));
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
        wizard.mappingCombo(4)->setCurrentIndex(wizard.mappingCombo(4)->findText(QStringLiteral("Notes")));
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
        QCOMPARE(wizard.mapping().target(4), ColumnMapping::Notes);
        saveScreenshot(&wizard, "crm-import-mapping.png");

        QAbstractItemModelTester validationTester(wizard.validationModel(),
                                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(validate(wizard));
        const ImportJob *job = wizard.validationJob();
        QVERIFY2(job->failure().isEmpty(), qPrintable(job->failure()));
        QCOMPARE(job->created(), 1);
        QCOMPARE(job->failed(), 6);

        // Every bad row, with the row number the spreadsheet shows.
        QHash<int, QString> errors;
        for (int r = 0; r < wizard.validationModel()->rowCount(); ++r) {
            const ImportRowResult result = wizard.validationModel()->result(r);
            QVERIFY(result.isError());
            errors.insert(result.row, result.message);
        }
        QCOMPARE(errors.size(), 6);
        QVERIFY2(errors.value(3).contains(QStringLiteral("yyyy-MM-dd")), qPrintable(errors.value(3)));
        QVERIFY2(errors.value(4).contains(QStringLiteral("already exists")), qPrintable(errors.value(4)));
        QVERIFY2(errors.value(6).contains(QStringLiteral("row 2")), qPrintable(errors.value(6)));
        QVERIFY2(errors.value(7).contains(QStringLiteral("serial is empty")), qPrintable(errors.value(7)));
        QVERIFY2(errors.value(8).contains(QStringLiteral("2 fields")), qPrintable(errors.value(8)));
        QVERIFY(errors.contains(9));
        QVERIFY(wizard.validationSummary()->text().contains(QStringLiteral("6 have errors")));
        QVERIFY(wizard.validationSummary()->text().contains(QStringLiteral("nothing has been written")));

        // Import stays closed until the user agrees to skip the bad rows.
        QVERIFY(!wizard.button(QWizard::CommitButton)->isEnabled());
        QVERIFY(wizard.skipErrorsBox()->isVisible());
        QTest::mouseClick(wizard.skipErrorsBox(), Qt::LeftButton, {}, QPoint(8, wizard.skipErrorsBox()->height() / 2));
        QVERIFY(wizard.skipErrorsBox()->isChecked());
        saveScreenshot(&wizard, "crm-import-validation.png");
        QVERIFY(wizard.button(QWizard::CommitButton)->isEnabled());

        // The user walks away instead: nothing was written.
        wizard.reject();
        QVERIFY(!wizard.isVisible());
        QCOMPARE(inventory(QStringLiteral("BAD")), QStringList());
        QCOMPARE(imported.count(), 0);
    }

    void goodFileIsImportedInChunksWithAReport()
    {
        const int rows = 2 * ImportJob::ChunkRows + 3;
        const QString path = writeFile(QStringLiteral("good.csv"), goodFile(QStringLiteral("GOOD-"), rows));
        ImportWizard wizard(nullptr, m_api.get());
        QSignalSpy imported(&wizard, &ImportWizard::imported);
        wizard.show();
        QVERIFY(load(wizard, path));
        next(wizard);
        QCOMPARE(wizard.mapping().columnOf(ColumnMapping::Batch), 3);
        QVERIFY(validate(wizard));
        QCOMPARE(wizard.validationJob()->created(), rows);
        QCOMPARE(wizard.validationJob()->failed(), 0);
        QCOMPARE(wizard.validationJob()->chunkCount(), 3);
        QCOMPARE(inventory(QStringLiteral("GOOD-")).size(), 0); // the dry run wrote nothing
        QVERIFY(!wizard.skipErrorsBox()->isVisible());

        QList<int> progress;
        connect(wizard.importProgress(), &QProgressBar::valueChanged, this, [&](int v) { progress << v; });
        QSignalSpy chunks(wizard.importJob(), &ImportJob::chunkFinished);
        next(wizard); // Import
        QCOMPARE(wizard.currentId(), int(ImportWizard::ImportPageId));
        QVERIFY(imported.wait(120000));
        QCOMPARE(imported.first().at(0).toInt(), rows);
        QCOMPARE(imported.first().at(1).toInt(), 0);
        QCOMPARE(chunks.count(), 3);
        QCOMPARE(progress, (QList<int>{0, ImportJob::ChunkRows, 2 * ImportJob::ChunkRows, rows}));
        QCOMPARE(wizard.importProgress()->maximum(), rows);
        QTRY_COMPARE(wizard.currentId(), int(ImportWizard::ReportPageId));
        QVERIFY2(wizard.reportSummary()->text().startsWith(
                     QStringLiteral("%1 devices created, 0 updated, 0 rows refused").arg(rows)),
                 qPrintable(wizard.reportSummary()->text()));
        QCOMPARE(inventory(QStringLiteral("GOOD-")).size(), rows);
        const auto one = m_admin->get(QStringLiteral("/api/v1/devices/GOOD-00042")).json();
        QCOMPARE(one.value(QStringLiteral("model")).toString(), QStringLiteral("Sensor 2"));
        QCOMPARE(one.value(QStringLiteral("batch")).toString(), QStringLiteral("B9"));
        QCOMPARE(one.value(QStringLiteral("deliveryDate")).toString(), QStringLiteral("2026-11-20"));

        // The report lists every row on request and saves as CSV.
        QAbstractItemModelTester reportTester(wizard.reportModel(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(wizard.reportModel()->rowCount(), 0);
        wizard.reportModel()->setProblemsOnly(false);
        QCOMPARE(wizard.reportModel()->rowCount(), rows);
        const QString reportPath = m_dir.filePath(QStringLiteral("report.csv"));
        QVERIFY(wizard.exportReport(reportPath).ok());
        QFile report(reportPath);
        QVERIFY(report.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = report.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), rows + 1);
        QCOMPARE(lines.at(0).trimmed(), QByteArray("row,serial,result,message"));
        QCOMPARE(lines.at(1).trimmed(), QByteArray("2,GOOD-00000,created,"));
        QCOMPARE(lines.last().trimmed(), QStringLiteral("%1,GOOD-%2,created,").arg(rows + 1).arg(rows - 1).toUtf8());

        // Importing the same file again with "update" refreshes instead of refusing.
        ImportWizard again(nullptr, m_api.get());
        again.show();
        QVERIFY(load(again, path));
        next(again);
        again.upsertBox()->setChecked(true);
        QVERIFY(validate(again));
        QCOMPARE(again.validationJob()->updated(), rows);
        QCOMPARE(again.validationJob()->failed(), 0);
    }

    void stopEndsTheImportAfterTheChunkInFlight()
    {
        const int chunk = ImportJob::ChunkRows;
        const int rows = 3 * chunk + 400;
        const QString path = writeFile(QStringLiteral("stop.csv"), goodFile(QStringLiteral("STOP-"), rows));
        ImportWizard wizard(nullptr, m_api.get());
        QSignalSpy imported(&wizard, &ImportWizard::imported);
        QVERIFY(loadAndValidate(wizard, path));
        next(wizard); // Import: the first chunk is on its way
        QVERIFY(wizard.importJob()->isRunning());
        QCOMPARE(wizard.importJob()->chunksDone(), 0);
        QTest::mouseClick(wizard.stopButton(), Qt::LeftButton);
        QVERIFY(!wizard.stopButton()->isEnabled());
        QVERIFY(wizard.importJob()->isCancelled());
        QVERIFY(wizard.importJob()->isRunning()); // the chunk in flight completes
        QVERIFY(wizard.importStatus()->text().contains(QStringLiteral("Stopping")));
        // The window's own Cancel does not abandon a chunk half-way either.
        wizard.reject();
        QVERIFY(wizard.isVisible());
        QVERIFY(imported.wait(60000));
        QCOMPARE(imported.first().at(0).toInt(), chunk);
        QTRY_COMPARE(wizard.currentId(), int(ImportWizard::ReportPageId));
        QCOMPARE(wizard.importJob()->chunksDone(), 1);
        QCOMPARE(wizard.importJob()->rowsNotSent(), rows - chunk);
        QVERIFY2(wizard.reportSummary()->text().contains(QStringLiteral("%1 rows were not sent").arg(rows - chunk)),
                 qPrintable(wizard.reportSummary()->text()));
        QCOMPARE(inventory(QStringLiteral("STOP-")).size(), chunk);
        // The rows not sent are in the report, to import again.
        QCOMPARE(wizard.reportModel()->rowCount(), rows - chunk);
        QCOMPARE(wizard.reportModel()->result(0).serial, QStringLiteral("STOP-%1").arg(chunk, 5, 10, QLatin1Char('0')));
        QCOMPARE(wizard.reportModel()->result(0).row, chunk + 2);
        saveScreenshot(&wizard, "crm-import-report.png");
    }

    void longRowsGoInSmallerChunks()
    {
        // Notes at their longest (4,096 characters, a quarter of them
        // quotes, doubled as sent): a chunk of ChunkRows such rows would be
        // past the middleware's 16 MiB limit for an import body. The job
        // sends them in smaller chunks, and every device arrives whole.
        const int rows = 3500;
        const QString note = QString(3072, QLatin1Char('n')) + QString(1024, QLatin1Char('"'));
        QByteArray csv("serial,notes\n");
        for (int i = 0; i < rows; ++i)
            csv += CsvReader::writeRow({QStringLiteral("LONG-%1").arg(i, 5, 10, QLatin1Char('0')), note});
        QVERIFY(csv.size() > 16 << 20);
        const QString path = writeFile(QStringLiteral("long.csv"), csv);
        ImportWizard wizard(nullptr, m_api.get());
        QSignalSpy imported(&wizard, &ImportWizard::imported);
        QVERIFY(loadAndValidate(wizard, path));
        QCOMPARE(wizard.validationJob()->failed(), 0);
        QVERIFY(wizard.validationJob()->chunkCount() > 1);
        next(wizard); // Import
        QVERIFY(imported.wait(120000));
        QCOMPARE(imported.first().at(0).toInt(), rows);
        QVERIFY2(wizard.importJob()->failure().isEmpty(), qPrintable(wizard.importJob()->failure()));
        QCOMPARE(inventory(QStringLiteral("LONG-")).size(), rows);
        const auto last = m_admin->get(QStringLiteral("/api/v1/devices/LONG-03499")).json();
        QCOMPARE(last.value(QStringLiteral("notes")).toString(), note);
    }

    void backAndNextChecksTheNewMapping()
    {
        // Column 2 holds dates in the wrong form; mapped to Notes they are fine.
        const QString path =
            writeFile(QStringLiteral("remap.csv"), "serial,delivered\nREMAP-1,20.11.2026\nREMAP-2,21.11.2026\n");
        ImportWizard wizard(nullptr, m_api.get());
        wizard.show();
        QVERIFY(load(wizard, path));
        next(wizard);
        QCOMPARE(wizard.mapping().target(1), ColumnMapping::DeliveryDate);
        next(wizard); // the check starts...
        QVERIFY(wizard.validationJob()->isRunning());
        QTest::mouseClick(wizard.button(QWizard::BackButton), Qt::LeftButton); // ...and the user goes back at once
        QCOMPARE(wizard.currentId(), int(ImportWizard::MappingPageId));
        wizard.mappingCombo(1)->setCurrentIndex(wizard.mappingCombo(1)->findText(QStringLiteral("Notes")));
        next(wizard);
        QTRY_VERIFY(!wizard.validationJob()->isRunning() &&
                    wizard.validationSummary()->text().contains(QStringLiteral("rows checked")));
        QCOMPARE(wizard.validationJob()->created(), 2);
        QCOMPARE(wizard.validationJob()->failed(), 0);
        QVERIFY(wizard.button(QWizard::CommitButton)->isEnabled());
        wizard.reject();
        QCOMPARE(inventory(QStringLiteral("REMAP-")), QStringList());
    }

    void refusedCheckIsExplained()
    {
        // A viewer's token may read the inventory but not import into it.
        const QString viewerToken = m_mw->createToken(QStringLiteral("viewer"), QStringLiteral("looker"));
        QVERIFY(!viewerToken.isEmpty());
        ApiClient viewer;
        viewer.setConnection(QUrl(m_mw->baseUrl()), viewerToken.toUtf8(),
                             QSslCertificate::fromPath(m_mw->caCertificatePath()));
        const QString path = writeFile(QStringLiteral("viewer.csv"), "serial\nVIEW-1\n");
        ImportWizard wizard(nullptr, &viewer);
        wizard.show();
        QVERIFY(load(wizard, path));
        next(wizard);
        QVERIFY(validate(wizard));
        QVERIFY(!wizard.validationJob()->failure().isEmpty());
        QVERIFY2(wizard.validationSummary()->text().contains(QStringLiteral("operator")),
                 qPrintable(wizard.validationSummary()->text()));
        QVERIFY(!wizard.button(QWizard::CommitButton)->isEnabled());
        QCOMPARE(inventory(QStringLiteral("VIEW-")), QStringList());
    }

    void bigFileIsReadWithProgress()
    {
        // A delivery of a million devices takes seconds to read: the page
        // shows how far it got while the window goes on answering, and Next
        // waits for the table.
        const int rows = 400000;
        writeFile(QStringLiteral("big.csv"), goodFile(QStringLiteral("BIG-"), rows));
        // Picked by a relative name, as the screenshot shows it.
        struct InDirectory
        {
            QString previous = QDir::currentPath();
            explicit InDirectory(const QString &dir) { QDir::setCurrent(dir); }
            ~InDirectory() { QDir::setCurrent(previous); }
        } inDirectory(m_dir.path());
        const QString path = QStringLiteral("big.csv");
        ImportWizard wizard(nullptr, m_api.get());
        wizard.show();
        QList<int> progress;
        connect(wizard.loadProgress(), &QProgressBar::valueChanged, this, [&](int v) { progress << v; });
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
        ticker.start(5);
        QSignalSpy loaded(&wizard, &ImportWizard::fileLoaded);
        wizard.loadFile(path);
        QVERIFY(wizard.isLoading());
        QVERIFY(wizard.loadProgress()->isVisible());
        QCOMPARE(wizard.fileSummary()->text(), QStringLiteral("Reading big.csv\u2026"));
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(wizard.loadProgress()->value() >= 30 || !loaded.isEmpty(), 60000);
        if (loaded.isEmpty())
            saveScreenshot(&wizard, "crm-import-reading.png");
        QVERIFY(loaded.count() == 1 || loaded.wait(120000));
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(loaded.first().first().toBool(), true);
        QVERIFY(!wizard.isLoading());
        QCOMPARE(wizard.table().rows.size(), rows);
        QVERIFY(!wizard.loadProgress()->isVisible());
        QVERIFY2(wizard.fileSummary()->text().startsWith(QStringLiteral("big.csv: 6 columns, 400000 rows")),
                 qPrintable(wizard.fileSummary()->text()));
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
        // The event loop ran all along, and the bar moved forward.
        QVERIFY2(ticks >= 5, qPrintable(QString::number(ticks)));
        QVERIFY2(progress.size() >= 2, qPrintable(QString::number(progress.size())));
        QVERIFY(std::is_sorted(progress.cbegin(), progress.cend()));
    }

    void anotherPickDropsTheFileBeingRead()
    {
        const QString big = writeFile(QStringLiteral("dropped.csv"), goodFile(QStringLiteral("DROP-"), 300000));
        const QString small = writeFile(QStringLiteral("kept.csv"), goodFile(QStringLiteral("KEPT-"), 3));
        ImportWizard wizard(nullptr, m_api.get());
        wizard.show();
        QSignalSpy loaded(&wizard, &ImportWizard::fileLoaded);
        wizard.loadFile(big);
        wizard.loadFile(small);
        QVERIFY(loaded.wait(60000));
        // The first read finishes unheard.
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(wizard.table().rows.size(), 3);
        QCOMPARE(wizard.fileName(), small);
        QCOMPARE(wizard.table().rows.first().fields.first(), QStringLiteral("KEPT-00000"));
    }

    void unreadableFileIsExplained()
    {
        ImportWizard wizard(nullptr, m_api.get());
        wizard.show();
        QVERIFY(refused(wizard, m_dir.filePath(QStringLiteral("missing.csv"))));
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
        const QString broken = writeFile(QStringLiteral("broken.csv"), "serial\n\"SN-1\n");
        QVERIFY(refused(wizard, broken));
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
        QVERIFY(wizard.findChild<QLabel *>() != nullptr);
        const QString good = writeFile(QStringLiteral("one.csv"), "serial\nONE-1\n");
        QVERIFY(load(wizard, good));
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    }

    void cleanupTestCase()
    {
        m_api.reset();
        m_mw.reset();
    }
};

PROVISIO_TEST_MAIN(TestImportWizard)
#include "tst_crm_import_wizard.moc"
