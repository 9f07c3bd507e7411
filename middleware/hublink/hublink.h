// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "clouddelivery.h"
#include "core/result.h"
#include "devicelookup.h"
#include "domain/eventbus.h"
#include "domain/retentionsweep.h"
#include "hubconnection.h"
#include "hubconnections.h"
#include "hubcredit.h"
#include "methodcalls.h"
#include "presence.h"
#include "revocations.h"
#include "sessiontakeover.h"
#include "storage/hublinkstore.h"
#include "storage/registrationstore.h"
#include "storage/telemetrystore.h"
#include "telemetrybuffer.h"
#include "telemetryingest.h"
#include "twinsync.h"

#include <QDateTime>
#include <QJsonValue>
#include <QObject>
#include <QTimer>

#include <functional>
#include <optional>

namespace Provisio {

struct ServiceConfig;
struct ServiceContext;

// The middleware's side of the hubs (DESIGN.md "Hub topics"), as one object
// the service owns and the API calls. It creates the parts and wires them:
//  - HubConnections: one service connection per linked hub, kept in step
//    with the hub list (hub.* events, and a poll for other instances'
//    changes);
//  - TwinSync: desired properties out, reported properties and the
//    provisioning status in;
//  - Presence: devices/{id}/status;
//  - TelemetryIngest: telemetry into the telemetry table, pruned;
//  - MethodCalls: direct methods for the API;
//  - Revocations: revoke/restore commands on the hubs' control topic;
//  - CloudDelivery: cloud-to-device messages out to the devices' hubs.
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
        TelemetryBuffer::Options telemetry; // batch size
        int pollIntervalMs = 10000;         // hub list, retries of revocations
        int leaseMs = 30000;                // hub-link lease (SessionTakeover)
        int telemetryFlushMs = 5000;        // counters to the database
        int telemetryBatchMs = 250;         // retry interval (at least 1 s) after a failed write
        int telemetryKeep = 1000;           // messages kept per device
        int telemetryDays = 7;              // messages older than this go
        int telemetryPruneMs = 60000;       // how often retention is applied
        RetentionSweep::Options retention;  // rows per delete, rest between deletes
        int maxTrackedDevices = 10000;      // lookup and event-rate caches
        int desiredRescanMs = 300000;       // catch missed desired publishes
        int maxReportedBytes = 32 * 1024;   // Azure's limit for a twin section
        int telemetryEventsPerSecond = 5;   // per device, for the live feed
        int maxEventBodyBytes = 4096;       // telemetry bodies in events
    };
    // The service fills the options from its settings (ServiceConfig).

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
    Result<std::optional<RegistrationRecord>> registrationOf(const QString &deviceId)
    {
        return m_twins.registrationOf(deviceId);
    }
    // Publishes the record's desired properties to its hub if connected
    // (otherwise the next connect does: the record lags until then).
    void publishDesired(const RegistrationRecord &record) { m_twins.publishDesired(record); }

    // Stored telemetry. Call flushTelemetryBatch() first to include what
    // this instance received in the last few hundred milliseconds.
    TelemetryStore &telemetryStore() { return m_telemetry.store(); }
    Result<void> flushTelemetryBatch() { return m_telemetry.flushBatch(); }
    // Received by this instance and not yet added to device_activity.
    TelemetryBuffer::Counter unflushedTelemetry(const QString &deviceId) const
    {
        return m_telemetry.unflushed(deviceId);
    }
    const Options &options() const { return m_options; }
    Result<std::optional<HubLinkStore::Activity>> activity(const QString &deviceId)
    {
        return m_store.activity(deviceId);
    }

    // Direct methods.
    using MethodOutcome = MethodCalls::Outcome;
    void invokeMethod(const RegistrationRecord &record, const QString &method, const QJsonValue &payload,
                      int timeoutSeconds, std::function<void(const MethodOutcome &)> done)
    {
        m_methods.invoke(record, method, payload, timeoutSeconds, std::move(done));
    }
    static bool isValidMethodName(const QString &name) { return MethodCalls::isValidMethodName(name); }

private:
    void onEvent(const DomainEvent &event);
    // Hands what a hub sent to the part it is for, by topic.
    void onMessage(HubConnection *connection, const MqttCodec::Publish &message, quint64 tag);
    // Tells a device which of its messages a batch stored (TelemetryIngest).
    void confirmStored(const QString &hubHost, const QString &deviceId, const QStringList &messageIds);
    // Ids per confirmation: 200 ids of at most 128 characters (about
    // 26 KiB; UUIDs about 8 KiB) stay far below the hub's 256 KiB limit.
    static constexpr qsizetype kMaxIdsPerConfirmation = 200;
    void handleOther(HubConnection *connection, const QString &topic, const QByteArray &payload);

    ServiceContext &m_ctx;
    Options m_options;
    RegistrationStore m_registrations;
    HubLinkStore m_store;
    DeviceLookup m_lookup;
    HubConnections m_connections;
    HubCredit m_credit;
    TwinSync m_twins;
    TelemetryIngest m_telemetry;
    Presence m_presence;
    Revocations m_revocations;
    MethodCalls m_methods;
    SessionTakeover m_takeover;
    CloudDelivery m_cloud;
    QTimer m_pollTimer;
    bool m_started = false;
};

} // namespace Provisio
