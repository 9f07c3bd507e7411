// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "jsonreader.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace Provisio {

// A customer devices are sold to, as the CRM records it. Provisio's own type.
// The id is assigned by the server, so it is optional on input.
struct Customer
{
    QString id;
    QString name;  // required
    QString email; // optional; checked loosely (one '@', no spaces)
    QString phone;
    QString address;
    QString notes;
    QString etag;
    QDateTime createdDateTimeUtc;
    QDateTime lastUpdatedDateTimeUtc;

    static Result<Customer> fromJson(const QJsonObject &json);
    static Customer readFrom(JsonReader reader);
    QJsonObject toJson() const;

    // Deliberately loose: real address validation is a confirmation mail,
    // and a strict pattern rejects valid addresses.
    static bool isPlausibleEmail(const QString &email);
};

} // namespace Provisio
