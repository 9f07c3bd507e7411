// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "domain/retentionsweep.h"
#include "mqtt/mqttcodec.h"
#include "storage/hublinkstore.h"
#include "storage/telemetrystore.h"
#include "telemetrybuffer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace Provisio {

struct ServiceContext;
class Database;
class DatabaseWriter;
class DeviceLookup;

// Telemetry from the hubs into the telemetry table: buffered and written in
// batches (at the end of each read from the hubs, or per batch size), each
// message acknowledged to its hub only after its batch committed, so a
// crash or a database outage leaves it with the hub instead of losing it;
// redeliveries are stored once (TelemetryStore's message identity). Pruned
// by count per device and by age, counted per device in device_activity,
// and announced on the event bus at a bounded rate per device.
//
// A batch's INSERTs and COMMIT run on a database writer thread with its own
// connection (DatabaseWriter) while the event loop reads, decodes and
// collects the next batch; what arrives meanwhile goes as one batch as soon
// as the writer is done. Acknowledgements, confirmations and counters
// follow on the event loop once the batch is back.
class TelemetryIngest : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        TelemetryBuffer::Options buffer;   // batch size
        int flushMs = 5000;                // counters to the database
        int batchMs = 250;                 // retry interval (at least 1 s) after a failed write
        int keep = 1000;                   // messages kept per device
        int days = 7;                      // messages older than this go
        int pruneMs = 60000;               // how often retention is applied
        RetentionSweep::Options retention; // rows per delete, rest between deletes
        int maxTrackedDevices = 10000;     // event-rate cache
        int eventsPerSecond = 5;           // per device, for the live feed
        int maxEventBodyBytes = 4096;      // telemetry bodies in events
    };

    TelemetryIngest(ServiceContext &ctx, DeviceLookup &lookup, Options options, QObject *parent = nullptr);
    ~TelemetryIngest() override;

    void start();
    // A device's message on devices/{id}/messages/events/... `session`
    // names the hub session it came in (client id and hub), `acknowledge`
    // tells the hub it is safe: called once the message is stored (or
    // rejected for good, or found stored already).
    void handleMessage(const QString &hubHost, const QString &session, const MqttCodec::Publish &message,
                       std::function<void()> acknowledge);

    TelemetryStore &store() { return m_telemetryStore; }
    // Writes what is buffered now and waits for it (and for the batch the
    // writer has) to be stored; the result of the last write.
    Result<void> flushBatch();
    TelemetryBuffer::Counter unflushed(const QString &deviceId) const { return m_buffer.unflushed(deviceId); }

Q_SIGNALS:
    // Deliveries from `hubHost` the ingest is done with, by identity
    // (deliveryidentity.h): committed, found stored already, or refused
    // (the hub may admit as many new ones; HubCredit).
    void messagesSettled(const QString &hubHost, const QList<quint64> &deliveries);
    // The message ids (`$.mid`) of `deviceId`'s messages from `hubHost`
    // that a batch just committed (newly or found stored already): one
    // signal per device and batch, for the device's end-to-end confirmation.
    void messagesStored(const QString &hubHost, const QString &deviceId, const QStringList &messageIds);

private:
    // A batch on its way to the database: the writer's copies of the
    // messages, and what became of them. The entries (acknowledgements)
    // stay on the event loop's thread (m_inFlight).
    struct Batch
    {
        QList<TelemetryStore::Message> messages;
        Result<void> stored;
        qsizetype written = 0;    // messages inserted (new or skipped by their identity)
        qsizetype duplicates = 0; // redeliveries found stored already
    };
    // On the writer's thread (or the event loop's without a writer): the
    // batch's transaction.
    static void writeBatch(Database *db, Batch &batch);
    // A redelivery of a message of the batch being written takes over its
    // acknowledgement (as TelemetryBuffer::adoptRedelivery for one waiting).
    bool adoptInFlight(const TelemetryStore::Message &message, std::function<void()> &acknowledge);
    // Hands what waits to the writer, unless it has a batch already.
    void sendPending();
    // Waits for the batch the writer has and settles it: acknowledged and
    // confirmed when stored, put back and retried shortly when not.
    Result<void> settleInFlight();
    void flushCounters();
    // Retention: per-device count for the devices this instance stored
    // messages for since the last round (a slice per event-loop turn, at
    // most retention.batchRows rows per device and statement), then age in
    // bounded rounds with rests between them (m_ageSweep).
    void prune();
    void pruneStep();
    void pruneByAge();
    // Whether the live feed may hear of one more message of the device now;
    // `skipped` is how many it did not hear of before this one.
    bool admitEvent(const QString &deviceId, int *skipped);

    ServiceContext &m_ctx;
    DeviceLookup &m_lookup;
    Options m_options;
    HubLinkStore m_store;
    TelemetryStore m_telemetryStore;
    TelemetryBuffer m_buffer;
    QList<TelemetryBuffer::Entry> m_inFlight; // the batch the writer has
    std::shared_ptr<Batch> m_inFlightBatch;
    QSet<QString> m_touched;  // devices stored since the last prune
    QStringList m_pruneQueue; // devices of the running prune round
    bool m_batchFailing = false;
    struct EventWindow
    {
        qint64 second = 0; // of m_clock
        int events = 0;    // raised in that second
        int skipped = 0;   // not raised since the device's last event
    };
    QHash<QString, EventWindow> m_eventWindows; // device id -> its live-feed window (one lookup per message)
    QTimer m_flushTimer;
    QTimer m_batchTimer;
    QTimer m_pruneTimer;
    RetentionSweep m_ageSweep;
    QElapsedTimer m_clock;
    // Null for an in-memory SQLite database: batches are then written on
    // the event loop's thread. Last, so that it stops first.
    std::unique_ptr<DatabaseWriter> m_writer;
};

} // namespace Provisio
