// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "domain/activationlimits.h"
#include "domain/ratelimiter.h"

#include <QElapsedTimer>

namespace Provisio {

class ActivationCodeStore;
class EnrollmentStore;

// POST /api/v1/activation (Access::Public): a device exchanges its serial and
// the activation code the end user typed for its full provisioning
// credentials, then registers through the DPS API like any other device.
//
// Answers: 200 credentials; 400 malformed body or code (bad length or check
// character); 401 "invalid serial or activation code" for an unknown code
// and for a code bound to another serial alike; 409 for a code already used
// or expired (distinct messages: the user needs a new code either way);
// 429 with Retry-After when rate-limited.
//
// Two kinds of limit (docs/security.md): every attempt counts against the
// client (RateLimiter in memory per instance, so a flood never becomes a
// flood of database writes); a failed attempt with a well-formed code is
// logged and counts in ActivationLimits (per serial and client with backoff,
// and a generous ceiling per serial), shared through the database. A
// malformed code guesses nothing and is neither logged nor counted there.
// The client is HttpRequest::clientAddress: behind a trusted proxy, the
// address it forwarded.
//
// GET /api/v1/devices/{serial}/activation-failures (viewer): the serial's
// failure log. GET /api/v1/activation-failures (viewer): the serials whose
// failures count now, for the CRM's "activation failed" filter. POST /api/v1/devices/{serial}/activation-unlock
// (operator, audited): clears its failures.
class ActivationApi : public ApiModule
{
public:
    ActivationApi(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes);
    void registerRoutes(Router &router) override;

    static constexpr qint64 kClientWindowMs = 15 * 60 * 1000;

private:
    HttpResponse activate(HttpRequest &request);
    HttpResponse failures(HttpRequest &request);
    HttpResponse failingSerials(HttpRequest &request);
    HttpResponse unlock(HttpRequest &request);

    ServiceContext &m_ctx;
    EnrollmentStore &m_enrollments;
    ActivationCodeStore &m_codes;
    ActivationLimits m_limits;
    RateLimiter m_perClient;
    QElapsedTimer m_clock; // for the per-client limiter (monotonic)
};

} // namespace Provisio
