// SPDX-License-Identifier: Apache-2.0
#include "hubsmodel.h"

namespace Provisio::Crm {

namespace {

QString text(const QJsonObject &record, const char *key)
{
    return record.value(QLatin1String(key)).toString();
}

} // namespace

HubsModel::HubsModel(ApiClient *api, QObject *parent)
    : PagedTableModel(api, QStringLiteral("hubs"), QStringLiteral("name"), parent)
{
    setPageSize(1000);
}

void HubsModel::applyEvent(const QString &type, const QJsonObject &event)
{
    if (!type.startsWith(QLatin1String("hub.")))
        return;
    QJsonObject data = event.value(QLatin1String("data")).toObject();
    data.remove(QStringLiteral("signingKey"));
    if (type == QLatin1String("hub.deleted"))
        removeRecord(text(data, "name"));
    else
        upsertRecord(data);
}

QString HubsModel::columnTitle(int column) const
{
    switch (column) {
    case NameColumn: return tr("Name");
    case HostColumn: return tr("Host");
    case PortColumn: return tr("Port");
    case EndpointColumn: return tr("Endpoint");
    case RegionColumn: return tr("Region");
    case WeightColumn: return tr("Weight");
    }
    return {};
}

QVariant HubsModel::display(const QJsonObject &record, int column) const
{
    switch (column) {
    case NameColumn: return text(record, "name");
    case HostColumn: return text(record, "host");
    case PortColumn: return record.value(QLatin1String("port")).toInt(8883);
    case EndpointColumn: return text(record, "endpoint");
    case RegionColumn: return text(record, "region");
    case WeightColumn: return record.value(QLatin1String("allocationWeight")).toInt(1);
    }
    return {};
}

} // namespace Provisio::Crm
