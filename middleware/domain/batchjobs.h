// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/batchjobstore.h"
#include "storage/inventorystore.h"

#include "domainevent.h"

#include <QDate>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <optional>

namespace Provisio {

class ActivationMails;
class Enrollments;
class EnrollmentStore;
class Inventory;
struct ServiceContext;

// Actions over every device a filter matches ("all 250,000 matching"), run
// on the server so a client never loads the devices to act on them. A job
// walks the inventory in serial order through the listing's own filter
// (InventoryStore::nextMatches), a bounded chunk per event-loop turn: the
// chunk's changes go through the domain services (Inventory, Enrollments,
// ActivationMails), each with its audit entry and event, in one
// transaction together with the job's progress (its cursor, the last serial
// it passed). When a device of the chunk fails, the chunk is undone and
// replayed device by device, each device in a transaction of its own with
// the progress, so each failure is recorded with its reason and the others
// still happen.
//
// Exactly once per device: the cursor commits with the changes it covers,
// and the walk is a keyset over the serial (unique, never reordered by a
// change), so a resumed job goes on after the last committed device: no
// device is acted on twice, none passed over. A device is judged by the
// filter when the job reaches it.
//
// Jobs live in the database, so any instance reports on them. One instance
// runs a job at a time, holding its lease (BatchJobStore): each chunk
// renews it first, inside the chunk's transaction, and a runner that lost
// it changes nothing. A job whose runner stopped (a clean stop hands its
// jobs over at once) or has been silent for Limits::leaseSeconds is taken
// over by the next instance that looks (every third of the lease, and at
// start), which resumes it where it stopped.
//
// Events: batchJob.started, batchJob.progress (at most one a second per
// job) and batchJob.finished, with the job as GET returns it.
class DeviceBatchJobs : public QObject
{
    Q_OBJECT
public:
    enum class Action { Sell, Return, Enroll, Enable, Disable, EmailActivationCards };
    struct Limits
    {
        int maxRunning = 2;          // running jobs, all instances together
        qint64 maxDevices = 1000000; // devices a job may match when it starts
        int chunk = 50;              // devices per transaction
        int leaseSeconds = 30;       // silence after which another instance takes a job over
    };
    struct Request
    {
        Action action = Action::Sell;
        InventoryStore::Filter filter;
        // sell
        QString customerId;
        QDate soldDate;
        bool force = false;
        // enroll
        QJsonObject tags;
        QJsonObject desired;
        bool enabled = true;
    };
    using Job = BatchJobStore::Job;

    // batchJob.progress events of one job are this far apart at least.
    static constexpr int kProgressEventMs = 1000;
    // Finished jobs are kept this long, then removed when a job starts.
    static constexpr int kKeepDays = 7;
    // Devices read per chunk to find its matches (bounds a chunk's read
    // when matches are sparse).
    static constexpr int kScanPerChunk = 5000;

    DeviceBatchJobs(ServiceContext &ctx, Inventory &inventory, Enrollments &enrollments,
                    EnrollmentStore &enrollmentStore, ActivationMails &mails, Limits limits);
    // A clean stop: this process hands its running jobs over at once.
    ~DeviceBatchJobs() override;

    static QString actionName(Action action);
    static std::optional<Action> actionFromName(const QString &name);
    static QStringList actionNames();

    // Counts the matches (InvalidInput above Limits::maxDevices), refuses
    // with TooManyRequests while Limits::maxRunning jobs run, checks the
    // arguments (a sale's customer must exist), then records and starts
    // the job. Nothing changes when it is refused.
    Result<Job> start(const Request &request, const QString &actor);
    // NotFound for an unknown id.
    Result<Job> find(const QString &id);
    // Asks the job to stop after its current chunk (a job whose runner is
    // silent stops at once). Conflict when it has ended already.
    Result<Job> cancel(const QString &id, const QString &actor);
    Result<RecordPage<BatchJobStore::Failure>> failures(const QString &id, const PageRequest &page);

    static QJsonObject toJson(const Job &job);
    // The request a job row holds (requestJson's inverse); nullopt when it
    // cannot be read.
    static std::optional<Request> requestFromJson(const QJsonObject &json);

private:
    void schedule();
    void runChunk();
    void runOneChunk();
    // Renews this instance's leases and takes over silent jobs.
    void tend();
    void drop(const QString &id);
    void retryLater();
    void announce(EventKind kind, const QString &id);
    void progressed(const QString &id);
    // One device; the domain service's error when it could not be changed.
    Result<void> apply(const Request &request, const QString &serial, const QString &actor);
    Result<std::optional<QString>> enrollmentOf(const QString &serial);
    // Ends the job (inside the caller's transaction when one is open).
    bool end(Job job, const QString &state, const QString &error);
    static QJsonObject requestJson(const Request &request);

    ServiceContext &m_ctx;
    Inventory &m_inventory;
    Enrollments &m_enrollments;
    EnrollmentStore &m_enrollmentStore;
    ActivationMails &m_mails;
    Limits m_limits;
    BatchJobStore m_store;
    QString m_runner;                           // this process, in the jobs it runs
    QHash<QString, Request> m_requests;         // the jobs this process runs
    QStringList m_order;                        // round robin over them
    QHash<QString, qint64> m_lastProgressEvent; // ms since epoch, per job
    QTimer m_timer;
    QTimer m_tender;
};

} // namespace Provisio
