// SPDX-License-Identifier: Apache-2.0
#include "recordutil.h"

#include "crypto/keys.h"
#include "protocol/timeutil.h"

#include <QJsonArray>
#include <QJsonParseError>

#include <algorithm>

namespace Provisio {

QString newEtag()
{
    return Crypto::randomIdentifier(9);
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

std::optional<QJsonObject> readStoredDocument(const QString &text)
{
    if (text.isEmpty())
        return QJsonObject();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

QString unreadableMessage(const QString &what, const QString &id, const QString &repair)
{
    return QStringLiteral("the stored document of %1 '%2' is unreadable; %3").arg(what, id, repair);
}

QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant() : QVariant(s);
}

QString containsPattern(const QString &text)
{
    QString escaped = text.toLower();
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

QList<InListChunk> inListChunks(const QStringList &keys, int chunkSize)
{
    QList<InListChunk> chunks;
    for (qsizetype from = 0; from < keys.size(); from += chunkSize) {
        InListChunk chunk;
        const QStringList part = keys.mid(from, chunkSize);
        qsizetype length = 1;
        while (length < part.size())
            length *= 2;
        length = std::min<qsizetype>(length, chunkSize);
        for (const QString &key : part)
            chunk.binds.append(key);
        while (chunk.binds.size() < length)
            chunk.binds.append(part.constLast());
        QStringList marks;
        for (qsizetype i = 0; i < length; ++i)
            marks.append(QStringLiteral("?"));
        chunk.placeholders = marks.join(QLatin1Char(','));
        chunks.append(chunk);
    }
    return chunks;
}

MultiRowInsert::MultiRowInsert(const QString &head, int columns, int maxRows, const QString &tail, int shared)
    : m_maxRows(maxRows)
{
    const auto row = [&](int index) -> QString {
        QStringList marks;
        for (int c = 0; c < columns; ++c) {
            if (shared == 0)
                marks << QStringLiteral("?");
            else if (c < shared)
                marks << QLatin1Char('?') + QString::number(c + 1);
            else
                marks << QLatin1Char('?') + QString::number(shared + index * (columns - shared) + (c - shared) + 1);
        }
        return QLatin1Char('(') + marks.join(QLatin1String(", ")) + QLatin1Char(')');
    };
    const auto sql = [&](int rows) -> QString {
        QString text = head + QLatin1Char(' ') + row(0);
        for (int i = 1; i < rows; ++i)
            text += QLatin1String(", ") + row(i);
        if (!tail.isEmpty())
            text += QLatin1Char(' ') + tail;
        return text;
    };
    m_one = sql(1);
    m_ten = sql(10);
    m_many = sql(maxRows);
}

Error commitFailed()
{
    return Error(ErrorCode::Unavailable, QStringLiteral("the change could not be committed"));
}

Result<PageRequest> parsePageRequest(const QString &limitText, const QString &cursorText)
{
    PageRequest page;
    if (!limitText.isEmpty()) {
        bool ok = false;
        const int limit = limitText.toInt(&ok);
        if (!ok || limit < 1 || limit > 1000)
            return Error(ErrorCode::InvalidInput, QStringLiteral("limit must be an integer between 1 and 1000"));
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
    return QString::fromLatin1(key.toUtf8().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString pairCursorKey(const QString &first, const QString &second)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{first, second}).toJson(QJsonDocument::Compact));
}

Result<std::pair<QString, QString>> parsePairCursorKey(const QString &afterKey)
{
    const QJsonArray key = QJsonDocument::fromJson(afterKey.toUtf8()).array();
    if (key.size() != 2 || !key.at(0).isString() || !key.at(1).isString())
        return Error(ErrorCode::InvalidInput, QStringLiteral("cursor is not valid"));
    return std::make_pair(key.at(0).toString(), key.at(1).toString());
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

Error recordNotFound(const QString &entity, const QString &keyName, const QString &key)
{
    return Error(ErrorCode::NotFound, QStringLiteral("no %1 with %2 '%3'").arg(entity, keyName, key));
}

Error ifMatchFailed(const QString &entity, const QString &key)
{
    return Error(ErrorCode::PreconditionFailed,
                 QStringLiteral("If-Match does not match the current etag of %1 '%2'").arg(entity, key));
}

Error changedMeanwhile(const QString &entity, const QString &key)
{
    return Error(ErrorCode::PreconditionFailed,
                 QStringLiteral("%1 '%2' was changed meanwhile; read it again").arg(entity, key));
}

Result<void> requireIfMatch(const QByteArray &ifMatchHeader, const QString &currentEtag)
{
    const QByteArray ifMatch = ifMatchHeader.trimmed();
    if (ifMatch.isEmpty())
        return {};
    if (currentEtag.isEmpty())
        return Error(ErrorCode::PreconditionFailed, QStringLiteral("If-Match was given but the record does not exist"));
    if (!ifMatchSatisfied(ifMatch, currentEtag))
        return Error(ErrorCode::PreconditionFailed,
                     QStringLiteral("If-Match does not match the record's current etag; read it again"));
    return {};
}

} // namespace Provisio
