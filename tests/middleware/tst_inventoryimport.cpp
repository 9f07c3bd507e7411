// SPDX-License-Identifier: Apache-2.0
// POST /api/v1/devices/import: a manufacturer's delivery list as CSV, against
// a real middleware over HTTPS (SQLite, and PostgreSQL as _pg).
#include "childprocesswatch.h"
#include "crmtestutil.h"

#include <QElapsedTimer>
#include <QTest>

using namespace Provisio::Test;

class TestInventoryImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void goodFile();
    void mixedRowsAreReportedAndSkipped();
    void quotedFields();
    void cellsAtTheirLimits_data();
    void cellsAtTheirLimits();
    void fileErrorsImportNothing_data();
    void fileErrorsImportNothing();
    void existingSerials();
    void dryRunChangesNothing();
    void oversizeFileIsRefused();
    void largeFile();
    void aFailedPartImportsNothing();
    void reportEscapesWhatItEchoes();

private:
    HttpsClient::Reply import(const QByteArray &csv, const QString &query = {});
    QJsonObject device(const QString &serial);
    QByteArray snapshot();

    CrmFixture m_f;
    std::unique_ptr<HttpsClient> m_operator;
    QString m_customerId;
};

HttpsClient::Reply TestInventoryImport::import(const QByteArray &csv, const QString &query)
{
    return m_operator->send("POST", QStringLiteral("/api/v1/devices/import") + query, csv, {}, "text/csv");
}

QJsonObject TestInventoryImport::device(const QString &serial)
{
    const auto r = m_operator->get(QStringLiteral("/api/v1/devices/") + serial);
    return r.status == 200 ? r.json() : QJsonObject();
}

QByteArray TestInventoryImport::snapshot()
{
    return m_operator->get(QStringLiteral("/api/v1/devices?limit=1000")).body +
           m_operator->get(QStringLiteral("/api/v1/audit?limit=1")).body;
}

void TestInventoryImport::initTestCase()
{
    QVERIFY(m_f.start());
    m_operator = m_f.client(m_f.operatorToken);
    const auto c = m_operator->post(QStringLiteral("/api/v1/customers"),
                                    {{QStringLiteral("name"), QStringLiteral("Import Customer")}});
    QCOMPARE(c.status, 201);
    m_customerId = c.json().value(QStringLiteral("id")).toString();
}

void TestInventoryImport::goodFile()
{
    // As a spreadsheet saves it: BOM, CRLF, capitalised headers in its own order.
    const QByteArray csv = "\xEF\xBB\xBFSerial,Model,Manufacturer,Batch,DeliveryDate,customerId,Notes\r\n"
                           "GOOD-1,K1,Acme,B-2024-01,2024-01-15,,first\r\n"
                           "GOOD-2,K1,Acme,B-2024-01,2024-01-15,,\r\n"
                           "GOOD-3,K2,Acme,B-2024-02,2024-02-01," +
                           m_customerId.toUtf8() + ",sold ahead\r\n";
    const auto r = import(csv);
    QCOMPARE(r.status, 200);
    const QJsonObject report = r.json();
    QCOMPARE(report.value(QStringLiteral("created")).toInt(), 3);
    QCOMPARE(report.value(QStringLiteral("updated")).toInt(), 0);
    QCOMPARE(report.value(QStringLiteral("failed")).toInt(), 0);
    const QJsonArray rows = report.value(QStringLiteral("rows")).toArray();
    QCOMPARE(rows.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject row = rows.at(i).toObject();
        QCOMPARE(row.value(QStringLiteral("row")).toInt(), i + 2); // the header is row 1
        QCOMPARE(row.value(QStringLiteral("serial")).toString(), QStringLiteral("GOOD-%1").arg(i + 1));
        QCOMPARE(row.value(QStringLiteral("result")).toString(), QStringLiteral("created"));
    }

    const QJsonObject first = device(QStringLiteral("GOOD-1"));
    QCOMPARE(first.value(QStringLiteral("model")).toString(), QStringLiteral("K1"));
    QCOMPARE(first.value(QStringLiteral("manufacturer")).toString(), QStringLiteral("Acme"));
    QCOMPARE(first.value(QStringLiteral("batch")).toString(), QStringLiteral("B-2024-01"));
    QCOMPARE(first.value(QStringLiteral("deliveryDate")).toString(), QStringLiteral("2024-01-15"));
    QCOMPARE(first.value(QStringLiteral("notes")).toString(), QStringLiteral("first"));
    QCOMPARE(first.value(QStringLiteral("status")).toString(), QStringLiteral("inStock"));
    QVERIFY(!first.value(QStringLiteral("etag")).toString().isEmpty());
    QCOMPARE(device(QStringLiteral("GOOD-3")).value(QStringLiteral("customerId")).toString(), m_customerId);

    // Every imported device has its audit entry.
    const auto audit = m_operator->get(QStringLiteral("/api/v1/audit?entityType=device&entityId=GOOD-2"));
    const QJsonArray entries = audit.json().value(QStringLiteral("items")).toArray();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("import"));
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("actor")).toString(), QStringLiteral("token:test-operator"));
    QCOMPARE(
        entries.at(0).toObject().value(QStringLiteral("after")).toObject().value(QStringLiteral("batch")).toString(),
        QStringLiteral("B-2024-01"));
}

