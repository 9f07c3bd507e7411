// SPDX-License-Identifier: Apache-2.0
#include "enrollmentsmodel.h"

#include "displayformat.h"

namespace Provisio::Crm {

EnrollmentsModel::EnrollmentsModel(ApiClient *api, QObject *parent)
    : PagedTableModel(api, QStringLiteral("enrollments"), QStringLiteral("registrationId"), parent)
{ }

void EnrollmentsModel::setFilter(const QString &serial, const QString &provisioningStatus)
{
    QUrlQuery query;
    if (!serial.trimmed().isEmpty())
        query.addQueryItem(QStringLiteral("serial"), serial.trimmed());
    if (!provisioningStatus.trimmed().isEmpty())
        query.addQueryItem(QStringLiteral("provisioningStatus"), provisioningStatus.trimmed());
    setQuery(query);
}

void EnrollmentsModel::applyEvent(const QString &type, const QJsonObject &event)
{
    const QJsonObject data = event.value(QLatin1String("data")).toObject();
    if (type == QLatin1String("enrollment.deleted")) {
        removeRecord(text(data, "registrationId"));
    } else if (type.startsWith(QLatin1String("enrollment."))) {
        // An event's copy has its keys redacted; keep the ones already read.
        QJsonObject record = data;
        const QJsonObject old = recordFor(text(data, "registrationId"));
        if (!old.isEmpty() && old.contains(QLatin1String("attestation")))
            record.insert(QStringLiteral("attestation"), old.value(QLatin1String("attestation")));
        upsertRecord(record);
    } else if (type.startsWith(QLatin1String("registration."))) {
        const QString id = event.value(QLatin1String("registrationId")).toString();
        QJsonObject record = recordFor(id);
        if (record.isEmpty())
            return;
        QJsonObject state = data;
        state.remove(QStringLiteral("operationId"));
        record.insert(QStringLiteral("registrationState"), state);
        if (!text(data, "assignedHub").isEmpty())
            record.insert(QStringLiteral("iotHubHostName"), text(data, "assignedHub"));
        upsertRecord(record);
    }
}

QString EnrollmentsModel::columnTitle(int column) const
{
    switch (column) {
    case RegistrationIdColumn:
        return tr("Registration id");
    case SerialColumn:
        return tr("Serial");
    case DeviceIdColumn:
        return tr("Device id");
    case StatusColumn:
        return tr("Status");
    case HubColumn:
        return tr("Hub");
    case RegistrationColumn:
        return tr("Registration");
    case UpdatedColumn:
        return tr("Updated");
    }
    return {};
}

QVariant EnrollmentsModel::display(const QJsonObject &record, int column) const
{
    switch (column) {
    case RegistrationIdColumn:
        return text(record, "registrationId");
    case SerialColumn:
        return text(record, "serial");
    case DeviceIdColumn:
        return text(record, "deviceId");
    case StatusColumn:
        return apiWord(text(record, "provisioningStatus"));
    case HubColumn:
        return text(record, "iotHubHostName");
    case RegistrationColumn:
        return apiWord(
            record.value(QLatin1String("registrationState")).toObject().value(QLatin1String("status")).toString());
    case UpdatedColumn:
        return localTime(text(record, "lastUpdatedDateTimeUtc"));
    }
    return {};
}

} // namespace Provisio::Crm
