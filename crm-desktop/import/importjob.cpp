// SPDX-License-Identifier: Apache-2.0
#include "importjob.h"

#include "apicall.h"
#include "apiclient.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

#include <algorithm>

Q_LOGGING_CATEGORY(lcCrmImport, "provisio.crm.import")

namespace Provisio::Crm {

namespace {
const QString kError = QStringLiteral("error");
}

ImportJob::ImportJob(ApiClient *api, QObject *parent) : QObject(parent), m_api(api) { }

void ImportJob::setData(const CsvReader::Table &table, const ColumnMapping &mapping)
{
    m_header = mapping.canonicalHeader();
    m_sendable.clear();
    m_localErrors.clear();
    m_serverResults.clear();
    const int serialColumn = mapping.columnOf(ColumnMapping::Serial);
    QHash<QString, int> firstRow;
    for (const CsvReader::Row &row : table.rows) {
        // Rows of nothing but delimiters are what spreadsheets leave below
        // the data; they are not devices.
        if (std::all_of(row.fields.cbegin(), row.fields.cend(), [](const QString &f) { return f.trimmed().isEmpty(); }))
            continue;
        ImportRowResult local;
        local.row = row.number;
        local.result = kError;
        local.serial = serialColumn >= 0 ? row.fields.value(serialColumn).trimmed() : QString();
        if (!row.error.isEmpty()) {
            local.message = row.error;
            m_localErrors << local;
            continue;
        }
        if (row.fields.size() != table.header.size()) {
            local.message = tr("has %1 fields; the header row has %2").arg(row.fields.size()).arg(table.header.size());
            m_localErrors << local;
            continue;
        }
        if (local.serial.isEmpty()) {
            local.message = tr("serial is empty");
            m_localErrors << local;
            continue;
        }
        if (const auto seen = firstRow.constFind(local.serial); seen != firstRow.constEnd()) {
            local.message = tr("serial '%1' already appears in row %2").arg(local.serial).arg(seen.value());
            m_localErrors << local;
            continue;
        }
        firstRow.insert(local.serial, row.number);
        m_sendable << Pending{row.number, local.serial, CsvReader::writeRow(mapping.canonicalCells(row.fields))};
    }
    // The chunks, known before the first is sent: the progress says "chunk
    // 3 of 200" from the start. A row longer than ChunkBytes goes alone.
    m_chunkEnds.clear();
    const qint64 headerBytes = CsvReader::writeRow(m_header).size();
    int rows = 0;
    qint64 bytes = headerBytes;
    for (qsizetype i = 0; i < m_sendable.size(); ++i) {
        const qint64 line = m_sendable.at(i).line.size();
        if (rows > 0 && (rows == ChunkRows || bytes + line > ChunkBytes)) {
            m_chunkEnds << int(i);
            rows = 0;
            bytes = headerBytes;
        }
        ++rows;
        bytes += line;
    }
    if (rows > 0)
        m_chunkEnds << int(m_sendable.size());
}

void ImportJob::setDataOf(const ImportJob &other)
{
    m_header = other.m_header;
    m_sendable = other.m_sendable;
    m_localErrors = other.m_localErrors;
    m_chunkEnds = other.m_chunkEnds;
    m_serverResults.clear();
}

void ImportJob::start(bool dryRun, bool upsert)
{
    if (m_running)
        return;
    m_dryRun = dryRun;
    m_upsert = upsert;
    m_serverResults.clear();
    m_failure.clear();
    m_sent = m_chunksDone = m_created = m_updated = 0;
    m_failed = int(m_localErrors.size());
    m_cancelled = false;
    m_running = true;
    qCInfo(lcCrmImport) << (dryRun ? "validating" : "importing") << m_sendable.size() << "rows in" << chunkCount()
                        << "chunks;" << m_localErrors.size() << "rows rejected before sending";
    Q_EMIT progress(0, sendableRows());
    sendNext();
}

void ImportJob::cancel()
{
    if (!m_running || m_cancelled)
        return;
    qCInfo(lcCrmImport) << "cancel requested after" << m_chunksDone << "of" << chunkCount() << "chunks";
    m_cancelled = true;
}

void ImportJob::sendNext()
{
    if (m_cancelled || m_sent >= m_sendable.size()) {
        m_running = false;
        Q_EMIT finished();
        return;
    }
    const int first = m_sent;
    const int count = m_chunkEnds.at(m_chunksDone) - first;
    QByteArray body = CsvReader::writeRow(m_header);
    for (int i = first; i < first + count; ++i)
        body += m_sendable.at(i).line;
    QUrlQuery query;
    if (m_dryRun)
        query.addQueryItem(QStringLiteral("dryRun"), QStringLiteral("true"));
    if (m_upsert)
        query.addQueryItem(QStringLiteral("mode"), QStringLiteral("upsert"));
    m_call =
        m_api->postRaw(QStringLiteral("devices/import"), body, QByteArrayLiteral("text/csv; charset=utf-8"), query);
    connect(m_call, &ApiCall::finished, this, [this, first, count](const QJsonDocument &answer, const QByteArray &) {
        onChunkAnswer(answer, first, count);
    });
    connect(m_call, &ApiCall::failed, this, [this, first, count](const ApiFailure &failure) {
        // Each chunk is one transaction: a failed chunk wrote nothing.
        stop(tr("rows %1 to %2 were not imported: %3")
                 .arg(m_sendable.at(first).row)
                 .arg(m_sendable.at(first + count - 1).row)
                 .arg(failure.message));
    });
}

void ImportJob::onChunkAnswer(const QJsonDocument &body, int first, int count)
{
    const QJsonArray rows = body.object().value(QStringLiteral("rows")).toArray();
    for (const QJsonValue &value : rows) {
        const QJsonObject o = value.toObject();
        // The chunk's own numbering: its header is row 1, its first data row 2.
        const int index = o.value(QStringLiteral("row")).toInt() - 2;
        if (index < 0 || index >= count)
            continue;
        const Pending &p = m_sendable.at(first + index);
        ImportRowResult r;
        r.row = p.row;
        r.serial = p.serial;
        r.result = o.value(QStringLiteral("result")).toString();
        r.message = o.value(QStringLiteral("message")).toString();
        m_serverResults << r;
    }
    const QJsonObject totals = body.object();
    m_created += totals.value(QStringLiteral("created")).toInt();
    m_updated += totals.value(QStringLiteral("updated")).toInt();
    m_failed += totals.value(QStringLiteral("failed")).toInt();
    m_sent += count;
    ++m_chunksDone;
    Q_EMIT progress(m_sent, sendableRows());
    Q_EMIT chunkFinished(m_chunksDone, chunkCount());
    sendNext();
}

void ImportJob::stop(const QString &failure)
{
    qCWarning(lcCrmImport) << "import stopped:" << failure;
    m_failure = failure;
    m_running = false;
    Q_EMIT finished();
}

QList<ImportRowResult> ImportJob::results() const
{
    QList<ImportRowResult> all = m_localErrors + m_serverResults;
    // Rows a cancel or a failed chunk kept from the middleware: listed so the
    // exported report says which rows to import again.
    if (!m_running && (m_cancelled || !m_failure.isEmpty())) {
        for (qsizetype i = m_sent; i < m_sendable.size(); ++i)
            all << ImportRowResult{m_sendable.at(i).row, m_sendable.at(i).serial, QStringLiteral("notSent"),
                                   tr("not imported: the import stopped before this row")};
    }
    std::sort(all.begin(), all.end(), [](const ImportRowResult &a, const ImportRowResult &b) { return a.row < b.row; });
    return all;
}

QByteArray ImportJob::reportCsv() const
{
    // The report is opened in spreadsheets, and its serials and messages come
    // from someone else's file: no cell may run as a formula there.
    constexpr auto safe = CsvReader::Cells::SpreadsheetSafe;
    QByteArray out = CsvReader::writeRow(
        {QStringLiteral("row"), QStringLiteral("serial"), QStringLiteral("result"), QStringLiteral("message")}, safe);
    for (const ImportRowResult &r : results())
        out += CsvReader::writeRow({QString::number(r.row), r.serial, r.result, r.message}, safe);
    return out;
}

} // namespace Provisio::Crm
