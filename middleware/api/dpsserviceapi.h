// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/apimodule.h"
#include "domain/enrollments.h"
#include "domain/serviceauth.h"
#include "storage/accesspolicystore.h"

namespace Provisio {

class EnrollmentStore;
class RegistrationStore;

// DPS's service REST API at DPS's own paths, for Azure's provisioning
// service SDKs (ProvisioningServiceClient), authenticated with ServiceSAS
// tokens of the provisioning service's shared access policies:
//   GET|PUT|DELETE /enrollments/{id}                  EnrollmentRead / EnrollmentWrite
//   POST  /enrollments/{id}/attestationmechanism      EnrollmentRead
//   POST  /enrollments                                bulk (create, update, updateIfMatchETag, delete)
//   POST  /enrollments/query                          paged: x-ms-max-item-count, x-ms-continuation
//   the same for /enrollmentGroups (also spelt /enrollmentgroups), without bulk
//   GET|DELETE /registrations/{id}                    RegistrationStatusRead / RegistrationStatusWrite
//   POST  /registrations/{groupId}/query              RegistrationStatusRead
// A thin layer over the Enrollments and Registrations domain services, so the
// CRM API sees the same records, audit entries and events. Unlike the CRM
// API, members it does not know are ignored, as DPS does: the SDKs send
// what their models hold.
class DpsServiceApi : public ApiModule
{
public:
    DpsServiceApi(ServiceContext &ctx, Enrollments &service, EnrollmentStore &enrollments,
                  RegistrationStore &registrations);
    void registerRoutes(Router &router) override;

    // DPS accepts at most this many enrollments in one bulk operation.
    static constexpr int kMaxBulkEnrollments = 10;
    // Page size of a query when x-ms-max-item-count is absent, and its bound.
    static constexpr int kDefaultPageSize = 100;
    static constexpr int kMaxPageSize = 1000;
    // Body limit of every route: one enrollment, or a bulk of ten, with its
    // initial twin (whose own limits are JsonLimits').
    static constexpr qint64 kMaxBody = 256 * 1024;

private:
    using Guarded = std::function<HttpResponse(HttpRequest &, const ServiceAuth::Caller &)>;
    Handler guarded(const QString &right, Guarded handler);

    HttpResponse getEnrollment(HttpRequest &request);
    HttpResponse putEnrollment(HttpRequest &request, const ServiceAuth::Caller &caller);
    HttpResponse deleteEnrollment(HttpRequest &request, const ServiceAuth::Caller &caller);
    HttpResponse enrollmentAttestation(HttpRequest &request);
    HttpResponse bulk(HttpRequest &request, const ServiceAuth::Caller &caller);
    HttpResponse queryEnrollments(HttpRequest &request);

    HttpResponse getGroup(HttpRequest &request);
    HttpResponse putGroup(HttpRequest &request, const ServiceAuth::Caller &caller);
    HttpResponse deleteGroup(HttpRequest &request, const ServiceAuth::Caller &caller);
    HttpResponse groupAttestation(HttpRequest &request);
    HttpResponse queryGroups(HttpRequest &request);

    HttpResponse getRegistration(HttpRequest &request);
    HttpResponse deleteRegistration(HttpRequest &request, const ServiceAuth::Caller &caller);
    HttpResponse queryRegistrations(HttpRequest &request);

    // Creates or replaces one enrollment from its JSON; `id` as in the path.
    Result<Enrollment> saveEnrollment(QJsonObject body, const QString &pathId, const QByteArray &ifMatch,
                                      const QString &actor, bool createOnly);
    Result<Enrollment> withRegistration(Enrollment e);
    // The enrollment / group the request's path names, or why not (404).
    Result<Enrollment> enrollmentOf(const HttpRequest &request);
    Result<EnrollmentGroup> groupOf(const HttpRequest &request);

    ServiceContext &m_ctx;
    Enrollments &m_service;
    EnrollmentStore &m_enrollments;
    RegistrationStore &m_registrations;
    AccessPolicyStore m_policies;
    ServiceAuth m_auth;
};

} // namespace Provisio
