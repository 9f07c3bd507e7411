// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/customerstore.h"
#include "storage/inventorystore.h"

#include <QDate>

#include <functional>
#include <memory>

namespace Provisio {

class DatabaseWriter;
struct ServiceContext;

// Changes to the device inventory: create, edit, sell, take back, delete,
// the CSV import's rows and the hub's "provisioned" report. Each runs in a
// transaction (nested into the caller's when there is one) with its audit
// entry and a device.* event once the outermost transaction has committed.
class Inventory
{
public:
    explicit Inventory(ServiceContext &ctx);
    ~Inventory();

    InventoryStore &store() { return m_store; }
    CustomerStore &customers() { return m_customers; }

    // Conflict when the serial exists.
    Result<DeviceRecord> create(const DeviceRecord &device, const QString &actor);
    Result<DeviceRecord> update(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                const InventoryStore::Mutator &mutate);
    // To `customerId` (InvalidInput when unknown); Conflict when sold to
    // another customer or retired, unless `force`.
    Result<DeviceRecord> sell(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                              const QString &customerId, const QDate &soldDate, bool force);
    // Back in stock; Conflict when it was not sold.
    Result<DeviceRecord> takeBack(const QString &serial, const QByteArray &ifMatch, const QString &actor);
    Result<void> remove(const QString &serial, const QByteArray &ifMatch, const QString &actor);

    // The CSV import's new rows at once (InventoryStore::createMany), each
    // audited as "import" with a device.imported event; its updated rows
    // one by one.
    Result<void> importMany(const QList<DeviceRecord> &devices, const QString &actor);
    Result<DeviceRecord> importOver(const QString &serial, const QString &actor, const InventoryStore::Mutator &mutate);

    // importMany's work, pipelined: the new rows are written on a database
    // writer thread with a connection of its own (DatabaseWriter), in one
    // transaction, while the caller reads and validates the next rows.
    // Each device gets the same audit entry and device.imported event as
    // importMany gives it; the events are published once finish() has
    // committed. Destroyed before finish(), it rolls everything back.
    // Only for new devices: the caller's connection must not write to the
    // database while a session is open (it would wait for the writer's
    // lock), but may read.
    class ImportSession
    {
    public:
        ~ImportSession();
        ImportSession(const ImportSession &) = delete;
        ImportSession &operator=(const ImportSession &) = delete;
        // Computes the values of `devices`' rows, hands them to the writer
        // once the part before has been written (blocks until then) and
        // returns while they are written.
        // The error of an earlier part, when one failed: then nothing more
        // is written and nothing is committed.
        Result<void> add(QList<DeviceRecord> devices);
        // Waits for the last part, then writes the search index and commits
        // on the writer while `meanwhile` runs here (the caller's answer,
        // made ready for once it has committed). The events are published
        // once the caller has returned to the event loop, after its answer.
        Result<void> finish(const std::function<void()> &meanwhile = {});

    private:
        friend class Inventory;
        struct State;
        ImportSession(Inventory &inventory, DatabaseWriter &writer, const QString &actor);
        // The writer's jobs (named, so a profile can pick them out).
        static void writePart(State &state, Database *db, InventoryStore::PreparedDevices part);
        static void writeEnd(State &state, Database *db);
        Inventory &m_inventory;
        DatabaseWriter &m_writer;
        std::shared_ptr<State> m_state;
        bool m_finished = false;
    };
    // A session, or null when the database has no second connection (an
    // in-memory SQLite database): then importMany. One at a time.
    std::unique_ptr<ImportSession> beginImport(const QString &actor);

    // The device reported itself provisioned: an inventory device in stock
    // or sold becomes `provisioned`, as `actor` (the hub). False when there
    // was nothing to change.
    Result<bool> markProvisioned(const QString &serial, const QString &actor);

private:
    Result<DeviceRecord> insert(const DeviceRecord &device, const QString &actor, const QString &action,
                                EventKind kind);
    Result<DeviceRecord> change(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                const QString &action, EventKind kind, const InventoryStore::Mutator &mutate);

    Database &m_db;
    InventoryStore m_store;
    CustomerStore m_customers;
    ChangeRecorder m_changes;
    // The import's writer thread, started by the first import.
    std::unique_ptr<DatabaseWriter> m_importWriter;
};

} // namespace Provisio
