// SPDX-License-Identifier: Apache-2.0
#include "sastoken.h"

#include "keys.h"

#include <QUrl>

namespace Provisio {

namespace {

const QLatin1String kPrefix("SharedAccessSignature");

Error unauthorized(const QString &message)
{
    return Error(ErrorCode::Unauthorized, message);
}

QByteArray stringToSign(const QString &encodedResource, const QString &expiry)
{
    return encodedResource.toUtf8() + '\n' + expiry.toUtf8();
}

// Percent-encoding with lower-case hex digits, as .NET's WebUtility.UrlEncode
// produces it (%2f).
QString lowerCaseHex(const QString &encoded)
{
    QString out = encoded;
    for (qsizetype i = 0; i + 2 < out.size(); ++i) {
        if (out.at(i) == QLatin1Char('%')) {
            out[i + 1] = out.at(i + 1).toLower();
            out[i + 2] = out.at(i + 2).toLower();
            i += 2;
        }
    }
    return out;
}

bool isAsciiDigits(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

// A field's value with its %XX escapes decoded (as UTF-8), as
// QUrl::fromPercentEncoding does; without a '%' it is the value itself.
QString percentDecoded(QStringView value)
{
    if (!value.contains(u'%'))
        return value.toString();
    return QUrl::fromPercentEncoding(value.toUtf8());
}

// Field names come from the client; keep echoed text short and printable.
QString quoteFieldName(const QString &name)
{
    QString shown = name.left(32);
    for (QChar &c : shown) {
        if (!c.isPrint())
            c = QLatin1Char('?');
    }
    if (name.size() > shown.size())
        shown += QStringLiteral("...");
    return QLatin1Char('\'') + shown + QLatin1Char('\'');
}

} // namespace

QString SasToken::encodeResource(const QString &resource)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(resource));
}

Result<QString> SasToken::tryCreate(const QString &resource, const QString &keyBase64, qint64 expiryUnixSeconds,
                                    const QString &policyName)
{
    if (resource.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("SAS token resource is empty"));
    if (expiryUnixSeconds < 0)
        return Error(ErrorCode::InvalidInput, QStringLiteral("SAS token expiry is negative"));
    const auto key = Crypto::decodeKey(keyBase64);
    if (!key)
        return Error(ErrorCode::InvalidInput, QStringLiteral("SAS signing key: ") + key.error().message);

    const QString encodedResource = encodeResource(resource);
    const QString expiry = QString::number(expiryUnixSeconds);
    const QByteArray signature = Crypto::hmacSha256(key.value(), stringToSign(encodedResource, expiry)).toBase64();

    QString token = kPrefix + QLatin1String(" sr=") + encodedResource + QLatin1String("&sig=") +
                    QString::fromLatin1(QUrl::toPercentEncoding(QString::fromLatin1(signature))) +
                    QLatin1String("&se=") + expiry;
    if (!policyName.isEmpty())
        token += QLatin1String("&skn=") + QString::fromLatin1(QUrl::toPercentEncoding(policyName));
    return token;
}

QString SasToken::create(const QString &resource, const QString &keyBase64, qint64 expiryUnixSeconds,
                         const QString &policyName)
{
    auto token = tryCreate(resource, keyBase64, expiryUnixSeconds, policyName);
    return token ? std::move(token).value() : QString();
}

