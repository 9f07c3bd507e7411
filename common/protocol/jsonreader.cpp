// SPDX-License-Identifier: Apache-2.0
#include "jsonreader.h"
#include "jsonlimits.h"

#include "timeutil.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace Provisio {

namespace {

// Doubles hold every integer exactly only up to 2^53; beyond that a JSON
// number may already have been rounded by the sender.
constexpr double kMaxExactInteger = 9007199254740992.0;

} // namespace

JsonReader::JsonReader(const QJsonObject &obj, const QString &path) : JsonReader(obj, path, std::make_shared<State>())
{ }

JsonReader::JsonReader(const QJsonObject &obj, const QString &path, std::shared_ptr<State> state)
    : m_object(obj), m_path(path), m_state(std::move(state))
{ }

QString JsonReader::fieldPath(const QString &key) const
{
    if (m_path.isEmpty())
        return key;
    if (key.isEmpty())
        return m_path;
    return m_path + QLatin1Char('.') + key;
}

bool JsonReader::has(const QString &key) const
{
    return present(key).has_value();
}

std::optional<QJsonValue> JsonReader::present(const QString &key) const
{
    const auto it = m_object.constFind(key);
    if (it == m_object.constEnd() || it->isNull())
        return std::nullopt;
    return it.value();
}

void JsonReader::record(const QString &path, const QString &message)
{
    if (m_state->failed)
        return;
    m_state->failed = true;
    m_state->path = path;
    m_state->message = message;
}

void JsonReader::failField(const QString &path, const QString &problem)
{
    if (path.isEmpty())
        record(path, problem);
    else
        record(path, QLatin1String("field '") + path + QLatin1String("' ") + problem);
}

void JsonReader::fail(const QString &field, const QString &message)
{
    failField(fieldPath(field), message);
}

Error JsonReader::error() const
{
    if (!m_state->failed)
        return {};
    return Error(ErrorCode::InvalidInput, m_state->message);
}

QString JsonReader::requiredString(const QString &key)
{
    const auto value = present(key);
    if (!value) {
        failField(fieldPath(key), QStringLiteral("is required"));
        return {};
    }
    if (!value->isString()) {
        failField(fieldPath(key), QStringLiteral("must be a string"));
        return {};
    }
    const QString s = value->toString();
    if (s.isEmpty())
        failField(fieldPath(key), QStringLiteral("must not be empty"));
    return s;
}

QString JsonReader::optionalString(const QString &key, const QString &def)
{
    return maybeString(key).value_or(def);
}

std::optional<QString> JsonReader::maybeString(const QString &key)
{
    const auto value = present(key);
    if (!value)
        return std::nullopt;
    if (!value->isString()) {
        failField(fieldPath(key), QStringLiteral("must be a string"));
        return std::nullopt;
    }
    return value->toString();
}

