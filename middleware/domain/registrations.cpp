// SPDX-License-Identifier: Apache-2.0
#include "registrations.h"

#include "base/servicecontext.h"
#include "protocol/jsonlimits.h"
#include "protocol/jsonmerge.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"
#include "storage/recordutil.h"

namespace Provisio {

namespace {
Error storeFailed()
{
    return Error(ErrorCode::Unavailable, QStringLiteral("the change could not be stored"));
}

Error unreadableRecord(const QString &id)
{
    return Error(ErrorCode::Conflict, Registrations::unreadableMessage(id));
}

// What the audit log keeps of a twin change.
QJsonObject twinSummary(const RegistrationRecord &r)
{
    return QJsonObject{{QStringLiteral("deviceId"), r.state.deviceId},
                       {QStringLiteral("registrationId"), r.state.registrationId},
                       {QStringLiteral("tags"), r.twin.value(QStringLiteral("tags"))},
                       {QStringLiteral("desired"),
                        r.twin.value(QStringLiteral("properties")).toObject().value(QStringLiteral("desired"))}};
}
} // namespace

QString Registrations::unreadableMessage(const QString &registrationId)
{
    return Provisio::unreadableMessage(QStringLiteral("registration"), registrationId,
                                       QStringLiteral("repair it with POST /api/v1/registrations/%1/reset-twin or "
                                                      "remove it with DELETE /api/v1/registrations/%1")
                                           .arg(registrationId));
}

Registrations::Registrations(ServiceContext &ctx, RegistrationStore &registrations)
    : m_db(ctx.db), m_hubLink(ctx.db), m_registrations(registrations), m_changes(ctx)
{ }

Result<quint32> Registrations::rotateHubKey(const QString &id, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return storeFailed();
    auto rec = m_registrations.find(id);
    if (!rec)
        return rec.error();
    if (!*rec)
        return Error(ErrorCode::NotFound, QStringLiteral("no registration '%1'").arg(id));
    const RegistrationState &state = (*rec)->state;
    if (state.assignedHub.isEmpty() || state.deviceId.isEmpty())
        return Error(ErrorCode::Conflict, QStringLiteral("registration '%1' is not assigned to a hub").arg(id));
    auto generation = m_hubLink.raiseCredentialGeneration(state.assignedHub, state.deviceId);
    if (!generation)
        return generation.error();
    QJsonObject after = (*rec)->toDoc();
    after.insert(QStringLiteral("hubCredentialGeneration"), qint64(*generation));
    if (auto r = m_changes.record(EventKind::RegistrationHubKeyRotated,
                                  {actor, QStringLiteral("rotateHubKey"), QStringLiteral("registration"), id,
                                   QJsonObject{{QStringLiteral("hubCredentialGeneration"), qint64(*generation - 1)}},
                                   after});
        !r) {
        return r.error();
    }
    if (!tx.commit())
        return storeFailed();
    return *generation;
}

Result<int> Registrations::rotateGroupHubKeys(const QString &groupId, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return storeFailed();
    EnrollmentStore enrollments(m_db);
    auto group = enrollments.findGroup(groupId);
    if (!group)
        return group.error();
    if (!*group)
        return Error(ErrorCode::NotFound, QStringLiteral("no enrollment group '%1'").arg(groupId));
    int rotated = 0;
    QString after;
    for (;;) {
        auto page = m_hubLink.groupDevices(groupId, after, 500);
        if (!page)
            return page.error();
        for (const auto &device : std::as_const(page->devices)) {
            if (auto g = m_hubLink.raiseCredentialGeneration(device.hubHost, device.deviceId); !g)
                return g.error();
            ++rotated;
        }
        if (!page->more)
            break;
        after = page->lastKey;
    }
    const QJsonObject summary{{QStringLiteral("id"), groupId}, {QStringLiteral("devicesRotated"), rotated}};
    if (auto r = m_changes.record(
            EventKind::GroupHubKeysRotated,
            {actor, QStringLiteral("rotateHubKeys"), QStringLiteral("enrollmentGroup"), groupId, {}, summary});
        !r) {
        return r.error();
    }
    if (!tx.commit())
        return storeFailed();
    return rotated;
}

Result<void> Registrations::remove(const QString &id, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_db);
    auto rec = m_registrations.find(id);
    if (!rec)
        return rec.error();
    if (!*rec)
        return Error(ErrorCode::NotFound, QStringLiteral("no registration '%1'").arg(id));
    if (auto pre = requireIfMatch(ifMatch, (*rec)->state.etag); !pre)
        return pre.error();
    if (auto r = m_registrations.remove(id, (*rec)->state.etag); !r)
        return r.error();
    // The record is gone: the event carries it, with the hub the device was
    // on, so the hub link can cut it off there.
    if (auto r = m_changes.record(
            EventKind::RegistrationDeleted,
            {actor, QStringLiteral("delete"), QStringLiteral("registration"), id, (*rec)->toDoc(), {}});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    return {};
}

Result<RegistrationRecord> Registrations::patchTwin(const RegistrationRecord &current, const QJsonObject &tags,
                                                    const QJsonObject &desired, const QByteArray &ifMatch,
                                                    const QString &actor)
{
    if (auto pre = requireIfMatch(ifMatch, current.state.etag); !pre)
        return pre.error();
    if (current.unreadable)
        return unreadableRecord(current.state.registrationId);
    Transaction tx(m_db);
    RegistrationRecord changed = current;
    QJsonObject twin = changed.twin;
    QJsonObject properties = twin.value(QStringLiteral("properties")).toObject();
    QJsonObject desiredNow = properties.value(QStringLiteral("desired")).toObject();
    const int version = desiredNow.value(QStringLiteral("$version")).toInt(0);
    if (!desired.isEmpty()) {
        desiredNow.remove(QStringLiteral("$version"));
        desiredNow = jsonMergePatch(desiredNow, desired);
        desiredNow.insert(QStringLiteral("$version"), version + 1);
        properties.insert(QStringLiteral("desired"), desiredNow);
        twin.insert(QStringLiteral("properties"), properties);
    }
    if (!tags.isEmpty())
        twin.insert(QStringLiteral("tags"), jsonMergePatch(twin.value(QStringLiteral("tags")).toObject(), tags));
    changed.twin = twin;
    // The sections as they would be stored, against the twin's limits: a
    // patch may be small and still push a section past them.
    if (auto limited = checkTwinSections(
            twin.value(QStringLiteral("tags")).toObject(),
            twin.value(QStringLiteral("properties")).toObject().value(QStringLiteral("desired")).toObject(), QString());
        !limited)
        return limited.error();
    changed.state.etag = newEtag();
    if (auto r = m_registrations.update(changed, current.state.etag); !r)
        return r.error();
    if (auto r = m_changes.record(EventKind::TwinUpdated,
                                  {actor, QStringLiteral("update"), QStringLiteral("twin"), changed.state.deviceId,
                                   twinSummary(current), twinSummary(changed)});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    return changed;
}

Result<RegistrationRecord> Registrations::resetTwin(const QString &id, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_db);
    auto rec = m_registrations.find(id);
    if (!rec)
        return rec.error();
    if (!*rec)
        return Error(ErrorCode::NotFound, QStringLiteral("no registration '%1'").arg(id));
    const RegistrationRecord &current = **rec;
    if (auto pre = requireIfMatch(ifMatch, current.state.etag); !pre)
        return pre.error();
    InitialTwin initial;
    EnrollmentStore enrollments(m_db);
    if (!current.enrollmentGroupId.isEmpty()) {
        auto group = enrollments.findGroup(current.enrollmentGroupId);
        if (!group)
            return group.error();
        if (*group)
            initial = (*group)->initialTwin;
    } else {
        auto enrollment = enrollments.find(id);
        if (!enrollment)
            return enrollment.error();
        if (*enrollment)
            initial = (*enrollment)->initialTwin;
    }
    const int was = current.twin.value(QStringLiteral("properties"))
                        .toObject()
                        .value(QStringLiteral("desired"))
                        .toObject()
                        .value(QStringLiteral("$version"))
                        .toInt(0);
    QJsonObject desired = initial.desiredProperties;
    desired.insert(QStringLiteral("$version"), qMax(was, current.publishedDesiredVersion) + 1);
    RegistrationRecord changed = current;
    changed.unreadable = false;
    changed.twin = QJsonObject{{QStringLiteral("tags"), initial.tags},
                               {QStringLiteral("properties"), QJsonObject{{QStringLiteral("desired"), desired}}}};
    changed.state.etag = newEtag();
    changed.state.lastUpdatedDateTimeUtc = QDateTime::currentDateTimeUtc();
    if (auto r = m_registrations.update(changed, current.state.etag); !r)
        return r.error();
    QJsonObject before = twinSummary(current);
    if (current.unreadable)
        before.insert(QStringLiteral("unreadable"), true);
    if (auto r = m_changes.record(EventKind::TwinUpdated, {actor, QStringLiteral("resetTwin"), QStringLiteral("twin"),
                                                           changed.state.deviceId, before, twinSummary(changed)});
        !r)
        return r.error();
    if (!tx.commit())
        return storeFailed();
    return changed;
}

} // namespace Provisio
