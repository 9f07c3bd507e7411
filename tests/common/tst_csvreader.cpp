// SPDX-License-Identifier: Apache-2.0
// CsvReader, the one CSV reader behind the server's inventory import and the
// CRM's delivery-file import: what spreadsheets really write (BOM, ';', tabs,
// quotes, line breaks in cells, Windows-1252) and what a hostile or broken
// file holds (a quote that never closes, a huge cell, a line of commas, NUL
// bytes, mixed line endings).
#include "csv/csvreader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;

namespace {

// A table as lines that read like the file: the header, then
// "row/line:field|field" with " !error" when the row was reported.
QStringList render(const CsvReader::Table &table)
{
    QStringList out{table.header.join(QLatin1Char('|'))};
    for (const CsvReader::Row &r : table.rows) {
        QString line = QString::number(r.number) + QLatin1Char('/') + QString::number(r.line) + QLatin1Char(':') +
                       r.fields.join(QLatin1Char('|'));
        if (!r.error.isEmpty())
            line += QStringLiteral(" !") + r.error;
        out << line;
    }
    return out;
}

CsvReader::Options options(const QString &delimiter, bool windows1252 = false)
{
    CsvReader::Options o;
    if (!delimiter.isEmpty())
        o.delimiter = delimiter.at(0);
    o.windows1252Fallback = windows1252;
    return o;
}

} // namespace

class TestCsvReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reads_data();
    void reads();
    void refusesUnreadableFiles_data();
    void refusesUnreadableFiles();
    void limits_data();
    void tellsHowFarItGot();
    void limits();
    void guessesDelimiter_data();
    void guessesDelimiter();
    void readsFilesAndSaysWhyNot();
    void writesWhatItReads();
    void spreadsheetCellsNeverRunFormulas_data();
    void spreadsheetCellsNeverRunFormulas();
};

