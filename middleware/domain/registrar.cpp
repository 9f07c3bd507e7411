// SPDX-License-Identifier: Apache-2.0
#include "registrar.h"
#include "base/servicecontext.h"
#include "domain/enrollmentkeys.h"

#include "base/metrics.h"
#include "base/serviceconfig.h"
#include "crypto/keys.h"
#include "crypto/registrationid.h"
#include "crypto/sastoken.h"
#include "domain/eventbus.h"
#include "domain/registrationanswer.h"
#include "protocol/apierror.h"
#include "protocol/timeutil.h"
#include "protocol/wirenames.h"
#include "storage/database.h"
#include "storage/databasereader.h"
#include "storage/databasewriter.h"
#include "storage/enrollmentgroupcache.h"
#include "storage/enrollmentstore.h"
#include "storage/hubstore.h"
#include "storage/jsontext.h"
#include "storage/recordutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <algorithm>
#include <atomic>

Q_LOGGING_CATEGORY(lcRegistration, "provisio.middleware.registration")

namespace Provisio {

namespace {

const QString kAssigned = RegistrationStatus::Assigned;
const QString kFailed = RegistrationStatus::Failed;
const QString kDisabled = RegistrationStatus::Disabled;
const QString kAssigning = RegistrationStatus::Assigning;

DomainEvent registrationEvent(const RegistrationOperation &op, const QString &deviceId);
DomainEvent registrationEvent(const RegistrationOperation &op, const QString &deviceId, QJsonObject stateJson);
DomainEvent registrationEvent(const RegistrationOperation &op, const QString &deviceId, const QString &dataText);

QDateTime now()
{
    // QDateTime keeps milliseconds, the precision every stored timestamp has.
    return QDateTime::currentDateTimeUtc();
}

QString newOperationId()
{
    // DPS operation ids are opaque; hex keeps them URL-safe. The first part
    // is the time (milliseconds, then a count within the millisecond), so
    // that the operations' key grows at its end: a group commit then adds
    // its operations to one page of that index instead of a random page per
    // registration. The 16 random bytes after it keep it unguessable.
    static std::atomic<quint64> last{0};
    quint64 stamp = quint64(QDateTime::currentMSecsSinceEpoch()) << 16;
    quint64 previous = last.load(std::memory_order_relaxed);
    do {
        stamp = std::max(stamp, previous + 1);
    } while (!last.compare_exchange_weak(previous, stamp, std::memory_order_relaxed));
    return QStringLiteral("5.") + QString::number(stamp, 16).rightJustified(16, QLatin1Char('0')) + QLatin1Char('.') +
           QString::fromLatin1(Crypto::randomIdentifierBytes(16).toHex());
}

int desiredVersion(const QJsonObject &twin)
{
    return twin.value(QStringLiteral("properties"))
        .toObject()
        .value(QStringLiteral("desired"))
        .toObject()
        .value(QStringLiteral("$version"))
        .toInt(0);
}

// The twin document the hub part publishes: Azure's twin shape with the
// desired properties' $version, bumped on every change so a subscriber can
// tell a new document from a repeat.
QJsonObject twinDocument(const InitialTwin &twin, int version)
{
    // Most devices start without an initial twin: their first document is
    // the same for all of them, built once and shared (building it cost
    // about 10,000 instructions, 7 % of the event loop's registration work).
    if (version == 1 && twin.isEmpty()) {
        static const QJsonObject first = [] {
            return QJsonObject{
                {QStringLiteral("tags"), QJsonObject()},
                {QStringLiteral("properties"),
                 QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("$version"), 1}}}}}};
        }();
        return first;
    }
    QJsonObject desired = twin.desiredProperties;
    desired.insert(QStringLiteral("$version"), version);
    return QJsonObject{{QStringLiteral("tags"), twin.tags},
                       {QStringLiteral("properties"), QJsonObject{{QStringLiteral("desired"), desired}}}};
}

