// SPDX-License-Identifier: Apache-2.0
#include "recordlistpage.h"

#include "pagedtablemodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace Provisio::Crm {

RecordListPage::RecordListPage(const QString &name, PagedTableModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new QSortFilterProxyModel(this)), m_layout(new QVBoxLayout(this)),
      m_toolBar(new QToolBar(this)), m_filterBar(new QHBoxLayout), m_table(new QTableView(this)),
      m_count(new QLabel(this))
{
    setObjectName(name);
    m_toolBar->setObjectName(name + QStringLiteral("ToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->setIconSize(QSize(16, 16));
    m_table->setObjectName(name + QStringLiteral("Table"));
    m_count->setObjectName(name + QStringLiteral("Count"));

    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(Qt::DisplayRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // server order until the user sorts
    m_table->setWordWrap(false);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->verticalHeader()->hide();
    // Fixed row heights keep a 100,000-row table cheap to lay out.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setDefaultSectionSize(120);

    m_filterBar->setContentsMargins(0, 0, 0, 0);
    m_layout->setContentsMargins(6, 0, 6, 4);
    m_layout->setSpacing(4);
    m_layout->addWidget(m_toolBar);
    m_layout->addLayout(m_filterBar);
    m_layout->addWidget(m_table, 1);
    m_layout->addWidget(m_count);

    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT recordActivated(index.data(PagedTableModel::RecordRole).toJsonObject());
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RecordListPage::selectionChanged);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &RecordListPage::updateCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &RecordListPage::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RecordListPage::updateCount);
    connect(m_model, &PagedTableModel::loadingChanged, this, &RecordListPage::updateCount);
    connect(m_model, &PagedTableModel::errorOccurred, this, &RecordListPage::errorOccurred);
    updateCount();
}

QList<QJsonObject> RecordListPage::selectedRecords() const
{
    QList<QJsonObject> out;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    out.reserve(rows.size());
    for (const QModelIndex &index : rows)
        out.append(index.data(PagedTableModel::RecordRole).toJsonObject());
    return out;
}

QJsonObject RecordListPage::currentRecord() const
{
    const QModelIndex index = m_table->currentIndex();
    if (!index.isValid() || !m_table->selectionModel()->isRowSelected(index.row(), QModelIndex()))
        return {};
    return index.data(PagedTableModel::RecordRole).toJsonObject();
}

bool RecordListPage::selectKey(const QString &key)
{
    const int row = m_model->rowOf(key);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

void RecordListPage::saveState(QSettings &settings) const
{
    settings.setValue(objectName() + QStringLiteral("/header"), m_table->horizontalHeader()->saveState());
}

void RecordListPage::restoreState(QSettings &settings)
{
    const QByteArray state = settings.value(objectName() + QStringLiteral("/header")).toByteArray();
    if (!state.isEmpty())
        m_table->horizontalHeader()->restoreState(state);
}

void RecordListPage::addFilterWidget(QWidget *widget, int stretch)
{
    m_filterBar->addWidget(widget, stretch);
}

void RecordListPage::startFilterRow()
{
    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    m_layout->insertLayout(m_layout->indexOf(m_table), row);
    m_filterBar = row;
}

void RecordListPage::addFilterLabel(const QString &text, QWidget *buddy)
{
    auto *label = new QLabel(text, this);
    label->setBuddy(buddy);
    m_filterBar->addWidget(label);
    m_filterBar->addWidget(buddy);
}

void RecordListPage::updateCount()
{
    const int rows = m_model->rowCount();
    QString text = tr("%1 loaded").arg(QLocale().toString(rows));
    if (m_model->isLoading())
        text += QStringLiteral(" · ") + tr("loading…");
    else if (m_model->hasMore())
        text += QStringLiteral(" · ") + tr("more as you scroll");
    m_count->setText(text);
}

} // namespace Provisio::Crm
