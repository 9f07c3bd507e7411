// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pagedtablemodel.h"

namespace Provisio::Crm {

// Linked hubs (GET hubs); small, so loaded whole. The Link column shows each
// hub's `link` from the list, or, from a middleware that does not send it,
// GET hubs/{name}/status loaded for each hub as its row arrives: whether
// the middleware is connected to the hub (and so can carry twins,
// telemetry and methods to its devices) and, if not, why.
class HubsModel : public PagedTableModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        HostColumn,
        PortColumn,
        EndpointColumn,
        RegionColumn,
        WeightColumn,
        LinkColumn,
        KeyOverlapColumn, // until when the replaced signing key still works
        ColumnCount
    };
    static constexpr int NameRole = KeyRole;

    explicit HubsModel(ApiClient *api, QObject *parent = nullptr);
    void applyEvent(const QString &type, const QJsonObject &event);

protected:
    int columns() const override { return ColumnCount; }
    QString columnTitle(int column) const override;
    QVariant display(const QJsonObject &record, int column) const override;
    QVariant toolTip(const QJsonObject &record, int column) const override;
    QVariant extraData(const QJsonObject &record, int column, int role) const override;
    void recordsAdded(int first, int last) override;

private:
    void loadStatus(const QString &name);
    void takeLink(const QString &name, const QJsonObject &link);

    QHash<QString, QJsonObject> m_status; // hub name -> status (GET hubs/{name}/status shape)
};

} // namespace Provisio::Crm
