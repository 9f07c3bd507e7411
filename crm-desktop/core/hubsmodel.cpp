// SPDX-License-Identifier: Apache-2.0
#include "hubsmodel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

namespace Provisio::Crm {

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
    case NameColumn:
        return tr("Name");
    case HostColumn:
        return tr("Host");
    case PortColumn:
        return tr("Port");
    case EndpointColumn:
        return tr("Endpoint");
    case RegionColumn:
        return tr("Region");
    case WeightColumn:
        return tr("Weight");
    case LinkColumn:
        return tr("Middleware link");
    case KeyOverlapColumn:
        return tr("Replaced signing key");
    }
    return {};
}

QVariant HubsModel::display(const QJsonObject &record, int column) const
{
    switch (column) {
    case NameColumn:
        return text(record, "name");
    case HostColumn:
        return text(record, "host");
    case PortColumn:
        return record.value(QLatin1String("port")).toInt(8883);
    case EndpointColumn:
        return text(record, "endpoint");
    case RegionColumn:
        return text(record, "region");
    case WeightColumn:
        return record.value(QLatin1String("allocationWeight")).toInt(1);
    case KeyOverlapColumn: {
        const QString until = text(record, "previousKeyAcceptedUntil");
        if (until.isEmpty())
            return QString();
        const QDateTime end = QDateTime::fromString(until, Qt::ISODateWithMs);
        return end.isValid() && end > QDateTime::currentDateTimeUtc() ? tr("accepted until %1").arg(localTime(until))
                                                                      : tr("retired %1").arg(localTime(until));
    }
    case LinkColumn: {
        const auto it = m_status.constFind(text(record, "name"));
        if (it == m_status.constEnd())
            return tr("checking…");
        const QJsonObject &status = *it;
        if (status.value(QLatin1String("connected")).toBool())
            return tr("connected since %1").arg(localTime(text(status, "since")));
        if (!status.value(QLatin1String("linkEnabled")).toBool(true))
            return tr("not linked on this middleware");
        const QString error = text(status, "lastError");
        return error.isEmpty() ? tr("not connected") : tr("not connected: %1").arg(error);
    }
    }
    return {};
}

QVariant HubsModel::toolTip(const QJsonObject &record, int column) const
{
    if (column == LinkColumn)
        return QString(display(record, column).toString() + QStringLiteral("\n\n") +
                       tr("Whether this middleware is connected to the hub as its service identity; without it, twins, "
                          "telemetry and direct methods of the hub's devices do not get through."));
    return PagedTableModel::toolTip(record, column);
}

QVariant HubsModel::extraData(const QJsonObject &record, int column, int role) const
{
    if (column == LinkColumn && role == Qt::ForegroundRole) {
        const auto it = m_status.constFind(text(record, "name"));
        if (it != m_status.constEnd() && !it->value(QLatin1String("connected")).toBool())
            return QBrush(QColor(0xda, 0x44, 0x53));
    }
    return PagedTableModel::extraData(record, column, role);
}

void HubsModel::recordsAdded(int first, int last)
{
    for (int row = first; row <= last; ++row) {
        const QJsonObject &hub = record(row);
        const QJsonValue link = hub.value(QLatin1String("link"));
        // A middleware that lists `link` answers the status with the list;
        // an older one needs a request per hub.
        if (link.isObject())
            takeLink(text(hub, "name"), link.toObject());
        else
            loadStatus(text(hub, "name"));
    }
}

void HubsModel::takeLink(const QString &name, const QJsonObject &link)
{
    QJsonObject status = link;
    status.insert(QStringLiteral("linkEnabled"), link.value(QLatin1String("enabled")).toBool(true));
    status.remove(QStringLiteral("enabled"));
    m_status.insert(name, status);
    const int row = rowOf(name);
    if (row >= 0)
        notifyRowChanged(row);
}

void HubsModel::loadStatus(const QString &name)
{
    if (name.isEmpty() || !api())
        return;
    ApiCall *call = api()->get(QStringLiteral("hubs/") + ApiClient::segment(name) + QStringLiteral("/status"));
    const auto show = [this, name](const QJsonObject &status) {
        m_status.insert(name, status);
        const int row = rowOf(name);
        if (row >= 0)
            notifyRowChanged(row);
    };
    connect(call, &ApiCall::finished, this,
            [show](const QJsonDocument &body, const QByteArray &) { show(body.object()); });
    connect(call, &ApiCall::failed, this, [show](const ApiFailure &failure) {
        if (!failure.aborted)
            show({{QStringLiteral("connected"), false}, {QStringLiteral("lastError"), failure.message}});
    });
}

} // namespace Provisio::Crm