Result<SasToken> SasToken::parse(const QString &token)
{
    // Read as views of the token: every registration parses one, and
    // splitting it into strings cost more than the rest of the parse.
    QStringView body = QStringView(token).trimmed();
    if (body.startsWith(kPrefix)) {
        const QStringView rest = body.mid(kPrefix.size());
        if (!rest.isEmpty() && !rest.at(0).isSpace())
            return unauthorized(QStringLiteral("SAS token: expected a space after \"SharedAccessSignature\""));
        body = rest.trimmed();
    }
    if (body.isEmpty())
        return unauthorized(QStringLiteral("SAS token is empty"));

    SasToken result;
    bool haveSr = false, haveSig = false, haveSe = false, haveSkn = false;
    for (const QStringView field : body.tokenize(u'&')) {
        if (field.isEmpty())
            return unauthorized(QStringLiteral("SAS token has an empty field (stray '&')"));
        const qsizetype eq = field.indexOf(u'=');
        if (eq < 0) {
            // Not echoed: a mangled token may have lost "sig=" in front of
            // the signature itself.
            return unauthorized(QStringLiteral("SAS token has a field without '='"));
        }
        const QStringView name = field.left(eq);
        const QStringView value = field.mid(eq + 1);

        bool *seen = nullptr;
        if (name == QLatin1String("sr"))
            seen = &haveSr;
        else if (name == QLatin1String("sig"))
            seen = &haveSig;
        else if (name == QLatin1String("se"))
            seen = &haveSe;
        else if (name == QLatin1String("skn"))
            seen = &haveSkn;
        else
            return unauthorized(QStringLiteral("SAS token has unknown field ") + quoteFieldName(name.toString()));

        if (*seen)
            return unauthorized(QStringLiteral("SAS token has duplicate field '") + name.toString() +
                                QLatin1Char('\''));
        *seen = true;
        if (value.isEmpty())
            return unauthorized(QStringLiteral("SAS token field '") + name.toString() + QStringLiteral("' is empty"));

        if (seen == &haveSr) {
            result.m_rawResource = value.toString();
            result.m_resource = percentDecoded(value);
        } else if (seen == &haveSig) {
            result.m_signature = percentDecoded(value);
        } else if (seen == &haveSe) {
            bool ok = false;
            const qint64 expiry = value.toLongLong(&ok);
            if (!isAsciiDigits(value) || !ok)
                return unauthorized(QStringLiteral("SAS token expiry 'se' is not a number of seconds"));
            result.m_rawExpiry = value.toString();
            result.m_expiry = expiry;
        } else {
            result.m_policyName = percentDecoded(value);
        }
    }
    if (!haveSr)
        return unauthorized(QStringLiteral("SAS token has no resource 'sr'"));
    if (!haveSig)
        return unauthorized(QStringLiteral("SAS token has no signature 'sig'"));
    if (!haveSe)
        return unauthorized(QStringLiteral("SAS token has no expiry 'se'"));
    return result;
}

Result<void> SasToken::verify(const QString &expectedResource, const QString &keyBase64, qint64 nowUnixSeconds,
                              qint64 allowedSkewSeconds, qint64 maxLifetimeSeconds) const
{
    if (m_rawResource.isEmpty() || m_signature.isEmpty())
        return unauthorized(QStringLiteral("SAS token is missing"));
    if (m_resource.compare(expectedResource, Qt::CaseInsensitive) != 0)
        return unauthorized(QStringLiteral("SAS token is for a different resource"));

    const auto key = Crypto::decodeKey(keyBase64);
    if (!key) {
        // A server-side problem, but the device still only learns "no".
        return unauthorized(QStringLiteral("SAS token cannot be verified: the stored key is invalid"));
    }
    const auto presented = Crypto::decodeKey(m_signature);
    if (!presented)
        return unauthorized(QStringLiteral("SAS token signature is not valid base64"));

    // The client signed sr as it sent it. Some clients send sr with raw
    // slashes or %2f but signed the canonical %2F form (or the other way
    // round), so the canonical spellings are tried as well; all of them name
    // the same resource, so accepting any of them grants nothing extra.
    // The other spellings are worked out only when the one sent does not
    // match (most clients sign what they send).
    bool matched = Crypto::constantTimeEquals(Crypto::hmacSha256(key.value(), stringToSign(m_rawResource, m_rawExpiry)),
                                              presented.value());
    if (!matched) {
        const QString canonical = encodeResource(m_resource);
        const QString lower = lowerCaseHex(canonical);
        if (m_rawResource != canonical) {
            matched = Crypto::constantTimeEquals(Crypto::hmacSha256(key.value(), stringToSign(canonical, m_rawExpiry)),
                                                 presented.value());
        }
        if (!matched && m_rawResource != lower && canonical != lower) {
            matched = Crypto::constantTimeEquals(Crypto::hmacSha256(key.value(), stringToSign(lower, m_rawExpiry)),
                                                 presented.value());
        }
    }
    if (!matched)
        return unauthorized(QStringLiteral("SAS token signature does not match"));

    const qint64 skew = qMax<qint64>(0, allowedSkewSeconds);
    // Written as subtractions so that an absurd se near INT64_MAX cannot overflow.
    if (m_expiry < nowUnixSeconds - skew)
        return unauthorized(QStringLiteral("token expired"));
    if (maxLifetimeSeconds > 0 && m_expiry - nowUnixSeconds > maxLifetimeSeconds + skew)
        return unauthorized(QStringLiteral("token lifetime exceeds the allowed maximum"));
    return {};
}

} // namespace Provisio