void TestCsvReader::reads_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("delimiter"); // empty: guess
    QTest::addColumn<bool>("windows1252");
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QStringList>("expected");

    const QString utf8 = QStringLiteral("UTF-8");
    const auto rows = [](std::initializer_list<const char *> lines) {
        QStringList out;
        for (const char *l : lines)
            out << QString::fromUtf8(l);
        return out;
    };

    QTest::newRow("LF") << QByteArray("a,b\n1,2\n") << QString() << false << utf8 << rows({"a|b", "2/2:1|2"});
    QTest::newRow("CRLF") << QByteArray("a,b\r\n1,2\r\n") << QString() << false << utf8 << rows({"a|b", "2/2:1|2"});
    QTest::newRow("CR") << QByteArray("a,b\r1,2\r") << QString() << false << utf8 << rows({"a|b", "2/2:1|2"});
    QTest::newRow("mixed line endings") << QByteArray("h\r\na\nb\rc\r\n\nd") << QString() << false << utf8
                                        << rows({"h", "2/2:a", "3/3:b", "4/4:c", "6/6:d"});
    QTest::newRow("no final newline") << QByteArray("a,b\n1,2") << QString() << false << utf8
                                      << rows({"a|b", "2/2:1|2"});
    QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBFserial\nX\n") << QString() << false << utf8
                         << rows({"serial", "2/2:X"});
    QTest::newRow("header trimmed") << QByteArray(" serial , model\nX,Y\n") << QString() << false << utf8
                                    << rows({"serial|model", "2/2:X|Y"});
    QTest::newRow("empty fields") << QByteArray("a,,c\n,,\n") << QString() << false << utf8 << rows({"a||c", "2/2:||"});
    QTest::newRow("quoted comma") << QByteArray("h,i\n\"a,b\",c\n") << QString() << false << utf8
                                  << rows({"h|i", "2/2:a,b|c"});
    QTest::newRow("escaped quotes") << QByteArray("h,i\n\"say \"\"hi\"\"\",x\n") << QString() << false << utf8
                                    << rows({"h|i", "2/2:say \"hi\"|x"});
    QTest::newRow("quoted CRLF line break") << QByteArray("h,i\n\"two\r\nlines\",x\nnext,y\n") << QString() << false
                                            << utf8 << rows({"h|i", "2/2:two\r\nlines|x", "3/4:next|y"});
    QTest::newRow("quoted CR line break")
        << QByteArray("h,i\n\"x\ry\",1\nz,2\n") << QString() << false << utf8 << rows({"h|i", "2/2:x\ry|1", "3/4:z|2"});
    QTest::newRow("empty quoted") << QByteArray("h,i\n\"\",x\n") << QString() << false << utf8
                                  << rows({"h|i", "2/2:|x"});
    QTest::newRow("blank lines counted, skipped")
        << QByteArray("h\n\nX\n\r\nY\n") << QString() << false << utf8 << rows({"h", "3/3:X", "5/5:Y"});
    QTest::newRow("quote inside unquoted field")
        << QByteArray("h,i\n5\" screen,x\n") << QString() << false << utf8 << rows({"h|i", "2/2:5\" screen|x"});
    QTest::newRow("space after closing quote")
        << QByteArray("h,i\n\"a\" ,b\n") << QString() << false << utf8 << rows({"h|i", "2/2:a|b"});
    QTest::newRow("UTF-8") << QByteArray("h,i\nStraße,Łódź\n") << QString() << false << utf8
                           << rows({"h|i", "2/2:Straße|Łódź"});
    QTest::newRow("semicolon, BOM, CRLF") << QByteArray("\xEF\xBB\xBFserial;model\r\nSN-1;Sensor, 2\r\n") << QString()
                                          << false << utf8 << rows({"serial|model", "2/2:SN-1|Sensor, 2"});
    QTest::newRow("tab") << QByteArray("serial\tmodel\nSN-1\tS,2\n") << QString() << false << utf8
                         << rows({"serial|model", "2/2:SN-1|S,2"});
    QTest::newRow("quotes and a line break in a cell")
        << QByteArray("serial,model\n\"SN-1\",\"Sensor \"\"2\"\"\nrev b\"\nSN-2,x\n") << QString() << false << utf8
        << rows({"serial|model", "2/2:SN-1|Sensor \"2\"\nrev b", "3/4:SN-2|x"});
    QTest::newRow("delimiter inside a quoted header does not count")
        << QByteArray("\"serial;no\",model\nSN-1,a\n") << QString() << false << utf8
        << rows({"serial;no|model", "2/2:SN-1|a"});
    QTest::newRow("explicit delimiter wins")
        << QByteArray("a;b,c\n1;2,3\n") << QStringLiteral(",") << false << utf8 << rows({"a;b|c", "2/2:1;2|3"});
    QTest::newRow("windows-1252 fallback")
        << QByteArray("serial;model\nSN-1;M\xfc"
                      "ller \x80\n")
        << QString() << true << QStringLiteral("Windows-1252") << rows({"serial|model", "2/2:SN-1|Müller €"});
    QTest::newRow("UTF-8 stays UTF-8 with the fallback on")
        << QByteArray("h\nM\xc3\xbcller\n") << QString() << true << utf8 << rows({"h", "2/2:Müller"});

    // Malformed records are reported on their row; the others still read.
    QTest::newRow("text after a closing quote")
        << QByteArray("a,b\n\"x\"y,1\nok,2\n") << QString() << false << utf8
        << rows({"a|b", "2/2:x|1 !unexpected character after a closing quote in field 1", "3/3:ok|2"});
    QTest::newRow("NUL bytes") << QByteArray("h,i\na\0b,1\nok,\"\0\"\nfine,3\n", 24) << QString() << false << utf8
                               << QStringList{QStringLiteral("h|i"),
                                              QStringLiteral("2/2:a") + QChar(0) +
                                                  QStringLiteral("b|1 !field 1 contains a NUL character"),
                                              QStringLiteral("3/3:ok|") + QChar(0) +
                                                  QStringLiteral(" !field 2 contains a NUL character"),
                                              QStringLiteral("4/4:fine|3")};
}

