// SPDX-License-Identifier: Apache-2.0
// Tests of the key primitives against published vectors (RFC 4231, the Azure
// DPS documentation) and of the strictness of key decoding.
#include "crypto/keys.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace Provisio;

namespace {

// Published in Azure's DPS docs ("How to provision legacy devices using
// symmetric keys", section "Derive a device key"), group enrollment example.
// Reproduced independently with:
//   echo -n $REG_ID | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(echo -n $KEY | base64 -d | xxd -p -c 1000)
//   -binary | base64
const char kAzureGroupKey[] =
    "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==";
const char kAzureRegistrationId[] = "sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6";
const char kAzureDerivedKey[] = "Jsm0lyGpjaVYVP2g3FnmnmG9dI/9qU24wNoykUmermc=";

} // namespace

class TestKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hmacSha256_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("expectedHex");

        // RFC 4231 section 4.
        QTest::newRow("rfc4231 case 1") << QByteArray(20, '\x0b') << QByteArray("Hi There")
                                        << QByteArray(
                                               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        QTest::newRow("rfc4231 case 2") << QByteArray("Jefe") << QByteArray("what do ya want for nothing?")
                                        << QByteArray(
                                               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        QTest::newRow("rfc4231 case 6 (key longer than a block)")
            << QByteArray(131, '\xaa') << QByteArray("Test Using Larger Than Block-Size Key - Hash Key First")
            << QByteArray("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    void hmacSha256()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, expectedHex);
        QCOMPARE(Crypto::hmacSha256(key, data).toHex(), expectedHex);
    }

    // The MAC is built from SHA-256 by hand (keys.cpp); OpenSSL's own HMAC()
    // must agree for every key length around the 64-byte block and for
    // messages of several blocks.
    void hmacSha256MatchesOpenSsl()
    {
        for (int keyLength : {0, 1, 16, 32, 63, 64, 65, 131, 300}) {
            for (int dataLength : {0, 1, 55, 56, 64, 119, 1000}) {
                QByteArray key(keyLength, Qt::Uninitialized);
                QByteArray data(dataLength, Qt::Uninitialized);
                for (int i = 0; i < keyLength; ++i)
                    key[i] = char(i * 7 + keyLength);
                for (int i = 0; i < dataLength; ++i)
                    data[i] = char(i * 13 + 1);
                unsigned char expected[EVP_MAX_MD_SIZE];
                unsigned int length = 0;
                static const unsigned char none = 0;
                QVERIFY(
                    HMAC(EVP_sha256(), key.isEmpty() ? &none : reinterpret_cast<const unsigned char *>(key.constData()),
                         keyLength, data.isEmpty() ? &none : reinterpret_cast<const unsigned char *>(data.constData()),
                         size_t(dataLength), expected, &length));
                QCOMPARE(Crypto::hmacSha256(key, data),
                         QByteArray(reinterpret_cast<const char *>(expected), int(length)));
            }
        }
    }

    void hmacSha256EmptyInputs()
    {
        // Empty key and message are legal HMAC inputs and must not crash or
        // collapse to an empty MAC (reference: openssl dgst -hmac '').
        const QByteArray mac = Crypto::hmacSha256(QByteArray(), QByteArray());
        QCOMPARE(mac.toHex(), QByteArray("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
    }

    void sha256_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("expectedHex");
        QTest::newRow("empty") << QByteArray()
                               << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        QTest::newRow("abc") << QByteArray("abc")
                             << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        // FIPS 180-2's two-block message.
        QTest::newRow("two blocks") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                    << QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }

    void sha256()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, expectedHex);
        QCOMPARE(Crypto::sha256(data).toHex(), expectedHex);
    }

    void deriveKeyAzureVector()
    {
        const auto derived = Crypto::deriveKey(QLatin1String(kAzureGroupKey), QLatin1String(kAzureRegistrationId));
        QVERIFY2(derived.ok(), qPrintable(derived.error().message));
        QCOMPARE(derived.value(), QLatin1String(kAzureDerivedKey));
    }

    void deriveKeyDependsOnIdAndKey()
    {
        const QString other =
            Crypto::deriveKey(QLatin1String(kAzureGroupKey), QStringLiteral("sn-007-888-abc-mac-a1-b2-c3-d4-e5-f7"))
                .value();
        QVERIFY(other != QLatin1String(kAzureDerivedKey));
        // Ids are hashed as UTF-8 and case matters to the MAC; callers must
        // normalise registration ids before deriving.
        const QString upper =
            Crypto::deriveKey(QLatin1String(kAzureGroupKey), QString::fromLatin1(kAzureRegistrationId).toUpper())
                .value();
        QVERIFY(upper != QLatin1String(kAzureDerivedKey));
        const QString otherKey =
            Crypto::deriveKey(Crypto::generateSymmetricKey(), QLatin1String(kAzureRegistrationId)).value();
        QVERIFY(otherKey != QLatin1String(kAzureDerivedKey));
    }

    // The hub keys of the registrations' answers: one deriver per hub key,
    // the same keys as deriveKey() one at a time, for keys shorter than,
    // as long as and longer than the HMAC block, used again and again.
    void keyDeriverMatchesDeriveKey_data()
    {
        QTest::addColumn<QString>("parent");
        QTest::newRow("Azure's group key") << QString::fromLatin1(kAzureGroupKey);
        QTest::newRow("32 bytes") << Crypto::generateSymmetricKey(32);
        QTest::newRow("64 bytes (one block)") << Crypto::generateSymmetricKey(64);
        QTest::newRow("96 bytes (hashed first)") << Crypto::generateSymmetricKey(96);
    }

    void keyDeriverMatchesDeriveKey()
    {
        QFETCH(QString, parent);
        const auto deriver = Crypto::KeyDeriver::create(parent);
        QVERIFY2(deriver.ok(), qPrintable(deriver.error().message));
        const QStringList ids{QString::fromLatin1(kAzureRegistrationId), QStringLiteral("device-1"),
                              Crypto::hubDeviceKeyDerivationId(QStringLiteral("device-1"), 3),
                              QStringLiteral("d\u00e9vice-\u4e2d"), QString(200, QLatin1Char('x'))};
        for (int round = 0; round < 2; ++round) {
            for (const QString &id : ids) {
                const auto expected = Crypto::deriveKey(parent, id);
                QVERIFY(expected.ok());
                const auto derived = deriver->derive(id);
                QVERIFY2(derived.ok(), qPrintable(derived.error().message));
                QCOMPARE(*derived, *expected);
            }
        }
        // A copy shares the keyed state and gives the same keys.
        const Crypto::KeyDeriver copy = *deriver;
        QCOMPARE(*copy.derive(QStringLiteral("device-1")), *Crypto::deriveKey(parent, QStringLiteral("device-1")));
        QVERIFY(!deriver->derive(QString()).ok());
        if (parent == QLatin1String(kAzureGroupKey))
            QCOMPARE(*deriver->derive(QString::fromLatin1(kAzureRegistrationId)), QLatin1String(kAzureDerivedKey));
    }

    void keyDeriverRejectsBadKeys()
    {
        for (const QString &bad : {QString(), QStringLiteral("not base64!"), QStringLiteral("abc")}) {
            const auto deriver = Crypto::KeyDeriver::create(bad);
            QVERIFY(!deriver.ok());
            QCOMPARE(deriver.error().code, ErrorCode::InvalidInput);
        }
    }

    void deriveKeyRejects_data()
    {
        QTest::addColumn<QString>("parent");
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("empty parent") << QString() << QStringLiteral("dev") << QStringLiteral("key is empty");
        QTest::newRow("parent not base64")
            << QStringLiteral("not base64!") << QStringLiteral("dev") << QStringLiteral("not valid base64");
        QTest::newRow("empty id") << QString::fromLatin1(kAzureGroupKey) << QString() << QStringLiteral("empty id");
    }

    void deriveKeyRejects()
    {
        QFETCH(QString, parent);
        QFETCH(QString, id);
        QFETCH(QString, messagePart);
        const auto derived = Crypto::deriveKey(parent, id);
        QVERIFY(!derived.ok());
        QCOMPARE(derived.error().code, ErrorCode::InvalidInput);
        QVERIFY2(derived.error().message.contains(messagePart), qPrintable(derived.error().message));
    }

    void decodeKeyAccepts_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("no padding") << QStringLiteral("YWJj") << QByteArray("abc");
        QTest::newRow("one pad") << QStringLiteral("YWI=") << QByteArray("ab");
        QTest::newRow("two pads") << QStringLiteral("YQ==") << QByteArray("a");
        QTest::newRow("plus and slash") << QStringLiteral("+/8=") << QByteArray("\xfb\xff", 2);
    }

    void decodeKeyAccepts()
    {
        QFETCH(QString, input);
        QFETCH(QByteArray, expected);
        const auto decoded = Crypto::decodeKey(input);
        QVERIFY2(decoded.ok(), qPrintable(decoded.error().message));
        QCOMPARE(decoded.value(), expected);
    }

    void decodeKeyRejects_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("empty") << QString() << QStringLiteral("empty");
        QTest::newRow("missing padding") << QStringLiteral("YWI") << QStringLiteral("multiple of 4");
        QTest::newRow("space inside") << QStringLiteral("YW Jj") << QStringLiteral("outside the base64 alphabet");
        QTest::newRow("trailing newline") << QStringLiteral("YWJj\n") << QStringLiteral("outside the base64 alphabet");
        QTest::newRow("url-safe alphabet") << QStringLiteral("-_8=") << QStringLiteral("outside the base64 alphabet");
        QTest::newRow("non-ascii") << QStringLiteral("YWJ\u00e4") << QStringLiteral("outside the base64 alphabet");
        QTest::newRow("padding in the middle") << QStringLiteral("YQ==YWJj") << QStringLiteral("padding");
        QTest::newRow("padding only") << QStringLiteral("====") << QStringLiteral("padding");
        QTest::newRow("three pads") << QStringLiteral("Y===") << QStringLiteral("padding");
        // "YWJ=" leaves non-zero spare bits: a second spelling of "ab".
        QTest::newRow("non-canonical trailing bits") << QStringLiteral("YWJ=") << QStringLiteral("non-canonical");
    }

    void decodeKeyRejects()
    {
        QFETCH(QString, input);
        QFETCH(QString, messagePart);
        const auto decoded = Crypto::decodeKey(input);
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.error().code, ErrorCode::InvalidInput);
        QVERIFY2(decoded.error().message.contains(messagePart), qPrintable(decoded.error().message));
        if (!input.isEmpty())
            QVERIFY(!decoded.error().message.contains(input)); // never echo key material
    }

    void constantTimeEquals_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::newRow("same") << QByteArray("secret-mac") << QByteArray("secret-mac") << true;
        QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
        QTest::newRow("first byte differs") << QByteArray("Xecret-mac") << QByteArray("secret-mac") << false;
        QTest::newRow("last byte differs") << QByteArray("secret-maX") << QByteArray("secret-mac") << false;
        QTest::newRow("prefix") << QByteArray("secret") << QByteArray("secret-mac") << false;
        QTest::newRow("one empty") << QByteArray() << QByteArray("x") << false;
        QTest::newRow("embedded nul") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
    }

    void constantTimeEquals()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(Crypto::constantTimeEquals(a, b), equal);
        QCOMPARE(Crypto::constantTimeEquals(b, a), equal);
    }

    void randomBytes()
    {
        QCOMPARE(Crypto::randomBytes(0).size(), 0);
        QCOMPARE(Crypto::randomBytes(-1).size(), 0);
        const QByteArray a = Crypto::randomBytes(32);
        const QByteArray b = Crypto::randomBytes(32);
        QCOMPARE(a.size(), 32);
        QVERIFY(a != b);
        QVERIFY(a != QByteArray(32, '\0'));
    }

    void generateSymmetricKey_data()
    {
        QTest::addColumn<int>("bytes");
        QTest::newRow("32") << 32;
        QTest::newRow("64") << 64;
    }

    void generateSymmetricKey()
    {
        QFETCH(int, bytes);
        const QString key = Crypto::generateSymmetricKey(bytes);
        const auto decoded = Crypto::decodeKey(key);
        QVERIFY2(decoded.ok(), qPrintable(decoded.error().message));
        QCOMPARE(decoded.value().size(), bytes);
        QVERIFY(Crypto::generateSymmetricKey(bytes) != key);
    }

    void generateSymmetricKeyDefaultIs64Bytes()
    {
        QCOMPARE(Crypto::decodeKey(Crypto::generateSymmetricKey()).value().size(), 64);
    }

    void hashToken()
    {
        QCOMPARE(Crypto::hashToken(QStringLiteral("abc")),
                 QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        // Hashed as UTF-8 (echo -n 'ä' | sha256sum).
        QCOMPARE(Crypto::hashToken(QStringLiteral("\u00e4")),
                 QStringLiteral("33e6d73fee82904c8d7afb78de1154d1e8dc2a0edb08120e63df5b9385c2d9cc"));
    }

    void randomToken_data()
    {
        QTest::addColumn<int>("bytes");
        QTest::addColumn<int>("length");
        QTest::newRow("default 32 bytes") << 32 << 43;
        QTest::newRow("16 bytes") << 16 << 22;
        QTest::newRow("3 bytes") << 3 << 4;
    }

    void randomToken()
    {
        QFETCH(int, bytes);
        QFETCH(int, length);
        const QString token = bytes == 32 ? Crypto::randomToken() : Crypto::randomToken(bytes);
        QCOMPARE(token.size(), length);
        static const QRegularExpression urlSafe(QStringLiteral("^[A-Za-z0-9_-]+$"));
        QVERIFY2(urlSafe.match(token).hasMatch(), qPrintable(token));
        const QByteArray decoded =
            QByteArray::fromBase64(token.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        QCOMPARE(decoded.size(), bytes);
    }

    void randomTokensAreUnique()
    {
        QSet<QString> seen;
        for (int i = 0; i < 1000; ++i)
            seen.insert(Crypto::randomToken(8));
        QCOMPARE(seen.size(), 1000);
    }

    // Identifiers come from a per-thread block: the sizes asked for, URL-safe,
    // none repeated across many blocks (a block handed out twice would show
    // here), and requests larger than what a block serves still answered.
    void randomIdentifiers()
    {
        QCOMPARE(Crypto::randomIdentifierBytes(0).size(), 0);
        QCOMPARE(Crypto::randomIdentifierBytes(-3).size(), 0);
        QCOMPARE(Crypto::randomIdentifierBytes(24).size(), 24);
        QCOMPARE(Crypto::randomIdentifierBytes(1000).size(), 1000);
        static const QRegularExpression urlSafe(QStringLiteral("^[A-Za-z0-9_-]{16}$"));
        QSet<QString> seen;
        QSet<QByteArray> raw;
        for (int i = 0; i < 5000; ++i) { // ~15 blocks of 4 KiB
            const QString id = Crypto::randomIdentifier(12);
            QVERIFY2(urlSafe.match(id).hasMatch(), qPrintable(id));
            seen.insert(id);
            raw.insert(Crypto::randomIdentifierBytes(7));
        }
        QCOMPARE(seen.size(), 5000);
        QCOMPARE(raw.size(), 5000);
    }
};

QTEST_GUILESS_MAIN(TestKeys)
#include "tst_keys.moc"
