// SPDX-License-Identifier: Apache-2.0
// CsvParser, the RFC 4180 reader behind the inventory import.
#include "domain/csvparser.h"

#include <QTest>

using Provisio::CsvParser;

class TestCsvParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void records_data();
    void records();
    void unreadableFiles_data();
    void unreadableFiles();
    void malformedRecordIsReportedAlone();
};

// Records as "number:field|field|..." lines, so a table row reads like the file.
static QStringList render(const QList<CsvParser::Record> &records)
{
    QStringList out;
    for (const auto &r : records)
        out << QString::number(r.number) + QLatin1Char(':') + r.fields.join(QLatin1Char('|'));
    return out;
}

void TestCsvParser::records_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("LF") << QByteArray("a,b\n1,2\n") << QStringList{QStringLiteral("1:a|b"), QStringLiteral("2:1|2")};
    QTest::newRow("CRLF") << QByteArray("a,b\r\n1,2\r\n")
                          << QStringList{QStringLiteral("1:a|b"), QStringLiteral("2:1|2")};
    QTest::newRow("no final newline") << QByteArray("a,b\n1,2")
                                      << QStringList{QStringLiteral("1:a|b"), QStringLiteral("2:1|2")};
    QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBFserial\nX\n")
                         << QStringList{QStringLiteral("1:serial"), QStringLiteral("2:X")};
    QTest::newRow("empty fields") << QByteArray("a,,c\n,,\n")
                                  << QStringList{QStringLiteral("1:a||c"), QStringLiteral("2:||")};
    QTest::newRow("quoted comma") << QByteArray("\"a,b\",c\n") << QStringList{QStringLiteral("1:a,b|c")};
    QTest::newRow("escaped quotes") << QByteArray("\"say \"\"hi\"\"\",x\n")
                                    << QStringList{QStringLiteral("1:say \"hi\"|x")};
    QTest::newRow("quoted line break") << QByteArray("\"two\r\nlines\",x\nnext,y\n")
                                       << QStringList{QStringLiteral("1:two\r\nlines|x"), QStringLiteral("2:next|y")};
    QTest::newRow("empty quoted") << QByteArray("\"\",x\n") << QStringList{QStringLiteral("1:|x")};
    QTest::newRow("blank lines counted, skipped")
        << QByteArray("h\n\nX\n\r\nY\n")
        << QStringList{QStringLiteral("1:h"), QStringLiteral("3:X"), QStringLiteral("5:Y")};
    QTest::newRow("quote inside unquoted field")
        << QByteArray("5\" screen,x\n") << QStringList{QStringLiteral("1:5\" screen|x")};
    QTest::newRow("space after closing quote") << QByteArray("\"a\" ,b\n") << QStringList{QStringLiteral("1:a|b")};
    QTest::newRow("UTF-8") << QByteArray("Straße,Łódź\n") << QStringList{QString::fromUtf8("1:Straße|Łódź")};
    QTest::newRow("empty file") << QByteArray() << QStringList();
}

void TestCsvParser::records()
{
    QFETCH(QByteArray, csv);
    QFETCH(QStringList, expected);
    const auto parsed = CsvParser::parse(csv);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    for (const auto &r : *parsed)
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(render(*parsed), expected);
}

void TestCsvParser::unreadableFiles_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("message");
    QTest::newRow("unterminated quote") << QByteArray("a,b\n1,\"open\n2,3\n")
                                        << QStringLiteral("row 2: a quoted field is never closed");
    QTest::newRow("invalid UTF-8") << QByteArray("a,b\n\xff\xfe,1\n") << QStringLiteral("not valid UTF-8");
}

void TestCsvParser::unreadableFiles()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, message);
    const auto parsed = CsvParser::parse(csv);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().message.contains(message), qPrintable(parsed.error().message));
}

void TestCsvParser::malformedRecordIsReportedAlone()
{
    const auto parsed = CsvParser::parse("a,b\n\"x\"y,1\nok,2\n");
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->size(), 3);
    QVERIFY(parsed->at(1).error.contains(QLatin1String("after a closing quote")));
    QVERIFY(parsed->at(2).error.isEmpty());
    QCOMPARE(parsed->at(2).fields, (QStringList{QStringLiteral("ok"), QStringLiteral("2")}));
}

QTEST_APPLESS_MAIN(TestCsvParser)
#include "tst_csvparser.moc"
