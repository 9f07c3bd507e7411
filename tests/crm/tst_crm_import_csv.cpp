// SPDX-License-Identifier: Apache-2.0
// The delivery-file reader and the column mapping on their own: what
// spreadsheets really write (BOM, ';', quotes, line breaks in cells,
// Windows-1252), and the guesses from manufacturers' headers.
#include "columnmapping.h"
#include "csvpreviewmodel.h"
#include "csvreader.h"
#include "importjob.h"
#include "importresultsmodel.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Crm;
using Target = ColumnMapping::Target;

class TestImportCsv : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reads_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("delimiter");
        QTest::addColumn<QStringList>("header");
        QTest::addColumn<QList<int>>("numbers");
        QTest::addColumn<QList<QStringList>>("rows");

        const QStringList h{QStringLiteral("serial"), QStringLiteral("model")};
        QTest::newRow("comma") << QByteArray("serial,model\nSN-1,Sensor 2\nSN-2,Sensor 3\n") << QStringLiteral(",") << h
                               << QList<int>{2, 3}
                               << QList<QStringList>{{QStringLiteral("SN-1"), QStringLiteral("Sensor 2")},
                                                     {QStringLiteral("SN-2"), QStringLiteral("Sensor 3")}};
        QTest::newRow("semicolon, BOM, CRLF")
            << QByteArray("\xEF\xBB\xBFserial;model\r\nSN-1;Sensor, 2\r\n") << QStringLiteral(";") << h << QList<int>{2}
            << QList<QStringList>{{QStringLiteral("SN-1"), QStringLiteral("Sensor, 2")}};
        QTest::newRow("quotes and a line break in a cell")
            << QByteArray("serial,model\n\"SN-1\",\"Sensor \"\"2\"\"\nrev b\"\nSN-2,x\n") << QStringLiteral(",") << h
            << QList<int>{2, 3}
            << QList<QStringList>{{QStringLiteral("SN-1"), QStringLiteral("Sensor \"2\"\nrev b")},
                                  {QStringLiteral("SN-2"), QStringLiteral("x")}};
        QTest::newRow("blank lines count, no final newline")
            << QByteArray("serial,model\n\nSN-1,a\n\n\nSN-2,b") << QStringLiteral(",") << h << QList<int>{3, 6}
            << QList<QStringList>{{QStringLiteral("SN-1"), QStringLiteral("a")},
                                  {QStringLiteral("SN-2"), QStringLiteral("b")}};
        QTest::newRow("tab") << QByteArray("serial\tmodel\nSN-1\tS,2\n") << QStringLiteral("\t") << h << QList<int>{2}
                             << QList<QStringList>{{QStringLiteral("SN-1"), QStringLiteral("S,2")}};
        QTest::newRow("windows-1252") << QByteArray("serial;model\nSN-1;M\xfc"
                                                    "ller \x80\n")
                                      << QStringLiteral(";") << h << QList<int>{2}
                                      << QList<QStringList>{
                                             {QStringLiteral("SN-1"), QStringLiteral("M\u00fcller \u20ac")}};
        QTest::newRow("delimiter inside a quoted header does not count")
            << QByteArray("\"serial;no\",model\nSN-1,a\n") << QStringLiteral(",")
            << QStringList{QStringLiteral("serial;no"), QStringLiteral("model")} << QList<int>{2}
            << QList<QStringList>{{QStringLiteral("SN-1"), QStringLiteral("a")}};
    }
    void reads()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, delimiter);
        QFETCH(QStringList, header);
        QFETCH(QList<int>, numbers);
        QFETCH(QList<QStringList>, rows);
        const auto table = CsvReader::parse(data);
        QVERIFY2(table.ok(), qPrintable(table.error().message));
        QCOMPARE(QString(table->delimiter), delimiter);
        QCOMPARE(table->header, header);
        QCOMPARE(table->rows.size(), rows.size());
        for (qsizetype i = 0; i < rows.size(); ++i) {
            QCOMPARE(table->rows.at(i).number, numbers.at(i));
            QCOMPARE(table->rows.at(i).fields, rows.at(i));
        }
    }

    void rejectsUnreadableFiles_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
        QTest::newRow("only blank lines") << QByteArray("\n\r\n") << QStringLiteral("empty");
        QTest::newRow("unclosed quote") << QByteArray("serial\nSN-1\n\"SN-2\nSN-3\n") << QStringLiteral("line 3");
    }
    void rejectsUnreadableFiles()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, message);
        const auto table = CsvReader::parse(data);
        QVERIFY(!table.ok());
        QCOMPARE(table.error().code, ErrorCode::InvalidInput);
        QVERIFY2(table.error().message.contains(message), qPrintable(table.error().message));
    }

    void readsFilesAndSaysWhyNot()
    {
        QTemporaryDir dir;
        const auto missing = CsvReader::readFile(dir.filePath(QStringLiteral("nope.csv")));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.contains(QStringLiteral("nope.csv")));
    }

    void explicitDelimiterWins()
    {
        const auto table = CsvReader::parse("a;b,c\n1;2,3\n", u',');
        QVERIFY(table.ok());
        QCOMPARE(table->header, (QStringList{QStringLiteral("a;b"), QStringLiteral("c")}));
    }

    void writesWhatItReads()
    {
        const QStringList fields{QStringLiteral("SN-1"),
                                 QStringLiteral("a,b"),
                                 QStringLiteral("say \"hi\""),
                                 QStringLiteral("two\nlines"),
                                 QString(),
                                 QStringLiteral(" padded ")};
        const QByteArray line = CsvReader::writeRow(fields);
        QVERIFY(line.endsWith("\r\n"));
        const auto back =
            CsvReader::parse(CsvReader::writeRow({QStringLiteral("h1"), QStringLiteral("h2"), QStringLiteral("h3"),
                                                  QStringLiteral("h4"), QStringLiteral("h5"), QStringLiteral("h6")}) +
                             line);
        QVERIFY(back.ok());
        QCOMPARE(back->rows.size(), 1);
        QCOMPARE(back->rows.first().fields, fields);
    }

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