Error unauthorized(bool expired)
{
    return Error(ErrorCode::Unauthorized, expired ? QStringLiteral("expired") : QStringLiteral("unauthorized"));
}

} // namespace

QString Registrar::Attestee::deviceId() const
{
    if (enrollment && !enrollment->deviceId.isEmpty())
        return enrollment->deviceId;
    return registrationId;
}

bool Registrar::Attestee::isEnabled() const
{
    return enrollment ? enrollment->isEnabled() : (group && group->isEnabled());
}

InitialTwin Registrar::Attestee::initialTwin() const
{
    return enrollment ? enrollment->initialTwin : (group ? group->initialTwin : InitialTwin());
}

ReprovisionPolicy Registrar::Attestee::reprovisionPolicy() const
{
    return enrollment ? enrollment->reprovisionPolicy : (group ? group->reprovisionPolicy : ReprovisionPolicy());
}

QJsonObject Registrar::Attestee::enrollmentJson() const
{
    return enrollmentWithoutKeys(enrollment ? enrollment->toJson() : (group ? group->toJson() : QJsonObject()));
}

Registrar::Registrar(ServiceContext &ctx, EnrollmentStore &enrollments, RegistrationStore &registrations,
                     QObject *parent)
    : QObject(parent), m_ctx(ctx), m_enrollments(enrollments), m_registrations(registrations), m_allocator(ctx),
      m_groups(std::make_shared<EnrollmentGroupCache>())
{
    m_ctx.metrics.describe(QStringLiteral("provisio_registrations_total"), QStringLiteral("counter"),
                           QStringLiteral("Device registrations by final status"));
    m_ctx.metrics.describe(QStringLiteral("provisio_registration_duration_seconds"), QStringLiteral("histogram"),
                           QStringLiteral("Time from a register call to its final status"));
    // Fires when the loop is back from the connections it found ready.
    m_commitTimer.setSingleShot(true);
    m_commitTimer.setInterval(0);
    connect(&m_commitTimer, &QTimer::timeout, this, &Registrar::sendWaiting);
    m_writer = DatabaseWriter::create(m_ctx.db);
    m_reader = DatabaseReader::create(m_ctx.db, this);
}

Registrar::~Registrar() = default;

Result<Registrar::Attestee> Registrar::authenticate(const QByteArray &authorization, const QString &idScope,
                                                    const QString &registrationId)
{
    return authenticate(m_enrollments, *m_groups, m_ctx.config.sasClockSkewSeconds, m_ctx.config.maxSasLifetimeSeconds,
                        authorization, idScope, registrationId);
}

