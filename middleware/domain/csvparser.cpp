// SPDX-License-Identifier: Apache-2.0
#include "csvparser.h"

#include <QStringDecoder>

namespace Provisio {

Result<QList<CsvParser::Record>> CsvParser::parse(const QByteArray &data)
{
    QByteArray bytes = data;
    if (bytes.startsWith("\xEF\xBB\xBF"))
        bytes.remove(0, 3);
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder(bytes);
    if (decoder.hasError())
        return Error(ErrorCode::InvalidInput, QStringLiteral("the CSV file is not valid UTF-8"));

    QList<Record> records;
    Record record;
    QString field;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    bool afterClosingQuote = false;
    int number = 1;
    int quoteOpenedInRecord = 0;

    const auto endField = [&] {
        record.fields << field;
        field.clear();
        fieldWasQuoted = false;
        afterClosingQuote = false;
    };
    const auto endRecord = [&] {
        endField();
        // A blank line is one empty unquoted field: nothing to import.
        const bool blank = record.fields.size() == 1 && record.fields.constFirst().isEmpty() && record.error.isEmpty();
        // Blank lines still count, so row numbers match what a spreadsheet shows.
        record.number = number++;
        if (!blank)
            records << record;
        record = Record();
    };

    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < n && text.at(i + 1) == QLatin1Char('"')) {
                    field += QLatin1Char('"');
                    ++i;
                } else {
                    inQuotes = false;
                    afterClosingQuote = true;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == QLatin1Char(',')) {
            endField();
        } else if (c == QLatin1Char('\r') || c == QLatin1Char('\n')) {
            if (c == QLatin1Char('\r') && i + 1 < n && text.at(i + 1) == QLatin1Char('\n'))
                ++i;
            endRecord();
        } else if (c == QLatin1Char('"') && field.isEmpty() && !fieldWasQuoted) {
            inQuotes = true;
            fieldWasQuoted = true;
            quoteOpenedInRecord = number;
        } else if (afterClosingQuote && (c == QLatin1Char(' ') || c == QLatin1Char('\t'))) {
            // Padding after a closing quote is harmless; tolerate it.
        } else if (afterClosingQuote) {
            // `"abc"x`: RFC 4180 allows nothing between a closing quote and the
            // separator. Report the record; keep reading so the rest still parse.
            if (record.error.isEmpty())
                record.error = QStringLiteral("unexpected character after a closing quote in field %1")
                                   .arg(record.fields.size() + 1);
        } else {
            // A quote inside an unquoted field is kept literally, as most
            // spreadsheets read it.
            field += c;
        }
    }
    if (inQuotes)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("row %1: a quoted field is never closed").arg(quoteOpenedInRecord));
    if (!field.isEmpty() || !record.fields.isEmpty() || fieldWasQuoted || !record.error.isEmpty())
        endRecord();
    return records;
}

} // namespace Provisio
