// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pagedtablemodel.h"

namespace Provisio::Crm {

// Customers (GET customers, paged, free-text search q). Also the name
// lookup the inventory uses to show a customer's name instead of its id.
class CustomersModel : public PagedTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, EmailColumn, PhoneColumn, AddressColumn, NotesColumn, ColumnCount };
    static constexpr int IdRole = KeyRole;

    explicit CustomersModel(ApiClient *api, QObject *parent = nullptr);

    void setSearch(const QString &q);
    QString nameFor(const QString &customerId) const;
    // Applies customer.* events from the EventFeed.
    void applyEvent(const QString &type, const QJsonObject &event);

protected:
    int columns() const override { return ColumnCount; }
    QString columnTitle(int column) const override;
    QVariant display(const QJsonObject &record, int column) const override;
};

} // namespace Provisio::Crm