void TestInventoryImport::mixedRowsAreReportedAndSkipped()
{
    QCOMPARE(
        m_operator->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("MIX-OLD")}})
            .status,
        201);
    const QByteArray csv = "serial,model,deliveryDate,customerId\n"
                           "MIX-1,M,2024-05-01,\n"  // 2 ok
                           "bad serial!,M,,\n"      // 3 invalid serial
                           "MIX-2,M,05/01/2024,\n"  // 4 bad date
                           "MIX-3,M,,cus_nobody\n"  // 5 unknown customer
                           "MIX-1,M,,\n"            // 6 repeated in the file
                           "MIX-4,M\n"              // 7 too few fields
                           "MIX-OLD,M,,\n"          // 8 exists already
                           "\n"                     // 9 blank: skipped
                           ",M,,\n"                 // 10 no serial
                           "\"MIX-5\"x,M,,\n"       // 11 junk after a quote
                           "MIX-6,M,2024-05-02,\n"; // 12 ok
    const auto r = import(csv);
    QCOMPARE(r.status, 200);
    const QJsonObject report = r.json();
    QCOMPARE(report.value(QStringLiteral("created")).toInt(), 2);
    QCOMPARE(report.value(QStringLiteral("updated")).toInt(), 0);
    QCOMPARE(report.value(QStringLiteral("failed")).toInt(), 8);

    struct Expected
    {
        int row;
        const char *serial;
        const char *result;
        const char *message;
    };
    const Expected expected[] = {
        {2, "MIX-1", "created", ""},
        {3, "bad serial!", "error", "field 'serial'"},
        {4, "MIX-2", "error", "field 'deliveryDate'"},
        {5, "MIX-3", "error", "no customer with id 'cus_nobody'"},
        {6, "MIX-1", "error", "already appears in row 2"},
        {7, "MIX-4", "error", "has 2 fields; the header row has 4"},
        {8, "MIX-OLD", "error", "already exists"},
        {10, "", "error", "serial is empty"},
        {11, "MIX-5", "error", "after a closing quote"},
        {12, "MIX-6", "created", ""},
    };
    const QJsonArray rows = report.value(QStringLiteral("rows")).toArray();
    QCOMPARE(rows.size(), int(std::size(expected)));
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows.at(i).toObject();
        const Expected &e = expected[i];
        QCOMPARE(row.value(QStringLiteral("row")).toInt(), e.row);
        QCOMPARE(row.value(QStringLiteral("serial")).toString(), QString::fromLatin1(e.serial));
        QCOMPARE(row.value(QStringLiteral("result")).toString(), QString::fromLatin1(e.result));
        QVERIFY2(row.value(QStringLiteral("message")).toString().contains(QString::fromLatin1(e.message)),
                 qPrintable(row.value(QStringLiteral("message")).toString()));
    }
    QCOMPARE(device(QStringLiteral("MIX-1")).value(QStringLiteral("deliveryDate")).toString(),
             QStringLiteral("2024-05-01"));
    QVERIFY(!device(QStringLiteral("MIX-6")).isEmpty());
    for (const char *skipped : {"MIX-2", "MIX-3", "MIX-4", "MIX-5"})
        QVERIFY2(device(QString::fromLatin1(skipped)).isEmpty(), skipped);
    QCOMPARE(device(QStringLiteral("MIX-OLD")).value(QStringLiteral("model")).toString(), QString());
}

