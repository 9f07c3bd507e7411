// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "columnmapping.h"
#include "csv/csvreader.h"

#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QString>

Q_DECLARE_LOGGING_CATEGORY(lcCrmImport)

namespace Provisio::Crm {

class ApiCall;
class ApiClient;

// What became of one row of the user's file.
struct ImportRowResult
{
    int row = 0; // the row number in the user's file (header = 1)
    QString serial;
    QString result;  // "created", "updated" or "error"
    QString message; // why, for errors

    bool isError() const { return result == QLatin1String("error"); }
};

// Sends a mapped delivery file to POST devices/import in chunks of up to
// ChunkRows rows and ChunkBytes bytes, one chunk at a time: each chunk is its
// own transaction on the middleware, so progress is real and a cancel takes
// effect after the chunk in flight, never half-way through one. Rows that
// cannot be right (wrong number of fields, no serial, a serial repeated in
// the file) are reported here without being sent; the middleware reports
// the rest with their row numbers translated back to the user's file.
class ImportJob : public QObject
{
    Q_OBJECT
public:
    explicit ImportJob(ApiClient *api, QObject *parent = nullptr);

    void setData(const CsvReader::Table &table, const ColumnMapping &mapping);
    // The rows `other` was given, without preparing them again (some two
    // seconds for a million rows, on the GUI thread) or holding them twice:
    // the import takes the rows its dry run checked.
    void setDataOf(const ImportJob &other);

    // dryRun: validate only. upsert: update serials that exist instead of
    // reporting them.
    void start(bool dryRun, bool upsert);
    // Sends no further chunk; the one in flight completes.
    void cancel();

    bool isRunning() const { return m_running; }
    bool isCancelled() const { return m_cancelled; }
    bool isDryRun() const { return m_dryRun; }
    bool isComplete() const { return !m_running && m_failure.isEmpty() && !m_cancelled; }
    QString failure() const { return m_failure; } // why the job stopped early (request failed)

    int totalRows() const { return int(m_sendable.size() + m_localErrors.size()); }
    int sendableRows() const { return int(m_sendable.size()); }
    int rowsSent() const { return m_sent; }
    int rowsNotSent() const { return int(m_sendable.size()) - m_sent; }
    int chunkCount() const { return int(m_chunkEnds.size()); }
    int chunksDone() const { return m_chunksDone; }
    int created() const { return m_created; }
    int updated() const { return m_updated; }
    int failed() const { return m_failed; }
    QList<ImportRowResult> results() const; // by row number

    // The report as CSV (row, serial, result, message).
    QByteArray reportCsv() const;

    // Rows per request: as many as the middleware imports in one transaction
    // at its full rate (a request's fixed costs, its search index segment
    // and its commit, are paid per chunk: at 500 rows a million-device
    // import took half as long again; docs/benchmarks.md), while a chunk
    // still takes a fraction of a second, so progress moves and Stop is
    // quick.
    static constexpr int ChunkRows = 5000;
    // Bytes per request, whatever the rows: a quarter of the middleware's
    // limit for an import body (16 MiB), which rows with long notes would
    // otherwise pass (a valid row may take some 30 KiB as CSV).
    static constexpr qint64 ChunkBytes = 4 << 20;

Q_SIGNALS:
    void progress(int rowsDone, int rowsTotal);
    void chunkFinished(int chunk, int chunks);
    void finished();

private:
    struct Pending
    {
        int row;
        QString serial;
        QByteArray line; // the row as sent: its mapped cells as a CSV line
    };
    void sendNext();
    void onChunkAnswer(const QJsonDocument &body, int first, int count);
    void stop(const QString &failure);

    ApiClient *m_api;
    QStringList m_header;
    QList<Pending> m_sendable;
    QList<int> m_chunkEnds; // each chunk's end in m_sendable (exclusive)
    QList<ImportRowResult> m_localErrors;
    QList<ImportRowResult> m_serverResults;
    QPointer<ApiCall> m_call;
    QString m_failure;
    int m_sent = 0;
    int m_chunksDone = 0;
    int m_created = 0;
    int m_updated = 0;
    int m_failed = 0;
    bool m_dryRun = false;
    bool m_upsert = false;
    bool m_running = false;
    bool m_cancelled = false;
};

} // namespace Provisio::Crm
