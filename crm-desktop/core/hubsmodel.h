// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pagedtablemodel.h"

namespace Provisio::Crm {

// Linked hubs (GET hubs); small, so loaded whole.
class HubsModel : public PagedTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, HostColumn, PortColumn, EndpointColumn, RegionColumn, WeightColumn, ColumnCount };
    static constexpr int NameRole = KeyRole;

    explicit HubsModel(ApiClient *api, QObject *parent = nullptr);
    void applyEvent(const QString &type, const QJsonObject &event);

protected:
    int columns() const override { return ColumnCount; }
    QString columnTitle(int column) const override;
    QVariant display(const QJsonObject &record, int column) const override;
};

} // namespace Provisio::Crm
