// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"

#include "domain/batchjobs.h"

namespace Provisio {

class Inventory;

// Actions over every device a filter matches, run on the server
// (DeviceBatchJobs), and the matching devices as CSV:
//   POST /api/v1/device-batch-jobs?<filter>          start (operator)
//   GET  /api/v1/device-batch-jobs/{jobId}           progress (viewer)
//   GET  /api/v1/device-batch-jobs/{jobId}/failures  devices it could not change
//   POST /api/v1/device-batch-jobs/{jobId}/cancel    stop after the current chunk (operator)
//   GET  /api/v1/device-export?<filter>              CSV, a bounded page per request (viewer)
// The filter is GET /api/v1/devices's (InventoryApi::filterFrom).
class BatchJobApi : public ApiModule
{
public:
    BatchJobApi(DeviceBatchJobs &jobs, Inventory &inventory);
    void registerRoutes(Router &router) override;

    static constexpr int kMaxExportRows = 10000;
    static constexpr int kDefaultExportRows = 5000;

private:
    HttpResponse start(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse failures(HttpRequest &request);
    HttpResponse cancel(HttpRequest &request);
    HttpResponse exportCsv(HttpRequest &request);

    DeviceBatchJobs &m_jobs;
    Inventory &m_inventory;
};

} // namespace Provisio
