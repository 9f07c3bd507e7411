// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QPointer>
#include <QSaveFile>
#include <QUrlQuery>

#include <memory>

namespace Provisio::Crm {

class ApiCall;
class ApiClient;

// Writes every device the inventory's filter matches to a CSV file, page
// by page from GET /api/v1/device-export (the next page's cursor comes in
// the Next-Cursor header; the pages concatenate to one CSV). The file
// appears only when the last page is written: a cancel or an error leaves
// no file (and an existing one as it was). Deletes itself after finished().
class DeviceExport : public QObject
{
    Q_OBJECT
public:
    DeviceExport(ApiClient *api, const QUrlQuery &filter, const QString &path, QObject *parent = nullptr);

    // Rows a request (the middleware allows 1 to 10,000).
    static constexpr int kDefaultPageSize = 5000;
    void setPageSize(int rows) { m_pageSize = rows; }

    void start();
    void cancel();

    QString path() const { return m_path; }
    qint64 rowsWritten() const { return m_rows; }
    bool isCancelled() const { return m_cancelled; }
    bool succeeded() const { return m_succeeded; }
    QString error() const { return m_error; }

Q_SIGNALS:
    void progressChanged(qint64 rows);
    void finished();

private:
    void requestPage();
    void writePage(const QByteArray &body, const QByteArray &nextCursor);
    void fail(const QString &message);
    void finish();

    ApiClient *m_api;
    QUrlQuery m_filter;
    QString m_path;
    std::unique_ptr<QSaveFile> m_file;
    QPointer<ApiCall> m_call;
    QByteArray m_cursor;
    QString m_error;
    qint64 m_rows = 0;
    int m_pageSize = kDefaultPageSize;
    bool m_cancelled = false;
    bool m_succeeded = false;
    bool m_finished = false;
};

} // namespace Provisio::Crm
