// SPDX-License-Identifier: Apache-2.0
#include "jsonlimits.h"
#include "twin.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QVarLengthArray>

namespace Provisio {

JsonLimits JsonLimits::document()
{
    return JsonLimits{};
}

JsonLimits JsonLimits::twinSection()
{
    JsonLimits l;
    l.maxDepth = 10;
    l.maxMembers = 1000;
    l.maxStringBytes = 4096;
    l.maxTotalBytes = 32 * 1024;
    return l;
}

namespace {
JsonLimitBreach tooDeep(const QString &what, int limit)
{
    return {"depth", QStringLiteral("%1 nests deeper than %2 levels").arg(what).arg(limit)};
}
JsonLimitBreach tooManyMembers(const QString &what, int limit)
{
    return {"members", QStringLiteral("%1 has an object or array with more than %2 members").arg(what).arg(limit)};
}
JsonLimitBreach stringTooLong(const QString &what, int limit)
{
    return {"string", QStringLiteral("%1 has a string longer than %2 bytes").arg(what).arg(limit)};
}
JsonLimitBreach tooLarge(const QString &what, qsizetype limit)
{
    return {"size", QStringLiteral("%1 is larger than %2 bytes").arg(what).arg(limit)};
}

std::optional<JsonLimitBreach> valueBreach(const QJsonValue &value, const JsonLimits &limits, const QString &what,
                                           int depth)
{
    if (value.isString()) {
        if (value.toString().toUtf8().size() > limits.maxStringBytes)
            return stringTooLong(what, limits.maxStringBytes);
        return std::nullopt;
    }
    if (!value.isObject() && !value.isArray())
        return std::nullopt;
    if (depth + 1 > limits.maxDepth)
        return tooDeep(what, limits.maxDepth);
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (object.size() > limits.maxMembers)
            return tooManyMembers(what, limits.maxMembers);
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it.key().toUtf8().size() > limits.maxStringBytes)
                return stringTooLong(what, limits.maxStringBytes);
            if (auto b = valueBreach(it.value(), limits, what, depth + 1))
                return b;
        }
        return std::nullopt;
    }
    const QJsonArray array = value.toArray();
    if (array.size() > limits.maxMembers)
        return tooManyMembers(what, limits.maxMembers);
    for (const QJsonValue &element : array) {
        if (auto b = valueBreach(element, limits, what, depth + 1))
            return b;
    }
    return std::nullopt;
}
} // namespace

std::optional<JsonLimitBreach> jsonTextBreach(const QByteArray &text, const JsonLimits &limits, const QString &what)
{
    if (limits.maxTotalBytes >= 0 && text.size() > limits.maxTotalBytes)
        return tooLarge(what, limits.maxTotalBytes);
    // members[d]: separators seen in the open container at depth d; one
    // more than the commas is the member count (close enough for a limit).
    QVarLengthArray<int, 64> members;
    bool inString = false;
    qsizetype stringStart = 0;
    const char *data = text.constData();
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char c = data[i];
        if (inString) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                inString = false;
                if (i - stringStart - 1 > limits.maxStringBytes)
                    return stringTooLong(what, limits.maxStringBytes);
            }
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            stringStart = i;
            break;
        case '{':
        case '[':
            if (members.size() + 1 > limits.maxDepth)
                return tooDeep(what, limits.maxDepth);
            members.append(0);
            break;
        case '}':
        case ']':
            if (!members.isEmpty())
                members.removeLast();
            break;
        case ',':
            if (!members.isEmpty() && ++members.last() + 1 > limits.maxMembers)
                return tooManyMembers(what, limits.maxMembers);
            break;
        default:
            break;
        }
    }
    if (inString && size - stringStart - 1 > limits.maxStringBytes)
        return stringTooLong(what, limits.maxStringBytes);
    return std::nullopt;
}

std::optional<JsonLimitBreach> jsonValueBreach(const QJsonValue &value, const JsonLimits &limits, const QString &what)
{
    if (auto b = valueBreach(value, limits, what, 0))
        return b;
    if (limits.maxTotalBytes >= 0 && (value.isObject() || value.isArray())) {
        const QJsonDocument doc = value.isObject() ? QJsonDocument(value.toObject()) : QJsonDocument(value.toArray());
        if (doc.toJson(QJsonDocument::Compact).size() > limits.maxTotalBytes)
            return tooLarge(what, limits.maxTotalBytes);
    }
    return std::nullopt;
}

Result<void> checkJsonText(const QByteArray &text, const JsonLimits &limits, const QString &what)
{
    if (auto b = jsonTextBreach(text, limits, what))
        return Error(ErrorCode::InvalidInput, b->message);
    return {};
}

Result<void> checkJsonValue(const QJsonValue &value, const JsonLimits &limits, const QString &what)
{
    if (auto b = jsonValueBreach(value, limits, what))
        return Error(ErrorCode::InvalidInput, b->message);
    return {};
}

Result<void> checkTwinSections(const QJsonObject &tags, const QJsonObject &desired, const QString &prefix)
{
    const JsonLimits limits = JsonLimits::twinSection();
    if (auto r = checkJsonValue(tags, limits, prefix + QStringLiteral("tags")); !r)
        return r;
    return checkJsonValue(desired, limits, prefix + QStringLiteral("properties.desired"));
}

Result<void> checkInitialTwin(const InitialTwin &twin, const QString &prefix)
{
    return checkTwinSections(twin.tags, twin.desiredProperties, prefix + QLatin1Char('.'));
}

} // namespace Provisio