Result<Registrar::Attestee> Registrar::authenticate(EnrollmentStore &enrollments, EnrollmentGroupCache &groupCache,
                                                    qint64 skew, qint64 maxLifetime, const QByteArray &authorization,
                                                    const QString &idScope, const QString &registrationId,
                                                    EnrollmentStore::CheckSideReads *side)
{
    const QString header = QString::fromUtf8(authorization).trimmed();
    if (header.isEmpty())
        return unauthorized(false);
    auto token = SasToken::parse(header);
    if (!token)
        return unauthorized(false);

    const QString resource = idScope + QStringLiteral("/registrations/") + registrationId;
    const qint64 nowSeconds = QDateTime::currentSecsSinceEpoch();
    // Decided before any key is looked at: costs nothing, tells nothing.
    if (token->expiry() + skew < nowSeconds)
        return unauthorized(true);
    if (token->expiry() > nowSeconds + maxLifetime + skew)
        return Error(ErrorCode::Unauthorized,
                     QStringLiteral("token lifetime exceeds the maximum of %1 seconds").arg(maxLifetime));
    bool expired = false;
    auto accepts = [&](const QString &key) {
        if (key.isEmpty())
            return false;
        const auto verified = token->verify(resource, key, nowSeconds, skew, maxLifetime);
        if (!verified && verified.error().message == QLatin1String("token expired"))
            expired = true;
        return verified.ok();
    };

    Attestee attestee;
    attestee.registrationId = Crypto::normalizeRegistrationId(registrationId);
    auto enrollment = enrollments.findForRegistration(attestee.registrationId, side);
    if (!enrollment)
        return enrollment.error();
    if (*enrollment) {
        // An individual enrollment takes precedence over groups, as in DPS.
        const Attestation &a = (*enrollment)->attestation;
        if (accepts(a.primaryKey) || accepts(a.secondaryKey)) {
            attestee.enrollment = **enrollment;
            return attestee;
        }
        return unauthorized(expired);
    }

    auto groups = groupCache.groups(enrollments);
    if (!groups)
        return groups.error();
    // Enabled groups first, so that a device in an enabled and a disabled
    // group is not turned away by the disabled one.
    std::stable_sort(groups->begin(), groups->end(), [](const EnrollmentGroup &a, const EnrollmentGroup &b) {
        return a.isEnabled() && !b.isEnabled();
    });
    // The device derives its key from its id as it spells it; the CRM hands
    // out keys for the normalized spelling. Both are the same device.
    QStringList spellings{registrationId};
    if (attestee.registrationId != registrationId)
        spellings << attestee.registrationId;
    for (const EnrollmentGroup &g : std::as_const(*groups)) {
        for (const QString &groupKey : {g.attestation.primaryKey, g.attestation.secondaryKey}) {
            if (groupKey.isEmpty())
                continue;
            for (const QString &spelling : std::as_const(spellings)) {
                const auto derived = Crypto::deriveKey(groupKey, spelling);
                if (derived && accepts(*derived)) {
                    attestee.group = g;
                    return attestee;
                }
            }
        }
    }
    return unauthorized(expired);
}

void Registrar::registerDevice(const Attestee &attestee, const QJsonValue &payload, Done done)
{
    // A device of the waiting batch registers again (on another
    // connection): it must read what the batch writes. Its record was not
    // read with its check: the write was waiting when the check was queued,
    // or it started during the check (writing()).
    if (m_batchIds.contains(attestee.registrationId)) {
        Q_ASSERT(!attestee.prefetched);
        commitPending();
    }
    auto op = start(attestee, payload, &done);
    if (!done)
        return;
    if (!op)
        done(op.error());
    else
        done(Answer{*op, deviceAnswer(*op)});
}

Result<RegistrationOperation> Registrar::start(const Attestee &attestee, const QJsonValue &payload, Done *done)
{
    Pending pending;
    pending.attestee = attestee;
    pending.operationId = newOperationId();
    pending.started = now();
    pending.timer.start();

    if (!attestee.isEnabled())
        return completeDisabled(pending);

    auto existing = attestee.prefetched ? Result<std::optional<RegistrationRecord>>(attestee.prefetched->record)
                                        : m_registrations.find(attestee.registrationId);
    if (!existing)
        return existing.error();

    // updateHubAssignment=false: an assigned device keeps its hub (as long
    // as that hub is still linked) without asking the allocation policy.
    if (*existing && !(*existing)->state.assignedHub.isEmpty() && !attestee.reprovisionPolicy().updateHubAssignment) {
        auto hub = m_ctx.hubs.findByHost((*existing)->state.assignedHub);
        if (!hub)
            return hub.error();
        if (*hub) {
            Allocator::Outcome keep;
            keep.hub = **hub;
            keep.payload = (*existing)->state.payload;
            return complete(pending, keep, &*existing, done);
        }
    }

    const auto &settings = attestee.enrollment;
    const QString instancePolicy = attestee.prefetched ? attestee.prefetched->instancePolicy : QString();
    auto plan = settings ? m_allocator.plan(settings->allocationPolicy, settings->iotHubs,
                                            settings->customAllocationDefinition, instancePolicy)
                         : m_allocator.plan(attestee.group->allocationPolicy, attestee.group->iotHubs,
                                            attestee.group->customAllocationDefinition, instancePolicy);
    if (!plan)
        return complete(pending, plan.error());

    if (plan->policy != AllocationPolicy::Custom)
        return complete(pending, m_allocator.allocate(*plan, attestee.registrationId, payload), &*existing, done);

    // Custom: answer `assigning` now, finish when the webhook answers.
    RegistrationOperation op;
    op.operationId = pending.operationId;
    op.status = kAssigning;
    OperationRecord rec{op, attestee.registrationId, pending.started, pending.started};
    if (auto saved = m_registrations.saveOperation(rec); !saved)
        return saved.error();

    QJsonObject context{{QStringLiteral("registrationId"), attestee.registrationId},
                        {QStringLiteral("symmetricKey"), QJsonObject()}};
    if (!payload.isNull() && !payload.isUndefined())
        context.insert(QStringLiteral("payload"), payload);
    QJsonArray linkedHubs;
    for (const Hub &h : std::as_const(plan->candidates))
        linkedHubs.append(h.host);
    const QJsonObject request{
        {attestee.group ? QStringLiteral("enrollmentGroup") : QStringLiteral("individualEnrollment"),
         attestee.enrollmentJson()},
        {QStringLiteral("deviceRuntimeContext"), context},
        {QStringLiteral("linkedHubs"), linkedHubs},
    };
    auto shared = std::make_shared<Pending>(std::move(pending));
    m_allocator.allocateCustom(*plan, request, this, [this, shared](Result<Allocator::Outcome> outcome) {
        complete(*shared, std::move(outcome));
    });
    return op;
}

