// SPDX-License-Identifier: Apache-2.0
#include "batchjobs.h"

#include "activationmails.h"
#include "enrollments.h"
#include "inventory.h"

#include "base/servicecontext.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"

#include "crypto/registrationid.h"
#include "protocol/timeutil.h"

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
}

DeviceBatchJobs::~DeviceBatchJobs()
{
    if (m_requests.isEmpty())
        return;
    if (auto r = m_store.markRunnerInterrupted(m_runner); r && *r > 0)
        qCInfo(lcBatchJobs) << *r << "batch job(s) interrupted by the stop";
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
    // Jobs whose instance died free their place first.
    if (auto stale = m_store.markStaleInterrupted(isoSecondsAgo(kStaleAfterSeconds)); !stale)
        return stale.error();
    auto live = m_store.countLive(isoSecondsAgo(kStaleAfterSeconds));
    if (!live)
        return live.error();
    if (*live >= m_limits.maxRunning)
        return Error(ErrorCode::TooManyRequests,
                     QStringLiteral("%1 batch jobs are running, the most allowed (batch-job-max-running); start this "
                                    "one when one of them has ended")
                         .arg(*live));
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
    if (auto created = m_store.create(job); !created)
        return created.error();
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
    Job job = **found;
    if (job.state == kRunning && job.runner != m_runner && job.heartbeat < isoSecondsAgo(kStaleAfterSeconds)) {
        if (auto marked = m_store.markStaleInterrupted(isoSecondsAgo(kStaleAfterSeconds)); !marked)
            return marked.error();
        return find(id);
    }
    return job;
}

Result<DeviceBatchJobs::Job> DeviceBatchJobs::cancel(const QString &id, const QString &actor)
{
    auto job = find(id);
    if (!job)
        return job;
    if (job->state != kRunning)
        return Error(ErrorCode::Conflict, QStringLiteral("batch job '%1' has ended (%2)").arg(id, job->state));
    if (auto asked = m_store.requestCancel(id); !asked)
        return asked.error();
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

void DeviceBatchJobs::end(Job job, const QString &state, const QString &error)
{
    job.state = state;
    job.error = error;
    if (state == QLatin1String("completed"))
        job.total = job.done;
    if (auto r = m_store.finish(job); !r)
        qCWarning(lcBatchJobs).noquote() << "batch job" << job.id << "could not be ended:" << r.error().message;
    qCInfo(lcBatchJobs).noquote() << "batch job" << job.id << state << job.succeeded << "succeeded" << job.failed
                                  << "failed" << error;
    m_requests.remove(job.id);
    m_order.removeAll(job.id);
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
    auto found = m_store.find(id);
    if (!found || !*found || (*found)->state != kRunning) {
        if (found) {
            m_requests.remove(id);
            m_order.removeAll(id);
        }
        // A database error: try again on a later turn.
        if (!found)
            QTimer::singleShot(1000, this, &DeviceBatchJobs::schedule);
        else
            schedule();
        return;
    }
    Job job = **found;
    if (job.cancelRequested) {
        end(job, QStringLiteral("cancelled"), {});
        schedule();
        return;
    }
    auto matches = m_inventory.store().nextMatches(request.filter, job.cursor, kScanPerChunk, m_limits.chunk);
    if (!matches) {
        if (stopsTheJob(matches.error()))
            QTimer::singleShot(1000, this, &DeviceBatchJobs::schedule); // the database is away: wait
        else
            end(job, QStringLiteral("failed"), matches.error().message);
        return;
    }
    Job next = job;
    next.cursor = matches->scannedTo;
    next.done += matches->serials.size();
    next.total = qMax(next.total, next.done);
    QList<BatchJobStore::Failure> failed;

    // 1. The whole chunk in one transaction with the job's progress.
    bool allApplied = true;
    {
        Transaction tx(m_ctx.db);
        if (!tx.isActive()) {
            QTimer::singleShot(1000, this, &DeviceBatchJobs::schedule);
            return;
        }
        for (const QString &serial : std::as_const(matches->serials)) {
            if (!apply(request, serial, job.actor)) {
                allApplied = false; // rolled back: the domain's failed transaction undoes the chunk
                break;
            }
        }
        if (allApplied) {
            next.succeeded += matches->serials.size();
            if (auto saved = m_store.saveProgress(next); !saved || !tx.commit())
                allApplied = false;
        }
    }
    // 2. Something failed: device by device, each in its own transaction.
    if (!allApplied) {
        next = job;
        next.cursor = job.cursor;
        for (const QString &serial : std::as_const(matches->serials)) {
            auto applied = apply(request, serial, job.actor);
            if (!applied && stopsTheJob(applied.error())) {
                if (auto saved = m_store.addFailures(next.id, failed); saved)
                    (void)m_store.saveProgress(next);
                end(next, QStringLiteral("failed"),
                    QStringLiteral("stopped at device '%1': %2").arg(serial, applied.error().message));
                schedule();
                return;
            }
            ++next.done;
            next.cursor = serial;
            if (applied) {
                ++next.succeeded;
            } else {
                ++next.failed;
                failed.append({serial, applied.error().message});
            }
        }
        next.cursor = matches->scannedTo;
        next.total = qMax(next.total, next.done);
        Transaction tx(m_ctx.db);
        if (auto saved = m_store.addFailures(next.id, failed); !saved || !m_store.saveProgress(next) || !tx.commit())
            qCWarning(lcBatchJobs).noquote() << "batch job" << id << "progress not saved";
    }
    if (matches->exhausted && matches->serials.size() < m_limits.chunk)
        end(next, QStringLiteral("completed"), {});
    schedule();
}

} // namespace Provisio
