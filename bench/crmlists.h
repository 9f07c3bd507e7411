// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "support/rawhttpsconnection.h"

#include <QJsonObject>
#include <QString>

namespace Provisio::Bench {

// The CRM API lists the desktop pages through (`GET /api/v1/devices`,
// `/enrollments`, `/registrations`), timed on a middleware that holds the
// benchmark's enrollments and registrations: `provisio-bench-registrations
// --lists`. The inventory is filled first through the CSV import, one
// device per enrollment.
struct ListOptions
{
    int pageSize = 500; // the CRM's table pages (its inventory joins ask for 1,000)
    int clients = 1;    // each walks every list from its first page to its last
    int importChunk = 5000;
};

struct ListReport
{
    bool ok = false;     // every page answered and every walk saw every row once
    QString error;       // setup or verification failure
    QJsonObject summary; // per list: rows/s, pages, p50/p99, server CPU; for the JSON line
};

// Imports `devices` inventory rows (serials `<tag>-<n>`), then walks the
// three lists with `options`, printing one line per list. `expectedRows`
// is the least number of rows each list must hold (0: not checked).
ListReport runListPasses(const Endpoint &endpoint, const QString &token, qint64 serverPid, const QString &tag,
                         int devices, qint64 expectedRows, const ListOptions &options);

} // namespace Provisio::Bench