RegistrationOperation Registrar::complete(const Pending &pending, Result<Allocator::Outcome> outcome,
                                          const std::optional<RegistrationRecord> *known, Done *done)
{
    if (!outcome)
        return persistFailure(pending, outcome.error());
    const Attestee &a = pending.attestee;
    writing(a.registrationId);
    Result<std::optional<RegistrationRecord>> found = std::optional<RegistrationRecord>();
    if (!known) {
        found = m_registrations.find(a.registrationId);
        if (!found)
            return persistFailure(pending, found.error());
    }
    const std::optional<RegistrationRecord> &existing = known ? *known : *found;

    const Hub &hub = outcome->hub;
    const QString deviceId = a.deviceId();
    const QString groupId = a.group ? a.group->enrollmentGroupId : QString();
    const QString prevHub = existing ? existing->state.assignedHub : QString();
    const bool sameHub = !prevHub.isEmpty() && prevHub.compare(hub.host, Qt::CaseInsensitive) == 0;
    // An unreadable record is written anew: the device starts over with its
    // initial twin rather than keeping an empty one.
    const bool unreadable = existing && existing->unreadable;
    const bool unchanged = !unreadable && existing && sameHub && existing->state.status == kAssigned &&
                           existing->state.deviceId == deviceId && existing->state.payload == outcome->payload &&
                           existing->enrollmentGroupId == groupId && !outcome->initialTwin;

    RegistrationRecord rec = existing ? *existing : RegistrationRecord();
    rec.operationId = pending.operationId;
    if (!unchanged) {
        RegistrationState &s = rec.state;
        const QDateTime at = now();
        if (!existing)
            s.createdDateTimeUtc = at;
        s.registrationId = a.registrationId;
        s.status = kAssigned;
        s.assignedHub = hub.host;
        s.deviceId = deviceId;
        s.errorCode.reset();
        s.errorMessage.clear();
        s.payload = outcome->payload;
        s.lastUpdatedDateTimeUtc = at;
        s.etag = newEtag();
        rec.enrollmentGroupId = groupId;
        const InitialTwin initial = outcome->initialTwin ? *outcome->initialTwin : a.initialTwin();
        const int nextVersion = desiredVersion(rec.twin) + 1;
        if (prevHub.isEmpty()) {
            s.substatus = RegistrationSubstatus::InitialAssignment;
            rec.twin = twinDocument(initial, nextVersion);
        } else if (sameHub) {
            if (s.substatus.isEmpty())
                s.substatus = RegistrationSubstatus::InitialAssignment;
            if (outcome->initialTwin)
                rec.twin = twinDocument(initial, nextVersion);
        } else {
            const bool migrate = a.reprovisionPolicy().migrateDeviceData;
            s.substatus = migrate ? RegistrationSubstatus::DeviceDataMigrated : RegistrationSubstatus::DeviceDataReset;
            // Reset: the device starts over on its new hub with the initial
            // twin; migrated: its twin moves with it.
            if (!migrate || rec.twin.isEmpty())
                rec.twin = twinDocument(initial, nextVersion);
        }
        if (unreadable) {
            rec.twin = twinDocument(initial, qMax(nextVersion, existing->publishedDesiredVersion + 1));
            rec.unreadable = false;
        }
    }

    Write write;
    write.operation.operationId = pending.operationId;
    write.operation.status = kAssigned;
    write.operation.registrationState = rec.state;
    write.hub = hub;
    write.record = std::move(rec);
    write.registrationId = a.registrationId;
    write.started = pending.started;
    write.at = now();
    write.previousHub = prevHub;
    write.timer = pending.timer;
    if (done && *done) {
        write.done = std::move(*done);
        *done = nullptr;
        m_batchIds.insert(write.registrationId);
        m_batch.push_back(std::move(write));
        if (int(m_batch.size()) >= kMaxGroupCommit) {
            settleInFlight();
            sendWaiting();
        } else if (!m_commitTimer.isActive()) {
            m_commitTimer.start();
        }
        return {};
    }
    bool stored = false;
    {
        Transaction tx(m_ctx.db);
        stored = tx.isActive() && store(m_registrations, write) && tx.commit();
    }
    return finish(write, stored);
}

