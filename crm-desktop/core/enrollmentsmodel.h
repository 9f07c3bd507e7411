// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pagedtablemodel.h"

// HubsModel and AuditModel first lived here; their own headers are
// included so code that found them here keeps building.
#include "auditmodel.h"
#include "hubsmodel.h"

namespace Provisio::Crm {

// Individual enrollments (GET enrollments, paged, filterable by serial and
// provisioningStatus), kept live from enrollment.* and registration.*
// events. Keys never show in any column; the record (RecordRole) holds them
// for operators, blanked for viewers by the server.
class EnrollmentsModel : public PagedTableModel
{
    Q_OBJECT
public:
    enum Column {
        RegistrationIdColumn,
        SerialColumn,
        DeviceIdColumn,
        StatusColumn,
        HubColumn,
        RegistrationColumn,
        UpdatedColumn,
        ColumnCount
    };
    static constexpr int RegistrationIdRole = KeyRole;

    explicit EnrollmentsModel(ApiClient *api, QObject *parent = nullptr);
    void setFilter(const QString &serial, const QString &provisioningStatus);
    void applyEvent(const QString &type, const QJsonObject &event);

protected:
    int columns() const override { return ColumnCount; }
    QString columnTitle(int column) const override;
    QVariant display(const QJsonObject &record, int column) const override;
};

} // namespace Provisio::Crm