void TestCsvReader::reads()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, delimiter);
    QFETCH(bool, windows1252);
    QFETCH(QString, encoding);
    QFETCH(QStringList, expected);
    const auto table = CsvReader::parse(csv, options(delimiter, windows1252));
    QVERIFY2(table.ok(), qPrintable(table.error().message));
    QCOMPARE(table->encoding, encoding);
    QCOMPARE(render(*table), expected);
}

void TestCsvReader::refusesUnreadableFiles_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("the CSV file is empty");
    QTest::newRow("only blank lines") << QByteArray("\n\r\n\r") << QStringLiteral("the CSV file is empty");
    QTest::newRow("unterminated quote") << QByteArray("a,b\n1,\"open\n2,3\n")
                                        << QStringLiteral("row 2 (line 2): a quoted field is never closed");
    QTest::newRow("unterminated quote after a multi-line cell")
        << QByteArray("h\n\"a\r\nb\"\n\n\"open") << QStringLiteral("row 4 (line 5): a quoted field is never closed");
    QTest::newRow("unterminated quote in a huge cell")
        << (QByteArray("h\n\"") + QByteArray(4 << 20, 'x')) << QStringLiteral("row 2 (line 2)");
    QTest::newRow("invalid UTF-8") << QByteArray("a,b\n\xff\xfe,1\n") << QStringLiteral("not valid UTF-8");
    QTest::newRow("UTF-16") << QByteArray("\xff\xfeh\0\n\0", 6) << QStringLiteral("not valid UTF-8");
    QTest::newRow("malformed header") << QByteArray("\"a\"b,c\n1,2\n")
                                      << QStringLiteral("header row: unexpected character after a closing quote");
    QTest::newRow("NUL in the header") << QByteArray("a\0,b\n1,2\n", 9)
                                       << QStringLiteral("header row: field 1 contains a NUL character");
    QTest::newRow("header of too many columns")
        << QByteArray(5000, ',') << QStringLiteral("header row: has more than 1024 fields");
    QTest::newRow("nameless header") << QByteArray("\"\"\nx\n")
                                     << QStringLiteral("the first row must name the columns");
}

void TestCsvReader::refusesUnreadableFiles()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, message);
    const auto table = CsvReader::parse(csv);
    QVERIFY(!table.ok());
    QCOMPARE(table.error().code, ErrorCode::InvalidInput);
    QVERIFY2(table.error().message.contains(message), qPrintable(table.error().message));
}

void TestCsvReader::limits_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<int>("maxFields");
    QTest::addColumn<QList<int>>("fieldCounts");
    QTest::addColumn<QList<int>>("longestField");
    QTest::addColumn<QStringList>("errors");

    const int huge = 8 << 20;
    QTest::newRow("huge quoted cell") << (QByteArray("h,i\n\"") + QByteArray(huge, 'x') + "\",1\nok,2\n") << 1024
                                      << QList<int>{2, 2} << QList<int>{huge, 2} << QStringList{QString(), QString()};
    QTest::newRow("huge unquoted cell") << (QByteArray("h\n") + QByteArray(huge, 'y')) << 1024 << QList<int>{1}
                                        << QList<int>{huge} << QStringList{QString()};
    // A line of commas must not turn into millions of strings: the row is
    // reported and keeps the first maxFields.
    QTest::newRow("many columns") << (QByteArray("h\n") + QByteArray(200000, ',') + "\nok\n") << 1024
                                  << QList<int>{1024, 1} << QList<int>{0, 2}
                                  << QStringList{QStringLiteral("has more than 1024 fields"), QString()};
    QTest::newRow("many columns, raised limit") << (QByteArray("h\n") + QByteArray(4999, ',') + "\n") << 5000
                                                << QList<int>{5000} << QList<int>{0} << QStringList{QString()};
    QTest::newRow("one over the limit") << QByteArray("h\na,b,c\na,b\n") << 2 << QList<int>{2, 2} << QList<int>{1, 1}
                                        << QStringList{QStringLiteral("has more than 2 fields"), QString()};
}

