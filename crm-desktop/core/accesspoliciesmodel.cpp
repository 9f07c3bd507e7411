// SPDX-License-Identifier: Apache-2.0
#include "accesspoliciesmodel.h"

#include <QBrush>
#include <QColor>
#include <QJsonArray>

namespace Provisio::Crm {

AccessPoliciesModel::AccessPoliciesModel(ApiClient *api, QObject *parent)
    : PagedTableModel(api, QStringLiteral("access-policies"), QStringLiteral("id"), parent)
{
    setPageSize(1000);
}

bool AccessPoliciesModel::isRevoked(const QJsonObject &record)
{
    return !record.value(QLatin1String("revokedAt")).toString().isEmpty();
}

bool AccessPoliciesModel::canFetchMore(const QModelIndex &parent) const
{
    return api() && api()->isAdmin() && PagedTableModel::canFetchMore(parent);
}

void AccessPoliciesModel::applyEvent(const QString &type, const QJsonObject &event)
{
    if (type.startsWith(QLatin1String("accessPolicy.")))
        upsertRecord(event.value(QLatin1String("data")).toObject());
}

QString AccessPoliciesModel::scopeText(const QString &hub)
{
    return hub.isEmpty() ? tr("Provisioning service") : tr("Hub %1").arg(hub);
}

QString AccessPoliciesModel::columnTitle(int column) const
{
    switch (column) {
    case NameColumn:
        return tr("Name");
    case ScopeColumn:
        return tr("For");
    case RightsColumn:
        return tr("Rights");
    case CreatedColumn:
        return tr("Created");
    case StatusColumn:
        return tr("Status");
    }
    return {};
}

QVariant AccessPoliciesModel::display(const QJsonObject &record, int column) const
{
    switch (column) {
    case NameColumn:
        return text(record, "name");
    case ScopeColumn:
        return scopeText(text(record, "hub"));
    case RightsColumn: {
        QStringList rights;
        for (const QJsonValue &r : record.value(QLatin1String("rights")).toArray())
            rights << r.toString();
        return rights.join(QStringLiteral(", "));
    }
    case CreatedColumn:
        return localTime(text(record, "created"));
    case StatusColumn:
        return isRevoked(record) ? tr("revoked %1").arg(localTime(text(record, "revokedAt"))) : tr("active");
    }
    return {};
}

QVariant AccessPoliciesModel::extraData(const QJsonObject &record, int column, int role) const
{
    if (role == Qt::ForegroundRole && isRevoked(record))
        return QBrush(QColor(Qt::gray));
    return PagedTableModel::extraData(record, column, role);
}

} // namespace Provisio::Crm