void TestInventoryImport::quotedFields()
{
    const QByteArray csv = "serial,notes,model\n"
                           "QUOTE-1,\"Box 3, shelf 2\",\"K1 \"\"Pro\"\"\"\n"
                           "QUOTE-2,\"line one\r\nline two\",plain\n"
                           "QUOTE-3,\"\"\"quoted\"\", with comma, and \"\"more\"\"\",\"\"\n";
    const auto r = import(csv);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("created")).toInt(), 3);
    QCOMPARE(r.json().value(QStringLiteral("failed")).toInt(), 0);
    QCOMPARE(device(QStringLiteral("QUOTE-1")).value(QStringLiteral("notes")).toString(),
             QStringLiteral("Box 3, shelf 2"));
    QCOMPARE(device(QStringLiteral("QUOTE-1")).value(QStringLiteral("model")).toString(), QStringLiteral("K1 \"Pro\""));
    QCOMPARE(device(QStringLiteral("QUOTE-2")).value(QStringLiteral("notes")).toString(),
             QStringLiteral("line one\r\nline two"));
    QCOMPARE(device(QStringLiteral("QUOTE-2")).value(QStringLiteral("model")).toString(), QStringLiteral("plain"));
    QCOMPARE(device(QStringLiteral("QUOTE-3")).value(QStringLiteral("notes")).toString(),
             QStringLiteral("\"quoted\", with comma, and \"more\""));
    // The report numbers records, so the row after a quoted line break is 4.
    QCOMPARE(r.json().value(QStringLiteral("rows")).toArray().at(2).toObject().value(QStringLiteral("row")).toInt(), 4);
}

void TestInventoryImport::cellsAtTheirLimits_data()
{
    // One row each, at a limit and one past it: a row inside every limit
    // is stored as written, any other is reported with the record
    // reader's own words (plainly valid rows take a shorter way in).
    QTest::addColumn<QString>("column");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message"); // empty: created and stored as written
    const QString tooLong = QStringLiteral("field '%1' must be at most %2 characters");
    const QString badDate = QStringLiteral("field 'deliveryDate' must be a date in the form yyyy-MM-dd");
    QTest::newRow("model 256") << "model" << QString(256, QLatin1Char('m')) << QString();
    QTest::newRow("model 257") << "model" << QString(257, QLatin1Char('m'))
                               << tooLong.arg(QStringLiteral("model")).arg(256);
    QTest::newRow("batch 257") << "batch" << QString(257, QLatin1Char('b'))
                               << tooLong.arg(QStringLiteral("batch")).arg(256);
    QTest::newRow("manufacturer 257") << "manufacturer" << QString(257, QLatin1Char('a'))
                                      << tooLong.arg(QStringLiteral("manufacturer")).arg(256);
    QTest::newRow("notes 4096") << "notes" << QString(4096, QLatin1Char('n')) << QString();
    QTest::newRow("notes 4097") << "notes" << QString(4097, QLatin1Char('n'))
                                << tooLong.arg(QStringLiteral("notes")).arg(4096);
    QTest::newRow("leap day") << "deliveryDate" << QStringLiteral("2024-02-29") << QString();
    QTest::newRow("no leap day") << "deliveryDate" << QStringLiteral("2023-02-29") << badDate;
    QTest::newRow("month 13") << "deliveryDate" << QStringLiteral("2024-13-01") << badDate;
    QTest::newRow("short month") << "deliveryDate" << QStringLiteral("2024-1-01") << badDate;
    QTest::newRow("slashes") << "deliveryDate" << QStringLiteral("2024/01/01") << badDate;
    QTest::newRow("date and time") << "deliveryDate" << QStringLiteral("2024-01-01T00:00") << badDate;
    QTest::newRow("notes with markup") << "notes" << QStringLiteral("<b>\"x\"</b> \\ é") << QString();
}

