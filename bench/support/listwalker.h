// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "rawhttpsconnection.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace Provisio::Bench {

// Pages through one CRM API list the way the CRM desktop does: a GET of
// `limit` rows, then the next page with the `nextCursor` of the previous
// answer, until an answer has none. Each of C clients walks the whole list
// on its own keep-alive connection (handshakes done before the clock
// starts), so a page's latency includes its wait for the server. The next
// cursor is read from the end of the answer's bytes (the list's last
// member); the pages are parsed and checked only after the clock stopped,
// so the load generator stays far below the server's CPU.
class ListWalker
{
public:
    struct Result
    {
        qint64 connectNs = 0;
        qint64 wallNs = 0;                          // first page sent to the last page answered
        std::vector<qint64> latencyNs;              // every page of every client
        std::vector<std::vector<QByteArray>> pages; // per client, in order
        int failedPages = 0;                        // answers other than 200, and transport failures
        QString failureExample;
        QString abortReason;
        bool ok() const { return abortReason.isEmpty() && failedPages == 0; }
    };

    // What the pages hold, checked after the run.
    struct Verdict
    {
        qint64 rows = 0;        // over every client
        qint64 rowsPerWalk = 0; // rows one client saw (the same for each, or an error)
        QString error;          // empty when every walk saw each row once
    };

    ListWalker(const Endpoint &endpoint, const QString &bearerToken, int clients);

    // Walks `path` (e.g. "/api/v1/enrollments") with `limit` rows a page.
    Result walk(const QByteArray &path, int limit);

    // Parses the pages: every page a JSON object with an `items` array of
    // objects, every row's `keyField` present and seen once in a walk (a
    // keyset-paged list repeats nothing), each walk the same number of rows.
    static Verdict verify(const Result &result, const QString &keyField);

    // The `nextCursor` string of a list answer, empty on the last page.
    static QByteArray nextCursor(const QByteArray &body);

private:
    Endpoint m_endpoint;
    QByteArray m_headers;
    int m_clients;
};

} // namespace Provisio::Bench
