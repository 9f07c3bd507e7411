// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace Provisio {

// A small RFC 4180 reader for the inventory import: comma-separated fields,
// double-quoted fields that may hold commas, quotes ("" inside quotes) and
// line breaks, CRLF or LF record ends, an optional UTF-8 byte order mark
// (spreadsheets write one). Blank lines are skipped but counted, so record
// numbers match the row numbers a spreadsheet shows.
class CsvParser
{
public:
    struct Record
    {
        int number = 0; // 1-based position in the file; the header is 1
        QStringList fields;
        QString error; // set when this record is malformed; the others still parse
    };

    // InvalidInput only when the file cannot be split into records at all
    // (invalid UTF-8, a quote that never closes).
    static Result<QList<Record>> parse(const QByteArray &data);
};

} // namespace Provisio
