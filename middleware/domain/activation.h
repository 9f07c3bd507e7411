// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "protocol/enrollment.h"

#include <optional>

namespace Provisio {

class ActivationCodeStore;
class EnrollmentStore;
struct ServiceContext;

// Exchanging an activation code for the device's enrollment: the code is
// used once, in one transaction with its audit entry and the
// activation.exchanged event once committed. Rate limits are the caller's.
class Activation
{
public:
    Activation(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes);

    struct Outcome
    {
        std::optional<Enrollment> enrollment; // set when the code was exchanged
        QString deviceId;
        Error error;
        // The failure was a guess (unknown, used, expired or foreign code):
        // it counts against the serial. Storage failures do not.
        bool failedAttempt = false;
        QString reason; // of a failed attempt, for the failure log (never the code)
    };
    // `canonicalCode` as ActivationCode::parse gives it.
    Outcome exchange(const QString &serial, const QString &canonicalCode);

private:
    ServiceContext &m_ctx;
    EnrollmentStore &m_enrollments;
    ActivationCodeStore &m_codes;
    ChangeRecorder m_changes;
};

} // namespace Provisio
