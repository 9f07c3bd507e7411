// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pagedtablemodel.h"

namespace Provisio::Crm {

// Shared access policies for Azure's service SDKs (GET access-policies,
// admins only): name, whose (the provisioning service or a hub), rights and
// whether revoked. Never holds a key: the middleware shows one only in the
// answer to its creation.
class AccessPoliciesModel : public PagedTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ScopeColumn, RightsColumn, CreatedColumn, StatusColumn, ColumnCount };

    explicit AccessPoliciesModel(ApiClient *api, QObject *parent = nullptr);
    void applyEvent(const QString &type, const QJsonObject &event);

    static bool isRevoked(const QJsonObject &record);
    // Whom a policy is for, as the For column says it ("Provisioning
    // service", "Hub hub1"); empty hub: the provisioning service.
    static QString scopeText(const QString &hub);
    // Only admins may list policies: for anyone else nothing is fetched
    // (rather than asked and refused).
    bool canFetchMore(const QModelIndex &parent) const override;

protected:
    int columns() const override { return ColumnCount; }
    QString columnTitle(int column) const override;
    QVariant display(const QJsonObject &record, int column) const override;
    QVariant extraData(const QJsonObject &record, int column, int role) const override;
};

} // namespace Provisio::Crm
