// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringView>

namespace Provisio {

// Appends `text` as a JSON string, quoted and escaped exactly as
// QJsonDocument writes it (the same bytes once encoded as UTF-8), for the
// few answers and documents written directly as text because a
// QJsonObject per record cost more than the work they report (the stored
// device document, the CSV import's report).
void appendJsonString(QString &out, QStringView text);

// Appends the key of the next member of the object `out` is writing: a
// comma unless the object was just opened, then `"key":`. Members go in
// QJsonObject's order (keys sorted); keys are ASCII.
void appendJsonKey(QString &out, QLatin1String key);

// appendJsonKey, then `value` as a JSON string.
void appendJsonMember(QString &out, QLatin1String key, QStringView value);

// Appends `object` as QJsonDocument's compact text (the same bytes once
// encoded as UTF-8), for a document written as text around it (the stored
// registration's twin). Numbers other than integers are QJsonDocument's to
// format: false, with `out` as it was, when the object holds one.
bool appendJsonObject(QString &out, const QJsonObject &object);

} // namespace Provisio
