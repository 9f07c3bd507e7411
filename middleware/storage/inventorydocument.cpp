// SPDX-License-Identifier: Apache-2.0
// InventoryStore::documentOf: a device's stored JSON document written
// directly, byte for byte what QJsonDocument makes of DeviceRecord::toJson()
// (keys in order, the same escapes), without building a QJsonObject per
// device: the import writes hundreds of thousands of them.
#include "inventorystore.h"

#include "jsontext.h"

#include "protocol/timeutil.h"

namespace Provisio {

QString InventoryStore::documentOf(const DeviceRecord &device)
{
    // The members of DeviceRecord::toJson() in QJsonObject's order (by
    // key), the optional ones only when set.
    QString out;
    out.reserve(256 + device.notes.size());
    out += QLatin1Char('{');
    appendJsonMember(out, QLatin1String("batch"), device.batch);
    if (device.createdDateTimeUtc.isValid())
        appendJsonMember(out, QLatin1String("createdDateTimeUtc"), toIsoUtc(device.createdDateTimeUtc));
    if (!device.customerId.isEmpty())
        appendJsonMember(out, QLatin1String("customerId"), device.customerId);
    if (device.deliveryDate.isValid())
        appendJsonMember(out, QLatin1String("deliveryDate"), toIsoDate(device.deliveryDate));
    if (!device.etag.isEmpty())
        appendJsonMember(out, QLatin1String("etag"), device.etag);
    if (device.lastUpdatedDateTimeUtc.isValid())
        appendJsonMember(out, QLatin1String("lastUpdatedDateTimeUtc"), toIsoUtc(device.lastUpdatedDateTimeUtc));
    appendJsonMember(out, QLatin1String("manufacturer"), device.manufacturer);
    appendJsonMember(out, QLatin1String("model"), device.model);
    appendJsonMember(out, QLatin1String("notes"), device.notes);
    appendJsonMember(out, QLatin1String("serial"), device.serial);
    if (device.soldDate.isValid())
        appendJsonMember(out, QLatin1String("soldDate"), toIsoDate(device.soldDate));
    appendJsonMember(out, QLatin1String("status"), device.status);
    out += QLatin1Char('}');
    return out;
}

} // namespace Provisio
