// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "domain/enrollments.h"

#include "protocol/enrollment.h"

namespace Provisio {

class EnrollmentStore;
class RegistrationStore;

// Individual enrollments on the CRM API (/api/v1/enrollments): create or
// replace as DPS does, list, read, delete, enable/disable, regenerate keys,
// patch the initial twin, issue activation codes. Viewers read without keys;
// operators change and read keys. Parses and renders; the changes are the
// Enrollments service's.
class EnrollmentApi : public ApiModule
{
public:
    EnrollmentApi(Enrollments &service, EnrollmentStore &enrollments, RegistrationStore &registrations);
    void registerRoutes(Router &router) override;

private:
    HttpResponse put(HttpRequest &request);
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse remove(HttpRequest &request);
    HttpResponse patchTwin(HttpRequest &request);
    HttpResponse setStatus(HttpRequest &request, bool enabled);
    HttpResponse regenerateKeys(HttpRequest &request);
    HttpResponse newActivationCode(HttpRequest &request);

    // The changed enrollment as the answer, or the change's error.
    HttpResponse changed(const HttpRequest &request, const Result<Enrollment> &result) const;
    QJsonObject present(const HttpRequest &request, const Enrollment &enrollment) const;

    EnrollmentStore &m_enrollments;
    RegistrationStore &m_registrations;
    Enrollments &m_service;
};

} // namespace Provisio