RegistrationOperation Registrar::finish(const Write &w, bool stored)
{
    if (!stored) {
        qCWarning(lcRegistration).noquote() << "registration of" << w.registrationId << "could not be stored";
        RegistrationOperation failed;
        failed.operationId = w.operation.operationId;
        failed.status = kFailed;
        RegistrationState s;
        s.registrationId = w.registrationId;
        s.status = kFailed;
        s.errorCode = ApiError::dpsErrorCodeFor(ErrorCode::Unavailable);
        s.errorMessage = QStringLiteral("the registration could not be stored; try again");
        failed.registrationState = s;
        recordMetrics(failed, w.timer);
        return failed;
    }
    recordMetrics(w.operation, w.timer);
    // The hub it had before, so the hub link can cut it off there (the
    // event's text names it as "previousAssignedHub" too).
    DomainEvent event = registrationEvent(w.operation, w.record.state.deviceId, w.texts.event);
    event.previousHub = w.previousHub;
    m_ctx.events.publish(std::move(event));
    return w.operation;
}

RegistrationOperation Registrar::persistFailure(const Pending &pending, const Error &error)
{
    const Attestee &a = pending.attestee;
    writing(a.registrationId);
    const QDateTime at = now();
    RegistrationState s;
    s.registrationId = a.registrationId;
    s.status = kFailed;
    s.errorCode = ApiError::dpsErrorCodeFor(error.code);
    s.errorMessage = error.message;
    s.createdDateTimeUtc = at;
    s.lastUpdatedDateTimeUtc = at;
    s.etag = newEtag();
    RegistrationOperation op;
    op.operationId = pending.operationId;
    op.status = kFailed;
    op.registrationState = s;

    Transaction tx(m_ctx.db);
    auto existing = m_registrations.find(a.registrationId);
    // A device that already has a hub keeps that mapping when a later
    // registration fails: it can go on working where it is. Only a device
    // without one gets a failed record, so the CRM can see why.
    if (existing && (!*existing || (*existing)->state.assignedHub.isEmpty())) {
        RegistrationRecord rec;
        rec.state = s;
        rec.enrollmentGroupId = a.group ? a.group->enrollmentGroupId : QString();
        rec.operationId = pending.operationId;
        if (*existing)
            rec.state.createdDateTimeUtc = (*existing)->state.createdDateTimeUtc;
        m_registrations.save(rec);
    }
    m_registrations.saveOperation({op, a.registrationId, pending.started, at});
    if (!tx.commit())
        qCWarning(lcRegistration).noquote() << "failed registration of" << a.registrationId << "could not be stored";
    else
        announce(op, a.deviceId());
    qCInfo(lcRegistration).noquote() << "registration of" << a.registrationId << "failed:" << error.message;
    recordMetrics(op, pending.timer);
    return op;
}

