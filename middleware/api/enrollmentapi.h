// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"

#include "protocol/enrollment.h"

#include <functional>

namespace Provisio {

class ActivationCodeStore;
class EnrollmentStore;
class RegistrationStore;

// Individual enrollments on the CRM API (/api/v1/enrollments): create or
// replace as DPS does, list, read, delete, enable/disable, regenerate keys,
// patch the initial twin, issue activation codes. Viewers read without keys;
// operators change and read keys. Every change is conditional on the etag
// read (If-Match honoured) and audited in the same transaction.
class EnrollmentApi : public ApiModule
{
public:
    EnrollmentApi(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes,
                  RegistrationStore &registrations);
    void registerRoutes(Router &router) override;

    // Issues a fresh activation code for the enrollment's serial (older
    // unused ones stop working). Returns the display form; only its hash is
    // stored. Call inside the caller's transaction.
    struct IssuedCode
    {
        QString code;
        QDateTime expires;
    };
    Result<IssuedCode> issueActivationCode(const Enrollment &enrollment);

private:
    HttpResponse put(HttpRequest &request);
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);
    HttpResponse remove(HttpRequest &request);
    HttpResponse patchTwin(HttpRequest &request);
    HttpResponse setStatus(HttpRequest &request, bool enabled);
    HttpResponse regenerateKeys(HttpRequest &request);
    HttpResponse newActivationCode(HttpRequest &request);

    // Loads the enrollment named in the path and checks If-Match.
    Result<Enrollment> loadForChange(const HttpRequest &request, const QString &id);
    // Stores a changed enrollment (conditional on `previous`'s etag) with an
    // audit entry, in one transaction, and answers with it.
    HttpResponse commitChange(const HttpRequest &request, const QString &action, const Enrollment &previous,
                              Enrollment changed);
    // One change to one enrollment, in one transaction: loadForChange, then
    // `change` edits a copy (and does what else belongs to the change), then
    // commitChange as `action`. A failed `change` answers with its error.
    HttpResponse changeEnrollment(const HttpRequest &request, const QString &id, const QString &action,
                                  const std::function<Result<void>(Enrollment &)> &change);
    QJsonObject present(const HttpRequest &request, const Enrollment &enrollment) const;

    ServiceContext &m_ctx;
    EnrollmentStore &m_enrollments;
    ActivationCodeStore &m_codes;
    RegistrationStore &m_registrations;
};

} // namespace Provisio
