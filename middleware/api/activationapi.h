// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "domain/ratelimiter.h"

#include "storage/activationfailurestore.h"

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
// 429 with Retry-After when rate-limited. Every attempt counts against the
// client address; a failed attempt with a well-formed code also counts
// against the serial, a malformed one (rejected by ActivationCode::parse
// before any lookup) does not. Both limits are per 15 minutes and checked
// before the code is looked up.
//
// The serial limit is what stops guessing a code, so it lives in the
// database (ActivationFailureStore) and all instances share it. The client
// limit stays in memory per instance, on purpose: it counts every attempt,
// malformed ones included, so it is the first thing a flood hits, and
// making each of those a database write would turn a flood of requests into
// a flood of writes. Behind a load balancer a client therefore gets the
// client limit once per instance, while no serial ever gets more than its
// one budget.
class ActivationApi : public ApiModule
{
public:
    ActivationApi(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes);
    void registerRoutes(Router &router) override;

    static constexpr qint64 kWindowMs = 15 * 60 * 1000;

private:
    HttpResponse activate(HttpRequest &request);
    HttpResponse failedAttempt(const QString &serial, const Error &error);

    ServiceContext &m_ctx;
    EnrollmentStore &m_enrollments;
    ActivationCodeStore &m_codes;
    ActivationFailureStore m_serialFailures;
    RateLimiter m_perClient;
    QElapsedTimer m_clock;    // for the per-client limiter (monotonic)
    qint64 m_lastPruneMs = 0; // wall clock of the last activation_failures cleanup
};

} // namespace Provisio
