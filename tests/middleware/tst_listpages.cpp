// SPDX-License-Identifier: Apache-2.0
// List pages of the CRM API: the IN lists a page reads its joined rows with
// (an enrollment page's registrations, a registration page's presence)
// come in a bounded number of statement texts, whatever page sizes clients
// ask for (the database keeps every text it prepared).

#include "storage/recordutil.h"

#include <QSet>
#include <QtTest>

#include <cmath>

using namespace Provisio;

class tst_ListPages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
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
