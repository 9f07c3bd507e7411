// SPDX-License-Identifier: Apache-2.0
// Tests of SAS token creation, parsing and verification, including the ways
// real clients differ (percent-encoding case, raw slashes, field order).
#include "crypto/keys.h"
#include "crypto/sastoken.h"

#include <QTest>
#include <QUrl>

using namespace Provisio;

namespace {

const char kKey[] = "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==";
const char kResource[] = "0ne00000A0A/registrations/my-device";
const char kEncoded[] = "0ne00000A0A%2Fregistrations%2Fmy-device";
const char kEncodedLower[] = "0ne00000A0A%2fregistrations%2fmy-device";
constexpr qint64 kNow = 1700000000;

QString key()
{
    return QLatin1String(kKey);
}
QString otherKey()
{
    return QString::fromLatin1(QByteArray("a different key of 32 bytes!!!!!").toBase64());
}

// The signature a client computes, built here from the HMAC primitive (itself
// pinned to RFC 4231) rather than from SasToken, so verify() is checked
// against an independent signer.
QString signature(const QString &signedResource, const QString &expiry, const QString &keyBase64 = key())
{
    const QByteArray mac =
        Crypto::hmacSha256(Crypto::decodeKey(keyBase64).value(), signedResource.toUtf8() + '\n' + expiry.toUtf8());
    return QString::fromLatin1(QUrl::toPercentEncoding(QString::fromLatin1(mac.toBase64())));
}

QString token(const QString &srAsSent, const QString &signedResource, const QString &expiry,
              const QString &keyBase64 = key(), const QString &skn = {})
{
    QString t = QStringLiteral("SharedAccessSignature sr=") + srAsSent + QStringLiteral("&sig=") +
                signature(signedResource, expiry, keyBase64) + QStringLiteral("&se=") + expiry;
    if (!skn.isEmpty())
        t += QStringLiteral("&skn=") + skn;
    return t;
}

QString num(qint64 v)
{
    return QString::number(v);
}

} // namespace

