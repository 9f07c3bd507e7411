// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/error.h"
#include "core/result.h"

#include <QDate>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <climits>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>

namespace Provisio {

// A strict reader over one JSON object, shared by every codec and request
// handler so that bad input is reported the same way everywhere: the first
// problem wins and names the full path of the field
// ("field 'initialTwin.properties.desired' must be an object",
// "field 'iotHubs[2]' must be a string", "unknown field 'foo'").
//
// Getters never fail loudly: on a problem they record it and return the
// default, so a codec reads every field straight through and checks ok()
// once at the end. JSON null counts as absent for optional fields, because
// many clients serialize unset members as null.
//
// Readers made with child() or optionalObjectList() share the error state
// with their parent, so nested codecs need no plumbing.
class JsonReader
{
public:
    explicit JsonReader(const QJsonObject &obj, const QString &path = {});

    const QJsonObject &object() const { return m_object; }
    // Path of this object from the document root; empty at the root.
    QString path() const { return m_path; }
    // Path of a member of this object, as used in error messages.
    QString fieldPath(const QString &key) const;
    // True when the member is present and not null.
    bool has(const QString &key) const;

    // Strings. A required string must be present and non-empty.
    QString requiredString(const QString &key);
    QString optionalString(const QString &key, const QString &def = {});
    std::optional<QString> maybeString(const QString &key);

    // Integers: JSON numbers with no fractional part, within [min, max].
    qint64 requiredInt(const QString &key, qint64 min = LLONG_MIN, qint64 max = LLONG_MAX);
    qint64 optionalInt(const QString &key, qint64 def, qint64 min = LLONG_MIN, qint64 max = LLONG_MAX);
    std::optional<qint64> maybeInt(const QString &key, qint64 min = LLONG_MIN, qint64 max = LLONG_MAX);

    double optionalDouble(const QString &key, double def, double min = std::numeric_limits<double>::lowest(),
                          double max = std::numeric_limits<double>::max());
    bool optionalBool(const QString &key, bool def);

    QJsonObject requiredObject(const QString &key);
    QJsonObject optionalObject(const QString &key);
    QJsonArray optionalArray(const QString &key);
    // An array whose every element is a string; a bad element is reported
    // as "key[i]".
    QStringList optionalStringList(const QString &key);

    // ISO-8601 timestamp with a zone (see timeutil.h); invalid when absent.
    QDateTime optionalDateTime(const QString &key);
    // Calendar date "yyyy-MM-dd"; invalid when absent.
    QDate optionalDate(const QString &key);

    // Reader over a nested object. Absent or null gives a reader over an
    // empty object (so its required fields report as missing under the
    // right path); a non-object is an error.
    JsonReader child(const QString &key);
    // Readers over the elements of an array of objects, paths "key[i]".
    QList<JsonReader> optionalObjectList(const QString &key);

    // Rejects any member not listed: "unknown field 'x'". Strictness here is
    // what turns a client's typo into an error instead of a silent no-op.
    // Each key is listed once.
    void allowOnly(std::initializer_list<const char *> keys);
    void allowOnly(std::initializer_list<QLatin1String> keys);
    void allowOnly(const QStringList &keys);

    // Records a problem found by the caller: "field '<path of field>' <message>",
    // e.g. fail("email", "must contain exactly one '@'"). With an empty field
    // the message is about this object as a whole.
    void fail(const QString &field, const QString &message);

    bool ok() const { return !m_state->failed; }
    // Error{InvalidInput, message} or Error{} while ok().
    Error error() const;
    // Path of the field the first error is about ("" for the root object).
    QString errorPath() const { return m_state->path; }

private:
    struct State
    {
        bool failed = false;
        QString path;
        QString message;
    };

    JsonReader(const QJsonObject &obj, const QString &path, std::shared_ptr<State> state);
    void record(const QString &path, const QString &message);
    void failField(const QString &path, const QString &problem);
    // Value of key, or std::nullopt when absent or null.
    std::optional<QJsonValue> present(const QString &key) const;
    std::optional<qint64> integer(const QString &path, const QJsonValue &value, qint64 min, qint64 max);
    void allowOnlySet(const QStringList &keys);

    QJsonObject m_object;
    QString m_path;
    std::shared_ptr<State> m_state;
};

// Parses a request or response body that must be one JSON object. Malformed
// JSON reports the parser's offset; arrays and scalars are rejected, and so
// is a document beyond JsonLimits::document() (jsonlimits.h).
Result<QJsonObject> parseJsonObject(const QByteArray &body);

} // namespace Provisio