void TestInventoryImport::cellsAtTheirLimits()
{
    QFETCH(QString, column);
    QFETCH(QString, value);
    QFETCH(QString, message);
    static int n = 0;
    const QString serial = QStringLiteral("LIMIT-%1").arg(++n);
    QString cell = value;
    cell.replace(QLatin1Char('"'), QLatin1String("\"\""));
    const QByteArray csv = "serial," + column.toUtf8() + "\n" + serial.toUtf8() + ",\"" + cell.toUtf8() + "\"\n";
    const auto r = import(csv);
    QCOMPARE(r.status, 200);
    const QJsonObject row = r.json().value(QStringLiteral("rows")).toArray().at(0).toObject();
    if (message.isEmpty()) {
        QCOMPARE(row.value(QStringLiteral("result")).toString(), QStringLiteral("created"));
        QCOMPARE(device(serial).value(column).toString(), value);
    } else {
        QCOMPARE(row.value(QStringLiteral("result")).toString(), QStringLiteral("error"));
        QCOMPARE(row.value(QStringLiteral("message")).toString(), message);
        QVERIFY(device(serial).isEmpty());
    }
}

void TestInventoryImport::fileErrorsImportNothing_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("message");

    const QByteArray text = "text/csv";
    QTest::newRow("unknown column") << QByteArray("serial,model,colour\nFE-1,M,red\n") << QString() << text
                                    << "unknown column 'colour'";
    QTest::newRow("unknown column late") << QByteArray("serial,model,notes,warranty\nFE-1,M,,2y\n") << QString() << text
                                         << "unknown column 'warranty'";
    QTest::newRow("no serial column") << QByteArray("model,batch\nM,B\n") << QString() << text << "no 'serial' column";
    QTest::newRow("repeated column") << QByteArray("serial,model,Model\nFE-1,M,N\n") << QString() << text
                                     << "appears twice";
    QTest::newRow("status not importable")
        << QByteArray("serial,status\nFE-1,sold\n") << QString() << text << "unknown column 'status'";
    QTest::newRow("empty file") << QByteArray() << QString() << text << "empty";
    QTest::newRow("only blank lines") << QByteArray("\r\n\n") << QString() << text << "empty";
    QTest::newRow("unterminated quote") << QByteArray("serial,notes\nFE-1,\"never closed\nFE-2,x\n") << QString()
                                        << text << "never closed";
    QTest::newRow("not UTF-8") << QByteArray("serial,notes\nFE-1,\xff\xfe\n") << QString() << text << "UTF-8";
    QTest::newRow("JSON body") << QByteArray("{\"serial\":\"FE-1\"}") << QString() << QByteArray("application/json")
                               << "text/csv";
    QTest::newRow("bad mode") << QByteArray("serial\nFE-1\n") << QStringLiteral("?mode=replace") << text << "mode";
    QTest::newRow("bad dryRun") << QByteArray("serial\nFE-1\n") << QStringLiteral("?dryRun=perhaps") << text
                                << "dryRun";
    QTest::newRow("unknown parameter") << QByteArray("serial\nFE-1\n") << QStringLiteral("?upsert=true") << text
                                       << "unknown query parameter 'upsert'";
}

void TestInventoryImport::fileErrorsImportNothing()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, query);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, message);

    const QByteArray before = snapshot();
    const auto r = m_operator->send("POST", QStringLiteral("/api/v1/devices/import") + query, csv, {}, contentType);
    QVERIFY2(r.status == 400, qPrintable(QString::number(r.status) + QLatin1Char(' ') + QString::fromUtf8(r.body)));
    QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(message), r.body.constData());
    QCOMPARE(snapshot(), before);
    QVERIFY(device(QStringLiteral("FE-1")).isEmpty());
}

