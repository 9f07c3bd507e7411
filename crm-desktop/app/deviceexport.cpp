// SPDX-License-Identifier: Apache-2.0
#include "deviceexport.h"

#include "apicall.h"
#include "apiclient.h"
#include "apifailure.h"

namespace Provisio::Crm {

DeviceExport::DeviceExport(ApiClient *api, const QUrlQuery &filter, const QString &path, QObject *parent)
    : QObject(parent), m_api(api), m_filter(filter), m_path(path)
{ }

void DeviceExport::start()
{
    // QSaveFile writes beside the target and renames on commit, so the
    // named file never holds a partial export.
    m_file = std::make_unique<QSaveFile>(m_path);
    if (!m_file->open(QIODevice::WriteOnly)) {
        fail(tr("Cannot write %1: %2").arg(m_path, m_file->errorString()));
        return;
    }
    requestPage();
}

void DeviceExport::cancel()
{
    if (m_finished)
        return;
    m_cancelled = true;
    if (m_call)
        m_call->abort(); // its failure ends the export
    else
        finish();
}

void DeviceExport::requestPage()
{
    QUrlQuery query = m_filter;
    query.removeAllQueryItems(QStringLiteral("limit"));
    query.removeAllQueryItems(QStringLiteral("cursor"));
    query.addQueryItem(QStringLiteral("limit"), QString::number(m_pageSize));
    if (!m_cursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), QString::fromLatin1(m_cursor));
    ApiCall *call = m_api->getRaw(QStringLiteral("device-export"), query);
    m_call = call;
    connect(call, &ApiCall::finishedRaw, this,
            [this, call](const QByteArray &body) { writePage(body, call->responseHeader("Next-Cursor").trimmed()); });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &failure) {
        if (m_cancelled)
            finish();
        else
            fail(tr("The export stopped after %1 devices: %2").arg(m_rows).arg(failure.message));
    });
}

void DeviceExport::writePage(const QByteArray &body, const QByteArray &nextCursor)
{
    m_call = nullptr;
    if (m_cancelled) {
        finish();
        return;
    }
    if (m_file->write(body) != body.size()) {
        fail(tr("Cannot write %1: %2").arg(m_path, m_file->errorString()));
        return;
    }
    // Rows are lines; the first page also carries the header row. A quoted
    // cell may hold a line break, so count only complete records.
    qint64 lines = 0;
    bool quoted = false;
    for (const char c : body) {
        if (c == '"')
            quoted = !quoted;
        else if (c == '\n' && !quoted)
            ++lines;
    }
    if (m_cursor.isEmpty() && lines > 0)
        --lines; // the header
    m_rows += lines;
    Q_EMIT progressChanged(m_rows);
    if (!nextCursor.isEmpty() && nextCursor == m_cursor) {
        fail(tr("The middleware answered the same page twice; the export stopped after %1 devices.").arg(m_rows));
        return;
    }
    m_cursor = nextCursor;
    if (!m_cursor.isEmpty()) {
        requestPage();
        return;
    }
    if (!m_file->commit()) {
        fail(tr("Cannot write %1: %2").arg(m_path, m_file->errorString()));
        return;
    }
    m_succeeded = true;
    finish();
}

void DeviceExport::fail(const QString &message)
{
    m_error = message;
    finish();
}

void DeviceExport::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_call)
        m_call->abort();
    if (m_file && !m_succeeded)
        m_file->cancelWriting(); // the temporary file goes; the target is untouched
    m_file.reset();
    Q_EMIT finished();
    deleteLater();
}

} // namespace Provisio::Crm
