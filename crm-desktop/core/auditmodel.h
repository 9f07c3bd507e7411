// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pagedtablemodel.h"

#include <QDateTime>

namespace Provisio::Crm {

// The audit log (GET audit, newest first). The server filters by actor,
// entity type and id and a start time; the action is filtered here, in
// the rows of each page, since the API has no action parameter.
class AuditModel : public PagedTableModel
{
    Q_OBJECT
public:
    enum Column { AtColumn, ActorColumn, ActionColumn, EntityTypeColumn, EntityIdColumn, ColumnCount };

    struct Filter
    {
        QString actor;       // token:<name>, device:<serial>, cli:<user>
        QString action;      // create, update, sell, … (client-side)
        QString entityType;  // device, enrollment, customer, …
        QString entityId;
        QDateTime since;     // invalid: no lower bound
    };

    explicit AuditModel(ApiClient *api, QObject *parent = nullptr);
    void setFilter(const Filter &filter);
    Filter filter() const { return m_filter; }

protected:
    int columns() const override { return ColumnCount; }
    QString columnTitle(int column) const override;
    QVariant display(const QJsonObject &record, int column) const override;
    QVariant toolTip(const QJsonObject &record, int column) const override;
    bool acceptRecord(const QJsonObject &record) const override;

private:
    Filter m_filter;
};

} // namespace Provisio::Crm