void TestInventoryImport::existingSerials()
{
    QCOMPARE(m_operator
                 ->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("UP-1")},
                                                            {QStringLiteral("model"), QStringLiteral("Old")},
                                                            {QStringLiteral("batch"), QStringLiteral("B1")},
                                                            {QStringLiteral("notes"), QStringLiteral("keep me")}})
                 .status,
             201);
    const QJsonObject original = device(QStringLiteral("UP-1"));
    const QByteArray csv = "serial,model,batch,notes\nUP-1,New,,\nUP-2,Fresh,B9,\n";

    // By default an existing serial is an error and stays as it was.
    const auto plain = import(csv);
    QCOMPARE(plain.status, 200);
    QCOMPARE(plain.json().value(QStringLiteral("created")).toInt(), 1);
    QCOMPARE(plain.json().value(QStringLiteral("failed")).toInt(), 1);
    const QJsonObject refused = plain.json().value(QStringLiteral("rows")).toArray().at(0).toObject();
    QCOMPARE(refused.value(QStringLiteral("result")).toString(), QStringLiteral("error"));
    QVERIFY(refused.value(QStringLiteral("message"))
                .toString()
                .startsWith(QStringLiteral("a device with serial UP-1 already exists")));
    QCOMPARE(device(QStringLiteral("UP-1")), original);

    // Upsert updates: given cells replace, blank cells keep the stored value.
    const auto upsert = import(csv, QStringLiteral("?mode=upsert"));
    QCOMPARE(upsert.status, 200);
    QCOMPARE(upsert.json().value(QStringLiteral("created")).toInt(), 0);
    QCOMPARE(upsert.json().value(QStringLiteral("updated")).toInt(), 2);
    QCOMPARE(upsert.json().value(QStringLiteral("failed")).toInt(), 0);
    const QJsonObject updated = device(QStringLiteral("UP-1"));
    QCOMPARE(updated.value(QStringLiteral("model")).toString(), QStringLiteral("New"));
    QCOMPARE(updated.value(QStringLiteral("batch")).toString(), QStringLiteral("B1"));
    QCOMPARE(updated.value(QStringLiteral("notes")).toString(), QStringLiteral("keep me"));
    QCOMPARE(updated.value(QStringLiteral("createdDateTimeUtc")), original.value(QStringLiteral("createdDateTimeUtc")));
    QVERIFY(updated.value(QStringLiteral("etag")) != original.value(QStringLiteral("etag")));

    const auto audit = m_operator->get(QStringLiteral("/api/v1/audit?entityType=device&entityId=UP-1&limit=1"));
    const QJsonObject entry = audit.json().value(QStringLiteral("items")).toArray().at(0).toObject();
    QCOMPARE(entry.value(QStringLiteral("action")).toString(), QStringLiteral("import"));
    QCOMPARE(entry.value(QStringLiteral("before")).toObject().value(QStringLiteral("model")).toString(),
             QStringLiteral("Old"));
    QCOMPARE(entry.value(QStringLiteral("after")).toObject().value(QStringLiteral("model")).toString(),
             QStringLiteral("New"));
}

