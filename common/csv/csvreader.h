// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QChar>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace Provisio {

// The one CSV reader, for the inventory import on the server and the
// delivery-file import in the CRM. It reads what spreadsheets write (RFC 4180
// and the usual deviations): a header row, then records; ',' ';' or tab as
// the delimiter, guessed from the header because German and French Excel
// write ';'; fields in double quotes that may hold delimiters, "" and line
// breaks; CRLF, LF or CR record ends, even mixed; a UTF-8 byte order mark;
// and, when asked, Windows-1252 text when the file is not valid UTF-8 (what
// older Excel exports).
//
// A malformed record (`"abc"x`, a NUL character, too many fields) is reported
// on its row and the others still read, so a typo in row 5000 does not cost
// the other 4999; only a file that cannot be split into records at all (not
// UTF-8, a quote that never closes, no header) is refused as a whole.
class CsvReader
{
public:
    struct Options
    {
        // Null: guessed from the header row. The server passes ',' as its
        // API documents.
        QChar delimiter;
        // Read a file that is not valid UTF-8 as Windows-1252 instead of
        // refusing it. A person picking a file wants it read; the API wants
        // UTF-8 and says so.
        bool windows1252Fallback = false;
        // A record with more fields is reported and its extra fields dropped:
        // a file of nothing but commas must not become millions of strings.
        int maxFields = 1024;
        // Told how far parse() got (characters read, of all), a hundred
        // times or so over a large file, on the thread that parses: for a
        // window that shows a big file being read.
        std::function<void(qint64 done, qint64 total)> progress;
    };

    struct Row
    {
        int number = 0; // record number; the header is 1 and blank lines count, as a spreadsheet numbers rows
        int line = 0;   // the physical line the record starts on (differs once a cell holds a line break)
        QStringList fields;
        QString error; // set when this record is malformed; the other rows still read
    };

    struct Table
    {
        QChar delimiter;
        QString encoding;   // "UTF-8" or "Windows-1252"
        QStringList header; // the first record, trimmed
        QList<Row> rows;    // the records after it; blank lines skipped
    };

    static constexpr qint64 MaxFileBytes = 256 * 1024 * 1024;

    // InvalidInput for an empty file, text that is not UTF-8 (unless the
    // fallback is on), a quote that never closes or a malformed header row.
    static Result<Table> parse(const QByteArray &data, const Options &options);
    static Result<Table> parse(const QByteArray &data) { return parse(data, Options()); }
    // parse() of a file's contents; InvalidInput naming the file when it
    // cannot be opened or is larger than `maxBytes`.
    static Result<Table> readFile(const QString &path, const Options &options, qint64 maxBytes = MaxFileBytes);
    static Result<Table> readFile(const QString &path) { return readFile(path, Options()); }

    // The delimiter that splits the first record into the most fields
    // (',' when nothing else wins).
    static QChar guessDelimiter(const QString &text);

    // How writeRow treats cells. Verbatim round-trips through parse() (what
    // the CRM sends the middleware); SpreadsheetSafe is for files a person
    // opens in a spreadsheet, where a cell that came from someone else's
    // file must never run as a formula (spreadsheetText).
    enum class Cells { Verbatim, SpreadsheetSafe };

    // One CSV record (comma-separated, quoted where needed), CRLF-terminated
    // as RFC 4180 says.
    static QByteArray writeRow(const QStringList &fields, Cells cells = Cells::Verbatim);

    // `cell` kept as text in a spreadsheet: one starting with '=', '+', '-',
    // '@', a tab or a carriage return (what Excel, LibreOffice and Google
    // Sheets read as the start of a formula) gets a leading apostrophe.
    static QString spreadsheetText(const QString &cell);
};

} // namespace Provisio