class TestSasToken : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createMatchesIndependentVector_data()
    {
        QTest::addColumn<QString>("resource");
        QTest::addColumn<QString>("policy");
        QTest::addColumn<QString>("expected");
        // Signatures computed with:
        //   printf '%s\n%s' "$ENCODED_RESOURCE" 1700000000 |
        //     openssl dgst -sha256 -mac HMAC -binary
        //       -macopt hexkey:$(echo -n $KEY | base64 -d | xxd -p -c 1000) | base64
        // with KEY = kKey (the group key from Azure's DPS docs).
        QTest::newRow("dps registration with skn")
            << QString::fromLatin1(kResource) << QStringLiteral("registration")
            << QStringLiteral("SharedAccessSignature sr=0ne00000A0A%2Fregistrations%2Fmy-device"
                              "&sig=eXuyrRwHQWm9peZoX4Pg3iS1x782cXQGrb0Om80nET0%3D&se=1700000000"
                              "&skn=registration");
        // This signature contains '+' and '/', which must be percent-encoded.
        QTest::newRow("hub device without skn")
            << QStringLiteral("myhub.example.com/devices/dev-1") << QString()
            << QStringLiteral("SharedAccessSignature sr=myhub.example.com%2Fdevices%2Fdev-1"
                              "&sig=heavS%2Bbqs%2F4m3xbSQZVYFj1PrG8uJqJQEMkD6T882yc%3D&se=1700000000");
    }

    void createMatchesIndependentVector()
    {
        QFETCH(QString, resource);
        QFETCH(QString, policy);
        QFETCH(QString, expected);
        QCOMPARE(SasToken::create(resource, key(), kNow, policy), expected);
        const auto tried = SasToken::tryCreate(resource, key(), kNow, policy);
        QVERIFY(tried.ok());
        QCOMPARE(tried.value(), expected);
    }

    void createRejects_data()
    {
        QTest::addColumn<QString>("resource");
        QTest::addColumn<QString>("keyBase64");
        QTest::addColumn<qint64>("expiry");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("key not base64") << QString::fromLatin1(kResource) << QStringLiteral("%%%") << kNow
                                        << QStringLiteral("not valid base64");
        QTest::newRow("empty key") << QString::fromLatin1(kResource) << QString() << kNow
                                   << QStringLiteral("key is empty");
        QTest::newRow("empty resource") << QString() << key() << kNow << QStringLiteral("resource is empty");
        QTest::newRow("negative expiry") << QString::fromLatin1(kResource) << key() << qint64(-1)
                                         << QStringLiteral("negative");
    }

    void createRejects()
    {
        QFETCH(QString, resource);
        QFETCH(QString, keyBase64);
        QFETCH(qint64, expiry);
        QFETCH(QString, messagePart);
        const auto tried = SasToken::tryCreate(resource, keyBase64, expiry);
        QVERIFY(!tried.ok());
        QCOMPARE(tried.error().code, ErrorCode::InvalidInput);
        QVERIFY2(tried.error().message.contains(messagePart), qPrintable(tried.error().message));
        QVERIFY(SasToken::create(resource, keyBase64, expiry).isEmpty());
    }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("resource");
        QTest::addColumn<QString>("policy");
        QTest::newRow("dps") << QString::fromLatin1(kResource) << QStringLiteral("registration");
        QTest::newRow("hub") << QStringLiteral("myhub.example.com/devices/dev-1") << QString();
        QTest::newRow("characters needing encoding")
            << QStringLiteral("hub.local:8883/devices/a:b=c@d$e'f(g)h,i%j") << QStringLiteral("my policy");
    }

    void roundTrip()
    {
        QFETCH(QString, resource);
        QFETCH(QString, policy);
        const QString generatedKey = Crypto::generateSymmetricKey(32);
        const QString created = SasToken::create(resource, generatedKey, kNow + 3600, policy);
        const auto parsed = SasToken::parse(created);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
        QCOMPARE(parsed->resource(), resource);
        QCOMPARE(parsed->rawResource(), SasToken::encodeResource(resource));
        QCOMPARE(parsed->expiry(), kNow + 3600);
        QCOMPARE(parsed->policyName(), policy);
        QCOMPARE(Crypto::decodeKey(parsed->signature()).value().size(), 32);
        const auto verified = parsed->verify(resource, generatedKey, kNow);
        QVERIFY2(verified.ok(), qPrintable(verified.error().message));
        QVERIFY(!parsed->verify(resource, Crypto::generateSymmetricKey(32), kNow).ok());
    }

    void parseAccepts_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("rawResource");
        QTest::addColumn<QString>("policy");

        const QString sr = QStringLiteral("sr=") + QLatin1String(kEncoded);
        const QString sig = QStringLiteral("sig=") + signature(QLatin1String(kEncoded), num(kNow));
        const QString se = QStringLiteral("se=") + num(kNow);
        const QString skn = QStringLiteral("skn=registration");
        const QString prefix = QStringLiteral("SharedAccessSignature ");
        const QLatin1Char amp('&');

        QTest::newRow("sr sig se") << prefix + sr + amp + sig + amp + se << QString::fromLatin1(kEncoded) << QString();
        QTest::newRow("sr se sig") << prefix + sr + amp + se + amp + sig << QString::fromLatin1(kEncoded) << QString();
        QTest::newRow("sig sr se") << prefix + sig + amp + sr + amp + se << QString::fromLatin1(kEncoded) << QString();
        QTest::newRow("sig se sr") << prefix + sig + amp + se + amp + sr << QString::fromLatin1(kEncoded) << QString();
        QTest::newRow("se sr sig") << prefix + se + amp + sr + amp + sig << QString::fromLatin1(kEncoded) << QString();
        QTest::newRow("se sig sr") << prefix + se + amp + sig + amp + sr << QString::fromLatin1(kEncoded) << QString();
        QTest::newRow("skn first") << prefix + skn + amp + sr + amp + sig + amp + se << QString::fromLatin1(kEncoded)
                                   << QStringLiteral("registration");
        QTest::newRow("skn middle") << prefix + sr + amp + skn + amp + sig + amp + se << QString::fromLatin1(kEncoded)
                                    << QStringLiteral("registration");
        QTest::newRow("skn last") << prefix + sr + amp + sig + amp + se + amp + skn << QString::fromLatin1(kEncoded)
                                  << QStringLiteral("registration");
        QTest::newRow("without prefix") << sr + amp + sig + amp + se << QString::fromLatin1(kEncoded) << QString();
        QTest::newRow("surrounding whitespace")
            << QStringLiteral("  SharedAccessSignature   ") + sr + amp + sig + amp + se + QStringLiteral(" \r\n")
            << QString::fromLatin1(kEncoded) << QString();
        QTest::newRow("raw slashes") << prefix + QStringLiteral("sr=") + QLatin1String(kResource) + amp + sig + amp + se
                                     << QString::fromLatin1(kResource) << QString();
        QTest::newRow("lower-case escapes")
            << prefix + QStringLiteral("sr=") + QLatin1String(kEncodedLower) + amp + sig + amp + se
            << QString::fromLatin1(kEncodedLower) << QString();
        QTest::newRow("encoded skn") << prefix + sr + amp + sig + amp + se + QStringLiteral("&skn=my%20policy")
                                     << QString::fromLatin1(kEncoded) << QStringLiteral("my policy");
    }

    void parseAccepts()
    {
        QFETCH(QString, input);
        QFETCH(QString, rawResource);
        QFETCH(QString, policy);
        const auto parsed = SasToken::parse(input);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
        QCOMPARE(parsed->rawResource(), rawResource);
        QCOMPARE(parsed->resource(), QLatin1String(kResource));
        QCOMPARE(parsed->expiry(), kNow);
        QCOMPARE(parsed->policyName(), policy);
        // The signature comes back percent-decoded: plain base64 text.
        QCOMPARE(parsed->signature(),
                 QUrl::fromPercentEncoding(signature(QLatin1String(kEncoded), num(kNow)).toUtf8()));
        // Whatever the order, the token still verifies.
        const auto verified = parsed->verify(QLatin1String(kResource), key(), kNow);
        QVERIFY2(verified.ok(), qPrintable(verified.error().message));
    }

    void parseRejects_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("messagePart");

        const QString sigValue = signature(QLatin1String(kEncoded), num(kNow));
        const QString sr = QStringLiteral("sr=") + QLatin1String(kEncoded);
        const QString sig = QStringLiteral("sig=") + sigValue;
        const QString se = QStringLiteral("se=") + num(kNow);
        const QString prefix = QStringLiteral("SharedAccessSignature ");
        const QLatin1Char amp('&');

        QTest::newRow("empty") << QString() << QStringLiteral("empty");
        QTest::newRow("prefix only") << QStringLiteral("SharedAccessSignature ") << QStringLiteral("empty");
        QTest::newRow("prefix without space") << QStringLiteral("SharedAccessSignature") + sr + amp + sig + amp + se
                                              << QStringLiteral("expected a space");
        QTest::newRow("missing sr") << prefix + sig + amp + se << QStringLiteral("no resource 'sr'");
        QTest::newRow("missing sig") << prefix + sr + amp + se << QStringLiteral("no signature 'sig'");
        QTest::newRow("missing se") << prefix + sr + amp + sig << QStringLiteral("no expiry 'se'");
        QTest::newRow("duplicate sr") << prefix + sr + amp + sig + amp + se + amp + QStringLiteral("sr=other")
                                      << QStringLiteral("duplicate field 'sr'");
        QTest::newRow("duplicate sig") << prefix + sr + amp + sig + amp + se + amp + sig
                                       << QStringLiteral("duplicate field 'sig'");
        QTest::newRow("duplicate se") << prefix + sr + amp + sig + amp + se + amp + QStringLiteral("se=9999999999")
                                      << QStringLiteral("duplicate field 'se'");
        QTest::newRow("duplicate skn") << prefix + sr + amp + sig + amp + se + QStringLiteral("&skn=a&skn=b")
                                       << QStringLiteral("duplicate field 'skn'");
        QTest::newRow("unknown field") << prefix + sr + amp + sig + amp + se + QStringLiteral("&foo=bar")
                                       << QStringLiteral("unknown field 'foo'");
        QTest::newRow("upper-case field name")
            << prefix + QStringLiteral("SR=") + QLatin1String(kEncoded) + amp + sig + amp + se
            << QStringLiteral("unknown field 'SR'");
        QTest::newRow("field without =") << prefix + sr + amp + sig + amp + se + QStringLiteral("&garbage")
                                         << QStringLiteral("field without '='");
        QTest::newRow("stray ampersand") << prefix + sr + amp + sig + QStringLiteral("&&") + se
                                         << QStringLiteral("empty field");
        QTest::newRow("trailing ampersand")
            << prefix + sr + amp + sig + amp + se + amp << QStringLiteral("empty field");
        QTest::newRow("empty sr") << prefix + QStringLiteral("sr=&") + sig + amp + se
                                  << QStringLiteral("'sr' is empty");
        QTest::newRow("empty sig") << prefix + sr + QStringLiteral("&sig=&") + se << QStringLiteral("'sig' is empty");
        QTest::newRow("empty skn") << prefix + sr + amp + sig + amp + se + QStringLiteral("&skn=")
                                   << QStringLiteral("'skn' is empty");
        QTest::newRow("se not numeric") << prefix + sr + amp + sig + QStringLiteral("&se=soon")
                                        << QStringLiteral("'se' is not a number");
        QTest::newRow("se with letters") << prefix + sr + amp + sig + QStringLiteral("&se=1700000000a")
                                         << QStringLiteral("'se' is not a number");
        QTest::newRow("se negative") << prefix + sr + amp + sig + QStringLiteral("&se=-5")
                                     << QStringLiteral("'se' is not a number");
        QTest::newRow("se with plus") << prefix + sr + amp + sig + QStringLiteral("&se=+1700000000")
                                      << QStringLiteral("'se' is not a number");
        QTest::newRow("se fractional") << prefix + sr + amp + sig + QStringLiteral("&se=1700000000.5")
                                       << QStringLiteral("'se' is not a number");
        QTest::newRow("se overflows") << prefix + sr + amp + sig + QStringLiteral("&se=99999999999999999999")
                                      << QStringLiteral("'se' is not a number");
        QTest::newRow("other scheme") << QStringLiteral("Bearer abc") << QStringLiteral("field without '='");
    }

    void parseRejects()
    {
        QFETCH(QString, input);
        QFETCH(QString, messagePart);
        const auto parsed = SasToken::parse(input);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::Unauthorized);
        QVERIFY2(parsed.error().message.contains(messagePart), qPrintable(parsed.error().message));
        const QString sigValue = signature(QLatin1String(kEncoded), num(kNow));
        QVERIFY(!parsed.error().message.contains(sigValue));
        QVERIFY(!parsed.error().message.contains(QUrl::fromPercentEncoding(sigValue.toUtf8())));
    }

    void verify_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expectedResource");
        QTest::addColumn<QString>("keyBase64");
        QTest::addColumn<qint64>("now");
        QTest::addColumn<qint64>("skew");
        QTest::addColumn<qint64>("maxLifetime");
        QTest::addColumn<QString>("failure"); // empty: must verify

        const QString res = QString::fromLatin1(kResource);
        const QString enc = QString::fromLatin1(kEncoded);
        const QString lower = QString::fromLatin1(kEncodedLower);
        const QString se = num(kNow + 3600);
        const QString k = key();
        const qint64 now = kNow;

        // Percent-encoding variants: sr as sent x what the client signed.
        QTest::newRow("%2F sent, %2F signed")
            << token(enc, enc, se) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("%2f sent, %2f signed")
            << token(lower, lower, se) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("raw sent, raw signed")
            << token(res, res, se) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("raw sent, %2F signed")
            << token(res, enc, se) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("raw sent, %2f signed")
            << token(res, lower, se) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("%2f sent, %2F signed")
            << token(lower, enc, se) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("%2F sent, %2f signed")
            << token(enc, lower, se) << res << k << now << qint64(300) << qint64(0) << QString();
        // Only the encodings of the sent resource are tried, not arbitrary
        // decodings: a client sending %2F must have signed an encoded form.
        QTest::newRow("%2F sent, raw signed") << token(enc, res, se) << res << k << now << qint64(300) << qint64(0)
                                              << QStringLiteral("signature does not match");

        // Resource comparison.
        const QString upperRes = QStringLiteral("0NE00000A0A%2FREGISTRATIONS%2FMY-DEVICE");
        QTest::newRow("resource case differs")
            << token(upperRes, upperRes, se) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("expected resource case differs")
            << token(enc, enc, se) << res.toUpper() << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("wrong resource") << token(enc, enc, se) << QStringLiteral("0ne00000A0A/registrations/other") << k
                                        << now << qint64(300) << qint64(0) << QStringLiteral("different resource");
        QTest::newRow("resource prefix only") << token(enc, enc, se) << res + QStringLiteral("2") << k << now
                                              << qint64(300) << qint64(0) << QStringLiteral("different resource");
        const QString otherEnc = QStringLiteral("0ne00000A0A%2Fregistrations%2Fother");
        QTest::newRow("signed for other resource, sr rewritten")
            << QString(token(otherEnc, otherEnc, se)).replace(otherEnc, enc) << res << k << now << qint64(300)
            << qint64(0) << QStringLiteral("signature does not match");

        // Keys and signatures.
        QTest::newRow("wrong key") << token(enc, enc, se, otherKey()) << res << k << now << qint64(300) << qint64(0)
                                   << QStringLiteral("signature does not match");
        QTest::newRow("verifying with wrong key") << token(enc, enc, se) << res << otherKey() << now << qint64(300)
                                                  << qint64(0) << QStringLiteral("signature does not match");
        QTest::newRow("expiry extended after signing")
            << QString(token(enc, enc, se))
                   .replace(QStringLiteral("se=") + se, QStringLiteral("se=") + num(kNow + 7200))
            << res << k << now << qint64(300) << qint64(0) << QStringLiteral("signature does not match");
        QTest::newRow("signature not base64")
            << QStringLiteral("SharedAccessSignature sr=%1&sig=not*base64&se=%2").arg(enc, se) << res << k << now
            << qint64(300) << qint64(0) << QStringLiteral("not valid base64");
        QTest::newRow("signature truncated")
            << QStringLiteral("SharedAccessSignature sr=%1&sig=%2&se=%3")
                   .arg(enc, QString::fromLatin1(QByteArray(16, 'x').toBase64()), se)
            << res << k << now << qint64(300) << qint64(0) << QStringLiteral("signature does not match");
        QTest::newRow("stored key invalid") << token(enc, enc, se) << res << QStringLiteral("!!!") << now << qint64(300)
                                            << qint64(0) << QStringLiteral("stored key is invalid");
        QTest::newRow("skn is not signed") << token(enc, enc, se, k, QStringLiteral("registration")) << res << k << now
                                           << qint64(300) << qint64(0) << QString();
        QTest::newRow("se with leading zero, signed as sent")
            << token(enc, enc, QStringLiteral("0") + se) << res << k << now << qint64(300) << qint64(0) << QString();

        // Expiry and clock skew (past side).
        QTest::newRow("expires exactly now")
            << token(enc, enc, num(now)) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("expired within skew")
            << token(enc, enc, num(now - 300)) << res << k << now << qint64(300) << qint64(0) << QString();
        QTest::newRow("expired beyond skew") << token(enc, enc, num(now - 301)) << res << k << now << qint64(300)
                                             << qint64(0) << QStringLiteral("token expired");
        QTest::newRow("expired, no skew") << token(enc, enc, num(now - 1)) << res << k << now << qint64(0) << qint64(0)
                                          << QStringLiteral("token expired");
        QTest::newRow("negative skew acts as none")
            << token(enc, enc, num(now)) << res << k << now << qint64(-50) << qint64(0) << QString();

        // Lifetime and clock skew (future side).
        QTest::newRow("no lifetime limit") << token(enc, enc, num(now + 10LL * 365 * 86400)) << res << k << now
                                           << qint64(300) << qint64(0) << QString();
        QTest::newRow("lifetime at limit plus skew")
            << token(enc, enc, num(now + 3600 + 300)) << res << k << now << qint64(300) << qint64(3600) << QString();
        QTest::newRow("lifetime over limit plus skew")
            << token(enc, enc, num(now + 3600 + 301)) << res << k << now << qint64(300) << qint64(3600)
            << QStringLiteral("lifetime exceeds");
        QTest::newRow("lifetime over limit, no skew")
            << token(enc, enc, num(now + 3601)) << res << k << now << qint64(0) << qint64(3600)
            << QStringLiteral("lifetime exceeds");
        QTest::newRow("huge se with lifetime limit")
            << token(enc, enc, QStringLiteral("9223372036854775807")) << res << k << now << qint64(300) << qint64(3600)
            << QStringLiteral("lifetime exceeds");
    }

    void verify()
    {
        QFETCH(QString, input);
        QFETCH(QString, expectedResource);
        QFETCH(QString, keyBase64);
        QFETCH(qint64, now);
        QFETCH(qint64, skew);
        QFETCH(qint64, maxLifetime);
        QFETCH(QString, failure);

        const auto parsed = SasToken::parse(input);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
        const auto verified = parsed->verify(expectedResource, keyBase64, now, skew, maxLifetime);
        if (failure.isEmpty()) {
            QVERIFY2(verified.ok(), qPrintable(verified.error().message));
            return;
        }
        QVERIFY(!verified.ok());
        QCOMPARE(verified.error().code, ErrorCode::Unauthorized);
        QVERIFY2(verified.error().message.contains(failure), qPrintable(verified.error().message));
        QVERIFY(!verified.error().message.contains(keyBase64));
        QVERIFY(!verified.error().message.contains(parsed->signature()));
    }

    void defaultSkewIsFiveMinutes()
    {
        const auto parsed = SasToken::parse(SasToken::create(QLatin1String(kResource), key(), kNow));
        QVERIFY(parsed.ok());
        QVERIFY(parsed->verify(QLatin1String(kResource), key(), kNow + 300).ok());
        QVERIFY(!parsed->verify(QLatin1String(kResource), key(), kNow + 301).ok());
    }

    void defaultConstructedNeverVerifies() { QVERIFY(!SasToken().verify(QString(), key(), kNow).ok()); }
};

QTEST_GUILESS_MAIN(TestSasToken)
#include "tst_sastoken.moc"
