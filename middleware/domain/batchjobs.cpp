// SPDX-License-Identifier: Apache-2.0
#include "batchjobs.h"

#include "activationmails.h"
#include "changerecorder.h"
#include "enrollments.h"
#include "inventory.h"

#include "base/servicecontext.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"

#include "crypto/registrationid.h"
#include "protocol/timeutil.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QUuid>

namespace Provisio {

Q_LOGGING_CATEGORY(lcBatchJobs, "provisio.middleware.batchjobs")

namespace {
const QString kRunning = QStringLiteral("running");

struct ActionName
{
    DeviceBatchJobs::Action action;
    const char *name;
};
constexpr ActionName kActions[] = {
    {DeviceBatchJobs::Action::Sell, "sell"},
    {DeviceBatchJobs::Action::Return, "return"},
    {DeviceBatchJobs::Action::Enroll, "enroll"},
    {DeviceBatchJobs::Action::Enable, "enable"},
    {DeviceBatchJobs::Action::Disable, "disable"},
    {DeviceBatchJobs::Action::EmailActivationCards, "emailActivationCards"},
};

QString isoSecondsAgo(int seconds)
{
    return toIsoUtc(QDateTime::currentDateTimeUtc().addSecs(-seconds));
}

// A failure that is about the database or the service, not the device:
// the job stops there instead of recording it against every device.
bool stopsTheJob(const Error &error)
{
    return error.code == ErrorCode::Unavailable || error.code == ErrorCode::Internal;
}

QJsonObject filterJson(const InventoryStore::Filter &f)
{
    QJsonObject o;
    const auto put = [&o](const char *key, const QString &value) {
        if (!value.isEmpty())
            o.insert(QLatin1String(key), value);
    };
    put("customerId", f.customerId);
    put("status", f.status);
    put("model", f.model);
    put("manufacturer", f.manufacturer);
    put("batch", f.batch);
    put("q", f.text);
    return o;
}
} // namespace

DeviceBatchJobs::DeviceBatchJobs(ServiceContext &ctx, Inventory &inventory, Enrollments &enrollments,
                                 EnrollmentStore &enrollmentStore, ActivationMails &mails, Limits limits)
    : m_ctx(ctx), m_inventory(inventory), m_enrollments(enrollments), m_enrollmentStore(enrollmentStore),
      m_mails(mails), m_limits(limits), m_store(ctx.db), m_runner(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(0);
    connect(&m_timer, &QTimer::timeout, this, &DeviceBatchJobs::runChunk);
    // A third of the lease: a live runner renews in time, and a silent
    // one's jobs are taken over within 4/3 of the lease.
    m_tender.setInterval(qMax(1, m_limits.leaseSeconds) * 1000 / 3);
    connect(&m_tender, &QTimer::timeout, this, &DeviceBatchJobs::tend);
    m_tender.start();
    QTimer::singleShot(0, this, &DeviceBatchJobs::tend); // jobs left by the last stop
}

DeviceBatchJobs::~DeviceBatchJobs()
{
    if (m_requests.isEmpty())
        return;
    if (auto r = m_store.release(m_runner); r && *r > 0)
        qCInfo(lcBatchJobs) << *r << "batch job(s) handed over by the stop";
}

QString DeviceBatchJobs::actionName(Action action)
{
    for (const ActionName &a : kActions) {
        if (a.action == action)
            return QLatin1String(a.name);
    }
    return {};
}

std::optional<DeviceBatchJobs::Action> DeviceBatchJobs::actionFromName(const QString &name)
{
    for (const ActionName &a : kActions) {
        if (name == QLatin1String(a.name))
            return a.action;
    }
    return std::nullopt;
}

QStringList DeviceBatchJobs::actionNames()
{
    QStringList out;
    for (const ActionName &a : kActions)
        out << QLatin1String(a.name);
    return out;
}

QJsonObject DeviceBatchJobs::requestJson(const Request &r)
{
    QJsonObject o{{QStringLiteral("action"), actionName(r.action)}, {QStringLiteral("filter"), filterJson(r.filter)}};
    switch (r.action) {
    case Action::Sell:
        o.insert(QStringLiteral("customerId"), r.customerId);
        if (r.soldDate.isValid())
            o.insert(QStringLiteral("soldDate"), r.soldDate.toString(Qt::ISODate));
        o.insert(QStringLiteral("force"), r.force);
        break;
    case Action::Enroll:
        o.insert(QStringLiteral("tags"), r.tags);
        o.insert(QStringLiteral("desired"), r.desired);
        o.insert(QStringLiteral("enabled"), r.enabled);
        break;
    default:
        break;
    }
    return o;
}

std::optional<DeviceBatchJobs::Request> DeviceBatchJobs::requestFromJson(const QJsonObject &o)
{
    const auto action = actionFromName(o.value(QStringLiteral("action")).toString());
    if (!action || !o.value(QStringLiteral("filter")).isObject())
        return std::nullopt;
    Request r;
    r.action = *action;
    const QJsonObject f = o.value(QStringLiteral("filter")).toObject();
    r.filter.customerId = f.value(QStringLiteral("customerId")).toString();
    r.filter.status = f.value(QStringLiteral("status")).toString();
    r.filter.model = f.value(QStringLiteral("model")).toString();
    r.filter.manufacturer = f.value(QStringLiteral("manufacturer")).toString();
    r.filter.batch = f.value(QStringLiteral("batch")).toString();
    r.filter.text = f.value(QStringLiteral("q")).toString();
    r.customerId = o.value(QStringLiteral("customerId")).toString();
    r.soldDate = QDate::fromString(o.value(QStringLiteral("soldDate")).toString(), Qt::ISODate);
    r.force = o.value(QStringLiteral("force")).toBool(false);
    r.tags = o.value(QStringLiteral("tags")).toObject();
    r.desired = o.value(QStringLiteral("desired")).toObject();
    r.enabled = o.value(QStringLiteral("enabled")).toBool(true);
    if (r.action == Action::Sell && r.customerId.isEmpty())
        return std::nullopt;
    return r;
}

QJsonObject DeviceBatchJobs::toJson(const Job &job)
{
    QJsonObject o{{QStringLiteral("id"), job.id},
                  {QStringLiteral("action"), job.action},
                  {QStringLiteral("state"), job.state},
                  {QStringLiteral("request"), job.request},
                  {QStringLiteral("total"), double(job.total)},
                  {QStringLiteral("done"), double(job.done)},
                  {QStringLiteral("succeeded"), double(job.succeeded)},
                  {QStringLiteral("failed"), double(job.failed)},
                  {QStringLiteral("createdBy"), job.actor},
                  {QStringLiteral("createdDateTimeUtc"), job.created},
                  {QStringLiteral("lastUpdatedDateTimeUtc"), job.updated}};
    if (job.state == kRunning && job.cancelRequested)
        o.insert(QStringLiteral("cancelRequested"), true);
    if (!job.cursor.isEmpty())
        o.insert(QStringLiteral("lastSerial"), job.cursor);
    if (!job.error.isEmpty())
        o.insert(QStringLiteral("error"), job.error);
    if (!job.finished.isEmpty())
        o.insert(QStringLiteral("finishedDateTimeUtc"), job.finished);
    if (job.resumed > 0)
        o.insert(QStringLiteral("resumed"), double(job.resumed));
    return o;
}

Result<DeviceBatchJobs::Job> DeviceBatchJobs::start(const Request &request, const QString &actor)
{
    if (request.action == Action::Sell) {
        auto customer = m_inventory.customers().find(request.customerId);
        if (!customer)
            return customer.error();
        if (!customer->has_value())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("field 'customerId' names no customer: '%1'").arg(request.customerId));
    }
    auto matching = m_inventory.store().count(request.filter, m_limits.maxDevices);
    if (!matching)
        return matching.error();
    if (*matching > m_limits.maxDevices)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("more than %1 devices match the filter, the most one batch job may act on "
                                    "(batch-job-max-devices); narrow the filter or split the work")
                         .arg(m_limits.maxDevices));
    if (auto pruned = m_store.pruneFinished(isoSecondsAgo(kKeepDays * 24 * 3600)); !pruned)
        return pruned.error();

    Job job;
    job.id = QStringLiteral("job_") + QUuid::createUuid().toString(QUuid::Id128);
    job.action = actionName(request.action);
    job.state = kRunning;
    job.actor = actor;
    job.request = requestJson(request);
    job.total = *matching;
    job.runner = m_runner;
    job.created = nowIso();
    {
        // Counted and inserted under the admission lock, so instances that
        // admit at the same time cannot both take the last place. Every
        // running job holds one, also one whose runner is silent: it will
        // be resumed.
        Transaction tx(m_ctx.db);
        if (!tx.isActive())
            return Error(ErrorCode::Unavailable, QStringLiteral("the database is unavailable"));
        qint64 running = 0;
        auto admitted = m_store.admit(job, m_limits.maxRunning, &running);
        if (!admitted)
            return admitted.error();
        if (!*admitted)
            return Error(ErrorCode::TooManyRequests,
                         QStringLiteral("%1 batch jobs are running, the most allowed (batch-job-max-running); start "
                                        "this one when one of them has ended")
                             .arg(running));
        announce(EventKind::BatchJobStarted, job.id);
        if (!tx.commit())
            return Error(ErrorCode::Unavailable, QStringLiteral("the database is unavailable"));
    }
    qCInfo(lcBatchJobs).noquote() << "batch job" << job.id << job.action << "by" << actor << "over" << job.total
                                  << "device(s)";
    m_requests.insert(job.id, request);
    m_order.append(job.id);
    schedule();
    return find(job.id);
}

