// SPDX-License-Identifier: Apache-2.0
#include "csvreader.h"

#include <QFile>
#include <QFileInfo>
#include <QStringDecoder>

#include <algorithm>

namespace Provisio {

namespace {

Result<QString> decode(const QByteArray &data, bool windows1252Fallback, QString *encoding)
{
    QByteArray bytes = data;
    if (bytes.startsWith("\xEF\xBB\xBF"))
        bytes.remove(0, 3);
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = utf8.decode(bytes);
    if (!utf8.hasError()) {
        *encoding = QStringLiteral("UTF-8");
        return text;
    }
    if (!windows1252Fallback)
        return Error(ErrorCode::InvalidInput, QStringLiteral("the CSV file is not valid UTF-8"));
    // Not UTF-8: the usual other choice of spreadsheet exports. Qt 6.4 has
    // no Windows-1252 decoder of its own on every platform, so map the 0x80
    // to 0x9F range (where 1252 differs from Latin-1) by hand.
    static const char16_t cp1252[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                                        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
    text.clear();
    text.reserve(bytes.size());
    for (const char c : std::as_const(bytes)) {
        const uchar b = uchar(c);
        text.append(b >= 0x80 && b < 0xA0 ? QChar(cp1252[b - 0x80]) : QChar(char16_t(b)));
    }
    *encoding = QStringLiteral("Windows-1252");
    return text;
}

bool isLineBreak(QChar c)
{
    return c == u'\r' || c == u'\n';
}

} // namespace

QChar CsvReader::guessDelimiter(const QString &text)
{
    int counts[3] = {0, 0, 0};
    const QChar candidates[3] = {u',', u';', u'\t'};
    bool quoted = false;
    for (const QChar c : text) {
        if (c == u'"')
            quoted = !quoted;
        else if (!quoted && isLineBreak(c))
            break;
        else if (!quoted) {
            for (int i = 0; i < 3; ++i) {
                if (c == candidates[i])
                    ++counts[i];
            }
        }
    }
    int best = 0;
    for (int i = 1; i < 3; ++i) {
        if (counts[i] > counts[best])
            best = i;
    }
    return candidates[best];
}

Result<CsvReader::Table> CsvReader::parse(const QByteArray &data, const Options &options)
{
    Table table;
    const auto decoded = decode(data, options.windows1252Fallback, &table.encoding);
    if (!decoded)
        return decoded.error();
    const QString &text = *decoded;
    table.delimiter = options.delimiter.isNull() ? guessDelimiter(text) : options.delimiter;
    const QChar sep = table.delimiter;
    const qsizetype maxFields = qMax(1, options.maxFields);

    QList<Row> records;
    Row row;
    QString field;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    bool afterClosingQuote = false;
    bool hasContent = false;  // anything but the line break: a blank line is skipped
    qsizetype fieldCount = 0; // including fields dropped over maxFields
    int number = 1;
    int line = 1;
    int quoteRow = 0;
    int quoteLine = 0;
    row.number = number;
    row.line = line;

    const auto fail = [&](const QString &message) {
        if (row.error.isEmpty())
            row.error = message;
    };
    const auto endField = [&] {
        ++fieldCount;
        if (row.fields.size() < maxFields)
            row.fields << field;
        else
            fail(QStringLiteral("has more than %1 fields").arg(maxFields));
        field.clear();
        fieldWasQuoted = false;
        afterClosingQuote = false;
    };
    const auto endRecord = [&] {
        if (hasContent) {
            endField();
            records << row;
        }
        // Blank lines still count, so row numbers match what a spreadsheet shows.
        row = Row();
        row.number = ++number;
        row.line = line;
        field.clear();
        fieldWasQuoted = false;
        afterClosingQuote = false;
        hasContent = false;
        fieldCount = 0;
    };
    const auto checkNul = [&](QChar c) {
        if (c.isNull())
            fail(QStringLiteral("field %1 contains a NUL character").arg(fieldCount + 1));
    };

    const qsizetype n = text.size();
    const qsizetype progressStep = std::max<qsizetype>(n / 100, 64 * 1024);
    qsizetype nextProgress = options.progress ? progressStep : n + 1;
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        const bool crlf = c == u'\r' && i + 1 < n && text.at(i + 1) == u'\n';
        if (inQuotes) {
            if (c == u'"') {
                if (i + 1 < n && text.at(i + 1) == u'"') {
                    field += u'"';
                    ++i;
                } else {
                    inQuotes = false;
                    afterClosingQuote = true;
                }
            } else {
                // A line break in a cell is kept as written; CRLF is one line.
                if (isLineBreak(c) && !crlf)
                    ++line;
                checkNul(c);
                field += c;
            }
            continue;
        }
        if (isLineBreak(c)) {
            if (crlf)
                ++i;
            ++line;
            endRecord();
            if (i >= nextProgress) {
                options.progress(i, n);
                nextProgress = i + progressStep;
            }
            continue;
        }
        hasContent = true;
        if (c == sep) {
            endField();
        } else if (c == u'"' && field.isEmpty() && !fieldWasQuoted) {
            inQuotes = true;
            fieldWasQuoted = true;
            quoteRow = row.number;
            quoteLine = line;
        } else if (afterClosingQuote && (c == u' ' || c == u'\t')) {
            // Padding after a closing quote is harmless; tolerate it.
        } else if (afterClosingQuote) {
            // `"abc"x`: RFC 4180 allows nothing between a closing quote and the
            // separator. Report the record, keep the quoted text as the cell
            // (so the report names the serial the user typed), and keep
            // reading so the rest still parse.
            fail(QStringLiteral("unexpected character after a closing quote in field %1").arg(fieldCount + 1));
        } else {
            // A quote inside an unquoted field is kept literally, as
            // spreadsheets read it.
            checkNul(c);
            field += c;
        }
    }
    if (inQuotes)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("row %1 (line %2): a quoted field is never closed").arg(quoteRow).arg(quoteLine));
    endRecord();

