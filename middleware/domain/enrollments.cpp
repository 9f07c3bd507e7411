// SPDX-License-Identifier: Apache-2.0
#include "enrollments.h"

#include "enrollmentkeys.h"
#include "registrations.h"

#include "base/serviceconfig.h"
#include "base/servicecontext.h"
#include "base/webhooktarget.h"
#include "crypto/activationcode.h"
#include "crypto/keys.h"
#include "protocol/jsonlimits.h"
#include "protocol/jsonmerge.h"
#include "protocol/timeutil.h"
#include "storage/activationcodestore.h"
#include "storage/activationfailurestore.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"
#include "storage/registrationstore.h"

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("enrollment");
const QString kGroupEntity = QStringLiteral("enrollmentGroup");
constexpr int kKeyBytes = 64;

Error storeFailed()
{
    return Error(ErrorCode::Unavailable, QStringLiteral("the change could not be stored"));
}

QJsonObject codeRecord(const QString &serial, const QDateTime &expires)
{
    return QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("expiresDateTimeUtc"), toIsoUtc(expires)}};
}
} // namespace

Enrollments::Enrollments(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes,
                         RegistrationStore &registrations)
    : m_ctx(ctx), m_enrollments(enrollments), m_codes(codes), m_registrations(registrations), m_changes(ctx)
{ }

Result<Enrollments::IssuedCode> Enrollments::issueActivationCode(const Enrollment &e, const QString &actor)
{
    const QString canonical = ActivationCode::generate();
    const QDateTime created = QDateTime::currentDateTimeUtc();
    const qint64 ttl = m_ctx.config.activationCodeTtlSeconds;
    ActivationCodeStore::Record rec;
    rec.codeHash = Crypto::hashToken(canonical);
    rec.serial = e.serial;
    rec.registrationId = e.registrationId;
    rec.created = created;
    rec.expires = created.addSecs(ttl);
    if (auto r = m_codes.issue(rec); !r)
        return r.error();
    // A new code starts the serial afresh: failures counted against the old
    // one (a stranger's included) no longer hold its owner back.
    if (auto r = ActivationFailureStore(m_ctx.db).clear(e.serial, created.toMSecsSinceEpoch()); !r)
        return r.error();
    if (auto r = m_changes.record(EventKind::ActivationIssued, {actor,
                                                                QStringLiteral("issueActivationCode"),
                                                                kEntity,
                                                                e.registrationId,
                                                                {},
                                                                codeRecord(e.serial, rec.expires)});
        !r)
        return r.error();
    return IssuedCode{ActivationCode::format(canonical), rec.expires};
}

Result<Enrollments::Put> Enrollments::put(Enrollment e, const QByteArray &ifMatch, const QString &actor)
{
    if (auto ok = WebhookTarget(WebhookTarget::rulesFrom(m_ctx.config))
                      .checkAllocationDefinition(e.customAllocationDefinition);
        !ok)
        return ok.error();
    const QString id = e.registrationId;
    Transaction tx(m_ctx.db);
    auto existing = m_enrollments.find(id);
    if (!existing)
        return existing.error();
    if (auto pre = requireIfMatch(ifMatch, *existing ? (*existing)->etag : QString()); !pre)
        return pre.error();

    // Keys left out are generated on create and kept on replace, so a
    // client that round-trips what a viewer sees never rotates keys by accident.
    if (e.attestation.primaryKey.isEmpty())
        e.attestation.primaryKey =
            *existing ? (*existing)->attestation.primaryKey : Crypto::generateSymmetricKey(kKeyBytes);
    if (e.attestation.secondaryKey.isEmpty())
        e.attestation.secondaryKey =
            *existing ? (*existing)->attestation.secondaryKey : Crypto::generateSymmetricKey(kKeyBytes);

    if (!e.serial.isEmpty()) {
        auto known = m_enrollments.inventoryHasSerial(e.serial);
        if (!known)
            return known.error();
        if (!*known)
            // A 400, not a 404: the enrollment in the URL is fine, the body
            // refers to something that does not exist.
            return Error(ErrorCode::InvalidInput, QStringLiteral("field 'serial' names no inventory device: '%1'; add "
                                                                 "it with POST /api/v1/devices first")
                                                      .arg(e.serial));
        auto other = m_enrollments.findBySerial(e.serial);
        if (!other)
            return other.error();
        if (*other && (*other)->registrationId != id)
            return Error(ErrorCode::Conflict, QStringLiteral("serial '%1' already belongs to enrollment '%2'")
                                                  .arg(e.serial, (*other)->registrationId));
    }

    const bool creating = !*existing;
    if (creating) {
        if (auto r = m_enrollments.insert(e); !r)
            return r.error();
    } else {
        e.createdDateTimeUtc = (*existing)->createdDateTimeUtc;
        if (auto r = m_enrollments.update(e, (*existing)->etag); !r)
            return r.error();
        // Codes issued for the old serial must not open the re-bound enrollment.
        if ((*existing)->serial != e.serial) {
            if (auto r = m_codes.removeUnused(id); !r)
                return r.error();
        }
    }
    if (auto r = m_changes.record(creating ? EventKind::EnrollmentCreated : EventKind::EnrollmentUpdated,
                                  {actor, creating ? QStringLiteral("create") : QStringLiteral("update"), kEntity, id,
                                   creating ? QJsonObject() : enrollmentWithoutKeys((*existing)->toJson()),
                                   enrollmentWithoutKeys(e.toJson())});
        !r)
        return r.error();
    Put out{e, creating, std::nullopt};
    if (creating && !e.serial.isEmpty()) {
        auto code = issueActivationCode(e, actor);
        if (!code)
            return code.error();
        out.code = *code;
    }
    if (!tx.commit())
        return storeFailed();
    return out;
}

