// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>
#include <QStringList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListView;
class QSortFilterProxyModel;

namespace Provisio::Crm {

class CustomersModel;

// Sell the selected devices to one customer, picked from the customers
// list (searchable). Selling a device another customer owns is refused by
// the middleware; the batch reports which.
class SellDialog : public QDialog
{
    Q_OBJECT
public:
    SellDialog(const QStringList &serials, CustomersModel *customers, QWidget *parent = nullptr);

    QStringList serials() const { return m_serials; }
    // The sale is of every device the inventory filter matches (`count`,
    // as shown to the user), run on the server: says so instead of
    // listing the loaded serials.
    void describeAllMatching(const QString &count);
    QString customerId() const;
    QString customerName() const;

private:
    void updateOk();

    QStringList m_serials;
    CustomersModel *m_customers;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_search;
    QListView *m_list;
    QDialogButtonBox *m_buttons;
};

} // namespace Provisio::Crm
