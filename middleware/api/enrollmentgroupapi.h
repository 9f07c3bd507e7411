// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "domain/enrollments.h"

namespace Provisio {

class EnrollmentStore;

// Enrollment groups on the CRM API (/api/v1/enrollment-groups): create or
// replace, list, read, delete, and the derived key of one member device
// (operators only: it is that device's credential).
class EnrollmentGroupApi : public ApiModule
{
public:
    EnrollmentGroupApi(Enrollments &service, EnrollmentStore &enrollments)
        : m_service(service), m_enrollments(enrollments)
    { }
    void registerRoutes(Router &router) override;

private:
    HttpResponse put(HttpRequest &request);
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse remove(HttpRequest &request);
    HttpResponse deviceKey(HttpRequest &request);

    Enrollments &m_service;
    EnrollmentStore &m_enrollments;
};

} // namespace Provisio
