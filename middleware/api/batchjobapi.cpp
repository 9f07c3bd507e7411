// SPDX-License-Identifier: Apache-2.0
#include "batchjobapi.h"
#include "inventoryapi.h"
#include "requesthelpers.h"

#include "domain/inventory.h"

#include "csv/csvreader.h"
#include "protocol/jsonlimits.h"
#include "protocol/jsonreader.h"
#include "protocol/twin.h"

namespace Provisio {

namespace {
const QString kJobId = QStringLiteral("jobId");

HttpResponse jobResponse(const DeviceBatchJobs::Job &job, int status = 200)
{
    return HttpResponse::json(DeviceBatchJobs::toJson(job), status);
}
} // namespace

BatchJobApi::BatchJobApi(DeviceBatchJobs &jobs, Inventory &inventory) : m_jobs(jobs), m_inventory(inventory) { }

void BatchJobApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/device-batch-jobs");
    const QString one = base + QStringLiteral("/{jobId}");
    router.add(M::Post, base, Access::Operator, [this](HttpRequest &r) { return start(r); });
    router.add(M::Get, one, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Get, one + QStringLiteral("/failures"), Access::Viewer,
               [this](HttpRequest &r) { return failures(r); });
    router.add(M::Post, one + QStringLiteral("/cancel"), Access::Operator,
               [this](HttpRequest &r) { return cancel(r); });
    router.add(M::Get, QStringLiteral("/api/v1/device-export"), Access::Viewer,
               [this](HttpRequest &r) { return exportCsv(r); });
}

HttpResponse BatchJobApi::start(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, InventoryApi::filterParams()); !q)
        return HttpResponse::error(q.error());
    auto filter = InventoryApi::filterFrom(request);
    if (!filter)
        return HttpResponse::error(filter.error());
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    const QString actionName = reader.requiredString(QStringLiteral("action"));
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    const auto action = DeviceBatchJobs::actionFromName(actionName);
    if (!action)
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("field 'action' must be one of %1")
                                       .arg(DeviceBatchJobs::actionNames().join(QStringLiteral(", "))));
    DeviceBatchJobs::Request job;
    job.action = *action;
    job.filter = *filter;
    switch (*action) {
    case DeviceBatchJobs::Action::Sell:
        reader.allowOnly({"action", "customerId", "soldDate", "force"});
        job.customerId = reader.requiredString(QStringLiteral("customerId"));
        job.soldDate = reader.optionalDate(QStringLiteral("soldDate"));
        job.force = reader.optionalBool(QStringLiteral("force"), false);
        break;
    case DeviceBatchJobs::Action::Enroll: {
        reader.allowOnly({"action", "tags", "desired", "enabled"});
        job.tags = reader.optionalObject(QStringLiteral("tags"));
        job.desired = reader.optionalObject(QStringLiteral("desired"));
        job.enabled = reader.optionalBool(QStringLiteral("enabled"), true);
        // As a twin patch: '$' names belong to the twin's own metadata.
        for (auto it = job.desired.begin(); it != job.desired.end(); ++it) {
            if (it.key().startsWith(QLatin1Char('$')))
                reader.fail(QStringLiteral("desired"),
                            QStringLiteral("must not set '%1': names starting with '$' are reserved").arg(it.key()));
        }
        if (!reader.ok())
            return HttpResponse::error(reader.error());
        InitialTwin twin;
        twin.tags = job.tags;
        twin.desiredProperties = job.desired;
        if (auto limited = checkInitialTwin(twin); !limited)
            return HttpResponse::error(limited.error());
        break;
    }
    default:
        reader.allowOnly({"action"});
        break;
    }
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    auto started = m_jobs.start(job, request.actor());
    if (!started)
        return HttpResponse::error(started.error());
    return jobResponse(*started, 202).withHeader("Location", "/api/v1/device-batch-jobs/" + started->id.toUtf8());
}

HttpResponse BatchJobApi::get(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {}); !q)
        return HttpResponse::error(q.error());
    auto job = m_jobs.find(request.param(kJobId));
    if (!job)
        return HttpResponse::error(job.error());
    return jobResponse(*job);
}

HttpResponse BatchJobApi::failures(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("limit"), QStringLiteral("cursor")}); !q)
        return HttpResponse::error(q.error());
    auto page = Requests::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    auto result = m_jobs.failures(request.param(kJobId), *page);
    if (!result)
        return HttpResponse::error(result.error());
    QJsonArray items;
    for (const BatchJobStore::Failure &f : std::as_const(result->items))
        items.append(QJsonObject{{QStringLiteral("serial"), f.serial}, {QStringLiteral("message"), f.message}});
    return Requests::listResponse(items, result->nextCursor);
}

HttpResponse BatchJobApi::cancel(HttpRequest &request)
{
    if (auto options = Requests::noOptionsBody(request); !options)
        return HttpResponse::error(options.error());
    auto job = m_jobs.cancel(request.param(kJobId), request.actor());
    if (!job)
        return HttpResponse::error(job.error());
    return jobResponse(*job, 202);
}

HttpResponse BatchJobApi::exportCsv(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, InventoryApi::filterParams() +
                                                   QStringList{QStringLiteral("limit"), QStringLiteral("cursor")});
        !q)
        return HttpResponse::error(q.error());
    auto filter = InventoryApi::filterFrom(request);
    if (!filter)
        return HttpResponse::error(filter.error());
    auto page = parsePageRequest(QString(), request.queryValue(QStringLiteral("cursor")));
    if (!page)
        return HttpResponse::error(page.error());
    page->limit = kDefaultExportRows;
    if (request.hasQuery(QStringLiteral("limit"))) {
        bool ok = false;
        const int limit = request.queryValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 1 || limit > kMaxExportRows)
            return HttpResponse::error(
                ErrorCode::InvalidInput,
                QStringLiteral("query parameter 'limit' must be an integer between 1 and %1").arg(kMaxExportRows));
        page->limit = limit;
    }
    auto devices = m_inventory.store().list(*filter, *page);
    if (!devices)
        return HttpResponse::error(devices.error());
    using Csv = CsvReader;
    QByteArray csv;
    // The header once, on the first page, so the pages concatenate to one file.
    if (page->afterKey.isEmpty())
        csv += Csv::writeRow({QStringLiteral("serial"), QStringLiteral("model"), QStringLiteral("manufacturer"),
                              QStringLiteral("batch"), QStringLiteral("deliveryDate"), QStringLiteral("status"),
                              QStringLiteral("customerId"), QStringLiteral("soldDate"), QStringLiteral("notes")});
    for (const DeviceRecord &d : std::as_const(devices->items))
        csv += Csv::writeRow({d.serial, d.model, d.manufacturer, d.batch, d.deliveryDate.toString(Qt::ISODate),
                              d.status, d.customerId, d.soldDate.toString(Qt::ISODate), d.notes},
                             Csv::Cells::SpreadsheetSafe);
    HttpResponse response = HttpResponse::text(csv, "text/csv; charset=utf-8");
    response.withHeader("Content-Disposition", "attachment; filename=\"devices.csv\"");
    if (!devices->nextCursor.isEmpty())
        response.withHeader("Next-Cursor", devices->nextCursor.toLatin1());
    return response;
}

} // namespace Provisio
