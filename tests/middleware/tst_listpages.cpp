// SPDX-License-Identifier: Apache-2.0
// List pages of the CRM API: the page answer written item by item
// (Requests::ListAnswer) is byte for byte the answer built as one document
// (Requests::listResponse); the IN lists a page reads its joined rows with
// come in a bounded number of statement texts, whatever page sizes clients
// ask for (the database keeps every text it prepared).

#include "api/requesthelpers.h"
#include "storage/recordutil.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QtTest>

#include <cmath>

using namespace Provisio;

class tst_ListPages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listAnswerIsTheDocumentsText_data()
    {
        QTest::addColumn<QJsonArray>("items");
        QTest::addColumn<QString>("cursor");

        const QJsonObject plain{{QStringLiteral("registrationId"), QStringLiteral("dev-1")},
                                {QStringLiteral("provisioningStatus"), QStringLiteral("enabled")},
                                {QStringLiteral("etag"), QStringLiteral("\"a1\"")}};
        const QJsonObject nested{
            {QStringLiteral("registrationId"), QStringLiteral("dev-2")},
            {QStringLiteral("registrationState"),
             QJsonObject{{QStringLiteral("assignedHub"), QStringLiteral("hub-1.example")},
                         {QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), 1.5}}},
                         {QStringLiteral("status"), QStringLiteral("assigned")}}},
            {QStringLiteral("twin"),
             QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("site"), QStringLiteral("Zürich 北")}}},
                         {QStringLiteral("list"), QJsonArray{1, true, QJsonValue(), QStringLiteral("x")}}}},
            {QStringLiteral("online"), false},
            {QStringLiteral("count"), 12345678901.0}};
        const QJsonObject escapes{{QStringLiteral("notes"), QStringLiteral("tab\there \"quoted\" back\\slash\n\x01")},
                                  {QStringLiteral("empty"), QJsonObject()},
                                  {QStringLiteral("none"), QJsonArray()}};

        QTest::newRow("empty page, last") << QJsonArray() << QString();
        QTest::newRow("empty page, cursor") << QJsonArray() << QStringLiteral("c1");
        QTest::newRow("one item, last") << QJsonArray{plain} << QString();
        QTest::newRow("one item, cursor") << QJsonArray{plain} << QStringLiteral("ZGV2LTE");
        QTest::newRow("several items") << QJsonArray{plain, nested, escapes} << QStringLiteral("ZGV2LTI=");
        QTest::newRow("cursor to escape")
            << QJsonArray{nested, plain} << QStringLiteral("{\"serial\":\"SN-1\",\"v\":\"a\\\\b\"}");
        QJsonArray many;
        for (int i = 0; i < 500; ++i) {
            QJsonObject item = plain;
            item.insert(QStringLiteral("registrationId"), QStringLiteral("dev-%1").arg(i));
            many.append(i % 7 == 0 ? nested : item);
        }
        QTest::newRow("500 items") << many << QStringLiteral("ZGV2LTQ5OQ");
    }

    void listAnswerIsTheDocumentsText()
    {
        QFETCH(QJsonArray, items);
        QFETCH(QString, cursor);
        const HttpResponse whole = Requests::listResponse(items, cursor);
        Requests::ListAnswer answer;
        for (const QJsonValue &item : std::as_const(items))
            answer.add(item.toObject());
        const HttpResponse written = answer.finish(cursor);
        QCOMPARE(written.body, whole.body);
        QCOMPARE(written.status, whole.status);
        QCOMPARE(written.contentType, whole.contentType);
        QVERIFY(written.headers == whole.headers);
    }

    void inListsHaveFewTexts_data()
    {
        QTest::addColumn<int>("chunkSize");
        QTest::newRow("default (200)") << 200;
        QTest::newRow("inventory import (500)") << 500;
        QTest::newRow("odd (7)") << 7;
    }

    // Every key count from 0 to past three chunks: each key is bound, no
    // other value is, no statement takes more than chunkSize values, each
    // text has as many marks as values, and all counts together need at
    // most log2(chunkSize) + 2 texts (before: one per count up to chunkSize).
    void inListsHaveFewTexts()
    {
        QFETCH(int, chunkSize);
        QSet<QString> texts;
        for (int count = 0; count <= 3 * chunkSize + 1; ++count) {
            QStringList keys;
            for (int i = 0; i < count; ++i)
                keys << QStringLiteral("key-%1").arg(i);
            const QList<InListChunk> chunks = inListChunks(keys, chunkSize);
            QCOMPARE(chunks.size(), (count + chunkSize - 1) / chunkSize);
            QSet<QString> bound;
            for (const InListChunk &chunk : chunks) {
                QVERIFY(chunk.binds.size() <= chunkSize);
                QCOMPARE(chunk.placeholders.count(QLatin1Char('?')), chunk.binds.size());
                QCOMPARE(chunk.placeholders.size(), 2 * chunk.binds.size() - 1);
                for (const QVariant &value : chunk.binds)
                    bound.insert(value.toString());
                texts.insert(chunk.placeholders);
            }
            QCOMPARE(bound, QSet<QString>(keys.cbegin(), keys.cend()));
        }
        const int bound = int(std::floor(std::log2(chunkSize))) + 2;
        QVERIFY2(texts.size() <= bound,
                 qPrintable(QStringLiteral("%1 texts, at most %2").arg(texts.size()).arg(bound)));
    }
};

QTEST_GUILESS_MAIN(tst_ListPages)
#include "tst_listpages.moc"
