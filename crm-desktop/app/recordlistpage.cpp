// SPDX-License-Identifier: Apache-2.0
#include "recordlistpage.h"

#include "pagedtablemodel.h"
#include "plaintextdelegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <utility>

namespace Provisio::Crm {

namespace {
// The table's proxy: sorts what is loaded and hides what the page's row
// filter refuses.
class RowFilterProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setFilter(RecordListPage::RowFilter filter)
    {
        // Qt 6.4 has no begin/endFilterChange; invalidateFilter() re-runs it.
        m_filter = std::move(filter);
        invalidateFilter();
    }
    bool hasFilter() const { return bool(m_filter); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        return !m_filter || sourceParent.isValid() || m_filter(sourceRow);
    }

private:
    RecordListPage::RowFilter m_filter;
};
} // namespace

RecordListPage::RecordListPage(const QString &name, PagedTableModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new RowFilterProxy(this)), m_layout(new QVBoxLayout(this)),
      m_toolBar(new QToolBar(this)), m_filterBar(new QHBoxLayout), m_table(new QTableView(this)),
      m_count(new QLabel(this)), m_countBar(new QHBoxLayout)
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
    // Cells are one line of text: laid out once, not on every paint.
    m_table->setItemDelegate(new PlainTextDelegate(m_table));
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
    m_countBar->setContentsMargins(0, 0, 0, 0);
    m_countBar->addWidget(m_count, 1);
    m_layout->addLayout(m_countBar);

    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT recordActivated(index.data(PagedTableModel::RecordRole).toJsonObject());
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        // A selection the user makes replaces the one waiting for its rows.
        if (!m_restoringSelection)
            m_keptKeys.clear();
        Q_EMIT selectionChanged();
    });
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, &RecordListPage::rememberSelection);
    // A reset clears the selection without selectionChanged: the actions
    // must hear of it, or they stay enabled for rows no longer shown.
    connect(m_model, &QAbstractItemModel::modelReset, this, &RecordListPage::selectionChanged);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &RecordListPage::selectionChanged);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &RecordListPage::selectionChanged);
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { restoreSelection(first, last); });
    connect(m_model, &PagedTableModel::pageLoaded, this, &RecordListPage::forgetMissingSelection);
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this, &RecordListPage::fetchAhead);
    // The user may have scrolled on while the page came.
    connect(m_model, &PagedTableModel::pageLoaded, this, &RecordListPage::fetchAhead, Qt::QueuedConnection);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &RecordListPage::updateCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &RecordListPage::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RecordListPage::updateCount);
    connect(m_model, &PagedTableModel::loadingChanged, this, &RecordListPage::updateCount);
    connect(m_model, &PagedTableModel::totalChanged, this, &RecordListPage::updateCount);
    connect(m_model, &PagedTableModel::countingChanged, this, &RecordListPage::updateCount);
    connect(this, &RecordListPage::selectionChanged, this, &RecordListPage::updateCount);
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

void RecordListPage::rememberSelection()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        m_keptKeys.insert(index.data(PagedTableModel::KeyRole).toString());
}

void RecordListPage::restoreSelection(int first, int last)
{
    if (m_keptKeys.isEmpty())
        return;
    QItemSelection selection;
    for (int row = first; row <= last; ++row) {
        const QModelIndex source = m_model->index(row, 0);
        if (!m_keptKeys.remove(source.data(PagedTableModel::KeyRole).toString()))
            continue;
        const QModelIndex index = m_proxy->mapFromSource(source);
        if (index.isValid()) // a row the row filter hides has left the view
            selection.select(index, index);
    }
    if (selection.isEmpty())
        return;
    m_restoringSelection = true;
    m_table->selectionModel()->select(selection, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    m_restoringSelection = false;
}

void RecordListPage::fetchAhead()
{
    if (!m_model->canFetchMore(QModelIndex()))
        return;
    const int lastShown = m_table->rowAt(m_table->viewport()->height() - 1);
    if (lastShown < 0) // the rows end above the bottom: the view fills itself
        return;
    if (m_proxy->rowCount() - 1 - lastShown < m_model->pageSize() / 2)
        m_model->fetchMore(QModelIndex());
}

void RecordListPage::forgetMissingSelection()
{
    // Rows still to come on later pages may yet be selected; once the list
    // is complete, what did not come back has left the view.
    if (!m_model->hasMore())
        m_keptKeys.clear();
}

void RecordListPage::setRowFilter(RowFilter filter)
{
    static_cast<RowFilterProxy *>(m_proxy)->setFilter(std::move(filter));
    // Hidden rows left the selection with their proxy rows.
    Q_EMIT selectionChanged();
}

bool RecordListPage::hasRowFilter() const
{
    return static_cast<RowFilterProxy *>(m_proxy)->hasFilter();
}

int RecordListPage::shownRowCount() const
{
    return m_proxy->rowCount();
}

int RecordListPage::keptSelectionCount() const
{
    return int(m_keptKeys.size());
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
    applyStretchColumn();
}

void RecordListPage::setStretchColumn(int column)
{
    m_stretchColumn = column;
    applyStretchColumn();
}

void RecordListPage::applyStretchColumn()
{
    if (m_stretchColumn < 0)
        return;
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(false);
    for (int column = 0; column < header->count(); ++column) {
        header->setSectionResizeMode(column,
                                     column == m_stretchColumn ? QHeaderView::Stretch : QHeaderView::Interactive);
    }
}

void RecordListPage::addFilterWidget(QWidget *widget, int stretch)
{
    m_filterBar->addWidget(widget, stretch);
}

void RecordListPage::addCountWidget(QWidget *widget)
{
    m_countBar->addWidget(widget);
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
    const qint64 total = m_model->total();
    QString text;
    if (total >= 0 && m_model->totalIsLowerBound())
        text = tr("more than %1 match, %2 loaded").arg(QLocale().toString(total), QLocale().toString(rows));
    else if (total >= 0 && total != rows)
        text = tr("%1 match, %2 loaded").arg(QLocale().toString(total), QLocale().toString(rows));
    else if (total >= 0)
        text = tr("%1 match, all loaded").arg(QLocale().toString(total));
    else
        text = tr("%1 loaded").arg(QLocale().toString(rows));
    if (hasRowFilter())
        text += QStringLiteral(" · ") + tr("%1 shown").arg(QLocale().toString(shownRowCount()));
    const int selected = int(m_table->selectionModel()->selectedRows().size());
    if (selected > 0)
        text += QStringLiteral(" · ") + tr("%1 selected").arg(QLocale().toString(selected));
    if (m_model->isLoading())
        text += QStringLiteral(" · ") + tr("loading…");
    else if (m_model->isCounting())
        text += QStringLiteral(" · ") + tr("counting…");
    else if (m_model->hasMore() && total < 0)
        text += QStringLiteral(" · ") + tr("more as you scroll");
    m_count->setText(text);
}

} // namespace Provisio::Crm
