// SPDX-License-Identifier: Apache-2.0
#include "inventoryapi.h"
#include "domain/inventoryimport.h"
#include "requesthelpers.h"
#include "storage/recordutil.h"

#include "protocol/jsonmerge.h"

#include <QDate>
#include <QDateTime>
#include <QJsonDocument>

namespace Provisio {

namespace {
const QString kSerial = QStringLiteral("serial");
const QString kSold = QStringLiteral("sold");

void dropReadOnly(QJsonObject &json)
{
    json.remove(QStringLiteral("etag"));
    json.remove(QStringLiteral("createdDateTimeUtc"));
    json.remove(QStringLiteral("lastUpdatedDateTimeUtc"));
}

HttpResponse deviceResponse(const DeviceRecord &d, int status = 200)
{
    return Requests::recordResponse(d.toJson(), d.etag, status);
}
} // namespace

InventoryApi::InventoryApi(ServiceContext &ctx) : m_ctx(ctx), m_inventory(ctx) { }

void InventoryApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/devices");
    const QString one = QStringLiteral("/api/v1/devices/{serial}");
    router.add(M::Post, base, Access::Operator, [this](HttpRequest &r) { return create(r); });
    router.add(M::Get, base, Access::Viewer, [this](HttpRequest &r) { return list(r); });
    router.add(
        M::Post, QStringLiteral("/api/v1/devices/import"), Access::Operator,
        [this](HttpRequest &r) { return importCsv(r); }, kMaxImportBytes);
    router.add(M::Get, one, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Put, one, Access::Operator, [this](HttpRequest &r) { return replace(r); });
    router.add(M::Patch, one, Access::Operator, [this](HttpRequest &r) { return patch(r); });
    router.add(M::Delete, one, Access::Operator, [this](HttpRequest &r) { return remove(r); });
    router.add(M::Post, QStringLiteral("/api/v1/devices/{serial}/sell"), Access::Operator,
               [this](HttpRequest &r) { return sell(r); });
    router.add(M::Post, QStringLiteral("/api/v1/devices/{serial}/return"), Access::Operator,
               [this](HttpRequest &r) { return takeBack(r); });
}

QStringList InventoryApi::filterParams()
{
    return {QStringLiteral("customerId"),   QStringLiteral("status"), QStringLiteral("model"),
            QStringLiteral("manufacturer"), QStringLiteral("batch"),  QStringLiteral("q")};
}

Result<InventoryStore::Filter> InventoryApi::filterFrom(const HttpRequest &request)
{
    InventoryStore::Filter filter;
    filter.customerId = request.queryValue(QStringLiteral("customerId"));
    filter.status = request.queryValue(QStringLiteral("status"));
    filter.model = request.queryValue(QStringLiteral("model"));
    filter.manufacturer = request.queryValue(QStringLiteral("manufacturer"));
    filter.batch = request.queryValue(QStringLiteral("batch"));
    filter.text = request.queryValue(QStringLiteral("q"));
    if (!filter.status.isEmpty() && !DeviceRecord::isValidStatus(filter.status))
        return Error(ErrorCode::InvalidInput, QStringLiteral("query parameter 'status' must be one of inStock, "
                                                             "sold, provisioned, retired"));
    return filter;
}

Result<DeviceRecord> InventoryApi::deviceFrom(const QJsonObject &body, const QString &serial)
{
    QJsonObject json = body;
    dropReadOnly(json);
    if (!serial.isEmpty()) {
        if (json.contains(kSerial) && json.value(kSerial) != QJsonValue(serial))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("field 'serial' must be '%1', the serial in the path").arg(serial));
        json.insert(kSerial, serial);
    }
    auto device = DeviceRecord::fromJson(json);
    if (!device)
        return device.error();
    if (!device->customerId.isEmpty()) {
        auto customer = m_inventory.customers().find(device->customerId);
        if (!customer)
            return customer.error();
        if (!customer->has_value())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("field 'customerId' names no customer: '%1'").arg(device->customerId));
    }
    return device;
}

