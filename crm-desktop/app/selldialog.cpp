// SPDX-License-Identifier: Apache-2.0
#include "selldialog.h"

#include "customersmodel.h"

#include <QDialogButtonBox>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

namespace Provisio::Crm {

SellDialog::SellDialog(const QStringList &serials, CustomersModel *customers, QWidget *parent)
    : QDialog(parent), m_serials(serials), m_customers(customers), m_proxy(new QSortFilterProxyModel(this)),
      m_search(new QLineEdit(this)), m_list(new QListView(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("sellDialog"));
    setWindowTitle(serials.size() == 1 ? tr("Sell 1 device") : tr("Sell %1 devices").arg(serials.size()));
    m_search->setObjectName(QStringLiteral("sellSearch"));
    m_list->setObjectName(QStringLiteral("sellCustomers"));
    m_buttons->setObjectName(QStringLiteral("sellButtons"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Sell"));
    m_search->setPlaceholderText(tr("Filter customers…"));
    m_search->setClearButtonEnabled(true);
    m_proxy->setSourceModel(customers);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(CustomersModel::NameColumn);
    m_list->setModel(m_proxy);
    m_list->setModelColumn(CustomersModel::NameColumn);

    QString devices = serials.mid(0, 10).join(QStringLiteral(", "));
    if (serials.size() > 10)
        devices += QLatin1Char(' ') + tr("and %1 more").arg(serials.size() - 10);
    auto *label = new QLabel(tr("Sell %1 to:").arg(devices), this);
    label->setObjectName(QStringLiteral("sellDevices"));
    label->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_search);
    layout->addWidget(m_list);
    layout->addWidget(m_buttons);
    resize(420, 380);

    connect(m_search, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SellDialog::updateOk);
    connect(m_list, &QListView::doubleClicked, this, [this] {
        if (m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // A sale needs every customer to pick from, not just the first page.
    customers->fetchAll();
    updateOk();
}

void SellDialog::describeAllMatching(const QString &count)
{
    setWindowTitle(tr("Sell all %1 matching devices").arg(count));
    if (auto *label = findChild<QLabel *>(QStringLiteral("sellDevices")))
        label->setText(tr("Sell all %1 devices the inventory filter matches, loaded or not, to:").arg(count));
}

QString SellDialog::customerId() const
{
    const QModelIndex index = m_list->currentIndex();
    return index.isValid() ? index.data(CustomersModel::IdRole).toString() : QString();
}

QString SellDialog::customerName() const
{
    const QModelIndex index = m_list->currentIndex();
    return index.isValid() ? index.siblingAtColumn(CustomersModel::NameColumn).data().toString() : QString();
}

void SellDialog::updateOk()
{
    m_buttons->button(QDialogButtonBox::Ok)
        ->setEnabled(!m_serials.isEmpty() && m_list->selectionModel()->hasSelection());
}

} // namespace Provisio::Crm
