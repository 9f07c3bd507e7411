// SPDX-License-Identifier: Apache-2.0
#include "inventoryimport.h"

#include "inventory.h"

#include "csv/csvreader.h"
#include "protocol/device.h"
#include "storage/customerstore.h"
#include "storage/database.h"

#include <QHash>
#include <QJsonArray>

#include <optional>

namespace Provisio {

namespace {
const QString kCreated = QStringLiteral("created");
const QString kUpdated = QStringLiteral("updated");
const QString kError = QStringLiteral("error");

// The stored record with the row's non-blank cells laid over it.
Result<DeviceRecord> overlay(const DeviceRecord &current, const QJsonObject &cells)
{
    QJsonObject json = current.toJson();
    for (auto it = cells.begin(); it != cells.end(); ++it)
        json.insert(it.key(), it.value());
    return DeviceRecord::fromJson(json);
}
} // namespace

QStringList InventoryImport::columns()
{
    return {QStringLiteral("serial"), QStringLiteral("model"),        QStringLiteral("manufacturer"),
            QStringLiteral("batch"),  QStringLiteral("deliveryDate"), QStringLiteral("customerId"),
            QStringLiteral("notes")};
}

QJsonObject InventoryImport::Report::toJson() const
{
    QJsonArray list;
    for (const RowResult &r : rows) {
        QJsonObject o{
            {QStringLiteral("row"), r.row}, {QStringLiteral("serial"), r.serial}, {QStringLiteral("result"), r.result}};
        if (!r.message.isEmpty())
            o.insert(QStringLiteral("message"), r.message);
        list.append(o);
    }
    return QJsonObject{{QStringLiteral("created"), created},
                       {QStringLiteral("updated"), updated},
                       {QStringLiteral("failed"), failed},
                       {QStringLiteral("dryRun"), dryRun},
                       {QStringLiteral("rows"), list}};
}

Result<InventoryImport::Report> InventoryImport::run(const QByteArray &csv, const Options &options)
{
    CsvReader::Options csvOptions;
    csvOptions.delimiter = QLatin1Char(',');
    auto parsed = CsvReader::parse(csv, csvOptions);
    if (!parsed)
        return parsed.error();

    // Header names match case-insensitively: spreadsheets like "Serial".
    const QStringList known = columns();
    QStringList cols;
    for (const QString &name : std::as_const(parsed->header)) {
        QString canonical;
        for (const QString &k : known) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                canonical = k;
        }
        if (canonical.isEmpty())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("unknown column '%1' in the header row (known columns: %2)")
                             .arg(name, known.join(QLatin1String(", "))));
        if (cols.contains(canonical))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("column '%1' appears twice in the header row").arg(canonical));
        cols << canonical;
    }
    const qsizetype serialColumn = cols.indexOf(QStringLiteral("serial"));
    if (serialColumn < 0)
        return Error(ErrorCode::InvalidInput, QStringLiteral("the header row has no 'serial' column"));

    Report report;
    report.dryRun = options.dryRun;
    struct Pending
    {
        int row;
        QString serial;
        QJsonObject cells;
        DeviceRecord record;
        bool update;
    };
    QList<Pending> pending;
    QHash<QString, int> firstRowOfSerial;
    QHash<QString, bool> customerKnown;

    // Which serials exist already: one query per few hundred rows, not one
    // per row.
    QStringList serials;
    serials.reserve(parsed->rows.size());
    for (const CsvReader::Row &record : std::as_const(parsed->rows)) {
        if (serialColumn < record.fields.size())
            serials << record.fields.at(serialColumn).trimmed();
    }
    auto stored = m_inventory.store().existing(serials);
    if (!stored)
        return stored.error();

    for (const CsvReader::Row &record : std::as_const(parsed->rows)) {
        RowResult row;
        row.row = record.number;
        if (serialColumn < record.fields.size())
            row.serial = record.fields.at(serialColumn).trimmed();
        const auto fail = [&](const QString &message) {
            row.result = kError;
            row.message = message;
            ++report.failed;
            report.rows << row;
        };
        if (!record.error.isEmpty()) {
            fail(record.error);
            continue;
        }
        if (record.fields.size() != cols.size()) {
            fail(QStringLiteral("has %1 fields; the header row has %2").arg(record.fields.size()).arg(cols.size()));
            continue;
        }
        if (row.serial.isEmpty()) {
            fail(QStringLiteral("serial is empty"));
            continue;
        }
        if (const auto seen = firstRowOfSerial.constFind(row.serial); seen != firstRowOfSerial.constEnd()) {
            fail(QStringLiteral("serial '%1' already appears in row %2").arg(row.serial).arg(seen.value()));
            continue;
        }
        firstRowOfSerial.insert(row.serial, row.row);

        QJsonObject cells;
        for (qsizetype c = 0; c < cols.size(); ++c) {
            const QString value = record.fields.at(c).trimmed();
            if (!value.isEmpty())
                cells.insert(cols.at(c), value);
        }
        const bool update = stored->contains(row.serial);
        if (update && options.mode == Mode::CreateOnly) {
            fail(QStringLiteral("a device with serial %1 already exists (import with mode=upsert to update it)")
                     .arg(row.serial));
            continue;
        }
        std::optional<DeviceRecord> current;
        if (update) {
            auto found = m_inventory.store().find(row.serial);
            if (!found)
                return found.error();
            current = *found;
        }
        auto device = current ? overlay(*current, cells) : DeviceRecord::fromJson(cells);
        if (!device) {
            fail(device.error().message);
            continue;
        }
        const QString customerId = cells.value(QStringLiteral("customerId")).toString();
        if (!customerId.isEmpty()) {
            auto known = customerKnown.constFind(customerId);
            if (known == customerKnown.constEnd()) {
                auto customer = m_inventory.customers().find(customerId);
                if (!customer)
                    return customer.error();
                known = customerKnown.insert(customerId, customer->has_value());
            }
            if (!known.value()) {
                fail(QStringLiteral("no customer with id '%1'").arg(customerId));
                continue;
            }
        }
        row.result = update ? kUpdated : kCreated;
        ++(update ? report.updated : report.created);
        report.rows << row;
        pending.append({row.row, row.serial, cells, *device, update});
    }

    if (options.dryRun || pending.isEmpty())
        return report;

    // All valid rows or none: a database failure half-way must not leave a
    // partial import that the report does not describe.
    Transaction tx(m_db);
    if (!tx.isActive())
        return Error(ErrorCode::Unavailable, QStringLiteral("the import could not start a transaction"));
    QList<DeviceRecord> created;
    for (const Pending &p : pending) {
        if (!p.update)
            created << p.record;
    }
    if (auto r = m_inventory.importMany(created, options.actor); !r)
        return Error(r.error().code, QStringLiteral("%1; nothing was imported").arg(r.error().message));
    for (const Pending &p : pending) {
        Error failure;
        if (!p.update)
            continue;
        {
            // Re-applied to the record as read inside the transaction, so a
            // change made since validation is built upon, not overwritten.
            const QJsonObject cells = p.cells;
            auto r = m_inventory.importOver(p.serial, options.actor,
                                            [cells](const DeviceRecord &current) { return overlay(current, cells); });
            if (!r)
                failure = r.error();
        }
        if (failure.isError())
            return Error(failure.code,
                         QStringLiteral("row %1: %2; nothing was imported").arg(p.row).arg(failure.message));
    }
    if (!tx.commit())
        return Error(ErrorCode::Unavailable, QStringLiteral("the import could not be committed; nothing was imported"));
    return report;
}

} // namespace Provisio