    if (records.isEmpty())
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("the CSV file is empty; its first row must name the columns"));
    const Row header = records.takeFirst();
    if (!header.error.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("header row: ") + header.error);
    for (const QString &name : header.fields)
        table.header << name.trimmed();
    if (table.header.size() == 1 && table.header.constFirst().isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("the first row must name the columns"));
    table.rows = std::move(records);
    return table;
}

Result<CsvReader::Table> CsvReader::readFile(const QString &path, const Options &options, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput, QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    if (file.size() > maxBytes)
        return Error(ErrorCode::InvalidInput, QStringLiteral("%1 is %2 MiB; files up to %3 MiB can be imported")
                                                  .arg(QFileInfo(path).fileName())
                                                  .arg(file.size() / (1024 * 1024))
                                                  .arg(maxBytes / (1024 * 1024)));
    return parse(file.readAll(), options);
}

QString CsvReader::spreadsheetText(const QString &cell)
{
    if (cell.isEmpty())
        return cell;
    switch (cell.front().unicode()) {
    case u'=':
    case u'+':
    case u'-':
    case u'@':
    case u'\t':
    case u'\r':
        return QString(u'\'' + cell);
    default:
        return cell;
    }
}

QByteArray CsvReader::writeRow(const QStringList &fields, Cells cells)
{
    QByteArray out;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            out += ',';
        const QString f = cells == Cells::SpreadsheetSafe ? spreadsheetText(fields.at(i)) : fields.at(i);
        const bool quote = f.contains(u',') || f.contains(u'"') || f.contains(u'\n') || f.contains(u'\r') ||
                           f.startsWith(u' ') || f.endsWith(u' ');
        if (quote) {
            QString escaped = f;
            escaped.replace(QStringLiteral("\""), QStringLiteral("\"\""));
            out += '"' + escaped.toUtf8() + '"';
        } else {
            out += f.toUtf8();
        }
    }
    out += "\r\n";
    return out;
}

} // namespace Provisio
