// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>
#include <QUrl>

class QCoreApplication;

namespace Provisio::Crm {

// What provisio-crm was started with. The command line wins over the saved
// connection: `--url` with `--token-file` (and `--ca`) connects without
// asking, which is how `./provisio demo` and the screenshot script start it.
struct AppOptions
{
    QUrl url;
    QString tokenFile;
    QString caFile;
    QString profile;  // with --url: save that connection under this name
    QString page;     // inventory | customers | enrollments | hubs | audit | access | overview
    QString device;   // a serial whose details to open
    QString language; // en | de for this run; empty: the one chosen in View › Language, else the system's

    // Parses the arguments (handles --help and --version itself, which exit).
    static Result<AppOptions> parse(const QCoreApplication &app);
    static Result<AppOptions> parse(const QStringList &arguments);
    // The language --language names in `arguments`, before they are parsed
    // (the parser's own texts are translated, so the language must be
    // installed first); empty when none or an unknown one is given.
    static QString languageArgument(const QStringList &arguments);
    // The token in --token-file: first line, trimmed; an error for a missing,
    // unreadable or empty file. The token itself is never logged.
    Result<QByteArray> readToken() const;
};

} // namespace Provisio::Crm
