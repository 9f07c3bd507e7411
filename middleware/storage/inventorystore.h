// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "protocol/device.h"
#include "recordpage.h"
#include "recordutil.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>

namespace Provisio {

class AuditLog;
class Database;

// The device inventory: what the manufacturer delivered and whom it was sold
// to, keyed by serial. Like CustomerStore, every change is audited in its own
// transaction and updates are conditional on the etag they were based on.
// Callers may wrap several calls in one outer Transaction (the CSV import
// does); the store's transactions then nest into it.
class InventoryStore
{
public:
    InventoryStore(Database &db, AuditLog &audit) : m_db(db), m_audit(audit) {}

    struct Filter
    {
        QString customerId;
        QString status;
        QString model;
        QString manufacturer;
        QString batch;
        QString serialContains; // case-insensitive
    };

    // Conflict when the serial exists. `action` names the audit entry.
    Result<DeviceRecord> create(DeviceRecord device, const QString &actor,
                                const QString &action = QStringLiteral("create"));
    Result<std::optional<DeviceRecord>> find(const QString &serial);
    // Ordered by serial.
    Result<RecordPage<DeviceRecord>> list(const Filter &filter, const PageRequest &page);

    using Mutator = std::function<Result<DeviceRecord>(const DeviceRecord &current)>;
    // NotFound, PreconditionFailed (If-Match mismatch or a concurrent change),
    // or the mutator's error. The serial and creation time cannot change.
    Result<DeviceRecord> update(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                const QString &action, const Mutator &mutate);
    // Conflict while an enrollment refers to the serial.
    Result<void> remove(const QString &serial, const QByteArray &ifMatch, const QString &actor);

private:
    Database &m_db;
    AuditLog &m_audit;
};

} // namespace Provisio