HttpResponse InventoryApi::create(HttpRequest &request)
{
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    auto device = deviceFrom(*body, {});
    if (!device)
        return HttpResponse::error(device.error());
    auto created = m_inventory.create(*device, request.actor());
    if (!created)
        return HttpResponse::error(created.error());
    return deviceResponse(*created, 201).withHeader("Location", "/api/v1/devices/" + created->serial.toUtf8());
}

HttpResponse InventoryApi::list(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request,
                                      filterParams() + QStringList{QStringLiteral("sort"), QStringLiteral("order"),
                                                                   QStringLiteral("limit"), QStringLiteral("cursor"),
                                                                   QStringLiteral("count")});
        !q)
        return HttpResponse::error(q.error());
    const QString countParam = request.queryValue(QStringLiteral("count"));
    if (request.hasQuery(QStringLiteral("count")) && countParam != QLatin1String("true") &&
        countParam != QLatin1String("false"))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("query parameter 'count' must be true or false"));
    const auto optionalQuery = [&request](const QString &name) {
        return request.hasQuery(name) ? std::optional<QString>(request.queryValue(name)) : std::nullopt;
    };
    auto sort =
        InventoryStore::parseSort(optionalQuery(QStringLiteral("sort")), optionalQuery(QStringLiteral("order")));
    if (!sort)
        return HttpResponse::error(sort.error());
    auto page = Requests::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    auto parsedFilter = filterFrom(request);
    if (!parsedFilter)
        return HttpResponse::error(parsedFilter.error());
    const InventoryStore::Filter &filter = *parsedFilter;
    auto result = m_inventory.store().listItems(filter, *page, *sort);
    if (!result)
        return HttpResponse::error(result.error());
    // The items are written as UTF-8 text, each device's the text of its
    // record (InventoryStore::documentOf, the same JSON as toJson()), for
    // most of them the stored document copied as it is: a page of 500
    // through QJsonArray and QJsonDocument cost more than the query that
    // read it, and parsing and writing each document again half of it.
    QByteArray body;
    qsizetype size = 64;
    for (const InventoryStore::ListedDevice &d : result->items)
        size += d.json.size() + 1;
    body.reserve(size);
    body += QByteArrayLiteral("{\"items\":[");
    bool first = true;
    for (const InventoryStore::ListedDevice &d : result->items) {
        if (!first)
            body += ',';
        first = false;
        if (!d.json.isEmpty()) {
            body += d.json;
            continue;
        }
        const QString &serial = d.record.serial;
        body += toJsonText(Requests::unreadableItem(
                               d.record.toJson(),
                               unreadableMessage(QStringLiteral("device"), serial,
                                                 QStringLiteral("write it again with PUT /api/v1/devices/%1 or remove "
                                                                "it with DELETE /api/v1/devices/%1")
                                                     .arg(serial))))
                    .toUtf8();
    }
    body += ']';
    QJsonObject rest;
    if (!result->nextCursor.isEmpty())
        rest.insert(QStringLiteral("nextCursor"), result->nextCursor);
    if (countParam == QLatin1String("true")) {
        // The number of devices the filter matches, for "1,000 devices
        // match" while the first 500 are shown: one COUNT, asked for, not
        // on every page.
        auto total = m_inventory.store().count(filter);
        if (!total)
            return HttpResponse::error(total.error());
        // Counted up to a cap: past it the total is the cap and marked as
        // a lower bound ("50,000+"), so a broad filter never scans a
        // million rows.
        const bool capped = *total > InventoryStore::kCountCap;
        rest.insert(QStringLiteral("total"), double(capped ? InventoryStore::kCountCap : *total));
        if (capped)
            rest.insert(QStringLiteral("totalIsLowerBound"), true);
    }
    // {"items":[…], then the other members as QJsonDocument orders them
    // (all sort after "items").
    const QByteArray tail = QJsonDocument(rest).toJson(QJsonDocument::Compact);
    body += tail.size() > 2 ? QByteArray(',' + tail.mid(1)) : QByteArrayLiteral("}");
    return HttpResponse::text(body, "application/json");
}

