// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "allocator.h"
#include "registrationanswer.h"

#include "core/result.h"
#include "crypto/keys.h"
#include "protocol/enrollment.h"
#include "protocol/enrollmentgroup.h"
#include "protocol/registrationstate.h"
#include "storage/enrollmentstore.h"
#include "storage/registrationstore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace Provisio {

class Database;
class DatabaseReader;
class DatabaseWriter;
class EnrollmentGroupCache;
struct ServiceConfig;
struct ServiceContext;

// The device registration logic behind the DPS-compatible API: who a device
// is (SAS token against its enrollment), where it goes (Allocator, the
// reprovision policy), and what is remembered (registration record and
// operation, written in one transaction). Independent of HTTP.
class Registrar : public QObject
{
    Q_OBJECT
public:
    Registrar(ServiceContext &ctx, EnrollmentStore &enrollments, RegistrationStore &registrations,
              QObject *parent = nullptr);
    // Lets a group being written finish; its devices are not answered.
    ~Registrar() override;

    // A device that proved it holds an enrollment's key, with the settings
    // that apply to it (the individual enrollment's, or its group's).
    struct Attestee
    {
        QString registrationId; // normalized
        // As EnrollmentStore::findForRegistration reads it: what a
        // registration uses, not necessarily the whole record.
        std::optional<Enrollment> enrollment;
        std::optional<EnrollmentGroup> group;
        // Read with the key check, in the reader's snapshot, when no other
        // registration of this device was being checked or stored then (and
        // dropped when one started meanwhile): the device's record, and the
        // instance's allocation policy when the enrollment sets none. Spares
        // the event loop both reads (and, on PostgreSQL, their round trips).
        struct Prefetched
        {
            std::optional<RegistrationRecord> record;
            QString instancePolicy; // empty: the enrollment sets its own
        };
        std::optional<Prefetched> prefetched;

        QString deviceId() const;
        bool isEnabled() const;
        InitialTwin initialTwin() const;
        ReprovisionPolicy reprovisionPolicy() const;
        // For the custom allocation request, without keys.
        QJsonObject enrollmentJson() const;
    };

    // Verifies `Authorization: SharedAccessSignature ...` for
    // `{idScope}/registrations/{registrationId}`: against the individual
    // enrollment's primary or secondary key, else against the key derived
    // from each enrollment group's keys. Unauthorized says only
    // "unauthorized" or "expired": a device learns nothing about which
    // enrollments exist.
    Result<Attestee> authenticate(const QByteArray &authorization, const QString &idScope,
                                  const QString &registrationId);
    // authenticate() on the database reader's thread, through its own
    // connection, while the event loop goes on with the next requests;
    // `then` gets the outcome on this thread, in the order of the calls
    // (without a reader, at once). The enrollment is read when the reader
    // gets to it, so an edit committed before that, here or on another
    // instance, applies.
    using Authenticated = std::function<void(Result<Attestee>)>;
    void authenticateLater(const QByteArray &authorization, const QString &idScope, const QString &registrationId,
                           Authenticated then);
    // Waits for the authentications still running and runs their `then`
    // (which may start registrations: they join the batch, uncommitted).
    void settleAuthentications();
    // Runs `then` on this thread once every authentication started before
    // has run its `then` (at once without a reader); until then
    // `registrationId` (normalized) counts as being authenticated.
    void afterAuthentications(const QString &registrationId, std::function<void()> then);

    // Starts a registration; `done` gets its operation, once, in this
    // thread: at once, or (group commit) after the transaction that stored
    // it committed. The operation is final (assigned, failed, disabled)
    // except with a custom allocation, where it is `assigning` until the
    // webhook answers.
    // The operation and the JSON the device hears: the operation with
    // payload.provisio (forDevice()) in an assigned state.
    struct Answer
    {
        RegistrationOperation operation;
        QByteArray text; // the device's answer, compact JSON (registrationanswer.h)
    };
    using Done = std::function<void(Result<Answer>)>;
    void registerDevice(const Attestee &attestee, const QJsonValue &payload, Done done);