Result<DeviceBatchJobs::Job> DeviceBatchJobs::find(const QString &id)
{
    auto found = m_store.find(id);
    if (!found)
        return found.error();
    if (!*found)
        return Error(ErrorCode::NotFound, QStringLiteral("no batch job '%1'").arg(id));
    return **found;
}

Result<DeviceBatchJobs::Job> DeviceBatchJobs::cancel(const QString &id, const QString &actor)
{
    auto job = find(id);
    if (!job)
        return job;
    if (job->state != kRunning)
        return Error(ErrorCode::Conflict, QStringLiteral("batch job '%1' has ended (%2)").arg(id, job->state));
    // A job nobody runs now (its runner stopped, none took it over yet)
    // ends here; a running one at its next chunk.
    auto silent = m_store.cancelSilent(id, isoSecondsAgo(m_limits.leaseSeconds));
    if (!silent)
        return silent.error();
    if (*silent) {
        m_requests.remove(id);
        m_order.removeAll(id);
        announce(EventKind::BatchJobFinished, id);
    } else if (auto asked = m_store.requestCancel(id); !asked) {
        return asked.error();
    }
    qCInfo(lcBatchJobs).noquote() << "batch job" << id << "cancelled by" << actor;
    if (m_requests.contains(id))
        schedule(); // this instance runs it: it stops at its next chunk
    return find(id);
}