void TestCsvReader::tellsHowFarItGot()
{
    // A window reading a big file shows progress: parse() reports a
    // hundred steps or so, each further on, never past the end, and the
    // table is what it would be without a listener.
    QByteArray csv = "serial,model\n";
    for (int i = 0; i < 200000; ++i)
        csv += "SN-" + QByteArray::number(i) + ",\"M, " + QByteArray::number(i % 7) + "\"\r\n";
    QList<QPair<qint64, qint64>> steps;
    CsvReader::Options options;
    options.progress = [&steps](qint64 done, qint64 total) { steps.append({done, total}); };
    const auto heard = CsvReader::parse(csv, options);
    QVERIFY(heard.ok());
    QVERIFY2(steps.size() >= 50 && steps.size() <= 101, qPrintable(QString::number(steps.size())));
    for (qsizetype i = 0; i < steps.size(); ++i) {
        QCOMPARE(steps.at(i).second, qint64(csv.size()));
        QVERIFY(steps.at(i).first > 0 && steps.at(i).first <= steps.at(i).second);
        if (i > 0)
            QVERIFY(steps.at(i).first > steps.at(i - 1).first);
    }
    const auto quiet = CsvReader::parse(csv);
    QVERIFY(quiet.ok());
    QCOMPARE(heard->rows.size(), 200000);
    QCOMPARE(heard->rows.size(), quiet->rows.size());
    QCOMPARE(heard->rows.last().fields, quiet->rows.last().fields);
    QCOMPARE(heard->rows.last().fields, (QStringList{QStringLiteral("SN-199999"), QStringLiteral("M, 2")}));

    // A small file is not worth telling about.
    steps.clear();
    QVERIFY(CsvReader::parse("serial\nSN-1\n", options).ok());
    QVERIFY(steps.isEmpty());
}

void TestCsvReader::limits()
{
    QFETCH(QByteArray, csv);
    QFETCH(int, maxFields);
    QFETCH(QList<int>, fieldCounts);
    QFETCH(QList<int>, longestField);
    QFETCH(QStringList, errors);
    CsvReader::Options o;
    o.maxFields = maxFields;
    const auto table = CsvReader::parse(csv, o);
    QVERIFY2(table.ok(), qPrintable(table.error().message));
    QCOMPARE(table->rows.size(), fieldCounts.size());
    for (qsizetype i = 0; i < fieldCounts.size(); ++i) {
        const CsvReader::Row &row = table->rows.at(i);
        QCOMPARE(row.fields.size(), fieldCounts.at(i));
        qsizetype longest = 0;
        for (const QString &f : row.fields)
            longest = qMax(longest, f.size());
        QCOMPARE(longest, qsizetype(longestField.at(i)));
        if (errors.at(i).isEmpty())
            QVERIFY2(row.error.isEmpty(), qPrintable(row.error));
        else
            QVERIFY2(row.error.contains(errors.at(i)), qPrintable(row.error));
    }
}

void TestCsvReader::guessesDelimiter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("delimiter");
    QTest::newRow("comma") << QStringLiteral("a,b,c\n1;2;3;4;5") << QStringLiteral(",");
    QTest::newRow("semicolon") << QStringLiteral("a;b;c,d\n") << QStringLiteral(";");
    QTest::newRow("tab") << QStringLiteral("a\tb\tc") << QStringLiteral("\t");
    QTest::newRow("quoted delimiters do not count") << QStringLiteral("\"a;b;c\",d") << QStringLiteral(",");
    QTest::newRow("nothing wins") << QStringLiteral("serial\n") << QStringLiteral(",");
    QTest::newRow("only the first record counts") << QStringLiteral("a\rb;c;d") << QStringLiteral(",");
}