    // Group commit: assignments decided while the event loop handles one
    // batch of ready connections are stored in one transaction when it
    // returns to the loop, each answered after that commit. The transaction
    // runs on the database writer's thread (DatabaseWriter) while the loop
    // goes on with the next requests; the assignments decided meanwhile form
    // the next group, sent when the writer is done. At most this many wait
    // for one commit; the next one waits for the writer and sends the group.
    static constexpr int kMaxGroupCommit = 128;
    // Finishes the authentications still running (authenticateLater), then
    // stores the registrations still waiting for their commit, and answers
    // them, before it returns (for a transport that must answer in order,
    // and before a device of a waiting group registers again, so that it
    // reads what the group wrote).
    void commitPending();
    // commitPending() when this device's registration is being
    // authenticated or waits for its commit: what a status lookup does
    // before it reads. `registrationId` is normalized.
    void settleDevice(const QString &registrationId);

    // An operation of this registration, for the device polling it.
    Result<std::optional<RegistrationOperation>> operation(const QString &operationId, const QString &registrationId);
    // The registration record, for the device's status lookup.
    Result<std::optional<RegistrationState>> registrationState(const QString &registrationId);

    // Adds payload.provisio (hub endpoint, the device's hub key, the CA) to an
    // assigned state: derived on every answer, never stored.
    RegistrationState forDevice(RegistrationState state);
    // op.toJson() of forDevice()'s state; `stateJson`, when given, is
    // op.registrationState already rendered (it is not rendered again).
    QByteArray deviceAnswer(const RegistrationOperation &op);

