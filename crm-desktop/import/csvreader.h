// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QChar>
#include <QList>
#include <QString>
#include <QStringList>

namespace Provisio::Crm {

// Reads a manufacturer's delivery file as spreadsheets write it: a header
// row, then records; ',' or ';' (or tab) as the delimiter, guessed from the
// header because German and French Excel write ';'; fields in double quotes
// that may hold delimiters, "" and line breaks; CRLF or LF; a UTF-8 byte
// order mark; and Windows-1252 text when the file is not valid UTF-8 (what
// older Excel exports). Row numbers are the file's record numbers (the
// header is 1, blank lines count), the numbers a spreadsheet shows.
class CsvReader
{
public:
    struct Row
    {
        int number = 0;
        QStringList fields;
    };
    struct Table
    {
        QChar delimiter;
        QString encoding; // "UTF-8" or "Windows-1252"
        QStringList header;
        QList<Row> rows; // blank lines skipped
    };

    // InvalidInput for an empty file, a quote that never closes, or a file
    // with no header. A null `delimiter` means guess.
    static Result<Table> parse(const QByteArray &data, QChar delimiter = {});
    static Result<Table> readFile(const QString &path, QChar delimiter = {});

    // The delimiter that splits the first record into the most fields
    // (',' when nothing else wins).
    static QChar guessDelimiter(const QString &text);

    // One CSV record (comma-separated, quoted where needed), CRLF-terminated
    // as RFC 4180 says.
    static QByteArray writeRow(const QStringList &fields);

    static constexpr qint64 MaxFileBytes = 256 * 1024 * 1024;
};

} // namespace Provisio::Crm
