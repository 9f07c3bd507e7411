// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "domain/eventbus.h"
#include "hubconnection.h"
#include "storage/hublinkstore.h"
#include "storage/telemetrystore.h"
#include "telemetrybuffer.h"

#include "storage/registrationstore.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace Provisio {

struct ServiceConfig;
struct ServiceContext;

// The middleware's side of the hubs (DESIGN.md "Hub topics"): one service
// connection per linked hub (HubConnection), kept in step with the hub list
// (hub.* events, and a poll for other instances' changes). Over them it
//  - publishes each device's desired properties, retained, on assignment,
//    on every change, and after a reconnect for whatever changed meanwhile;
//  - merges reported properties into the registration's twin and records
//    the provisioning status the device reports;
//  - records presence (devices/{id}/status), counts telemetry and stores it
//    in the telemetry table in batches, pruned by count per device and age;
//  - runs direct methods for the API;
//  - revokes devices on their hub when their enrollment or enrollment group
//    is disabled or deleted or their registration deleted (and restores
//    them), and on the hub a device left when it moved to another, through
//    the hub's control topic, with the wish persisted until the hub answers.
// Reading goes through `$share/provisio/...` subscriptions, so several
// middleware instances split the devices' messages between them; the
// telemetry table is where their shares meet, so any instance answers a
// device's whole history.
class HubLink : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        bool enabled = true;
        HubConnection::Options connection;
        TelemetryBuffer::Options telemetry; // batch size and memory bounds
        int pollIntervalMs = 10000;         // hub list, retries of revocations
        int telemetryFlushMs = 5000;        // counters to the database
        int telemetryBatchMs = 250;         // longest wait before messages are written
        int telemetryKeep = 1000;           // messages kept per device
        int telemetryDays = 7;              // messages older than this go
        int telemetryPruneMs = 60000;       // how often retention is applied
        int maxTrackedDevices = 10000;      // lookup and event-rate caches
        int desiredRescanMs = 300000;       // catch missed desired publishes
        int maxReportedBytes = 32 * 1024;   // Azure's limit for a twin section
        int telemetryEventsPerSecond = 5;   // per device, for the live feed
        int maxEventBodyBytes = 4096;       // telemetry bodies in events
    };
    // PROVISIO_HUB_LINK=off, PROVISIO_HUB_TOKEN_LIFETIME (s),
    // PROVISIO_TELEMETRY_MAX_DEVICES, PROVISIO_TELEMETRY_EVENTS_PER_SECOND,
    // PROVISIO_TELEMETRY_PRUNE_MS (retention interval, for tests and for
    // operators who want it tighter). Keep and days come from ServiceConfig.
    static Options optionsFromEnvironment();

    // The client id of this instance's service connections: provisio-mw-
    // and the configured instance id, or else a random one created on first
    // start and kept in `instance-id` in the data directory, so that a
    // restarted instance resumes its persistent sessions on the hubs.
    static QString serviceClientId(const ServiceConfig &config);

    HubLink(ServiceContext &ctx, Options options, QObject *parent = nullptr);
    ~HubLink() override;

    // Connects to the linked hubs and starts listening to events.
    void start();

    struct HubStatus
    {
        bool connected = false;
        QDateTime since;
        QString lastError;
        QString clientId;
        int pendingRevocations = 0;
    };
    // nullopt when the link has no connection for that hub (not linked, or
    // the link is switched off).
    std::optional<HubStatus> status(const QString &hubName);

    // The assigned registration of a device id, if any.
    Result<std::optional<RegistrationRecord>> registrationOf(const QString &deviceId);
    // Publishes the record's desired properties to its hub if connected
    // (otherwise the next connect does: the record lags until then).
    void publishDesired(const RegistrationRecord &record);

    // Stored telemetry. Call flushTelemetryBatch() first to include what
    // this instance received in the last few hundred milliseconds.
    TelemetryStore &telemetryStore() { return m_telemetryStore; }
    Result<void> flushTelemetryBatch();
    // Received by this instance and not yet added to device_activity.
    TelemetryBuffer::Counter unflushedTelemetry(const QString &deviceId) const
    {
        return m_telemetry.unflushed(deviceId);
    }
    const Options &options() const { return m_options; }
    Result<std::optional<HubLinkStore::Activity>> activity(const QString &deviceId);

    // Direct methods.
    struct MethodOutcome
    {
        enum Kind { Answered, TimedOut, HubNotConnected, NotSent } kind = NotSent;
        int status = 0;
        QJsonValue payload;
    };
    void invokeMethod(const RegistrationRecord &record, const QString &method, const QJsonValue &payload,
                      int timeoutSeconds, std::function<void(const MethodOutcome &)> done);

    static bool isValidMethodName(const QString &name);