std::optional<qint64> JsonReader::integer(const QString &path, const QJsonValue &value, qint64 min, qint64 max)
{
    if (!value.isDouble()) {
        failField(path, QStringLiteral("must be an integer"));
        return std::nullopt;
    }
    const double d = value.toDouble();
    if (!std::isfinite(d) || std::trunc(d) != d) {
        failField(path, QStringLiteral("must be an integer"));
        return std::nullopt;
    }
    // Qt keeps integral JSON numbers as qint64, so toInteger() is exact
    // where the double is not; the sentinel check catches what does not fit.
    const qint64 i = value.toInteger(0);
    const bool fits = std::fabs(d) <= kMaxExactInteger || value.toInteger(1) == i;
    if (!fits || i < min || i > max) {
        failField(path, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        return std::nullopt;
    }
    return i;
}

qint64 JsonReader::requiredInt(const QString &key, qint64 min, qint64 max)
{
    const auto value = present(key);
    if (!value) {
        failField(fieldPath(key), QStringLiteral("is required"));
        return 0;
    }
    return integer(fieldPath(key), *value, min, max).value_or(0);
}

qint64 JsonReader::optionalInt(const QString &key, qint64 def, qint64 min, qint64 max)
{
    return maybeInt(key, min, max).value_or(def);
}

std::optional<qint64> JsonReader::maybeInt(const QString &key, qint64 min, qint64 max)
{
    const auto value = present(key);
    if (!value)
        return std::nullopt;
    return integer(fieldPath(key), *value, min, max);
}

double JsonReader::optionalDouble(const QString &key, double def, double min, double max)
{
    const auto value = present(key);
    if (!value)
        return def;
    if (!value->isDouble()) {
        failField(fieldPath(key), QStringLiteral("must be a number"));
        return def;
    }
    const double d = value->toDouble();
    if (!std::isfinite(d) || d < min || d > max) {
        failField(fieldPath(key), QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        return def;
    }
    return d;
}

bool JsonReader::optionalBool(const QString &key, bool def)
{
    const auto value = present(key);
    if (!value)
        return def;
    if (!value->isBool()) {
        failField(fieldPath(key), QStringLiteral("must be a boolean"));
        return def;
    }
    return value->toBool();
}

QJsonObject JsonReader::requiredObject(const QString &key)
{
    if (!present(key)) {
        failField(fieldPath(key), QStringLiteral("is required"));
        return {};
    }
    return optionalObject(key);
}

QJsonObject JsonReader::optionalObject(const QString &key)
{
    const auto value = present(key);
    if (!value)
        return {};
    if (!value->isObject()) {
        failField(fieldPath(key), QStringLiteral("must be an object"));
        return {};
    }
    return value->toObject();
}

QJsonArray JsonReader::optionalArray(const QString &key)
{
    const auto value = present(key);
    if (!value)
        return {};
    if (!value->isArray()) {
        failField(fieldPath(key), QStringLiteral("must be an array"));
        return {};
    }
    return value->toArray();
}

QStringList JsonReader::optionalStringList(const QString &key)
{
    const QJsonArray array = optionalArray(key);
    QStringList out;
    out.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue element = array.at(i);
        if (!element.isString()) {
            failField(fieldPath(key) + QStringLiteral("[%1]").arg(i), QStringLiteral("must be a string"));
            return {};
        }
        out.append(element.toString());
    }
    return out;
}

QDateTime JsonReader::optionalDateTime(const QString &key)
{
    const auto text = maybeString(key);
    if (!text)
        return {};
    const auto parsed = fromIsoUtc(*text);
    if (!parsed) {
        failField(fieldPath(key), QStringLiteral("must be an ISO-8601 timestamp with a zone, "
                                                 "e.g. 2024-05-01T12:00:00.000Z"));
        return {};
    }
    return *parsed;
}

QDate JsonReader::optionalDate(const QString &key)
{
    const auto text = maybeString(key);
    if (!text)
        return {};
    // fromString(Qt::ISODate) also takes trailing garbage on some versions;
    // the length check keeps the form exactly yyyy-MM-dd.
    const QDate date = QDate::fromString(*text, QStringLiteral("yyyy-MM-dd"));
    if (text->size() != 10 || !date.isValid()) {
        failField(fieldPath(key), QStringLiteral("must be a date in the form yyyy-MM-dd"));
        return {};
    }
    return date;
}

JsonReader JsonReader::child(const QString &key)
{
    return JsonReader(optionalObject(key), fieldPath(key), m_state);
}

QList<JsonReader> JsonReader::optionalObjectList(const QString &key)
{
    const QJsonArray array = optionalArray(key);
    QList<JsonReader> out;
    out.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString path = fieldPath(key) + QStringLiteral("[%1]").arg(i);
        const QJsonValue element = array.at(i);
        if (!element.isObject()) {
            failField(path, QStringLiteral("must be an object"));
            return {};
        }
        out.append(JsonReader(element.toObject(), path, m_state));
    }
    return out;
}

void JsonReader::allowOnly(std::initializer_list<const char *> keys)
{
    // Usually every member is allowed: counted by looking each allowed key
    // up (no copy of a key is made), the list built only to name the
    // first unknown one. Members are unique, so as many found as there are
    // members means none is unknown.
    qsizetype found = 0;
    for (const char *key : keys)
        found += m_object.contains(QLatin1String(key)) ? 1 : 0;
    if (found == m_object.size())
        return;
    QStringList list;
    list.reserve(qsizetype(keys.size()));
    for (const char *key : keys)
        list.append(QLatin1String(key));
    allowOnlySet(list);
}

void JsonReader::allowOnly(std::initializer_list<QLatin1String> keys)
{
    qsizetype found = 0; // as above
    for (QLatin1String key : keys)
        found += m_object.contains(key) ? 1 : 0;
    if (found == m_object.size())
        return;
    QStringList list;
    list.reserve(qsizetype(keys.size()));
    for (QLatin1String key : keys)
        list.append(key);
    allowOnlySet(list);
}

void JsonReader::allowOnly(const QStringList &keys)
{
    allowOnlySet(keys);
}

void JsonReader::allowOnlySet(const QStringList &keys)
{
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (!keys.contains(it.key())) {
            const QString path = fieldPath(it.key());
            record(path, QLatin1String("unknown field '") + path + QLatin1Char('\''));
            return;
        }
    }
}

Result<QJsonObject> parseJsonObject(const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("body is empty; a JSON object is required"));
    // Limits first, on the raw bytes: a document too deep for Qt's parser
    // to read back must never reach the store (JsonLimits).
    if (auto limited = checkJsonText(body, JsonLimits::document(), QStringLiteral("the JSON body")); !limited)
        return limited.error();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Qt 6.4 rejects a top-level scalar ("42", "null") as malformed. It is
        // valid JSON, just not an object, and the client should hear that.
        QJsonParseError wrappedError;
        QJsonDocument::fromJson('[' + body + ']', &wrappedError);
        if (wrappedError.error == QJsonParseError::NoError)
            return Error(ErrorCode::InvalidInput, QStringLiteral("JSON body must be an object"));
        return Error(
            ErrorCode::InvalidInput,
            QStringLiteral("malformed JSON at offset %1: %2").arg(parseError.offset).arg(parseError.errorString()));
    }
    if (!doc.isObject())
        return Error(ErrorCode::InvalidInput, QStringLiteral("JSON body must be an object"));
    return doc.object();
}

} // namespace Provisio
