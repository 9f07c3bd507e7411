// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/customerstore.h"
#include "storage/inventorystore.h"

#include <QDate>

namespace Provisio {

struct ServiceContext;

// Changes to the device inventory: create, edit, sell, take back, delete,
// the CSV import's rows and the hub's "provisioned" report. Each runs in a
// transaction (nested into the caller's when there is one) with its audit
// entry and a device.* event once the outermost transaction has committed.
class Inventory
{
public:
    explicit Inventory(ServiceContext &ctx);

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
};

} // namespace Provisio
