// SPDX-License-Identifier: Apache-2.0
// Tests of activation codes: Crockford check symbols against hand-computed
// values, tolerant parsing of what users type, and randomness of generation.
#include "crypto/activationcode.h"

#include <QSet>
#include <QTest>

using namespace Provisio;

namespace {

const QString kDataAlphabet = QStringLiteral("0123456789ABCDEFGHJKMNPQRSTVWXYZ");

// 16 data characters whose check character is '1' (value mod 37 computed
// independently with Python's arbitrary-precision integers).
const QString kData = QStringLiteral("ABCDEFGHJKMNPQRS");
const QString kCanonical = kData + QLatin1Char('1');

} // namespace

class TestActivationCode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checkCharacter_data()
    {
        QTest::addColumn<QString>("data");
        QTest::addColumn<QChar>("check");
        // Values: the 16 symbols as a base-32 number, mod 37.
        QTest::newRow("zero") << QStringLiteral("0000000000000000") << QChar(u'0');
        QTest::newRow("one") << QStringLiteral("0000000000000001") << QChar(u'1');
        QTest::newRow("31") << QStringLiteral("000000000000000Z") << QChar(u'Z');
        QTest::newRow("32 -> *") << QStringLiteral("0000000000000010") << QChar(u'*');
        QTest::newRow("33 -> ~") << QStringLiteral("0000000000000011") << QChar(u'~');
        QTest::newRow("34 -> $") << QStringLiteral("0000000000000012") << QChar(u'$');
        QTest::newRow("35 -> =") << QStringLiteral("0000000000000013") << QChar(u'=');
        QTest::newRow("36 -> U") << QStringLiteral("0000000000000014") << QChar(u'U');
        QTest::newRow("37 wraps to 0") << QStringLiteral("0000000000000015") << QChar(u'0');
        QTest::newRow("2^80-1") << QStringLiteral("ZZZZZZZZZZZZZZZZ") << QChar(u'~');
        QTest::newRow("high digit matters") << QStringLiteral("0000000000000T00") << QChar(u'N');
        QTest::newRow("alphabet run") << kData << QChar(u'1');
        QTest::newRow("mixed") << QStringLiteral("7K3M9PQRW2XYZ4AB") << QChar(u'N');
        QTest::newRow("mixed 2") << QStringLiteral("1234567890ABCDEF") << QChar(u'A');
        // Invalid input gives a null QChar instead of a misleading symbol.
        QTest::newRow("15 characters") << QStringLiteral("000000000000000") << QChar();
        QTest::newRow("17 characters") << QStringLiteral("00000000000000000") << QChar();
        QTest::newRow("U is not a data symbol") << QStringLiteral("000000000000000U") << QChar();
        QTest::newRow("punctuation") << QStringLiteral("00000000000000*0") << QChar();
    }

    void checkCharacter()
    {
        QFETCH(QString, data);
        QFETCH(QChar, check);
        QCOMPARE(ActivationCode::checkCharacter(data), check);
    }

    void generateIsCanonicalAndSelfConsistent()
    {
        for (int i = 0; i < 200; ++i) {
            const QString code = ActivationCode::generate();
            QCOMPARE(code.size(), 17);
            for (int j = 0; j < 16; ++j)
                QVERIFY2(kDataAlphabet.contains(code.at(j)), qPrintable(code));
            QCOMPARE(code.at(16), ActivationCode::checkCharacter(code.left(16)));
            const auto parsed = ActivationCode::parse(ActivationCode::format(code));
            QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
            QCOMPARE(parsed.value(), code);
        }
    }

    void generateUsesEveryBit()
    {
        // Every symbol must show up at every position: a bit-packing mistake
        // (a position stuck at a few values) would shrink the 80-bit space.
        // 2000 codes miss a given symbol at a position with probability
        // (31/32)^2000 < 1e-27.
        QList<QSet<QChar>> seen(16);
        QSet<QString> codes;
        for (int i = 0; i < 2000; ++i) {
            const QString code = ActivationCode::generate();
            codes.insert(code);
            for (int j = 0; j < 16; ++j)
                seen[j].insert(code.at(j));
        }
        QCOMPARE(codes.size(), 2000);
        for (int j = 0; j < 16; ++j)
            QCOMPARE(seen.at(j).size(), 32);
    }

    void newCodesNeedOnlyTheKeypadAlphabet()
    {
        // 3000 draws: were the check symbols still handed out, about 13.5 %
        // of them (5 of 37 check values) would end in one.
        const QString keypad = ActivationCode::keypadAlphabet();
        QCOMPARE(keypad.size(), 32);
        QCOMPARE(keypad, kDataAlphabet);
        for (int i = 0; i < 3000; ++i) {
            const QString code = ActivationCode::generate();
            for (const QChar c : code)
                QVERIFY2(ActivationCode::isKeypadCharacter(c), qPrintable(code));
            QVERIFY2(!ActivationCode::legacyCheckSymbols().contains(code.at(16)), qPrintable(code));
        }
    }

    void olderCodesWithSymbolChecksStillParse_data()
    {
        QTest::addColumn<QString>("code");
        // Data whose mod-37 remainder is 32..36: cards printed before new
        // codes were limited to the keypad alphabet end in these.
        QTest::newRow("*") << QStringLiteral("0000-0000-0000-0010-*");
        QTest::newRow("~") << QStringLiteral("0000-0000-0000-0011-~");
        QTest::newRow("$") << QStringLiteral("0000-0000-0000-0012-$");
        QTest::newRow("=") << QStringLiteral("0000-0000-0000-0013-=");
        QTest::newRow("U") << QStringLiteral("0000-0000-0000-0014-U");
    }

    void olderCodesWithSymbolChecksStillParse()
    {
        QFETCH(QString, code);
        const auto parsed = ActivationCode::parse(code);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QCOMPARE(parsed.value(), QString(code).remove(QLatin1Char('-')));
        QVERIFY(!ActivationCode::isKeypadCharacter(parsed.value().at(16)));
        // The wrong symbol check is still refused.
        QString wrong = code;
        wrong[wrong.size() - 1] = code.endsWith(QLatin1Char('*')) ? QLatin1Char('~') : QLatin1Char('*');
        QVERIFY(!ActivationCode::parse(wrong).ok());
    }

    void format_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("canonical") << kCanonical << QStringLiteral("ABCD-EFGH-JKMN-PQRS-1");
        QTest::newRow("extra check symbol")
            << QStringLiteral("0000000000000010*") << QStringLiteral("0000-0000-0000-0010-*");
        QTest::newRow("wrong length unchanged") << QStringLiteral("ABC") << QStringLiteral("ABC");
    }

    void format()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(ActivationCode::format(input), expected);
    }

    void parseAccepts_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("canonical") << kCanonical << kCanonical;
        QTest::newRow("formatted") << QStringLiteral("ABCD-EFGH-JKMN-PQRS-1") << kCanonical;
        QTest::newRow("lower case") << QStringLiteral("abcd-efgh-jkmn-pqrs-1") << kCanonical;
        QTest::newRow("spaces") << QStringLiteral(" ABCD EFGH  JKMN\tPQRS 1 ") << kCanonical;
        QTest::newRow("mixed separators") << QStringLiteral("abcd - EFGH--jkmn pqrs-1") << kCanonical;
        QTest::newRow("check typed as I") << QStringLiteral("ABCD-EFGH-JKMN-PQRS-I") << kCanonical;
        QTest::newRow("check typed as l") << QStringLiteral("ABCD-EFGH-JKMN-PQRS-l") << kCanonical;
        QTest::newRow("I L O in data") << QStringLiteral("OOOO-OOOO-OOOO-OOIL-~")
                                       << QStringLiteral("0000000000000011~");
        QTest::newRow("lower-case i l o")
            << QStringLiteral("oooo-oooo-oooo-ooil-~") << QStringLiteral("0000000000000011~");
        QTest::newRow("check *") << QStringLiteral("0000-0000-0000-0010-*") << QStringLiteral("0000000000000010*");
        QTest::newRow("check ~") << QStringLiteral("0000-0000-0000-0011-~") << QStringLiteral("0000000000000011~");
        QTest::newRow("check $") << QStringLiteral("0000-0000-0000-0012-$") << QStringLiteral("0000000000000012$");
        QTest::newRow("check =") << QStringLiteral("0000-0000-0000-0013-=") << QStringLiteral("0000000000000013=");
        QTest::newRow("check U") << QStringLiteral("0000-0000-0000-0014-U") << QStringLiteral("0000000000000014U");
        QTest::newRow("check u") << QStringLiteral("0000-0000-0000-0014-u") << QStringLiteral("0000000000000014U");
        QTest::newRow("check O for 0") << QStringLiteral("0000-0000-0000-0015-O")
                                       << QStringLiteral("00000000000000150");
    }

    void parseAccepts()
    {
        QFETCH(QString, input);
        QFETCH(QString, canonical);
        const auto parsed = ActivationCode::parse(input);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
        QCOMPARE(parsed.value(), canonical);
    }

    void parseRejects_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("empty") << QString() << QStringLiteral("is empty");
        QTest::newRow("separators only") << QStringLiteral(" - - ") << QStringLiteral("is empty");
        QTest::newRow("check character missing")
            << QStringLiteral("ABCD-EFGH-JKMN-PQRS") << QStringLiteral("16 characters plus a check character, not 16");
        QTest::newRow("one character short") << QStringLiteral("ABCD-EFGH-JKMN-PQR-1") << QStringLiteral("not 16");
        QTest::newRow("one character too many") << QStringLiteral("ABCD-EFGH-JKMN-PQRST-1") << QStringLiteral("not 18");
        QTest::newRow("U in data") << QStringLiteral("UBCD-EFGH-JKMN-PQRS-1")
                                   << QStringLiteral("invalid character 'U' at position 1");
        QTest::newRow("check symbol in data")
            << QStringLiteral("ABCD-EFGH-JKMN-PQR*-1") << QStringLiteral("invalid character '*' at position 16");
        QTest::newRow("punctuation in data")
            << QStringLiteral("ABCD-EF!H-JKMN-PQRS-1") << QStringLiteral("invalid character '!' at position 7");
        QTest::newRow("non-ascii in data") << QStringLiteral("ABCD-EFGH-JKMN-PQR\u00c4-1")
                                           << QStringLiteral("invalid character '\u00c4' at position 16");
        QTest::newRow("invalid check character")
            << QStringLiteral("ABCD-EFGH-JKMN-PQRS-!") << QStringLiteral("invalid check character '!'");
        QTest::newRow("wrong check character")
            << QStringLiteral("ABCD-EFGH-JKMN-PQRS-2") << QStringLiteral("check character does not match");
        QTest::newRow("wrong extra check symbol")
            << QStringLiteral("ABCD-EFGH-JKMN-PQRS-U") << QStringLiteral("check character does not match");
        QTest::newRow("adjacent characters swapped")
            << QStringLiteral("BACD-EFGH-JKMN-PQRS-1") << QStringLiteral("check character does not match");
        QTest::newRow("one character mistyped")
            << QStringLiteral("ABCD-EFGH-JKMN-PQRT-1") << QStringLiteral("check character does not match");
    }

    void parseRejects()
    {
        QFETCH(QString, input);
        QFETCH(QString, messagePart);
        const auto parsed = ActivationCode::parse(input);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::InvalidInput);
        QVERIFY2(parsed.error().message.contains(messagePart), qPrintable(parsed.error().message));
    }

    void everySingleSubstitutionIsDetected()
    {
        // The point of a mod-37 check: any one wrong character is caught.
        const QString code = ActivationCode::generate();
        for (int position = 0; position < 16; ++position) {
            for (const QChar replacement : kDataAlphabet) {
                if (replacement == code.at(position))
                    continue;
                QString typo = code;
                typo[position] = replacement;
                QVERIFY2(!ActivationCode::parse(typo).ok(), qPrintable(typo));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestActivationCode)
#include "tst_activationcode.moc"