Result<RecordPage<BatchJobStore::Failure>> DeviceBatchJobs::failures(const QString &id, const PageRequest &page)
{
    if (auto job = find(id); !job)
        return job.error();
    return m_store.failures(id, page);
}

void DeviceBatchJobs::schedule()
{
    if (!m_order.isEmpty() && !m_timer.isActive())
        m_timer.start();
}

Result<std::optional<QString>> DeviceBatchJobs::enrollmentOf(const QString &serial)
{
    auto e = m_enrollmentStore.findBySerial(serial);
    if (!e)
        return e.error();
    if (!*e)
        return std::optional<QString>();
    return std::optional<QString>((*e)->registrationId);
}

Result<void> DeviceBatchJobs::apply(const Request &r, const QString &serial, const QString &actor)
{
    switch (r.action) {
    case Action::Sell: {
        const QDate date = r.soldDate.isValid() ? r.soldDate : QDateTime::currentDateTimeUtc().date();
        auto sold = m_inventory.sell(serial, {}, actor, r.customerId, date, r.force);
        return sold ? Result<void>() : Result<void>(sold.error());
    }
    case Action::Return: {
        auto back = m_inventory.takeBack(serial, {}, actor);
        return back ? Result<void>() : Result<void>(back.error());
    }
    case Action::Enroll: {
        const QString id = Crypto::normalizeRegistrationId(serial);
        if (auto valid = Crypto::validateRegistrationId(id); !valid)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("the serial is no valid registration id: %1").arg(valid.error().message));
        auto bound = enrollmentOf(serial);
        if (!bound)
            return bound.error();
        if (*bound)
            return Error(ErrorCode::Conflict, QStringLiteral("already enrolled as '%1'").arg(**bound));
        auto taken = m_enrollmentStore.find(id);
        if (!taken)
            return taken.error();
        if (*taken)
            return Error(ErrorCode::Conflict, QStringLiteral("enrollment '%1' exists for another device").arg(id));
        Enrollment e;
        e.registrationId = id;
        e.deviceId = id;
        e.serial = serial;
        e.provisioningStatus = r.enabled ? ProvisioningStatus::Enabled : ProvisioningStatus::Disabled;
        e.initialTwin.tags = r.tags;
        e.initialTwin.desiredProperties = r.desired;
        auto put = m_enrollments.put(e, {}, actor);
        return put ? Result<void>() : Result<void>(put.error());
    }
    case Action::Enable:
    case Action::Disable:
    case Action::EmailActivationCards: {
        auto id = enrollmentOf(serial);
        if (!id)
            return id.error();
        if (!*id)
            return Error(ErrorCode::Conflict, QStringLiteral("the device has no enrollment"));
        if (r.action == Action::EmailActivationCards) {
            auto queued = m_mails.send(**id, {}, actor);
            return queued ? Result<void>() : Result<void>(queued.error());
        }
        auto changed = m_enrollments.setStatus(**id, r.action == Action::Enable, {}, actor);
        return changed ? Result<void>() : Result<void>(changed.error());
    }
    }
    return Error(ErrorCode::Internal, QStringLiteral("unknown batch action"));
}

