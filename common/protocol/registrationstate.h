// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "jsonreader.h"
#include "wirenames.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Provisio {

// DPS DeviceRegistrationState: where a device was assigned and how that went.
// Returned to devices by the registration API and to the CRM. Hub connection
// details beyond Azure's fields travel in payload.provisio (see DESIGN.md).
struct RegistrationState
{
    QString registrationId;
    QDateTime createdDateTimeUtc;
    QString assignedHub;                             // empty until assigned
    QString deviceId;                                // empty until assigned
    QString status = RegistrationStatus::Unassigned; // RegistrationStatus::All
    QString substatus;                               // empty, or one of RegistrationSubstatus::All
    std::optional<int> errorCode;
    QString errorMessage; // empty when there is no error
    QDateTime lastUpdatedDateTimeUtc;
    QString etag;
    QJsonObject payload; // left out of the JSON when empty

    static Result<RegistrationState> fromJson(const QJsonObject &json);
    static RegistrationState readFrom(JsonReader reader);
    QJsonObject toJson() const;

    static bool isValidStatus(const QString &status);
    static bool isValidSubstatus(const QString &substatus);
};

// DPS RegistrationOperationStatus: the answer to register and to polling an
// operation. registrationState is present once the operation has settled.
struct RegistrationOperation
{
    QString operationId;
    QString status = RegistrationStatus::Assigning; // same values as RegistrationState::status
    std::optional<RegistrationState> registrationState;

    static Result<RegistrationOperation> fromJson(const QJsonObject &json);
    QJsonObject toJson() const;
};

} // namespace Provisio