RegistrationOperation Registrar::completeDisabled(const Pending &pending)
{
    const Attestee &a = pending.attestee;
    writing(a.registrationId);
    const QDateTime at = now();
    RegistrationOperation op;
    op.operationId = pending.operationId;
    op.status = kDisabled;

    Transaction tx(m_ctx.db);
    auto existing = m_registrations.find(a.registrationId);
    RegistrationRecord rec;
    if (existing && *existing) {
        // The mapping stays for reference; the status says it is not usable.
        rec = **existing;
    } else {
        rec.state.registrationId = a.registrationId;
        rec.state.createdDateTimeUtc = at;
        rec.enrollmentGroupId = a.group ? a.group->enrollmentGroupId : QString();
    }
    rec.state.status = kDisabled;
    rec.state.errorCode.reset();
    rec.state.errorMessage.clear();
    rec.state.lastUpdatedDateTimeUtc = at;
    rec.state.etag = newEtag();
    rec.operationId = pending.operationId;
    RegistrationState shown;
    shown.registrationId = a.registrationId;
    shown.status = kDisabled;
    shown.createdDateTimeUtc = rec.state.createdDateTimeUtc;
    shown.lastUpdatedDateTimeUtc = at;
    shown.etag = rec.state.etag;
    op.registrationState = shown;
    if (existing)
        m_registrations.save(rec);
    m_registrations.saveOperation({op, a.registrationId, pending.started, at});
    if (!tx.commit())
        qCWarning(lcRegistration).noquote() << "disabled registration of" << a.registrationId << "could not be stored";
    else
        announce(op, rec.state.deviceId.isEmpty() ? a.deviceId() : rec.state.deviceId);
    recordMetrics(op, pending.timer);
    return op;
}

void Registrar::announce(const RegistrationOperation &op, const QString &deviceId)
{
    m_ctx.events.publish(registrationEvent(op, deviceId));
}

namespace {
EventKind registrationEventKind(const QString &status)
{
    if (status == QLatin1String("assigned"))
        return EventKind::RegistrationAssigned;
    if (status == QLatin1String("disabled"))
        return EventKind::RegistrationDisabled;
    return EventKind::RegistrationFailed;
}

DomainEvent registrationEvent(const RegistrationOperation &op, const QString &deviceId)
{
    if (!op.registrationState)
        return registrationEvent(op, deviceId, QJsonObject());
    RegistrationState state = *op.registrationState;
    state.payload = QJsonObject(); // not rendered at all rather than rendered and removed
    return registrationEvent(op, deviceId, state.toJson());
}

// `stateJson`: op.registrationState as RegistrationState::toJson renders it.
DomainEvent registrationEvent(const RegistrationOperation &op, const QString &deviceId, QJsonObject stateJson)
{
    // Published only after the outcome was committed, like every audited
    // change. The connection payload never travels in events: it holds the
    // device's hub key.
    DomainEvent e;
    e.kind = registrationEventKind(op.status);
    e.registrationId = op.registrationState ? op.registrationState->registrationId : QString();
    e.entityId = e.registrationId;
    e.deviceId = deviceId;
    if (op.registrationState) {
        stateJson.remove(QStringLiteral("payload"));
        e.data = std::move(stateJson);
        e.hub = op.registrationState->assignedHub;
    }
    e.data.insert(QStringLiteral("operationId"), op.operationId);
    return e;
}

// `dataText`: the event's data as registrationStateTexts() writes it for
// op.registrationState (with the operation's id).
DomainEvent registrationEvent(const RegistrationOperation &op, const QString &deviceId, const QString &dataText)
{
    DomainEvent e;
    e.kind = registrationEventKind(op.status);
    e.registrationId = op.registrationState ? op.registrationState->registrationId : QString();
    e.entityId = e.registrationId;
    e.deviceId = deviceId;
    e.hub = op.registrationState ? op.registrationState->assignedHub : QString();
    e.dataText = dataText;
    return e;
}
} // namespace

