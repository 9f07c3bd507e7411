// SPDX-License-Identifier: Apache-2.0
// The column mapping, the preview and the checks made before anything is
// sent, on their own: the guesses from manufacturers' headers and the rows
// that cannot be right. The CSV reader itself is tested in tests/common.
#include "columnmapping.h"
#include "csvpreviewmodel.h"
#include "importjob.h"
#include "importresultsmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

#include <memory>

using namespace Provisio;
using namespace Provisio::Crm;
using Target = ColumnMapping::Target;

class TestImportCsv : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void guessesColumns_data()
    {
        QTest::addColumn<QStringList>("header");
        QTest::addColumn<QList<int>>("targets");
        QTest::newRow("canonical") << QStringList{QStringLiteral("serial"),       QStringLiteral("model"),
                                                  QStringLiteral("manufacturer"), QStringLiteral("batch"),
                                                  QStringLiteral("deliveryDate"), QStringLiteral("customerId"),
                                                  QStringLiteral("notes")}
                                   << QList<int>{ColumnMapping::Serial,       ColumnMapping::Model,
                                                 ColumnMapping::Manufacturer, ColumnMapping::Batch,
                                                 ColumnMapping::DeliveryDate, ColumnMapping::CustomerId,
                                                 ColumnMapping::Notes};
        QTest::newRow("manufacturer's words")
            << QStringList{QStringLiteral("Serial No."), QStringLiteral("Product"), QStringLiteral("Lot"),
                           QStringLiteral("Ship Date"), QStringLiteral("Colour")}
            << QList<int>{ColumnMapping::Serial, ColumnMapping::Model, ColumnMapping::Batch,
                          ColumnMapping::DeliveryDate, ColumnMapping::Ignore};
        QTest::newRow("german") << QStringList{QStringLiteral("Seriennummer"), QStringLiteral("Modell"),
                                               QStringLiteral("Hersteller"), QStringLiteral("Lieferdatum")}
                                << QList<int>{ColumnMapping::Serial, ColumnMapping::Model, ColumnMapping::Manufacturer,
                                              ColumnMapping::DeliveryDate};
        QTest::newRow("first of two wins") << QStringList{QStringLiteral("SN"), QStringLiteral("serial")}
                                           << QList<int>{ColumnMapping::Serial, ColumnMapping::Ignore};
    }
    void guessesColumns()
    {
        QFETCH(QStringList, header);
        QFETCH(QList<int>, targets);
        const ColumnMapping mapping = ColumnMapping::guess(header);
        QCOMPARE(mapping.columnCount(), targets.size());
        for (int c = 0; c < targets.size(); ++c)
            QCOMPARE(int(mapping.target(c)), targets.at(c));
        QVERIFY(mapping.problem().isEmpty());
    }

    void mappingProblemsAndCanonicalRows()
    {
        ColumnMapping mapping({ColumnMapping::Model, ColumnMapping::Ignore, ColumnMapping::Batch});
        QVERIFY(mapping.problem().contains(QStringLiteral("serial")));
        mapping.setTarget(1, ColumnMapping::Model);
        QVERIFY(mapping.problem().contains(QStringLiteral("serial")));
        mapping.setTarget(0, ColumnMapping::Serial);
        QVERIFY(mapping.problem().isEmpty());
        mapping.setTarget(2, ColumnMapping::Model);
        QVERIFY(mapping.problem().contains(QStringLiteral("Model")));
        mapping.setTarget(2, ColumnMapping::DeliveryDate);
        // Canonical order, whatever the file's order.
        mapping = ColumnMapping({ColumnMapping::DeliveryDate, ColumnMapping::Ignore, ColumnMapping::Serial});
        QCOMPARE(mapping.canonicalHeader(), (QStringList{QStringLiteral("serial"), QStringLiteral("deliveryDate")}));
        QCOMPARE(
            mapping.canonicalCells({QStringLiteral(" 2026-11-20 "), QStringLiteral("red"), QStringLiteral("SN-1")}),
            (QStringList{QStringLiteral("SN-1"), QStringLiteral("2026-11-20")}));
    }

    void previewModel()
    {
        const auto table = CsvReader::parse("Serial No.;Colour\nSN-1;red\nSN-2;blue\nSN-3;green\n");
        QVERIFY(table.ok());
        CsvPreviewModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setTable(*table, 2);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), 2);
        QCOMPARE(model.index(1, 1).data().toString(), QStringLiteral("blue"));
        QCOMPARE(model.headerData(1, Qt::Vertical).toInt(), 3);
        QVERIFY(model.headerData(0, Qt::Horizontal).toString().contains(QStringLiteral("Serial")));
        QVERIFY(model.headerData(1, Qt::Horizontal).toString().contains(QStringLiteral("ignore")));
        model.setMapping(ColumnMapping({ColumnMapping::Serial, ColumnMapping::Notes}));
        QVERIFY(model.headerData(1, Qt::Horizontal).toString().contains(QStringLiteral("Notes")));
    }

    void chunksAreBoundedByRowsAndBytes()
    {
        // Plain rows go ChunkRows to a request; rows with long notes go
        // fewer, so that no request nears the middleware's 16 MiB limit for
        // an import body; a row longer than a chunk's bytes goes alone.
        const auto jobFor = [](const QByteArray &csv) {
            const auto table = CsvReader::parse(csv);
            auto job = std::make_unique<ImportJob>(nullptr);
            if (table.ok())
                job->setData(*table, ColumnMapping::guess(table->header));
            return job;
        };
        const auto plain = [](int rows) {
            QByteArray csv = "serial,model\n";
            for (int i = 0; i < rows; ++i)
                csv += "SN-" + QByteArray::number(i) + ",M\n";
            return csv;
        };
        QCOMPARE(jobFor(plain(ImportJob::ChunkRows))->chunkCount(), 1);
        QCOMPARE(jobFor(plain(ImportJob::ChunkRows + 1))->chunkCount(), 2);
        QCOMPARE(jobFor(plain(3 * ImportJob::ChunkRows))->chunkCount(), 3);

        // 4,096-character notes, half of them quotes (doubled as sent): some
        // 6 KiB a row, so 5,000 rows would make some 30 MiB.
        const QByteArray notes = '"' + QByteArray(2048, 'a') + QByteArray(2048, '"').replace("\"", "\"\"") + '"';
        QByteArray csv = "serial,notes\n";
        const int rows = ImportJob::ChunkRows;
        for (int i = 0; i < rows; ++i)
            csv += "LONG-" + QByteArray::number(i) + ',' + notes + '\n';
        const auto job = jobFor(csv);
        QCOMPARE(job->sendableRows(), rows);
        const qint64 line = CsvReader::writeRow({QStringLiteral("LONG-1000"),
                                                 QString(2048, QLatin1Char('a')) + QString(2048, QLatin1Char('"'))})
                                .size();
        QVERIFY(line > 6000);
        const int perChunk = int(ImportJob::ChunkBytes / line);
        QVERIFY(perChunk < rows);
        QCOMPARE(job->chunkCount(), (rows + perChunk - 1) / perChunk);

        // One row beyond a chunk's bytes: alone, between its neighbours.
        QByteArray huge = "serial,notes\nBEFORE,x\nHUGE," + QByteArray(ImportJob::ChunkBytes + 10, 'h') + "\nAFTER,y\n";
        QCOMPARE(jobFor(huge)->chunkCount(), 3);
    }

    void theImportTakesTheRowsItsDryRunChecked()
    {
        QByteArray csv = "serial,model\n=1+1,a\n=1+1,b\n";
        for (int i = 0; i < ImportJob::ChunkRows + 10; ++i)
            csv += "SN-" + QByteArray::number(i) + ",M\n";
        const auto table = CsvReader::parse(csv);
        QVERIFY(table.ok());
        ImportJob check(nullptr);
        check.setData(*table, ColumnMapping::guess(table->header));
        ImportJob import(nullptr);
        import.setDataOf(check);
        QCOMPARE(import.sendableRows(), check.sendableRows());
        QCOMPARE(import.sendableRows(), ImportJob::ChunkRows + 11);
        QCOMPARE(import.totalRows(), check.totalRows());
        QCOMPARE(import.chunkCount(), 2);
        QCOMPARE(import.reportCsv(), check.reportCsv());
        QCOMPARE(import.results().size(), 1); // the repeated serial, found before sending
    }

    void rowsThatCannotBeRightStayHome()
    {
        // Checked before anything is sent; the report is safe to open in a
        // spreadsheet even when the file held formulas.
        const auto table = CsvReader::parse("serial,model\n=1+1,a\n=1+1,b\n,c\nSN-9\n,\nSN-10,d\n");
        QVERIFY(table.ok());
        ImportJob job(nullptr);
        job.setData(*table, ColumnMapping::guess(table->header));
        QCOMPARE(job.sendableRows(), 2);
        QCOMPARE(job.totalRows(), 5); // the row of empty cells is not a device
        QCOMPARE(job.chunkCount(), 1);
        const QList<ImportRowResult> results = job.results();
        QCOMPARE(results.size(), 3);
        QCOMPARE(results.at(0).row, 3);
        QVERIFY(results.at(0).message.contains(QStringLiteral("row 2")));
        QCOMPARE(results.at(1).row, 4);
        QCOMPARE(results.at(1).message, QStringLiteral("serial is empty"));
        QCOMPARE(results.at(2).row, 5);
        QVERIFY(results.at(2).message.contains(QStringLiteral("1 fields")));
        const QByteArray report = job.reportCsv();
        QVERIFY2(report.contains("3,'=1+1,error,serial '=1+1' already appears in row 2"), report.constData());
        QVERIFY(!report.contains(",=1+1"));
    }

    void reportNeverRunsFormulas_data()
    {
        QTest::addColumn<QByteArray>("serial"); // as in the delivery file (CSV-quoted where needed)
        QTest::addColumn<QByteArray>("reported");
        QTest::newRow("equals") << QByteArray("=1+1") << QByteArray("'=1+1");
        QTest::newRow("plus") << QByteArray("+1+1") << QByteArray("'+1+1");
        QTest::newRow("minus") << QByteArray("-2+3+cmd") << QByteArray("'-2+3+cmd");
        QTest::newRow("at") << QByteArray("@SUM(A1)") << QByteArray("'@SUM(A1)");
        // Serials are trimmed; what is left still never runs.
        QTest::newRow("tab") << QByteArray("\"\t=1\"") << QByteArray("'=1");
        QTest::newRow("carriage return") << QByteArray("\"\r=1\"") << QByteArray("'=1");
    }

    void reportNeverRunsFormulas()
    {
        // A serial that appears twice is reported with its row; from someone
        // else's file, it must stay text in the spreadsheet the report opens in.
        QFETCH(QByteArray, serial);
        QFETCH(QByteArray, reported);
        const auto table = CsvReader::parse("serial,model\n" + serial + ",a\n" + serial + ",b\n");
        QVERIFY(table.ok());
        ImportJob job(nullptr);
        job.setData(*table, ColumnMapping::guess(table->header));
        const QByteArray report = job.reportCsv();
        QVERIFY2(report.contains(QByteArray("3," + reported + ",error,")), report.constData());
    }

    void rowsTheReaderReportedStayHome()
    {
        // A malformed record (text after a closing quote, a NUL byte) is
        // reported with the reader's reason and never sent.
        const auto table = CsvReader::parse(QByteArray("serial,model\n\"SN-1\"x,a\nSN-2,b\0\nSN-3,c\n", 38));
        QVERIFY(table.ok());
        ImportJob job(nullptr);
        job.setData(*table, ColumnMapping::guess(table->header));
        QCOMPARE(job.sendableRows(), 1);
        const QList<ImportRowResult> results = job.results();
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.at(0).row, 2);
        QVERIFY2(results.at(0).message.contains(QStringLiteral("after a closing quote")),
                 qPrintable(results.at(0).message));
        QCOMPARE(results.at(1).row, 3);
        QVERIFY2(results.at(1).message.contains(QStringLiteral("NUL")), qPrintable(results.at(1).message));
    }

    void resultsModel()
    {
        ImportResultsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResults({{2, QStringLiteral("SN-1"), QStringLiteral("created"), {}},
                          {3, QStringLiteral("SN-2"), QStringLiteral("error"), QStringLiteral("bad date")},
                          {4, QStringLiteral("SN-3"), QStringLiteral("notSent"), QStringLiteral("stopped")}});
        QCOMPARE(model.rowCount(), 2); // problems only
        QCOMPARE(model.index(0, ImportResultsModel::RowColumn).data().toInt(), 3);
        QCOMPARE(model.index(0, ImportResultsModel::MessageColumn).data().toString(), QStringLiteral("bad date"));
        QCOMPARE(model.index(1, ImportResultsModel::ResultColumn).data().toString(), QStringLiteral("not sent"));
        model.setProblemsOnly(false);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, ImportResultsModel::SerialColumn).data().toString(), QStringLiteral("SN-1"));
    }
};

QTEST_MAIN(TestImportCsv)
#include "tst_crm_import_csv.moc"