void TestCsvReader::guessesDelimiter()
{
    QFETCH(QString, text);
    QFETCH(QString, delimiter);
    QCOMPARE(QString(CsvReader::guessDelimiter(text)), delimiter);
}

void TestCsvReader::readsFilesAndSaysWhyNot()
{
    QTemporaryDir dir;
    const auto missing = CsvReader::readFile(dir.filePath(QStringLiteral("nope.csv")));
    QVERIFY(!missing.ok());
    QVERIFY(missing.error().message.contains(QStringLiteral("nope.csv")));

    QFile file(dir.filePath(QStringLiteral("delivery.csv")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray("serial;model\nSN-1;M\xfc"
                          "ller\n"));
    file.close();
    CsvReader::Options o;
    o.windows1252Fallback = true;
    const auto read = CsvReader::readFile(file.fileName(), o);
    QVERIFY2(read.ok(), qPrintable(read.error().message));
    QCOMPARE(read->rows.constFirst().fields, (QStringList{QStringLiteral("SN-1"), QStringLiteral("M\u00fcller")}));

    const auto tooLarge = CsvReader::readFile(file.fileName(), o, 8);
    QVERIFY(!tooLarge.ok());
    QVERIFY2(tooLarge.error().message.contains(QStringLiteral("delivery.csv")), qPrintable(tooLarge.error().message));
}

void TestCsvReader::writesWhatItReads()
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
    QVERIFY(back->rows.first().error.isEmpty());
}

// A cell from someone else's file, written for a spreadsheet: whatever a
// spreadsheet reads as the start of a formula is kept as text.
void TestCsvReader::spreadsheetCellsNeverRunFormulas_data()
{
    QTest::addColumn<QString>("cell");
    QTest::addColumn<QString>("written"); // the cell as the spreadsheet reads it back
    QTest::newRow("equals") << QStringLiteral("=1+1") << QStringLiteral("'=1+1");
    QTest::newRow("plus") << QStringLiteral("+1+1") << QStringLiteral("'+1+1");
    QTest::newRow("minus") << QStringLiteral("-2+3+cmd|' /C calc'!A0") << QStringLiteral("'-2+3+cmd|' /C calc'!A0");
    QTest::newRow("at") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
    QTest::newRow("tab") << QStringLiteral("\t=1+1") << QStringLiteral("'\t=1+1");
    QTest::newRow("carriage return") << QStringLiteral("\r=1+1") << QStringLiteral("'\r=1+1");
    QTest::newRow("formula after a comma") << QStringLiteral("=A1,B1") << QStringLiteral("'=A1,B1");
    QTest::newRow("plain serial") << QStringLiteral("SN-1") << QStringLiteral("SN-1");
    QTest::newRow("inner equals") << QStringLiteral("a=b") << QStringLiteral("a=b");
    QTest::newRow("empty") << QString() << QString();
}

void TestCsvReader::spreadsheetCellsNeverRunFormulas()
{
    QFETCH(QString, cell);
    QFETCH(QString, written);
    QCOMPARE(CsvReader::spreadsheetText(cell), written);
    const QByteArray file = CsvReader::writeRow({QStringLiteral("h"), QStringLiteral("x")}) +
                            CsvReader::writeRow({cell, QStringLiteral("x")}, CsvReader::Cells::SpreadsheetSafe);
    const auto back = CsvReader::parse(file);
    QVERIFY(back.ok());
    QCOMPARE(back->rows.size(), 1);
    QCOMPARE(back->rows.first().fields.first(), written);
    // Verbatim writing still round-trips the cell unchanged.
    const auto verbatim = CsvReader::parse(CsvReader::writeRow({QStringLiteral("h"), QStringLiteral("x")}) +
                                           CsvReader::writeRow({cell, QStringLiteral("x")}));
    QVERIFY(verbatim.ok());
    QCOMPARE(verbatim->rows.first().fields.first(), cell);
}

QTEST_APPLESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
