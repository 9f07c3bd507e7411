// SPDX-License-Identifier: Apache-2.0
#include "enrollmentapi.h"
#include "crmrequest.h"
#include "domain/enrollmentkeys.h"
#include "enrollmentutil.h"

#include "base/serviceconfig.h"
#include "crypto/activationcode.h"
#include "crypto/keys.h"
#include "crypto/registrationid.h"
#include "protocol/jsonmerge.h"
#include "protocol/jsonreader.h"
#include "protocol/timeutil.h"
#include "storage/activationcodestore.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"
#include "storage/registrationstore.h"

namespace Provisio {

using namespace EnrollmentUtil;

namespace {
const QString kEntity = QStringLiteral("enrollment");

HttpResponse storeFailed()
{
    return HttpResponse::error(ErrorCode::Unavailable, QStringLiteral("the change could not be stored"));
}
} // namespace

EnrollmentApi::EnrollmentApi(ServiceContext &ctx, EnrollmentStore &enrollments, ActivationCodeStore &codes,
                             RegistrationStore &registrations)
    : m_ctx(ctx), m_enrollments(enrollments), m_codes(codes), m_registrations(registrations)
{ }

void EnrollmentApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/enrollments");
    const QString one = base + QStringLiteral("/{registrationId}");
    router.add(M::Get, base, Access::Viewer, [this](HttpRequest &r) { return list(r); });
    router.add(M::Put, one, Access::Operator, [this](HttpRequest &r) { return put(r); });
    router.add(M::Get, one, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Delete, one, Access::Operator, [this](HttpRequest &r) { return remove(r); });
    router.add(M::Patch, one + QStringLiteral("/twin"), Access::Operator,
               [this](HttpRequest &r) { return patchTwin(r); });
    router.add(M::Post, one + QStringLiteral("/enable"), Access::Operator,
               [this](HttpRequest &r) { return setStatus(r, true); });
    router.add(M::Post, one + QStringLiteral("/disable"), Access::Operator,
               [this](HttpRequest &r) { return setStatus(r, false); });
    router.add(M::Post, one + QStringLiteral("/regenerate-keys"), Access::Operator,
               [this](HttpRequest &r) { return regenerateKeys(r); });
    router.add(M::Post, one + QStringLiteral("/activation-code"), Access::Operator,
               [this](HttpRequest &r) { return newActivationCode(r); });
}

QJsonObject EnrollmentApi::present(const HttpRequest &request, const Enrollment &e) const
{
    const QJsonObject json = e.toJson();
    return mayReadKeys(request) ? json : enrollmentWithoutKeys(json);
}

Result<EnrollmentApi::IssuedCode> EnrollmentApi::issueActivationCode(const Enrollment &e)
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
    return IssuedCode{ActivationCode::format(canonical), rec.expires};
}

HttpResponse EnrollmentApi::put(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto body = jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    if (!body->contains(QStringLiteral("registrationId")))
        body->insert(QStringLiteral("registrationId"), request.param(QStringLiteral("registrationId")));
    auto parsed = Enrollment::fromJson(*body);
    if (!parsed)
        return HttpResponse::error(parsed.error());
    Enrollment e = *parsed;
    if (Crypto::normalizeRegistrationId(e.registrationId) != *id)
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("registrationId in the body ('%1') does not match the path ('%2')")
                                       .arg(e.registrationId, request.param(QStringLiteral("registrationId"))));
    e.registrationId = *id;
    if (e.deviceId.isEmpty())
        e.deviceId = *id;
    // Output-only fields: the server owns them.
    e.iotHubHostName.clear();
    e.registrationState.reset();

    Transaction tx(m_ctx.db);
    auto existing = m_enrollments.find(*id);
    if (!existing)
        return HttpResponse::error(existing.error());
    if (auto pre = checkIfMatch(request, *existing ? (*existing)->etag : QString()); !pre)
        return HttpResponse::error(pre.error());

    // Keys left out are generated on create and kept on replace, so a
    // client that round-trips what a viewer sees never rotates keys by accident.
    if (e.attestation.primaryKey.isEmpty())
        e.attestation.primaryKey = *existing ? (*existing)->attestation.primaryKey : Crypto::generateSymmetricKey(64);
    if (e.attestation.secondaryKey.isEmpty())
        e.attestation.secondaryKey =
            *existing ? (*existing)->attestation.secondaryKey : Crypto::generateSymmetricKey(64);

    if (!e.serial.isEmpty()) {
        auto known = m_enrollments.inventoryHasSerial(e.serial);
        if (!known)
            return HttpResponse::error(known.error());
        if (!*known)
            // A 400, not a 404: the enrollment in the URL is fine, the body
            // refers to something that does not exist.
            return HttpResponse::error(ErrorCode::InvalidInput,
                                       QStringLiteral("field 'serial' names no inventory device: '%1'; add it with "
                                                      "POST /api/v1/devices first")
                                           .arg(e.serial));
        auto other = m_enrollments.findBySerial(e.serial);
        if (!other)
            return HttpResponse::error(other.error());
        if (*other && (*other)->registrationId != *id)
            return HttpResponse::error(ErrorCode::Conflict,
                                       QStringLiteral("serial '%1' already belongs to enrollment '%2'")
                                           .arg(e.serial, (*other)->registrationId));
    }

    const bool creating = !*existing;
    if (creating) {
        if (auto r = m_enrollments.insert(e); !r)
            return HttpResponse::error(r.error());
    } else {
        e.createdDateTimeUtc = (*existing)->createdDateTimeUtc;
        if (auto r = m_enrollments.update(e, (*existing)->etag); !r)
            return HttpResponse::error(r.error());
        // Codes issued for the old serial must not open the re-bound enrollment.
        if ((*existing)->serial != e.serial) {
            if (auto r = m_codes.removeUnused(*id); !r)
                return HttpResponse::error(r.error());
        }
    }
    if (auto r = m_ctx.audit.record(
            request.actor(), creating ? QStringLiteral("create") : QStringLiteral("update"), kEntity, *id,
            creating ? QJsonObject() : enrollmentWithoutKeys((*existing)->toJson()), enrollmentWithoutKeys(e.toJson()));
        !r)
        return HttpResponse::error(r.error());

    QJsonObject out = e.toJson();
    if (creating && !e.serial.isEmpty()) {
        auto code = issueActivationCode(e);
        if (!code)
            return HttpResponse::error(code.error());
        if (auto r = m_ctx.audit.record(request.actor(), QStringLiteral("issueActivationCode"), kEntity, *id, {},
                                        QJsonObject{{QStringLiteral("serial"), e.serial},
                                                    {QStringLiteral("expiresDateTimeUtc"), toIsoUtc(code->expires)}});
            !r)
            return HttpResponse::error(r.error());
        out.insert(QStringLiteral("activationCode"), code->code);
        out.insert(QStringLiteral("activationCodeExpiresDateTimeUtc"), toIsoUtc(code->expires));
    }
    if (!tx.commit())
        return storeFailed();
    HttpResponse response = HttpResponse::json(out, creating ? 201 : 200);
    response.withEtag(e.etag);
    if (creating)
        response.withHeader("Location", "/api/v1/enrollments/" + id->toUtf8());
    return response;
}

