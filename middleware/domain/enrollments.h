// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "protocol/enrollment.h"
#include "protocol/enrollmentgroup.h"

#include <QDateTime>

#include <functional>
#include <optional>

namespace Provisio {

class ActivationCodeStore;
class EnrollmentStore;
class RegistrationStore;
struct ServiceContext;

// Changes to individual enrollments and enrollment groups: create or
// replace, delete, enable/disable, regenerate keys, patch the initial twin,
// issue activation codes. Each change is conditional on `ifMatch` (the
// If-Match header: empty, "*" or etags), runs in one transaction with its
// audit entry (without keys) and publishes its typed event once committed.
class Enrollments
{
public:
    Enrollments(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes,
                RegistrationStore &registrations);

    // The display form of a fresh activation code; only its hash is stored.
    struct IssuedCode
    {
        QString code;
        QDateTime expires;
    };
    struct Put
    {
        Enrollment enrollment;
        bool created = false;
        std::optional<IssuedCode> code; // issued when created with a serial
    };
    // Creates or replaces enrollment `e.registrationId` (normalized by the
    // caller). Keys left out are generated on create and kept on replace.
    // InvalidInput when the serial names no inventory device, Conflict when
    // another enrollment has it.
    Result<Put> put(Enrollment e, const QByteArray &ifMatch, const QString &actor);
    Result<void> remove(const QString &id, const QByteArray &ifMatch, const QString &actor);
    Result<Enrollment> setStatus(const QString &id, bool enabled, const QByteArray &ifMatch, const QString &actor);
    // `which`: "primary", "secondary" or "both".
    Result<Enrollment> regenerateKeys(const QString &id, const QString &which, const QByteArray &ifMatch,
                                      const QString &actor);
    // Merges into the initial twin, and into the registered device's twin
    // (bumping its desired $version) when there is one.
    Result<Enrollment> patchTwin(const QString &id, const QJsonObject &tags, const QJsonObject &desired,
                                 const QByteArray &ifMatch, const QString &actor);
    // InvalidInput when the enrollment has no serial.
    Result<std::pair<Enrollment, IssuedCode>> newActivationCode(const QString &id, const QByteArray &ifMatch,
                                                                const QString &actor);

    struct PutGroup
    {
        EnrollmentGroup group;
        bool created = false;
    };
    Result<PutGroup> putGroup(EnrollmentGroup g, const QByteArray &ifMatch, const QString &actor);
    Result<void> removeGroup(const QString &id, const QByteArray &ifMatch, const QString &actor);

private:
    Result<Enrollment> loadForChange(const QString &id, const QByteArray &ifMatch);
    // One change to one enrollment: `change` edits a copy, then it is stored
    // (conditional on the etag read) and audited as `action`.
    Result<Enrollment> change(const QString &id, const QByteArray &ifMatch, const QString &actor, const QString &action,
                              EventKind kind, const std::function<Result<void>(Enrollment &)> &edit);
    Result<IssuedCode> issueActivationCode(const Enrollment &e, const QString &actor);

    ServiceContext &m_ctx;
    EnrollmentStore &m_enrollments;
    ActivationCodeStore &m_codes;
    RegistrationStore &m_registrations;
    ChangeRecorder m_changes;
};

} // namespace Provisio