void DeviceBatchJobs::announce(EventKind kind, const QString &id)
{
    auto job = m_store.find(id);
    if (!job || !*job)
        return;
    DomainEvent event;
    event.kind = kind;
    event.entityId = id;
    event.data = toJson(**job);
    ChangeRecorder(m_ctx).publishAfterCommit(std::move(event));
}

void DeviceBatchJobs::progressed(const QString &id)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto last = m_lastProgressEvent.find(id);
    if (last != m_lastProgressEvent.end() && now - *last < kProgressEventMs)
        return;
    announce(EventKind::BatchJobProgress, id);
    // Counted from when it went out, so the events' own times are a second
    // apart at least.
    m_lastProgressEvent.insert(id, QDateTime::currentMSecsSinceEpoch());
}

void DeviceBatchJobs::drop(const QString &id)
{
    m_requests.remove(id);
    m_order.removeAll(id);
    m_lastProgressEvent.remove(id);
}

void DeviceBatchJobs::retryLater()
{
    // The database is away: try again in a second (the lease runs out if
    // it stays away, and whoever reaches the database then goes on).
    QTimer::singleShot(1000, this, &DeviceBatchJobs::schedule);
}

bool DeviceBatchJobs::end(Job job, const QString &state, const QString &error)
{
    job.state = state;
    job.error = error;
    job.runner = m_runner;
    if (state == QLatin1String("completed"))
        job.total = job.done;
    auto ended = m_store.finish(job);
    if (!ended) {
        qCWarning(lcBatchJobs).noquote() << "batch job" << job.id << "could not be ended:" << ended.error().message;
        return false;
    }
    drop(job.id);
    if (!*ended)
        return true; // another instance holds it now
    announce(EventKind::BatchJobFinished, job.id);
    qCInfo(lcBatchJobs).noquote() << "batch job" << job.id << state << job.succeeded << "succeeded" << job.failed
                                  << "failed" << error;
    return true;
}

void DeviceBatchJobs::tend()
{
    // This instance's leases first (a chunk renews its job's too, but a
    // job waiting for its turn must not look silent).
    for (const QString &id : m_requests.keys()) {
        auto held = m_store.renew(id, m_runner);
        if (held && !*held) {
            qCInfo(lcBatchJobs).noquote() << "batch job" << id << "is no longer run here";
            drop(id);
        }
    }
    auto silent = m_store.silentJobs(isoSecondsAgo(m_limits.leaseSeconds));
    if (!silent)
        return;
    for (const QString &id : std::as_const(*silent)) {
        if (m_requests.contains(id))
            continue;
        auto claimed = m_store.claim(id, m_runner, isoSecondsAgo(m_limits.leaseSeconds));
        if (!claimed || !*claimed)
            continue; // another instance was first
        auto found = m_store.find(id);
        if (!found || !*found)
            continue;
        Job job = **found;
        const auto request = requestFromJson(job.request);
        if (!request) {
            end(job, QStringLiteral("failed"), QStringLiteral("its request could not be read to resume it"));
            continue;
        }
        qCInfo(lcBatchJobs).noquote() << "batch job" << id << "resumed after" << job.cursor << "(" << job.done
                                      << "done)";
        m_requests.insert(id, *request);
        m_order.append(id);
    }
    schedule();
}

void DeviceBatchJobs::runChunk()
{
    QElapsedTimer took;
    took.start();
    runOneChunk();
    // Then rest as long as the chunk took (at most a second): a request is
    // several event-loop turns (TLS handshake, headers, body), and back to
    // back chunks would put a whole chunk before each of them.
    if (m_timer.isActive())
        m_timer.setInterval(int(qMin<qint64>(took.elapsed(), 1000)));
}

