// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "jsonreader.h"
#include "wirenames.h"

#include <QDate>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace Provisio {

// Inventory record of one physical device, as the manufacturer delivered it
// and the CRM sold it. Provisio's own type (not DPS's), camelCase JSON. The
// serial is the key the CRM, activation codes and enrollments refer to.
struct DeviceRecord
{
    QString serial; // required: 1..64 of letters, digits, - _ . :
    QString model;
    QString manufacturer;
    QString batch;
    QDate deliveryDate;                        // "yyyy-MM-dd"; invalid when unknown
    QString customerId;                        // empty while unsold
    QDate soldDate;                            // invalid while unsold
    QString status = InventoryStatus::InStock; // InventoryStatus::All
    QString notes;
    QString etag;
    QDateTime createdDateTimeUtc;
    QDateTime lastUpdatedDateTimeUtc;

    static Result<DeviceRecord> fromJson(const QJsonObject &json);
    static DeviceRecord readFrom(JsonReader reader);
    QJsonObject toJson() const;

    static bool isValidSerial(const QString &serial);
    static bool isValidStatus(const QString &status);
    static constexpr int MaxTextLength = 256;
    static constexpr int MaxNotesLength = 4096;
};

} // namespace Provisio