Result<Enrollment> Enrollments::loadForChange(const QString &id, const QByteArray &ifMatch)
{
    auto e = m_enrollments.find(id);
    if (!e)
        return e.error();
    if (!*e)
        return Error(ErrorCode::NotFound, QStringLiteral("no enrollment '%1'").arg(id));
    if (auto pre = requireIfMatch(ifMatch, (*e)->etag); !pre)
        return pre.error();
    return **e;
}

Result<Enrollment> Enrollments::change(const QString &id, const QByteArray &ifMatch, const QString &actor,
                                       const QString &action, EventKind kind,
                                       const std::function<Result<void>(Enrollment &)> &edit)
{
    Transaction tx(m_ctx.db);
    auto previous = loadForChange(id, ifMatch);
    if (!previous)
        return previous.error();
    Enrollment changed = *previous;
    if (auto c = edit(changed); !c)
        return c.error();
    if (auto r = m_enrollments.update(changed, previous->etag); !r)
        return r.error();
    if (auto r = m_changes.record(kind,
                                  {actor, action, kEntity, changed.registrationId,
                                   enrollmentWithoutKeys(previous->toJson()), enrollmentWithoutKeys(changed.toJson())});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    return changed;
}

Result<void> Enrollments::remove(const QString &id, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_ctx.db);
    // An enrollment whose stored document is unreadable can still go: by
    // its etag column; the audit entry keeps what the columns say.
    bool unreadable = false;
    auto found = m_enrollments.find(id, &unreadable);
    if (!found)
        return found.error();
    if (!*found)
        return Error(ErrorCode::NotFound, QStringLiteral("no enrollment '%1'").arg(id));
    if (auto pre = requireIfMatch(ifMatch, (*found)->etag); !pre)
        return pre.error();
    const std::optional<Enrollment> &e = *found;
    if (auto r = m_enrollments.remove(id, e->etag); !r)
        return r.error();
    if (auto r = m_codes.removeUnused(id); !r)
        return r.error();
    if (auto r =
            m_changes.record(EventKind::EnrollmentDeleted,
                             {actor, QStringLiteral("delete"), kEntity, id, enrollmentWithoutKeys(e->toJson()), {}});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    return {};
}

Result<Enrollment> Enrollments::setStatus(const QString &id, bool enabled, const QByteArray &ifMatch,
                                          const QString &actor)
{
    return change(id, ifMatch, actor, enabled ? QStringLiteral("enable") : QStringLiteral("disable"),
                  enabled ? EventKind::EnrollmentEnabled : EventKind::EnrollmentDisabled,
                  [enabled](Enrollment &changed) -> Result<void> {
                      changed.provisioningStatus = enabled ? QStringLiteral("enabled") : QStringLiteral("disabled");
                      return {};
                  });
}

Result<Enrollment> Enrollments::regenerateKeys(const QString &id, const QString &which, const QByteArray &ifMatch,
                                               const QString &actor)
{
    return change(id, ifMatch, actor, QStringLiteral("regenerateKeys"), EventKind::EnrollmentKeysRegenerated,
                  [&which](Enrollment &changed) -> Result<void> {
                      if (which != QLatin1String("secondary"))
                          changed.attestation.primaryKey = Crypto::generateSymmetricKey(kKeyBytes);
                      if (which != QLatin1String("primary"))
                          changed.attestation.secondaryKey = Crypto::generateSymmetricKey(kKeyBytes);
                      return {};
                  });
}

Result<Enrollment> Enrollments::patchTwin(const QString &id, const QJsonObject &tags, const QJsonObject &desired,
                                          const QByteArray &ifMatch, const QString &actor)
{
    return change(
        id, ifMatch, actor, QStringLiteral("updateTwin"), EventKind::EnrollmentTwinUpdated,
        [&](Enrollment &changed) -> Result<void> {
            changed.initialTwin.tags = jsonMergePatch(changed.initialTwin.tags, tags);
            changed.initialTwin.desiredProperties = jsonMergePatch(changed.initialTwin.desiredProperties, desired);
            if (auto limited = checkInitialTwin(changed.initialTwin); !limited)
                return limited.error();

            // A registered device gets the change too: its twin record is what the
            // hub side publishes, and the bumped $version tells it something changed.
            auto reg = m_registrations.find(id);
            if (!reg)
                return reg.error();
            if (!*reg)
                return {};
            if ((*reg)->unreadable)
                return Error(ErrorCode::Conflict, Registrations::unreadableMessage(id));
            RegistrationRecord rec = **reg;
            QJsonObject twin = rec.twin;
            QJsonObject properties = twin.value(QStringLiteral("properties")).toObject();
            QJsonObject current = properties.value(QStringLiteral("desired")).toObject();
            const int version = current.value(QStringLiteral("$version")).toInt(0);
            current = jsonMergePatch(current, desired);
            current.insert(QStringLiteral("$version"), version + 1);
            properties.insert(QStringLiteral("desired"), current);
            twin.insert(QStringLiteral("properties"), properties);
            twin.insert(QStringLiteral("tags"), jsonMergePatch(twin.value(QStringLiteral("tags")).toObject(), tags));
            rec.twin = twin;
            const QString before = rec.state.etag;
            rec.state.etag = newEtag();
            rec.state.lastUpdatedDateTimeUtc = fromIsoUtc(nowIso()).value_or(QDateTime::currentDateTimeUtc());
            return m_registrations.update(rec, before);
        });
}

Result<std::pair<Enrollment, Enrollments::IssuedCode>>
Enrollments::newActivationCode(const QString &id, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_ctx.db);
    auto e = loadForChange(id, ifMatch);
    if (!e)
        return e.error();
    if (e->serial.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("enrollment '%1' has no serial; activation codes are "
                                                             "bound to an inventory device, so set 'serial' first")
                                                  .arg(id));
    auto code = issueActivationCode(*e, actor);
    if (!code)
        return code.error();
    if (!tx.commit())
        return storeFailed();
    return std::make_pair(*e, *code);
}

