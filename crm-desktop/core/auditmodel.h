// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pagedtablemodel.h"

#include <QDateTime>
#include <QStringList>

#include <functional>

namespace Provisio::Crm {

// The audit log (GET audit, newest first). Every filter is the server's
// (actor, action, entity type and id, a time window), so each page is full
// and a rare action is found however far back it lies.
class AuditModel : public PagedTableModel
{
    Q_OBJECT
public:
    enum Column { AtColumn, ActorColumn, ActionColumn, EntityTypeColumn, EntityIdColumn, ColumnCount };

    struct Filter
    {
        QString actor;      // token:<name>, device:<serial>, cli:<user>
        QString action;     // create, update, sell, …
        QString entityType; // device, enrollment, customer, …
        QString entityId;
        QDateTime since; // invalid: no lower bound
        QDateTime until; // exclusive; invalid: no upper bound
    };

    explicit AuditModel(ApiClient *api, QObject *parent = nullptr);
    void setFilter(const Filter &filter);
    Filter filter() const { return m_filter; }
    // Customers' names for their ids (cus_…), so the log shows "Acme Corp"
    // where the record holds an id; an id without a known name stays.
    void setCustomerNames(std::function<QString(const QString &)> lookup) { m_customerName = std::move(lookup); }
    QString customerName(const QString &customerId) const;

    // The actions and record types the middleware records, in the API's
    // words: the page's filter offers them, and the columns are as wide as
    // the longest of them in the window's language.
    static QStringList knownActions();
    static QStringList knownEntityTypes();

protected:
    int columns() const override { return ColumnCount; }
    QString columnTitle(int column) const override;
    QVariant display(const QJsonObject &record, int column) const override;
    QVariant toolTip(const QJsonObject &record, int column) const override;
    bool matchesFilter(const QJsonObject &record) const override;

private:
    Filter m_filter;
    std::function<QString(const QString &)> m_customerName;
};

} // namespace Provisio::Crm
