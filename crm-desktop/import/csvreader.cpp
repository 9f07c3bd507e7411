// SPDX-License-Identifier: Apache-2.0
#include "csvreader.h"

#include <QFile>
#include <QFileInfo>
#include <QStringDecoder>

namespace Provisio::Crm {

namespace {

QString decode(const QByteArray &data, QString *encoding)
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

} // namespace

QChar CsvReader::guessDelimiter(const QString &text)
{
    int counts[3] = {0, 0, 0};
    const QChar candidates[3] = {u',', u';', u'\t'};
    bool quoted = false;
    for (const QChar c : text) {
        if (c == u'"')
            quoted = !quoted;
        else if (!quoted && (c == u'\n' || c == u'\r'))
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

Result<CsvReader::Table> CsvReader::parse(const QByteArray &data, QChar delimiter)
{
    Table table;
    const QString text = decode(data, &table.encoding);
    table.delimiter = delimiter.isNull() ? guessDelimiter(text) : delimiter;
    const QChar sep = table.delimiter;

    QList<Row> records;
    Row current;
    QString field;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    bool recordHasContent = false;
    int line = 1;   // physical line, for error messages
    int number = 1; // record number, counting blank lines
    int quoteLine = 0;
    const auto endField = [&] {
        current.fields << field;
        field.clear();
        fieldWasQuoted = false;
    };
    const auto endRecord = [&] {
        if (recordHasContent || !current.fields.isEmpty() || !field.isEmpty() || fieldWasQuoted) {
            endField();
            current.number = number;
            records << current;
        }
        current = Row();
        recordHasContent = false;
        ++number;
    };

    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c == u'"') {
                if (i + 1 < n && text.at(i + 1) == u'"') {
                    field += u'"';
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == u'\n')
                    ++line;
                field += c;
            }
            continue;
        }
        if (c == u'"') {
            // A quote opens a quoted field only at its start; elsewhere it is
            // kept as text, as spreadsheets read it.
            if (field.isEmpty() && !fieldWasQuoted) {
                inQuotes = true;
                fieldWasQuoted = true;
                recordHasContent = true;
                quoteLine = line;
            } else {
                field += c;
            }
        } else if (c == sep) {
            endField();
            recordHasContent = true;
        } else if (c == u'\r' || c == u'\n') {
            if (c == u'\r' && i + 1 < n && text.at(i + 1) == u'\n')
                ++i;
            ++line;
            endRecord();
        } else {
            field += c;
            recordHasContent = true;
        }
    }
    if (inQuotes)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("the quote opened on line %1 never closes").arg(quoteLine));
    endRecord();

    if (records.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("the file is empty; its first row must name the columns"));
    for (const QString &name : records.constFirst().fields)
        table.header << name.trimmed();
    if (table.header.size() == 1 && table.header.constFirst().isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("the first row must name the columns"));
    records.removeFirst();
    table.rows = records;
    return table;
}

Result<CsvReader::Table> CsvReader::readFile(const QString &path, QChar delimiter)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput, QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    if (file.size() > MaxFileBytes)
        return Error(ErrorCode::InvalidInput, QStringLiteral("%1 is %2 MiB; files up to %3 MiB can be imported")
                                                  .arg(QFileInfo(path).fileName())
                                                  .arg(file.size() / (1024 * 1024))
                                                  .arg(MaxFileBytes / (1024 * 1024)));
    return parse(file.readAll(), delimiter);
}

QByteArray CsvReader::writeRow(const QStringList &fields)
{
    QByteArray out;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            out += ',';
        const QString &f = fields.at(i);
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

} // namespace Provisio::Crm
