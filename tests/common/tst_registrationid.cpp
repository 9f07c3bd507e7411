// SPDX-License-Identifier: Apache-2.0
// Tests of the registration id and device id rules from DESIGN.md and IoT Hub.
#include "crypto/registrationid.h"

#include <QTest>

using namespace Provisio;

class TestRegistrationId : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registrationIdValid_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("single letter") << QStringLiteral("a");
        QTest::newRow("single digit") << QStringLiteral("7");
        QTest::newRow("single dash") << QStringLiteral("-");
        QTest::newRow("azure docs example") << QStringLiteral("sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6");
        QTest::newRow("all punctuation inside") << QStringLiteral("Dev.One_2:x-y");
        QTest::newRow("ends in dash") << QStringLiteral("device-");
        QTest::newRow("upper case") << QStringLiteral("MY-DEVICE");
        QTest::newRow("128 characters") << QString(128, QLatin1Char('a'));
    }

    void registrationIdValid()
    {
        QFETCH(QString, id);
        const auto result = Crypto::validateRegistrationId(id);
        QVERIFY2(result.ok(), qPrintable(result.error().message));
    }

    void registrationIdInvalid_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("empty") << QString() << QStringLiteral("registration id is empty");
        QTest::newRow("129 characters") << QString(129, QLatin1Char('a'))
                                        << QStringLiteral("too long: 129 characters, at most 128");
        QTest::newRow("space") << QStringLiteral("my device")
                               << QStringLiteral("invalid character U+0020 at position 3");
        QTest::newRow("slash") << QStringLiteral("a/b") << QStringLiteral("invalid character '/' at position 2");
        QTest::newRow("plus") << QStringLiteral("+ab") << QStringLiteral("invalid character '+' at position 1");
        QTest::newRow("hash") << QStringLiteral("ab#") << QStringLiteral("invalid character '#' at position 3");
        QTest::newRow("percent") << QStringLiteral("a%2Fb") << QStringLiteral("invalid character '%' at position 2");
        QTest::newRow("at sign") << QStringLiteral("a@b") << QStringLiteral("invalid character '@' at position 2");
        QTest::newRow("non-ascii letter")
            << QStringLiteral("ger\u00e4t") << QStringLiteral("invalid character '\u00e4' at position 4");
        QTest::newRow("control character")
            << QStringLiteral("ab\ncd") << QStringLiteral("invalid character U+000A at position 3");
        QTest::newRow("ends in dot") << QStringLiteral("device.")
                                     << QStringLiteral("must end in a letter, digit or '-', not '.'");
        QTest::newRow("ends in underscore")
            << QStringLiteral("device_") << QStringLiteral("must end in a letter, digit or '-', not '_'");
        QTest::newRow("ends in colon") << QStringLiteral("device:")
                                       << QStringLiteral("must end in a letter, digit or '-', not ':'");
        QTest::newRow("single dot") << QStringLiteral(".") << QStringLiteral("must end in");
    }

    void registrationIdInvalid()
    {
        QFETCH(QString, id);
        QFETCH(QString, messagePart);
        const auto result = Crypto::validateRegistrationId(id);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::InvalidInput);
        QVERIFY2(result.error().message.contains(messagePart), qPrintable(result.error().message));
    }

    void normalizeRegistrationId_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("normalized");
        QTest::newRow("mixed case") << QStringLiteral("My-Device.01") << QStringLiteral("my-device.01");
        QTest::newRow("already lower") << QStringLiteral("sn-007") << QStringLiteral("sn-007");
        QTest::newRow("upper") << QStringLiteral("SN:ABC_D") << QStringLiteral("sn:abc_d");
    }

    void normalizeRegistrationId()
    {
        QFETCH(QString, id);
        QFETCH(QString, normalized);
        QCOMPARE(Crypto::normalizeRegistrationId(id), normalized);
    }

    void deviceIdValid_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("simple") << QStringLiteral("dev-1");
        QTest::newRow("every allowed symbol") << QStringLiteral("a-.%_*?!(),:=@$'z");
        QTest::newRow("ends in symbol") << QStringLiteral("device.");
        QTest::newRow("only symbols") << QStringLiteral("$'");
        QTest::newRow("128 characters") << QString(128, QLatin1Char('Z'));
    }

    void deviceIdValid()
    {
        QFETCH(QString, id);
        const auto result = Crypto::validateDeviceId(id);
        QVERIFY2(result.ok(), qPrintable(result.error().message));
    }

    void deviceIdInvalid_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("empty") << QString() << QStringLiteral("device id is empty");
        QTest::newRow("129 characters") << QString(129, QLatin1Char('Z'))
                                        << QStringLiteral("too long: 129 characters, at most 128");
        // MQTT topic separators and wildcards.
        QTest::newRow("slash") << QStringLiteral("a/b") << QStringLiteral("invalid character '/' at position 2");
        QTest::newRow("plus") << QStringLiteral("a+") << QStringLiteral("invalid character '+' at position 2");
        QTest::newRow("hash") << QStringLiteral("#") << QStringLiteral("invalid character '#' at position 1");
        QTest::newRow("space") << QStringLiteral("a b") << QStringLiteral("invalid character U+0020 at position 2");
        QTest::newRow("quote") << QStringLiteral("a\"b") << QStringLiteral("invalid character '\"' at position 2");
        QTest::newRow("ampersand") << QStringLiteral("a&b") << QStringLiteral("invalid character '&' at position 2");
        QTest::newRow("angle bracket") << QStringLiteral("a<b")
                                       << QStringLiteral("invalid character '<' at position 2");
        QTest::newRow("non-ascii") << QStringLiteral("\u00e4")
                                   << QStringLiteral("invalid character '\u00e4' at position 1");
        QTest::newRow("nul") << QString(QChar(u'\0')) << QStringLiteral("invalid character U+0000 at position 1");
    }

    void deviceIdInvalid()
    {
        QFETCH(QString, id);
        QFETCH(QString, messagePart);
        const auto result = Crypto::validateDeviceId(id);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::InvalidInput);
        QVERIFY2(result.error().message.contains(messagePart), qPrintable(result.error().message));
    }
};

QTEST_GUILESS_MAIN(TestRegistrationId)
#include "tst_registrationid.moc"
