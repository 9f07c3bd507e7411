// SPDX-License-Identifier: Apache-2.0
#include "recordutil.h"

#include "crypto/keys.h"
#include "protocol/timeutil.h"

namespace Provisio {

QString newEtag()
{
    return Crypto::randomToken(9);
}

QString nowIso()
{
    return toIsoUtc(QDateTime::currentDateTimeUtc());
}

QString toJsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject fromJsonText(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

Result<PageRequest> parsePageRequest(const QString &limitText, const QString &cursorText)
{
    PageRequest page;
    if (!limitText.isEmpty()) {
        bool ok = false;
        const int limit = limitText.toInt(&ok);
        if (!ok || limit < 1 || limit > 1000)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("limit must be an integer between 1 and 1000"));
        page.limit = limit;
    }
    if (!cursorText.isEmpty()) {
        const auto decoded = QByteArray::fromBase64Encoding(
            cursorText.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty())
            return Error(ErrorCode::InvalidInput, QStringLiteral("cursor is not valid"));
        page.afterKey = QString::fromUtf8(decoded.decoded);
    }
    return page;
}

QString encodeCursor(const QString &key)
{
    return QString::fromLatin1(
        key.toUtf8().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool ifMatchSatisfied(const QByteArray &ifMatchHeader, const QString &currentEtag)
{
    const QByteArray header = ifMatchHeader.trimmed();
    if (header.isEmpty() || header == "*")
        return true;
    const auto candidates = header.split(',');
    for (QByteArray c : candidates) {
        c = c.trimmed();
        if (c.startsWith("W/"))
            c = c.mid(2);
        if (c.size() >= 2 && c.startsWith('"') && c.endsWith('"'))
            c = c.mid(1, c.size() - 2);
        if (QString::fromUtf8(c) == currentEtag)
            return true;
    }
    return false;
}

} // namespace Provisio
