// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace Provisio {

struct InitialTwin;

// How large a JSON document the middleware accepts before storing it. Qt's
// parser refuses documents nested more than 1024 levels deep, so a document
// stored near that depth (inside a registration's twin, say) could never be
// read back; every document is checked on the way in, on the raw bytes
// before Qt parses them, so nothing unreadable is ever stored.
struct JsonLimits
{
    int maxDepth = 32;            // the document's root object is level 1
    int maxMembers = 10000;       // members of one object or elements of one array
    int maxStringBytes = 65536;   // one string (a key or a value), as sent
    qsizetype maxTotalBytes = -1; // the whole document; -1: no limit of its own

    // Request bodies, webhook answers: anything the API parses.
    static JsonLimits document();
    // One twin section (tags, desired or reported properties), as Azure IoT
    // Hub limits them: 10 levels, 4 KB strings, 32 KB in all.
    static JsonLimits twinSection();
};

// Which limit a document breaks: a short machine name for metrics ("depth",
// "members", "string", "size") and a sentence for people.
struct JsonLimitBreach
{
    const char *reason = "";
    QString message;
};

// The raw text, checked in one pass without building anything: depth,
// members, string lengths and size. Malformed text passes (the parser says
// what is wrong with it); `what` names the document in the message.
std::optional<JsonLimitBreach> jsonTextBreach(const QByteArray &text, const JsonLimits &limits, const QString &what);
// The same for a parsed value (a merged result, a reader's child).
std::optional<JsonLimitBreach> jsonValueBreach(const QJsonValue &value, const JsonLimits &limits, const QString &what);

// InvalidInput naming the limit, for the API.
Result<void> checkJsonText(const QByteArray &text, const JsonLimits &limits, const QString &what);
Result<void> checkJsonValue(const QJsonValue &value, const JsonLimits &limits, const QString &what);
// Tags and desired properties against JsonLimits::twinSection().
Result<void> checkTwinSections(const QJsonObject &tags, const QJsonObject &desired, const QString &prefix);
Result<void> checkInitialTwin(const InitialTwin &twin, const QString &prefix = QStringLiteral("initialTwin"));

} // namespace Provisio
