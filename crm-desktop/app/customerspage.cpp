// SPDX-License-Identifier: Apache-2.0
#include "customerspage.h"

#include <QLineEdit>
#include <QTableView>
#include <QTimer>

namespace Provisio::Crm {

CustomersPage::CustomersPage(CustomersModel *model, QWidget *parent)
    : RecordListPage(QStringLiteral("customers"), model, parent), m_customers(model), m_search(new QLineEdit(this)),
      m_debounce(new QTimer(this))
{
    setTitle(tr("Customers"));
    m_search->setObjectName(QStringLiteral("customersSearch"));
    m_search->setPlaceholderText(tr("Search customers…"));
    m_search->setClearButtonEnabled(true);
    addFilterWidget(m_search, 1);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_search, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this] { m_customers->setSearch(m_search->text().trimmed()); });
    table()->setColumnWidth(CustomersModel::NameColumn, 200);
    table()->setColumnWidth(CustomersModel::EmailColumn, 220);
    table()->setColumnWidth(CustomersModel::PhoneColumn, 140);
    table()->setColumnWidth(CustomersModel::AddressColumn, 260);
}

} // namespace Provisio::Crm