    // How long an operation may stay `assigning` before it counts as lost
    // (the instance running its webhook call stopped).
    static constexpr int kStaleAssigningMs = 30000;

private:
    // With `side`, the enrollment read also reads what the registration
    // that follows the check needs (EnrollmentStore::CheckSideReads).
    static Result<Attestee> authenticate(EnrollmentStore &enrollments, EnrollmentGroupCache &groups, qint64 skew,
                                         qint64 maxLifetime, const QByteArray &authorization, const QString &idScope,
                                         const QString &registrationId,
                                         EnrollmentStore::CheckSideReads *side = nullptr);
    // What the registration after a key check on the reader's thread takes
    // from that check's side reads (Attestee::prefetched).
    static Attestee::Prefetched prefetchedFrom(EnrollmentStore::CheckSideReads &&side, const Attestee &attestee);
    struct Pending
    {
        Attestee attestee;
        QString operationId;
        QDateTime started;
        QElapsedTimer timer;
    };
    // What one assignment writes, and whom to tell once it is stored.
    struct Write
    {
        RegistrationRecord record;
        Hub hub; // the hub assigned, for the answer's payload.provisio
        // Filled by store(), on the thread that stores: record.state
        // rendered once (registrationStateTexts()) for the stored record and
        // operation, the event's data (a listener reads it into an object
        // only when it delivers the event) and the answer, and after the
        // commit the device's answer (empty: answered from the operation
        // instead).
        RegistrationStateTexts texts;
        QByteArray answerText;
        RegistrationOperation operation;
        QString registrationId;
        QDateTime started;
        QDateTime at;
        QString previousHub;
        QElapsedTimer timer;
        Done done;
    };
    Result<RegistrationOperation> start(const Attestee &attestee, const QJsonValue &payload, Done *done);
    // `known`: the device's record as registerDevice() read it a moment ago,
    // so an allocation answered at once does not read it again; null when
    // time has passed (a custom allocation's webhook) and it must be re-read.
    // `done`: given, the write joins the group commit and *done is taken
    // (left empty); the operation returned then means nothing.
    RegistrationOperation complete(const Pending &pending, Result<Allocator::Outcome> outcome,
                                   const std::optional<RegistrationRecord> *known = nullptr, Done *done = nullptr);
    // One group commit, on whichever thread owns `db` (null: no
    // connection, nothing stored); `stored` gets each write's outcome.
    // The hub keys' derivations of the groups' answers: a KeyDeriver per
    // hub signing key (a rotated signing key is another entry), kept from
    // group to group and used by one group at a time.
    using HubKeyDerivers = std::unordered_map<QString, Crypto::KeyDeriver>;
    struct Group
    {
        std::vector<Write> writes;
        std::vector<bool> stored;
        QString caPemJson; // for the answers: the CA as a JSON string
        std::shared_ptr<HubKeyDerivers> derivers;
    };
    static void storeGroup(Database *db, Group &group);
    // Fills write.texts from its record's state.
    static void render(Write &write);
    // Inside an open transaction. Without `prune`, the caller drops the
    // registration's operations older than a day itself (a group's at once).
    static bool store(RegistrationStore &store, Write &write, bool prune = true);
    // The answer of a stored write, read through `db` (the hub key's
    // credential generation), as deviceAnswer() would give it.
    // `generation`: the device's hub key generation, read after the commit
    // (none: that read failed, and the answer goes without the connection
    // details).
    static QByteArray storedAnswer(const Write &write, const QString &caPemJson, HubKeyDerivers &derivers,
                                   std::optional<quint32> generation);
    // An assigned state with a hub: its answer carries the device's hub key.
    static bool hasHubKey(const RegistrationState &state);
    // The device's key on `hub` for an assigned state, read through `db`
    // (its credential generation): nullopt when that read failed, empty
    // when the key could not be derived.
    static std::optional<QString> hubDeviceKey(Database &db, const Hub &hub, const RegistrationState &state);
    // The key at `generation`; empty when it could not be derived. With
    // `derivers`, derived through (and kept in) them.
    static QString hubDeviceKey(const Hub &hub, const QString &deviceId, quint32 generation,
                                HubKeyDerivers *derivers = nullptr);
    // payload.provisio for an assigned state on `hub`.
    static std::optional<QJsonObject> provisioPayload(Database &db, const Hub &hub, const RegistrationState &state,
                                                      const QString &caPem);
    // Sends the waiting writes as the next group when none is in flight.
    void sendWaiting();
    // Waits for the group in flight, if any, and answers it.
    void settleInFlight();
    void answer(Group &group);
    // After the commit (stored) or the rollback: metrics, the event, and the
    // operation the device hears.
    RegistrationOperation finish(const Write &write, bool stored);
    RegistrationOperation completeDisabled(const Pending &pending);
    // A record of this device is about to be written: a key check of it
    // still running keeps its check's outcome but not its prefetched record.
    void writing(const QString &registrationId);
    // One check of this device (or a wait behind the checks) is over;
    // true when a write of it started while it ran (writing()).
    bool doneAuthenticating(const QString &registrationId);
    RegistrationOperation persistFailure(const Pending &pending, const Error &error);
    // payload.provisio for an assigned state, when its hub is known.
    std::optional<QJsonObject> provisioPayload(const RegistrationState &state);
    // m_caPem (and m_caPemJson), converted from m_ctx.caCertificatePem
    // when that changed.
    const QString &caPem();
    void recordMetrics(const RegistrationOperation &op, const QElapsedTimer &timer);
    void announce(const RegistrationOperation &op, const QString &deviceId);

    ServiceContext &m_ctx;
    EnrollmentStore &m_enrollments;
    RegistrationStore &m_registrations;
    Allocator m_allocator;
    std::vector<Write> m_batch;
    // Registration ids of m_batch and of the group in flight.
    QSet<QString> m_batchIds;
    // Registration ids (normalized) being authenticated by the reader, and
    // how many times each.
    QHash<QString, int> m_authenticating;
    // Of m_authenticating: devices a write started for while their check
    // ran, whose prefetched record may predate that write.
    QSet<QString> m_prefetchStale;
    QTimer m_commitTimer;
    // The groups the key checks read, on the reader's thread and this one.
    std::shared_ptr<EnrollmentGroupCache> m_groups;
    std::shared_ptr<Group> m_inFlight;
    // m_ctx.caCertificatePem as the text every assigned answer carries.
    QByteArray m_caPemSource;
    QString m_caPem;
    QString m_caPemJson;
    std::shared_ptr<HubKeyDerivers> m_hubKeyDerivers = std::make_shared<HubKeyDerivers>();
    // Null for an in-memory database: groups are then stored and devices
    // authenticated on this thread. Declared last: stopped before the rest goes.
    std::unique_ptr<DatabaseWriter> m_writer;
    std::unique_ptr<DatabaseReader> m_reader;
};

} // namespace Provisio