Result<Enrollments::PutGroup> Enrollments::putGroup(EnrollmentGroup g, const QByteArray &ifMatch, const QString &actor)
{
    if (auto ok = WebhookTarget(WebhookTarget::rulesFrom(m_ctx.config))
                      .checkAllocationDefinition(g.customAllocationDefinition);
        !ok)
        return ok.error();
    const QString id = g.enrollmentGroupId;
    Transaction tx(m_ctx.db);
    auto existing = m_enrollments.findGroup(id);
    if (!existing)
        return existing.error();
    if (auto pre = requireIfMatch(ifMatch, *existing ? (*existing)->etag : QString()); !pre)
        return pre.error();
    if (g.attestation.primaryKey.isEmpty())
        g.attestation.primaryKey =
            *existing ? (*existing)->attestation.primaryKey : Crypto::generateSymmetricKey(kKeyBytes);
    if (g.attestation.secondaryKey.isEmpty())
        g.attestation.secondaryKey =
            *existing ? (*existing)->attestation.secondaryKey : Crypto::generateSymmetricKey(kKeyBytes);

    const bool creating = !*existing;
    if (creating) {
        if (auto r = m_enrollments.insertGroup(g); !r)
            return r.error();
    } else {
        g.createdDateTimeUtc = (*existing)->createdDateTimeUtc;
        if (auto r = m_enrollments.updateGroup(g, (*existing)->etag); !r)
            return r.error();
    }
    if (auto r = m_changes.record(creating ? EventKind::GroupCreated : EventKind::GroupUpdated,
                                  {actor, creating ? QStringLiteral("create") : QStringLiteral("update"), kGroupEntity,
                                   id, creating ? QJsonObject() : enrollmentWithoutKeys((*existing)->toJson()),
                                   enrollmentWithoutKeys(g.toJson())});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    return PutGroup{g, creating};
}

Result<void> Enrollments::removeGroup(const QString &id, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_ctx.db);
    // As remove(): an unreadable group can still go.
    bool unreadable = false;
    auto g = m_enrollments.findGroup(id, &unreadable);
    if (!g)
        return g.error();
    if (!*g)
        return Error(ErrorCode::NotFound, QStringLiteral("no enrollment group '%1'").arg(id));
    if (auto pre = requireIfMatch(ifMatch, (*g)->etag); !pre)
        return pre.error();
    if (auto r = m_enrollments.removeGroup(id, (*g)->etag); !r)
        return r.error();
    if (auto r = m_changes.record(
            EventKind::GroupDeleted,
            {actor, QStringLiteral("delete"), kGroupEntity, id, enrollmentWithoutKeys((*g)->toJson()), {}});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    return {};
}

} // namespace Provisio
