// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "domain/inventory.h"

namespace Provisio {

// /api/v1/devices: the device inventory, its CSV import and the sale of a
// device to a customer. Viewers read; operators change.
class InventoryApi : public ApiModule
{
public:
    explicit InventoryApi(ServiceContext &ctx);
    void registerRoutes(Router &router) override;

    // The listing's filter from the query (customerId, status, model,
    // manufacturer, batch, q): what GET /api/v1/devices, the CSV export
    // and the batch jobs all read, so their sets cannot differ.
    static QStringList filterParams();
    static Result<InventoryStore::Filter> filterFrom(const HttpRequest &request);

    // A delivery list may hold tens of thousands of devices.
    static constexpr qint64 kMaxImportBytes = 16 << 20;

private:
    HttpResponse create(HttpRequest &request);
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse replace(HttpRequest &request);
    HttpResponse patch(HttpRequest &request);
    HttpResponse remove(HttpRequest &request);
    HttpResponse importCsv(HttpRequest &request);
    HttpResponse sell(HttpRequest &request);
    HttpResponse takeBack(HttpRequest &request);
    // PUT (merge = false) and PATCH (merge = true, RFC 7396).
    HttpResponse update(HttpRequest &request, bool merge);

    // The record a body describes, validated, including that its customer
    // exists.
    Result<DeviceRecord> deviceFrom(const QJsonObject &json, const QString &serial);

    ServiceContext &m_ctx;
    Inventory m_inventory;
};

} // namespace Provisio