HttpResponse EnrollmentApi::list(HttpRequest &request)
{
    if (auto q = Crm::checkQuery(request, {QStringLiteral("serial"), QStringLiteral("provisioningStatus"),
                                           QStringLiteral("limit"), QStringLiteral("cursor")});
        !q)
        return HttpResponse::error(q.error());
    auto page = pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    EnrollmentStore::Filter filter;
    filter.serial = request.queryValue(QStringLiteral("serial"));
    filter.provisioningStatus = request.queryValue(QStringLiteral("provisioningStatus"));
    if (!filter.provisioningStatus.isEmpty() && filter.provisioningStatus != QLatin1String("enabled") &&
        filter.provisioningStatus != QLatin1String("disabled"))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("provisioningStatus must be 'enabled' or 'disabled'"));
    auto items = m_enrollments.list(filter, *page);
    if (!items)
        return HttpResponse::error(items.error());
    // As GET of one enrollment: where each device went, one query per page.
    QStringList ids;
    for (const Enrollment &e : std::as_const(items->items))
        ids.append(e.registrationId);
    auto registrations = m_registrations.findMany(ids);
    if (!registrations)
        return HttpResponse::error(registrations.error());
    QJsonArray out;
    for (Enrollment e : std::as_const(items->items)) {
        const auto reg = registrations->constFind(e.registrationId);
        if (reg != registrations->constEnd()) {
            e.registrationState = reg->state;
            e.iotHubHostName = reg->state.assignedHub;
        }
        out.append(present(request, e));
    }
    return Crm::listResponse(out, items->nextCursor);
}

HttpResponse EnrollmentApi::get(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto e = m_enrollments.find(*id);
    if (!e)
        return HttpResponse::error(e.error());
    if (!*e)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no enrollment '%1'").arg(*id));
    Enrollment shown = **e;
    // As DPS: the enrollment carries where its device went.
    auto reg = m_registrations.find(*id);
    if (!reg)
        return HttpResponse::error(reg.error());
    if (*reg) {
        shown.registrationState = (*reg)->state;
        shown.iotHubHostName = (*reg)->state.assignedHub;
    }
    return HttpResponse::json(present(request, shown)).withEtag(shown.etag);
}

Result<Enrollment> EnrollmentApi::loadForChange(const HttpRequest &request, const QString &id)
{
    auto e = m_enrollments.find(id);
    if (!e)
        return e.error();
    if (!*e)
        return Error(ErrorCode::NotFound, QStringLiteral("no enrollment '%1'").arg(id));
    if (auto pre = checkIfMatch(request, (*e)->etag); !pre)
        return pre.error();
    return **e;
}