void DeviceBatchJobs::runOneChunk()
{
    m_timer.setInterval(0);
    if (m_order.isEmpty())
        return;
    const QString id = m_order.takeFirst();
    m_order.append(id); // round robin: the next turn serves the next job
    const Request request = m_requests.value(id);

    // 1. The whole chunk in one transaction with the job's progress. The
    // lease is renewed first: on PostgreSQL that locks the job's row, so
    // no other instance takes the job over while the chunk runs.
    Job job;
    std::optional<InventoryStore::Matches> matches;
    {
        Transaction tx(m_ctx.db);
        if (!tx.isActive())
            return retryLater();
        auto held = m_store.renew(id, m_runner);
        if (!held)
            return retryLater();
        if (!*held) {
            drop(id); // ended, cancelled while silent, or taken over
            return schedule();
        }
        auto found = m_store.find(id);
        if (!found || !*found)
            return retryLater();
        job = **found;
        if (job.cancelRequested) {
            if (!end(job, QStringLiteral("cancelled"), {}) || !tx.commit())
                return retryLater();
            return schedule();
        }
        auto next = m_inventory.store().nextMatches(request.filter, job.cursor, kScanPerChunk, m_limits.chunk);
        if (!next) {
            if (stopsTheJob(next.error()))
                return retryLater();
            tx.commit(); // the renewal
            end(job, QStringLiteral("failed"), next.error().message);
            return schedule();
        }
        matches = *next;
        Job after = job;
        after.runner = m_runner;
        after.cursor = matches->scannedTo;
        after.done += matches->serials.size();
        after.total = qMax(after.total, after.done);
        after.succeeded += matches->serials.size();
        bool allApplied = true;
        for (const QString &serial : std::as_const(matches->serials)) {
            if (!apply(request, serial, job.actor)) {
                allApplied = false;
                break;
            }
        }
        if (allApplied) {
            auto saved = m_store.saveProgress(after);
            if (saved && *saved && tx.commit()) {
                progressed(id);
                if (matches->exhausted && matches->serials.size() < m_limits.chunk)
                    end(after, QStringLiteral("completed"), {});
                return schedule();
            }
            if (saved && !*saved) {
                drop(id);
                return schedule();
            }
            return retryLater();
        }
        // A device failed: the domain service's rollback (or this scope's
        // end) undoes the whole chunk.
    }

    // 2. Device by device, each with the job's progress in a transaction
    // of its own: a failure is recorded with the same progress, so a
    // resumed job neither repeats nor passes over a device.
    for (const QString &serial : std::as_const(matches->serials)) {
        Job after = job;
        after.runner = m_runner;
        after.cursor = serial;
        ++after.done;
        after.total = qMax(after.total, after.done);
        std::optional<Error> failure;
        {
            Transaction tx(m_ctx.db);
            if (!tx.isActive())
                return retryLater();
            auto held = m_store.renew(id, m_runner);
            if (!held)
                return retryLater();
            if (!*held) {
                drop(id);
                return schedule();
            }
            auto applied = apply(request, serial, job.actor);
            if (applied) {
                ++after.succeeded;
                auto saved = m_store.saveProgress(after);
                if (!saved || !*saved || !tx.commit())
                    return retryLater();
                job = after;
                continue;
            }
            failure = applied.error();
        } // rolled back: the failed device changed nothing
        if (stopsTheJob(*failure)) {
            Transaction tx(m_ctx.db);
            if (!end(job, QStringLiteral("failed"),
                     QStringLiteral("stopped at device '%1': %2").arg(serial, failure->message)) ||
                !tx.commit())
                return retryLater();
            return schedule();
        }
        ++after.failed;
        Transaction tx(m_ctx.db);
        auto saved = m_store.saveProgress(after);
        if (!saved || !*saved || !m_store.addFailures(id, {{serial, failure->message}}) || !tx.commit())
            return retryLater();
        job = after;
    }
    if (job.cursor != matches->scannedTo) {
        job.cursor = matches->scannedTo;
        job.runner = m_runner;
        if (auto saved = m_store.saveProgress(job); !saved || !*saved)
            return retryLater();
    }
    progressed(id);
    if (matches->exhausted && matches->serials.size() < m_limits.chunk)
        end(job, QStringLiteral("completed"), {});
    schedule();
}

} // namespace Provisio