HttpResponse InventoryApi::get(HttpRequest &request)
{
    const QString serial = request.param(kSerial);
    auto found = m_inventory.store().find(serial);
    if (!found)
        return HttpResponse::error(found.error());
    if (!found->has_value())
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no device with serial '%1'").arg(serial));
    return deviceResponse(**found);
}

HttpResponse InventoryApi::update(HttpRequest &request, bool merge)
{
    const QString serial = request.param(kSerial);
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    const QJsonObject input = *body;
    if (!merge) {
        // A bad body is reported as such even for an unknown serial.
        if (auto checked = deviceFrom(input, serial); !checked)
            return HttpResponse::error(checked.error());
    }
    auto updated =
        m_inventory.update(serial, Requests::ifMatch(request), request.actor(), [&](const DeviceRecord &current) {
            return deviceFrom(merge ? jsonMergePatch(current.toJson(), input) : input, serial);
        });
    if (!updated)
        return HttpResponse::error(updated.error());
    return deviceResponse(*updated);
}

HttpResponse InventoryApi::replace(HttpRequest &request)
{
    return update(request, false);
}

HttpResponse InventoryApi::patch(HttpRequest &request)
{
    return update(request, true);
}

HttpResponse InventoryApi::remove(HttpRequest &request)
{
    auto removed = m_inventory.remove(request.param(kSerial), Requests::ifMatch(request), request.actor());
    if (!removed)
        return HttpResponse::error(removed.error());
    return HttpResponse::noContent();
}

HttpResponse InventoryApi::importCsv(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("mode"), QStringLiteral("dryRun")}); !q)
        return HttpResponse::error(q.error());
    // A JSON or form body posted here by mistake would otherwise be read as
    // a CSV file with one odd column.
    const QByteArray type = request.header("Content-Type").split(';').constFirst().trimmed().toLower();
    if (!request.body.isEmpty() && type != "text/csv" && type != "application/csv" && type != "text/plain")
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("the body must be a CSV file with Content-Type text/csv"));
    InventoryImport::Options options;
    options.actor = request.actor();
    const QString mode = request.queryValue(QStringLiteral("mode"));
    if (mode == QLatin1String("upsert"))
        options.mode = InventoryImport::Mode::Upsert;
    else if (!mode.isEmpty() && mode != QLatin1String("create"))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("query parameter 'mode' must be create or upsert"));
    auto dryRun = Requests::queryFlag(request, QStringLiteral("dryRun"));
    if (!dryRun)
        return HttpResponse::error(dryRun.error());
    options.dryRun = *dryRun;

    InventoryImport import(m_ctx.db, m_inventory);
    auto report = import.run(request.body, options);
    if (!report)
        return HttpResponse::error(report.error());
    return HttpResponse::text(report->text(), "application/json");
}

HttpResponse InventoryApi::sell(HttpRequest &request)
{
    const QString serial = request.param(kSerial);
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    reader.allowOnly({"customerId", "soldDate", "force"});
    const QString customerId = reader.requiredString(QStringLiteral("customerId"));
    QDate soldDate = reader.optionalDate(QStringLiteral("soldDate"));
    const bool force = reader.optionalBool(QStringLiteral("force"), false);
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    if (!soldDate.isValid())
        soldDate = QDateTime::currentDateTimeUtc().date();

    auto sold = m_inventory.sell(serial, Requests::ifMatch(request), request.actor(), customerId, soldDate, force);
    if (!sold)
        return HttpResponse::error(sold.error());
    return deviceResponse(*sold);
}

HttpResponse InventoryApi::takeBack(HttpRequest &request)
{
    const QString serial = request.param(kSerial);
    if (auto options = Requests::noOptionsBody(request); !options)
        return HttpResponse::error(options.error());
    auto returned = m_inventory.takeBack(serial, Requests::ifMatch(request), request.actor());
    if (!returned)
        return HttpResponse::error(returned.error());
    return deviceResponse(*returned);
}

} // namespace Provisio
