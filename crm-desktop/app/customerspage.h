// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "customersmodel.h"
#include "recordlistpage.h"

class QLineEdit;
class QTimer;

namespace Provisio::Crm {

// The customers list with a search field (the server searches name, e-mail
// and notes); the window's actions create, edit and delete.
class CustomersPage : public RecordListPage
{
    Q_OBJECT
public:
    explicit CustomersPage(CustomersModel *model, QWidget *parent = nullptr);
    CustomersModel *customers() const { return m_customers; }

private:
    CustomersModel *m_customers;
    QLineEdit *m_search;
    QTimer *m_debounce;
};

} // namespace Provisio::Crm