void TestInventoryImport::dryRunChangesNothing()
{
    QCOMPARE(m_operator
                 ->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("DRY-OLD")},
                                                            {QStringLiteral("model"), QStringLiteral("Before")}})
                 .status,
             201);
    const QByteArray before = snapshot();
    const QByteArray csv = "serial,model\nDRY-NEW,X\nDRY-OLD,After\nbad serial!,Y\n";
    const auto r = import(csv, QStringLiteral("?dryRun=true&mode=upsert"));
    QCOMPARE(r.status, 200);
    const QJsonObject report = r.json();
    QCOMPARE(report.value(QStringLiteral("dryRun")).toBool(), true);
    QCOMPARE(report.value(QStringLiteral("created")).toInt(), 1);
    QCOMPARE(report.value(QStringLiteral("updated")).toInt(), 1);
    QCOMPARE(report.value(QStringLiteral("failed")).toInt(), 1);
    QCOMPARE(snapshot(), before);
    QVERIFY(device(QStringLiteral("DRY-NEW")).isEmpty());
    QCOMPARE(device(QStringLiteral("DRY-OLD")).value(QStringLiteral("model")).toString(), QStringLiteral("Before"));

    // The same file for real does what the dry run said.
    const auto real = import(csv, QStringLiteral("?mode=upsert"));
    QCOMPARE(real.status, 200);
    QJsonObject realReport = real.json();
    QCOMPARE(realReport.value(QStringLiteral("dryRun")).toBool(), false);
    realReport.remove(QStringLiteral("dryRun"));
    QJsonObject dryReport = report;
    dryReport.remove(QStringLiteral("dryRun"));
    QCOMPARE(realReport, dryReport);
    QCOMPARE(device(QStringLiteral("DRY-OLD")).value(QStringLiteral("model")).toString(), QStringLiteral("After"));
}

void TestInventoryImport::oversizeFileIsRefused()
{
    const QByteArray before = snapshot();
    QByteArray csv = "serial,notes\n";
    const QByteArray row = "BIG-XXXXXXXX," + QByteArray(1000, 'n') + '\n';
    while (csv.size() <= 16 * 1024 * 1024)
        csv += row;
    const auto r = import(csv);
    QCOMPARE(r.status, 413);
    QCOMPARE(snapshot(), before);
}

void TestInventoryImport::largeFile()
{
    // A realistic delivery: 5000 devices, well under the 16 MiB limit.
    QByteArray csv = "serial,model,manufacturer,batch,deliveryDate,notes\n";
    constexpr int count = 5000;
    for (int i = 0; i < count; ++i)
        csv += QStringLiteral("BULK-%1,K9,Acme,BULK-B,2024-06-01,\"pallet %2, box %3\"\n")
                   .arg(i, 5, 10, QLatin1Char('0'))
                   .arg(i / 100)
                   .arg(i % 100)
                   .toUtf8();
    QElapsedTimer timer;
    timer.start();
    const auto r = import(csv);
    qInfo("imported %d devices in %lld ms", count, timer.elapsed());
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("created")).toInt(), count);
    QCOMPARE(r.json().value(QStringLiteral("failed")).toInt(), 0);

    int seen = 0;
    QString cursor;
    do {
        const auto page = m_operator->get(QStringLiteral("/api/v1/devices?batch=BULK-B&limit=1000") +
                                          (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor));
        QCOMPARE(page.status, 200);
        seen += page.json().value(QStringLiteral("items")).toArray().size();
        cursor = page.json().value(QStringLiteral("nextCursor")).toString();
    } while (!cursor.isEmpty());
    QCOMPARE(seen, count);
    QCOMPARE(device(QStringLiteral("BULK-04321")).value(QStringLiteral("notes")).toString(),
             QStringLiteral("pallet 43, box 21"));
}