void Registrar::recordMetrics(const RegistrationOperation &op, const QElapsedTimer &timer)
{
    m_ctx.metrics.increment(QStringLiteral("provisio_registrations_total"),
                            QStringLiteral("status=\"%1\"").arg(op.status));
    m_ctx.metrics.observeSeconds(QStringLiteral("provisio_registration_duration_seconds"), QString(),
                                 timer.nsecsElapsed() / 1e9);
}

Result<std::optional<RegistrationOperation>> Registrar::operation(const QString &operationId,
                                                                  const QString &registrationId)
{
    auto rec = m_registrations.findOperation(operationId);
    if (!rec)
        return rec.error();
    if (!*rec || (*rec)->registrationId != registrationId)
        return std::optional<RegistrationOperation>();
    RegistrationOperation op = (*rec)->operation;
    if (op.status == kAssigning && (*rec)->updated.msecsTo(QDateTime::currentDateTimeUtc()) > kStaleAssigningMs) {
        op.status = kFailed;
        RegistrationState s;
        s.registrationId = registrationId;
        s.status = kFailed;
        s.errorCode = ApiError::dpsErrorCodeFor(ErrorCode::Unavailable);
        s.errorMessage = QStringLiteral("the allocation was interrupted; register again");
        op.registrationState = s;
    }
    if (op.registrationState)
        op.registrationState = forDevice(*op.registrationState);
    return std::optional<RegistrationOperation>(op);
}

Result<std::optional<RegistrationState>> Registrar::registrationState(const QString &registrationId)
{
    auto rec = m_registrations.find(registrationId);
    if (!rec)
        return rec.error();
    if (!*rec)
        return std::optional<RegistrationState>();
    return std::optional<RegistrationState>(forDevice((*rec)->state));
}

RegistrationState Registrar::forDevice(RegistrationState state)
{
    if (auto provisio = provisioPayload(state))
        state.payload.insert(QStringLiteral("provisio"), *provisio);
    return state;
}

QByteArray Registrar::deviceAnswer(const RegistrationOperation &op)
{
    if (!op.registrationState)
        return registrationAnswerText(op);
    const std::optional<QJsonObject> provisio = provisioPayload(*op.registrationState);
    return registrationAnswerText(op, provisio ? &*provisio : nullptr);
}

std::optional<QJsonObject> Registrar::provisioPayload(const RegistrationState &state)
{
    if (state.status != kAssigned || state.assignedHub.isEmpty())
        return std::nullopt;
    auto hub = m_ctx.hubs.findByHost(state.assignedHub);
    if (!hub || !*hub)
        return std::nullopt;
    return provisioPayload(m_ctx.db, **hub, state, caPem());
}

const QString &Registrar::caPem()
{
    // The CA's text is the same in every answer: converted once, and once
    // written as a JSON string for the answers written as text.
    if (m_caPemSource != m_ctx.caCertificatePem || m_caPemJson.isEmpty()) {
        m_caPemSource = m_ctx.caCertificatePem;
        m_caPem = QString::fromLatin1(m_caPemSource);
        m_caPemJson.clear();
        appendJsonString(m_caPemJson, m_caPem);
    }
    return m_caPem;
}

} // namespace Provisio