private:
    struct MethodCall
    {
        QString deviceId;
        QString hubHost;
        QString responseFilter;
        QTimer timer;
        std::function<void(const MethodOutcome &)> done;
    };
    struct Lookup
    {
        QString registrationId;
        QString hubHost;
        qint64 at = 0; // ms since the link started
    };

    void syncHubs();
    HubConnection *connectionFor(const QString &hubHost) const;
    void hubConnected(HubConnection *connection);
    void setConnectedGauge(const QString &hubName, bool connected);

    void onEvent(const DomainEvent &event);
    void onMessage(HubConnection *connection, const QByteArray &payload, const QString &topic);
    void handleReported(const QString &hubHost, const QString &deviceId, const QByteArray &payload);
    void markInventoryProvisioned(const QString &registrationId, const QString &hubHost);
    void handlePresence(const QString &hubHost, const QString &deviceId, const QByteArray &payload);
    void handleTelemetry(const QString &hubHost, const QString &topic, const QByteArray &payload);
    void handleMethodResponse(const QString &deviceId, const QString &status, const QString &rid,
                              const QByteArray &payload);
    void handleControlResponse(const QByteArray &payload);
    void reject(const char *kind, const char *reason);

    // Desired properties.
    void publishDesiredDocument(const HubLinkStore::DesiredDocument &doc);
    void scanDesired(const QString &hubHost, const QString &afterKey);

    // Revocations.
    void requestRevocation(const QString &hubHost, const QString &deviceId, const QString &op);
    void sendRevocation(HubConnection *connection, const HubLinkStore::Revocation &revocation);
    void retryRevocations(HubConnection *connection, bool all);
    // Queues the wishes in one transaction, then sends them (hub, device).
    void requestRevocations(const QList<QPair<QString, QString>> &targets, const QString &op);
    void onGroupEvent(const DomainEvent &event);
    // Revokes (or restores) every device registered through the group on
    // its hub, page by page; a newer sweep of the same group ends an older.
    void sweepGroup(const QString &groupId, const QString &op, quint64 sweep, const QString &afterKey);
    // The provisioning status an enrollment (group) had before the audited
    // change that left it with `after`; nullopt when that cannot be told.
    std::optional<QString> statusBefore(const QString &entityType, const QString &entityId, const QJsonObject &after);

    void flushTelemetry();
    // Retention: per-device count for the devices this instance stored
    // messages for since the last round (a slice per event-loop turn), then
    // age in bounded chunks.
    void pruneTelemetry();
    void countDroppedTelemetry();
    void pruneTelemetryStep();
    void pruneTelemetryByAge(int round);
    // The registration that assigns `deviceId` to `hubHost`, empty when none does.
    Result<QString> assignedRegistrationOn(const QString &deviceId, const QString &hubHost);
    std::optional<Lookup> lookupDevice(const QString &deviceId, const QString &hubHost);

    ServiceContext &m_ctx;
    Options m_options;
    RegistrationStore m_registrations;
    HubLinkStore m_store;
    TelemetryStore m_telemetryStore;
    TelemetryBuffer m_telemetry;
    QSet<QString> m_telemetryTouched; // devices stored since the last prune
    QStringList m_pruneQueue;         // devices of the running prune round
    bool m_batchFailing = false;
    qint64 m_droppedCounted = 0;
    std::map<QString, std::unique_ptr<HubConnection>> m_connections; // by hub name
    QHash<QString, double> m_gauges;                                 // hub name -> last value
    QSet<QString> m_scanning;                                        // hub hosts being scanned
    QHash<QString, std::shared_ptr<MethodCall>> m_calls;             // rid -> call
    QHash<QString, Lookup> m_lookups;                                // device id -> registration
    QHash<QString, QPair<qint64, int>> m_eventWindows;               // device id -> (second, events)
    QHash<QString, int> m_eventsSkipped;   // device id -> live events dropped since its last one
    QHash<QString, quint64> m_groupSweeps; // group id -> running sweep
    quint64 m_lastSweep = 0;
    QTimer m_pollTimer;
    QTimer m_flushTimer;
    QTimer m_batchTimer;
    QTimer m_pruneTimer;
    QTimer m_rescanTimer;
    QElapsedTimer m_clock;
    bool m_started = false;
};

} // namespace Provisio
