// SPDX-License-Identifier: Apache-2.0
#include "customersmodel.h"

namespace Provisio::Crm {

CustomersModel::CustomersModel(ApiClient *api, QObject *parent)
    : PagedTableModel(api, QStringLiteral("customers"), QStringLiteral("id"), parent)
{ }

void CustomersModel::setSearch(const QString &q)
{
    QUrlQuery query;
    if (!q.trimmed().isEmpty())
        query.addQueryItem(QStringLiteral("q"), q.trimmed());
    setQuery(query);
}

QString CustomersModel::nameFor(const QString &customerId) const
{
    return recordFor(customerId).value(QLatin1String("name")).toString();
}

void CustomersModel::applyEvent(const QString &type, const QJsonObject &event)
{
    if (!type.startsWith(QLatin1String("customer.")))
        return;
    const QJsonObject data = event.value(QLatin1String("data")).toObject();
    if (type == QLatin1String("customer.deleted"))
        removeRecord(data.value(QLatin1String("id")).toString());
    else
        upsertRecord(data);
}

QString CustomersModel::columnTitle(int column) const
{
    switch (column) {
    case NameColumn:
        return tr("Name");
    case EmailColumn:
        return tr("E-mail");
    case PhoneColumn:
        return tr("Phone");
    case AddressColumn:
        return tr("Address");
    case NotesColumn:
        return tr("Notes");
    }
    return {};
}

QVariant CustomersModel::display(const QJsonObject &record, int column) const
{
    static const char *const keys[] = {"name", "email", "phone", "address", "notes"};
    if (column < 0 || column >= ColumnCount)
        return {};
    return record.value(QLatin1String(keys[column])).toString();
}

} // namespace Provisio::Crm
