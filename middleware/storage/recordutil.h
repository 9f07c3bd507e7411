// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace Provisio {

// A fresh entity tag for a record that just changed. Random rather than a
// counter, so two middleware instances never hand out the same tag.
QString newEtag();

// Now, in the one timestamp format every table uses (ISO-8601 UTC, ms).
QString nowIso();

QString toJsonText(const QJsonObject &object);
QJsonObject fromJsonText(const QString &text);

// Paging: list endpoints take `limit` (1..1000, default 100) and an opaque
// `cursor` (the last key of the previous page, base64url).
struct PageRequest
{
    int limit = 100;
    QString afterKey;
};
Result<PageRequest> parsePageRequest(const QString &limitText, const QString &cursorText);
QString encodeCursor(const QString &key);

// If-Match semantics: empty header -> always true; `*` -> true when the
// record exists; otherwise the (quoted or bare, W/ tolerated) tag must equal.
bool ifMatchSatisfied(const QByteArray &ifMatchHeader, const QString &currentEtag);

} // namespace Provisio
