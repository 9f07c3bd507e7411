// SPDX-License-Identifier: Apache-2.0
// What Registrar hands to the database threads: the key checks, run on the
// reader's thread in the order of the requests, and the group commit, the
// registrations' writes stored a group at a time on the writer's thread,
// with the answers after each commit.
#include "base/serviceconfig.h"
#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "crypto/registrationid.h"
#include "domain/eventbus.h"
#include "domain/registrationanswer.h"
#include "protocol/wirenames.h"
#include "registrar.h"

#include "storage/database.h"
#include "storage/databasereader.h"
#include "storage/databasewriter.h"
#include "storage/enrollmentgroupcache.h"
#include "storage/enrollmentstore.h"
#include "storage/hublinkstore.h"
#include "storage/settingsstore.h"

#include <algorithm>
#include <unordered_map>

namespace Provisio {

void Registrar::authenticateLater(const QByteArray &authorization, const QString &idScope,
                                  const QString &registrationId, Authenticated then)
{
    if (!m_reader) {
        then(authenticate(authorization, idScope, registrationId));
        return;
    }
    const QString id = Crypto::normalizeRegistrationId(registrationId);
    // The device's record is read with the check only when nothing of this
    // device is being checked or waits for its commit: then no write of it
    // can land between the reader's snapshot and the registration's start,
    // except one started meanwhile, which writing() notes.
    const bool prefetch = !m_batchIds.contains(id) && !m_authenticating.contains(id);
    ++m_authenticating[id];
    // Filled on the reader's thread, read here only once the job ran.
    auto outcome = std::make_shared<Result<Attestee>>(Error(ErrorCode::Unavailable, QString()));
    const qint64 skew = m_ctx.config.sasClockSkewSeconds;
    const qint64 maxLifetime = m_ctx.config.maxSasLifetimeSeconds;
    m_reader->post(
        [outcome, groups = m_groups, authorization, idScope, registrationId, skew, maxLifetime,
         prefetch](Database *db) {
            if (!db) {
                *outcome =
                    Error(ErrorCode::Unavailable, QStringLiteral("the database is unreachable; try again shortly"));
                return;
            }
            EnrollmentStore enrollments(*db);
            EnrollmentStore::CheckSideReads side;
            *outcome = authenticate(enrollments, *groups, skew, maxLifetime, authorization, idScope, registrationId,
                                    prefetch ? &side : nullptr);
            if (prefetch && *outcome)
                (*outcome)->prefetched = prefetchedFrom(std::move(side), **outcome);
        },
        [this, outcome, id, then = std::move(then)] {
            if (doneAuthenticating(id) && *outcome)
                (*outcome)->prefetched.reset();
            then(std::move(*outcome));
        });
}

bool Registrar::doneAuthenticating(const QString &registrationId)
{
    auto it = m_authenticating.find(registrationId);
    if (it == m_authenticating.end())
        return false;
    const bool stale = m_prefetchStale.contains(registrationId);
    if (--it.value() <= 0) {
        m_authenticating.erase(it);
        m_prefetchStale.remove(registrationId);
    }
    return stale;
}

Registrar::Attestee::Prefetched Registrar::prefetchedFrom(EnrollmentStore::CheckSideReads &&side,
                                                          const Attestee &attestee)
{
    Attestee::Prefetched p;
    p.record = std::move(side.record);
    const bool ownPolicy = attestee.enrollment ? attestee.enrollment->allocationPolicy.has_value()
                                               : attestee.group && attestee.group->allocationPolicy.has_value();
    if (!ownPolicy)
        p.instancePolicy = side.allocationPolicy.value_or(allocationPolicyName(AllocationPolicy::Hashed));
    return p;
}

void Registrar::writing(const QString &registrationId)
{
    if (m_authenticating.contains(registrationId))
        m_prefetchStale.insert(registrationId);
}

void Registrar::afterAuthentications(const QString &registrationId, std::function<void()> then)
{
    if (!m_reader) {
        then();
        return;
    }
    ++m_authenticating[registrationId];
    m_reader->post([](Database *) {},
                   [this, registrationId, then = std::move(then)] {
                       doneAuthenticating(registrationId);
                       then();
                   });
}

void Registrar::settleAuthentications()
{
    if (m_reader)
        m_reader->settle();
}

void Registrar::commitPending()
{
    // Authentications still running come first: their devices join the
    // batch before it is stored.
    settleAuthentications();
    m_commitTimer.stop();
    while (m_inFlight || !m_batch.empty()) {
        settleInFlight();
        sendWaiting();
    }
}

void Registrar::settleDevice(const QString &registrationId)
{
    if (m_batchIds.contains(registrationId) || m_authenticating.contains(registrationId))
        commitPending();
}

void Registrar::sendWaiting()
{
    if (m_inFlight || m_batch.empty())
        return;
    m_commitTimer.stop();
    auto group = std::make_shared<Group>();
    group->writes.swap(m_batch);
    caPem();
    group->caPemJson = m_caPemJson;
    group->derivers = m_hubKeyDerivers;
    m_inFlight = group;
    if (!m_writer) {
        storeGroup(&m_ctx.db, *group);
        settleInFlight();
        return;
    }
    // The writes go over whole and come back whole: nothing of a group is
    // touched on this thread while the writer has it.
    m_writer->start([group](Database *db) { storeGroup(db, *group); }, this,
                    [this, group] {
                        if (m_inFlight != group)
                            return; // settleInFlight() answered it already
                        settleInFlight();
                        sendWaiting();
                    });
}

void Registrar::settleInFlight()
{
    if (!m_inFlight)
        return;
    if (m_writer)
        m_writer->wait();
    const std::shared_ptr<Group> group = std::move(m_inFlight);
    m_inFlight.reset();
    answer(*group);
}

void Registrar::answer(Group &group)
{
    for (const Write &w : group.writes)
        m_batchIds.remove(w.registrationId);
    // The group's events first, as one batch of the bus (the hub link reads
    // which of the devices stand revoked once for all of them and admits
    // them again), then the answers: a device hears it is assigned only
    // once whatever its assignment sets off has been asked for.
    std::vector<RegistrationOperation> operations;
    operations.reserve(group.writes.size());
    m_ctx.events.beginBatch();
    for (size_t i = 0; i < group.writes.size(); ++i)
        operations.push_back(finish(group.writes[i], group.stored[i]));
    m_ctx.events.endBatch();
    for (size_t i = 0; i < group.writes.size(); ++i) {
        Write &w = group.writes[i];
        if (w.done) {
            RegistrationOperation &op = operations[i];
            QByteArray text = group.stored[i] && !w.answerText.isEmpty() ? std::move(w.answerText) : deviceAnswer(op);
            w.done(Answer{std::move(op), std::move(text)});
        }
    }
}

void Registrar::storeGroup(Database *db, Group &group)
{
    group.stored.assign(group.writes.size(), false);
    if (!db)
        return;
    RegistrationStore registrations(*db);
    bool all = false;
    {
        Transaction tx(*db);
        all = tx.isActive();
        // The records, then the operations, each as few statements as
        // the database makes cheapest (RegistrationStore::saveMany).
        QList<RegistrationStore::StateWrite> records;
        std::vector<OperationRecord> operations;
        QList<RegistrationStore::OperationWrite> operationWrites;
        records.reserve(qsizetype(group.writes.size()));
        operations.reserve(group.writes.size());
        operationWrites.reserve(qsizetype(group.writes.size()));
        for (Write &w : group.writes) {
            render(w);
            records.append({&w.record, &w.texts.state});
            operations.push_back({w.operation, w.registrationId, w.started, w.at});
        }
        for (size_t i = 0; i < operations.size(); ++i)
            operationWrites.append({&operations[i], &group.writes[i].texts.state});
        all = all && registrations.saveMany(records) && registrations.saveOperations(operationWrites);
        if (all && !group.writes.empty()) {
            // The group's older operations dropped together: with the
            // earliest write's cutoff, none younger than a day goes.
            QStringList ids;
            ids.reserve(qsizetype(group.writes.size()));
            QDateTime earliest = group.writes.front().at;
            for (const Write &w : group.writes) {
                ids << w.registrationId;
                earliest = qMin(earliest, w.at);
            }
            all = bool(registrations.pruneOperations(ids, earliest.addDays(-1)));
        }
        all = all && tx.commit();
    }
    if (all) {
        std::fill(group.stored.begin(), group.stored.end(), true);
    } else if (group.writes.size() > 1) {
        // One write failed and took the group's transaction with it: each
        // on its own, so that the others are still stored.
        for (size_t i = 0; i < group.writes.size(); ++i) {
            Transaction tx(*db);
            group.stored[i] = tx.isActive() && store(registrations, group.writes[i]) && tx.commit();
        }
    }
    // The answers, here too: what they read was committed just now. The
    // assigned devices' hub key generations are read a hub at a time.
    const size_t n = group.writes.size();
    std::vector<std::optional<quint32>> generations(n);
    std::unordered_map<QString, std::vector<size_t>> byHub;
    for (size_t i = 0; i < n; ++i) {
        const RegistrationState &state = group.writes[i].record.state;
        if (group.stored[i] && hasHubKey(state))
            byHub[state.assignedHub.toLower()].push_back(i);
    }
    HubLinkStore hubLink(*db);
    for (const auto &[hub, indexes] : byHub) {
        QStringList devices;
        devices.reserve(qsizetype(indexes.size()));
        for (const size_t i : indexes)
            devices << group.writes[i].record.state.deviceId;
        const auto found = hubLink.credentialGenerations(hub, devices);
        if (!found)
            continue; // answered without the connection details, as a failed read always was
        for (const size_t i : indexes)
            generations[i] = found->value(group.writes[i].record.state.deviceId, 0);
    }
    for (size_t i = 0; i < n; ++i) {
        if (group.stored[i])
            group.writes[i].answerText =
                storedAnswer(group.writes[i], group.caPemJson, *group.derivers, generations[i]);
    }
}

bool Registrar::hasHubKey(const RegistrationState &state)
{
    return state.status == RegistrationStatus::Assigned && !state.assignedHub.isEmpty();
}

QByteArray Registrar::storedAnswer(const Write &w, const QString &caPemJson, HubKeyDerivers &derivers,
                                   std::optional<quint32> generation)
{
    // As deviceAnswer(w.operation), with the hub the assignment chose; the
    // connection details written as text, the CA's already escaped.
    const RegistrationState &state = w.record.state;
    if (!hasHubKey(state) || !generation)
        return registrationAnswerText(w.operation);
    const QString key = hubDeviceKey(w.hub, state.deviceId, *generation, &derivers);
    return registrationAnswerText(w.operation, w.texts, provisioPayloadText(caPemJson, key, w.hub.dialEndpoint()));
}

void Registrar::render(Write &w)
{
    // Rendered once, as text, for the stored record, the stored operation,
    // the event and the answer: each would otherwise render the same state
    // (and its dates) again, and the event's data as a QJsonObject cost
    // more than the rest of the state's rendering together.
    w.texts = registrationStateTexts(w.record.state, w.operation.operationId, w.previousHub);
}

bool Registrar::store(RegistrationStore &registrations, Write &w, bool prune)
{
    render(w);
    const QByteArray &stateText = w.texts.state;
    if (!registrations.save(w.record, stateText))
        return false;
    if (!registrations.saveOperation({w.operation, w.registrationId, w.started, w.at}, stateText))
        return false;
    return !prune || registrations.pruneOperations(w.registrationId, w.at.addDays(-1));
}

// The device's hub credential in its answer: the key of its current
// generation, derived from the hub's signing key.
std::optional<QString> Registrar::hubDeviceKey(Database &db, const Hub &hub, const RegistrationState &state)
{
    // The key of the device's current credential generation on that hub
    // (hub/core/credentials.h): 0 until a revoke or a rotation retired it.
    auto generation = HubLinkStore(db).credentialGeneration(state.assignedHub, state.deviceId);
    if (!generation)
        return std::nullopt;
    return hubDeviceKey(hub, state.deviceId, *generation);
}

QString Registrar::hubDeviceKey(const Hub &hub, const QString &deviceId, quint32 generation, HubKeyDerivers *derivers)
{
    const QString id = Crypto::hubDeviceKeyDerivationId(deviceId, generation);
    if (!derivers) {
        auto key = Crypto::deriveKey(hub.signingKey, id);
        return key ? std::move(*key) : QString();
    }
    // Keyed by the signing key itself: a hub whose key was rotated derives
    // through a new entry, whichever instance rotated it. The few linked
    // hubs' keys, and those rotated away, are kept up to a bound.
    constexpr size_t kMaxDerivers = 64;
    auto it = derivers->find(hub.signingKey);
    if (it == derivers->end()) {
        auto deriver = Crypto::KeyDeriver::create(hub.signingKey);
        if (!deriver)
            return QString();
        if (derivers->size() >= kMaxDerivers)
            derivers->clear();
        it = derivers->emplace(hub.signingKey, std::move(*deriver)).first;
    }
    auto key = it->second.derive(id);
    return key ? std::move(*key) : QString();
}

std::optional<QJsonObject> Registrar::provisioPayload(Database &db, const Hub &hub, const RegistrationState &state,
                                                      const QString &caPem)
{
    const std::optional<QString> key = hubDeviceKey(db, hub, state);
    if (!key)
        return std::nullopt;
    QJsonObject provisio{{QStringLiteral("hubEndpoint"), hub.dialEndpoint()}, {QStringLiteral("caCertificate"), caPem}};
    if (!key->isEmpty())
        provisio.insert(QStringLiteral("hubDeviceKey"), *key);
    return provisio;
}

} // namespace Provisio
