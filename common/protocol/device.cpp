// SPDX-License-Identifier: Apache-2.0
#include "device.h"

#include "timeutil.h"

#include <algorithm>
#include <iterator>

namespace Provisio {

namespace {

void checkLength(JsonReader &reader, const QString &key, const QString &value, int max)
{
    if (value.size() > max)
        reader.fail(key, QStringLiteral("must be at most %1 characters").arg(max));
}

} // namespace

bool DeviceRecord::isValidSerial(const QString &serial)
{
    // Serials end up in URLs, file names and activation cards: keep them to
    // characters that need no escaping anywhere.
    if (serial.isEmpty() || serial.size() > 64)
        return false;
    for (const QChar c : serial) {
        const bool ok = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                        (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
                        (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-') ||
                        c == QLatin1Char('_') || c == QLatin1Char('.') || c == QLatin1Char(':');
        if (!ok)
            return false;
    }
    return true;
}

bool DeviceRecord::isValidStatus(const QString &status)
{
    return std::any_of(std::begin(InventoryStatus::All), std::end(InventoryStatus::All),
                       [&status](QLatin1String name) { return status == name; });
}

DeviceRecord DeviceRecord::readFrom(JsonReader reader)
{
    reader.allowOnly({"serial", "model", "manufacturer", "batch", "deliveryDate", "customerId", "soldDate", "status",
                      "notes", "etag", "createdDateTimeUtc", "lastUpdatedDateTimeUtc"});
    DeviceRecord d;
    d.serial = reader.requiredString(QStringLiteral("serial"));
    if (!d.serial.isEmpty() && !isValidSerial(d.serial))
        reader.fail(QStringLiteral("serial"), QStringLiteral("must be 1 to 64 letters, digits, '-', '_', '.' or ':'"));
    d.model = reader.optionalString(QStringLiteral("model"));
    checkLength(reader, QStringLiteral("model"), d.model, MaxTextLength);
    d.manufacturer = reader.optionalString(QStringLiteral("manufacturer"));
    checkLength(reader, QStringLiteral("manufacturer"), d.manufacturer, MaxTextLength);
    d.batch = reader.optionalString(QStringLiteral("batch"));
    checkLength(reader, QStringLiteral("batch"), d.batch, MaxTextLength);
    d.deliveryDate = reader.optionalDate(QStringLiteral("deliveryDate"));
    d.customerId = reader.optionalString(QStringLiteral("customerId"));
    checkLength(reader, QStringLiteral("customerId"), d.customerId, MaxTextLength);
    d.soldDate = reader.optionalDate(QStringLiteral("soldDate"));
    d.status = reader.optionalString(QStringLiteral("status"), InventoryStatus::InStock);
    if (!isValidStatus(d.status))
        reader.fail(QStringLiteral("status"), QStringLiteral("must be one of inStock, sold, provisioned, retired"));
    d.notes = reader.optionalString(QStringLiteral("notes"));
    checkLength(reader, QStringLiteral("notes"), d.notes, MaxNotesLength);
    d.etag = reader.optionalString(QStringLiteral("etag"));
    d.createdDateTimeUtc = reader.optionalDateTime(QStringLiteral("createdDateTimeUtc"));
    d.lastUpdatedDateTimeUtc = reader.optionalDateTime(QStringLiteral("lastUpdatedDateTimeUtc"));
    return d;
}

Result<DeviceRecord> DeviceRecord::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    DeviceRecord d = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return d;
}

QJsonObject DeviceRecord::toJson() const
{
    QJsonObject json{
        {QStringLiteral("serial"), serial},
        {QStringLiteral("model"), model},
        {QStringLiteral("manufacturer"), manufacturer},
        {QStringLiteral("batch"), batch},
        {QStringLiteral("status"), status},
        {QStringLiteral("notes"), notes},
    };
    if (deliveryDate.isValid())
        json.insert(QStringLiteral("deliveryDate"), deliveryDate.toString(Qt::ISODate));
    if (!customerId.isEmpty())
        json.insert(QStringLiteral("customerId"), customerId);
    if (soldDate.isValid())
        json.insert(QStringLiteral("soldDate"), soldDate.toString(Qt::ISODate));
    if (!etag.isEmpty())
        json.insert(QStringLiteral("etag"), etag);
    if (createdDateTimeUtc.isValid())
        json.insert(QStringLiteral("createdDateTimeUtc"), toIsoUtc(createdDateTimeUtc));
    if (lastUpdatedDateTimeUtc.isValid())
        json.insert(QStringLiteral("lastUpdatedDateTimeUtc"), toIsoUtc(lastUpdatedDateTimeUtc));
    return json;
}

} // namespace Provisio