// The report is written as text, not through QJsonDocument: a message that
// echoes a cell (a quote, a backslash, a tab, non-ASCII) must still come
// out as the JSON QJsonDocument would write of the same report.
void TestInventoryImport::aFailedPartImportsNothing()
{
    // New devices are written 1,000 rows at a time on the import's writer
    // thread while the next rows are validated, all in one transaction. A
    // write that fails in the third part (a row the database itself
    // refuses, through a trigger the test adds) must take the first two
    // parts' devices, audit entries and search entries with it, and leave
    // the writer ready for the next import.
    DirectDb db(*m_f.mw);
    const bool sqlite = m_f.mw->databaseUrl().isEmpty();
    const QString refused = QStringLiteral("PART-02500");
    if (sqlite) {
        QVERIFY(db.exec(QStringLiteral("CREATE TRIGGER test_refuse_row BEFORE INSERT ON devices WHEN NEW.serial = '") +
                        refused + QStringLiteral("' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")));
    } else {
        QVERIFY(db.exec(QStringLiteral("CREATE FUNCTION test_refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ "
                                       "BEGIN IF NEW.serial = '") +
                        refused +
                        QStringLiteral("' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$")));
        QVERIFY(db.exec(QStringLiteral("CREATE TRIGGER test_refuse_row BEFORE INSERT ON devices FOR EACH ROW "
                                       "EXECUTE FUNCTION test_refuse_row()")));
    }
    QByteArray csv = "serial,model,batch\n";
    constexpr int count = 3000;
    for (int i = 0; i < count; ++i)
        csv += QStringLiteral("PART-%1,P1,PART-B\n").arg(i, 5, 10, QLatin1Char('0')).toUtf8();
    const auto failed = import(csv);
    // SQLite reports a trigger's refusal as a constraint (409), PostgreSQL's
    // exception as a database error (503).
    QVERIFY2(failed.status == 409 || failed.status >= 500, failed.body.constData());
    QVERIFY2(failed.body.contains("nothing was imported"), failed.body.constData());
    const auto countOf = [&](const char *sql) {
        return db.scalar(QString::fromLatin1(sql), {QStringLiteral("PART-%")}).toLongLong();
    };
    QCOMPARE(countOf("SELECT COUNT(*) FROM devices WHERE serial LIKE ?"), 0);
    QCOMPARE(countOf("SELECT COUNT(*) FROM audit_log WHERE entity_id LIKE ?"), 0);
    QVERIFY(device(QStringLiteral("PART-00000")).isEmpty());
    const auto search = [&](const QString &text) {
        const auto r = m_operator->get(QStringLiteral("/api/v1/devices?limit=100&q=") + text);
        return r.json().value(QStringLiteral("items")).toArray().size();
    };
    QCOMPARE(search(QStringLiteral("part-0000")), 0);

    // Without the trigger the same file goes in whole, each part searchable
    // and audited; as an upsert (the CRM's mode) whose rows are all new,
    // it takes the same pipelined way.
    QVERIFY(
        db.exec(QStringLiteral("DROP TRIGGER test_refuse_row") + (sqlite ? QString() : QStringLiteral(" ON devices"))));
    const auto done = import(csv, QStringLiteral("?mode=upsert"));
    QCOMPARE(done.status, 200);
    QCOMPARE(done.json().value(QStringLiteral("created")).toInt(), count);
    QCOMPARE(countOf("SELECT COUNT(*) FROM devices WHERE serial LIKE ?"), count);
    QCOMPARE(countOf("SELECT COUNT(*) FROM audit_log WHERE entity_id LIKE ? AND action = 'import'"), count);
    QCOMPARE(search(QStringLiteral("part-0000")), 10);
    QCOMPARE(search(QStringLiteral("part-0150")), 10);
    QCOMPARE(search(QStringLiteral("part-0299")), 10);
    const auto history = m_operator->get(QStringLiteral("/api/v1/audit?entityType=device&entityId=") + refused);
    QCOMPARE(history.json().value(QStringLiteral("items")).toArray().size(), 1);
}

void TestInventoryImport::reportEscapesWhatItEchoes()
{
    const QByteArray csv = "serial,customerId\n"
                           "ESC-1,\"cus_\"\"q\\b\tc\xc3\xbc\"\n"
                           "ESC-2,\n";
    const auto r = import(csv, QStringLiteral("?dryRun=true"));
    QCOMPARE(r.status, 200);
    const QJsonObject report = r.json();
    QCOMPARE(report.value(QStringLiteral("failed")).toInt(), 1);
    QCOMPARE(report.value(QStringLiteral("created")).toInt(), 1);
    const QString message =
        report.value(QStringLiteral("rows")).toArray().at(0).toObject().value(QStringLiteral("message")).toString();
    QVERIFY2(message.contains(QStringLiteral("cus_\"q\\b\tc\u00fc")), qPrintable(message));
    QCOMPARE(r.body, QJsonDocument(report).toJson(QJsonDocument::Compact));
}

PROVISIO_TEST_MAIN(TestInventoryImport)
#include "tst_inventoryimport.moc"