HttpResponse EnrollmentApi::commitChange(const HttpRequest &request, const QString &action, const Enrollment &previous,
                                         Enrollment changed)
{
    if (auto r = m_enrollments.update(changed, previous.etag); !r)
        return HttpResponse::error(r.error());
    if (auto r = m_ctx.audit.record(request.actor(), action, kEntity, changed.registrationId,
                                    enrollmentWithoutKeys(previous.toJson()), enrollmentWithoutKeys(changed.toJson()));
        !r)
        return HttpResponse::error(r.error());
    return HttpResponse::json(present(request, changed)).withEtag(changed.etag);
}

HttpResponse EnrollmentApi::changeEnrollment(const HttpRequest &request, const QString &id, const QString &action,
                                             const std::function<Result<void>(Enrollment &)> &change)
{
    Transaction tx(m_ctx.db);
    auto e = loadForChange(request, id);
    if (!e)
        return HttpResponse::error(e.error());
    Enrollment changed = *e;
    if (auto c = change(changed); !c)
        return HttpResponse::error(c.error());
    HttpResponse r = commitChange(request, action, *e, changed);
    if (!r.isError() && !tx.commit())
        return storeFailed();
    return r;
}

HttpResponse EnrollmentApi::remove(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    Transaction tx(m_ctx.db);
    auto e = loadForChange(request, *id);
    if (!e)
        return HttpResponse::error(e.error());
    if (auto r = m_enrollments.remove(*id, e->etag); !r)
        return HttpResponse::error(r.error());
    if (auto r = m_codes.removeUnused(*id); !r)
        return HttpResponse::error(r.error());
    if (auto r = m_ctx.audit.record(request.actor(), QStringLiteral("delete"), kEntity, *id,
                                    enrollmentWithoutKeys(e->toJson()));
        !r)
        return HttpResponse::error(r.error());
    if (!tx.commit())
        return storeFailed();
    return HttpResponse::noContent();
}

HttpResponse EnrollmentApi::setStatus(HttpRequest &request, bool enabled)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    return changeEnrollment(request, *id, enabled ? QStringLiteral("enable") : QStringLiteral("disable"),
                            [enabled](Enrollment &changed) -> Result<void> {
                                changed.provisioningStatus =
                                    enabled ? QStringLiteral("enabled") : QStringLiteral("disabled");
                                return {};
                            });
}

HttpResponse EnrollmentApi::regenerateKeys(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto body = jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    reader.allowOnly({"key"});
    const QString which = reader.requiredString(QStringLiteral("key"));
    if (reader.ok() && which != QLatin1String("primary") && which != QLatin1String("secondary") &&
        which != QLatin1String("both"))
        reader.fail(QStringLiteral("key"), QStringLiteral("must be 'primary', 'secondary' or 'both'"));
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    return changeEnrollment(request, *id, QStringLiteral("regenerateKeys"),
                            [&which](Enrollment &changed) -> Result<void> {
                                if (which != QLatin1String("secondary"))
                                    changed.attestation.primaryKey = Crypto::generateSymmetricKey(64);
                                if (which != QLatin1String("primary"))
                                    changed.attestation.secondaryKey = Crypto::generateSymmetricKey(64);
                                return {};
                            });
}

HttpResponse EnrollmentApi::patchTwin(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto patch = twinPatchBody(request);
    if (!patch)
        return HttpResponse::error(patch.error());
    const QJsonObject tags = patch->tags;
    const QJsonObject desired = patch->desired;

    return changeEnrollment(request, *id, QStringLiteral("updateTwin"), [&](Enrollment &changed) -> Result<void> {
        changed.initialTwin.tags = jsonMergePatch(changed.initialTwin.tags, tags);
        changed.initialTwin.desiredProperties = jsonMergePatch(changed.initialTwin.desiredProperties, desired);

        // A registered device gets the change too: its twin record is what the
        // hub side publishes, and the bumped $version tells it something changed.
        auto reg = m_registrations.find(*id);
        if (!reg)
            return reg.error();
        if (!*reg)
            return {};
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

HttpResponse EnrollmentApi::newActivationCode(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    Transaction tx(m_ctx.db);
    auto e = loadForChange(request, *id);
    if (!e)
        return HttpResponse::error(e.error());
    if (e->serial.isEmpty())
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("enrollment '%1' has no serial; activation codes are bound to an "
                                                  "inventory device, so set 'serial' first")
                                       .arg(*id));
    auto code = issueActivationCode(*e);
    if (!code)
        return HttpResponse::error(code.error());
    if (auto r = m_ctx.audit.record(request.actor(), QStringLiteral("issueActivationCode"), kEntity, *id, {},
                                    QJsonObject{{QStringLiteral("serial"), e->serial},
                                                {QStringLiteral("expiresDateTimeUtc"), toIsoUtc(code->expires)}});
        !r)
        return HttpResponse::error(r.error());
    if (!tx.commit())
        return storeFailed();
    return HttpResponse::json(QJsonObject{{QStringLiteral("activationCode"), code->code},
                                          {QStringLiteral("serial"), e->serial},
                                          {QStringLiteral("registrationId"), e->registrationId},
                                          {QStringLiteral("expiresDateTimeUtc"), toIsoUtc(code->expires)}},
                              201);
}

} // namespace Provisio
