// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "domain/customers.h"

namespace Provisio {

// /api/v1/customers: the customers devices are sold to. Viewers read;
// operators create, change and delete.
class CustomerApi : public ApiModule
{
public:
    explicit CustomerApi(ServiceContext &ctx);
    void registerRoutes(Router &router) override;

private:
    HttpResponse create(HttpRequest &request);
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse replace(HttpRequest &request);
    HttpResponse patch(HttpRequest &request);
    HttpResponse remove(HttpRequest &request);
    // PUT (merge = false) and PATCH (merge = true, RFC 7396).
    HttpResponse update(HttpRequest &request, bool merge);

    Customers m_customers;
};

} // namespace Provisio
