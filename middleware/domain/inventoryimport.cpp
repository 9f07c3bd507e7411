// SPDX-License-Identifier: Apache-2.0
#include "inventoryimport.h"

#include "inventory.h"

#include "csv/csvreader.h"
#include "protocol/device.h"
#include "storage/customerstore.h"
#include "storage/database.h"
#include "storage/jsontext.h"

#include <QHash>
#include <QJsonArray>

#include <optional>
#include <utility>

namespace Provisio {

namespace {
// Rows per part handed to the import's writer thread: small enough that
// validating the first part (the time the writer waits) is a small share
// of a 5,000-row request, large enough that a part's statements are many
// rows each.
constexpr qsizetype kPartRows = 1000;
// The first part is shorter: the writer waits for it with nothing else to
// do, so it starts on a quarter of the validation.
constexpr qsizetype kFirstPartRows = 250;
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
bool isDigits(const QString &text, qsizetype from, qsizetype count)
{
    for (qsizetype i = from; i < from + count; ++i) {
        if (!text.at(i).isDigit() || text.at(i).unicode() > '9')
            return false;
    }
    return true;
}

// A new device from a row's non-blank cells, when they are plainly valid:
// what DeviceRecord::fromJson makes of them, without building the JSON
// object it reads (most of an import's cost per row). Nothing when any
// cell is not plainly valid; then fromJson decides and words the error,
// so the report's messages stay its own.
std::optional<DeviceRecord> plainlyValid(const QStringList &cols, const QStringList &cells)
{
    DeviceRecord d;
    for (qsizetype c = 0; c < cols.size(); ++c) {
        const QString &name = cols.at(c);
        const QString &value = cells.at(c);
        if (value.isEmpty())
            continue;
        if (name == QLatin1String("serial")) {
            if (!DeviceRecord::isValidSerial(value))
                return std::nullopt;
            d.serial = value;
        } else if (name == QLatin1String("deliveryDate")) {
            if (value.size() != 10 || !isDigits(value, 0, 4) || value.at(4) != QLatin1Char('-') ||
                !isDigits(value, 5, 2) || value.at(7) != QLatin1Char('-') || !isDigits(value, 8, 2))
                return std::nullopt;
            const QDate date(QStringView(value).left(4).toInt(), QStringView(value).mid(5, 2).toInt(),
                             QStringView(value).mid(8, 2).toInt());
            if (!date.isValid())
                return std::nullopt;
            d.deliveryDate = date;
        } else if (name == QLatin1String("notes")) {
            if (value.size() > DeviceRecord::MaxNotesLength)
                return std::nullopt;
            d.notes = value;
        } else {
            if (value.size() > DeviceRecord::MaxTextLength)
                return std::nullopt;
            if (name == QLatin1String("model"))
                d.model = value;
            else if (name == QLatin1String("manufacturer"))
                d.manufacturer = value;
            else if (name == QLatin1String("batch"))
                d.batch = value;
            else if (name == QLatin1String("customerId"))
                d.customerId = value;
            else
                return std::nullopt;
        }
    }
    if (d.serial.isEmpty())
        return std::nullopt;
    return d;
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

QByteArray InventoryImport::Report::toJsonText() const
{
    // QJsonObject's order: keys sorted.
    QString out;
    out.reserve(64 + rows.size() * 56);
    out += QLatin1String("{\"created\":") + QString::number(created) + QLatin1String(",\"dryRun\":") +
           (dryRun ? QLatin1String("true") : QLatin1String("false")) + QLatin1String(",\"failed\":") +
           QString::number(failed) + QLatin1String(",\"rows\":[");
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const RowResult &r = rows.at(i);
        if (i > 0)
            out += QLatin1Char(',');
        out += QLatin1Char('{');
        if (!r.message.isEmpty()) {
            out += QLatin1String("\"message\":");
            appendJsonString(out, r.message);
            out += QLatin1Char(',');
        }
        out += QLatin1String("\"result\":");
        appendJsonString(out, r.result);
        out += QLatin1String(",\"row\":") + QString::number(r.row) + QLatin1String(",\"serial\":");
        appendJsonString(out, r.serial);
        out += QLatin1Char('}');
    }
    out += QLatin1String("],\"updated\":") + QString::number(updated) + QLatin1Char('}');
    return out.toUtf8();
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
    const qsizetype customerColumn = cols.indexOf(QStringLiteral("customerId"));

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

    // New devices are written on the import's writer thread, a part at a
    // time, while this thread validates the next part (the CSV, the checks,
    // the report: some 40% of an import's work, against the database's
    // 60%). An update reads the stored device and writes it on this
    // thread's connection, so a file that updates any goes the serial way.
    std::unique_ptr<Inventory::ImportSession> session;
    if (!options.dryRun && (options.mode == Mode::CreateOnly || stored->isEmpty()))
        session = m_inventory.beginImport(options.actor);
    QList<DeviceRecord> part;
    int partsHanded = 0;
    const auto nothingImported = [](const Error &e) {
        return Error(e.code, QStringLiteral("%1; nothing was imported").arg(e.message));
    };

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

        QStringList trimmed;
        trimmed.reserve(cols.size());
        for (const QString &field : record.fields)
            trimmed << field.trimmed();
        const bool update = stored->contains(row.serial);
        if (update && options.mode == Mode::CreateOnly) {
            fail(QStringLiteral("a device with serial %1 already exists (import with mode=upsert to update it)")
                     .arg(row.serial));
            continue;
        }
        std::optional<DeviceRecord> plain = update ? std::nullopt : plainlyValid(cols, trimmed);
        QJsonObject cells;
        if (!plain || update) {
            for (qsizetype c = 0; c < cols.size(); ++c) {
                if (!trimmed.at(c).isEmpty())
                    cells.insert(cols.at(c), trimmed.at(c));
            }
        }
        Result<DeviceRecord> device = DeviceRecord();
        if (plain) {
            device = std::move(*plain);
        } else if (update) {
            auto found = m_inventory.store().find(row.serial);
            if (!found)
                return found.error();
            device = *found ? overlay(**found, cells) : DeviceRecord::fromJson(cells);
        } else {
            device = DeviceRecord::fromJson(cells);
        }
        if (!device) {
            fail(device.error().message);
            continue;
        }
        const QString customerId = customerColumn < 0 ? QString() : trimmed.at(customerColumn);
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
        if (!session) {
            pending.append({row.row, row.serial, cells, *device, update});
            continue;
        }
        part.append(std::move(*device));
        if (part.size() == (partsHanded == 0 ? kFirstPartRows : kPartRows)) {
            if (auto r = session->add(std::move(part)); !r)
                return nothingImported(r.error());
            part.clear();
            ++partsHanded;
        }
    }

    if (session) {
        // All valid rows or none, as below: the writer's one transaction.
        if (auto r = session->add(std::move(part)); !r)
            return nothingImported(r.error());
        // The answer is written while the writer commits: the client waits
        // for both, and the writer would otherwise wait for this thread.
        const auto meanwhile = [&] {
            report.preparedText = report.toJsonText();
            // Validation's own data is freed now too, not after the commit.
            [[maybe_unused]] const auto rows = std::exchange(parsed->rows, {});
            [[maybe_unused]] const auto seen = std::exchange(firstRowOfSerial, {});
            [[maybe_unused]] const auto asked = std::exchange(serials, {});
            [[maybe_unused]] const auto found = std::exchange(*stored, {});
        };
        if (auto r = session->finish(meanwhile); !r)
            return nothingImported(r.error());
        return report;
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
        return nothingImported(r.error());
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
