// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"
#include "ratelimiter.h"

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
    RateLimiter m_perSerial;
    RateLimiter m_perClient;
    QElapsedTimer m_clock;
};

} // namespace Provisio
