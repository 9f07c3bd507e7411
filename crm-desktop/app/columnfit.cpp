// SPDX-License-Identifier: Apache-2.0
#include "columnfit.h"

#include <QAbstractItemDelegate>
#include <QHeaderView>
#include <QStandardItemModel>
#include <QStyleOptionViewItem>
#include <QTableView>

namespace Provisio::Crm {

int fittingColumnWidth(const QTableView *view, int column, const QStringList &texts)
{
    // Asked of the delegate that paints the column, as the view asks it for
    // a row's size hint, with each text as the cell's data; a grid takes
    // one more pixel per section.
    QAbstractItemDelegate *delegate = view->itemDelegateForColumn(column);
    if (!delegate)
        delegate = view->itemDelegate();
    QStandardItemModel cells;
    for (const QString &text : texts)
        cells.appendRow(new QStandardItem(text));
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.font = view->font();
    option.fontMetrics = view->fontMetrics();
    option.textElideMode = view->textElideMode();
    const int grid = view->showGrid() ? 1 : 0;
    int width = view->horizontalHeader()->sectionSizeHint(column);
    for (int row = 0; row < cells.rowCount(); ++row)
        width = qMax(width, delegate->sizeHint(option, cells.index(row, 0)).width() + grid);
    return width;
}

void fitColumn(QTableView *view, int column, const QStringList &texts)
{
    view->setColumnWidth(column, fittingColumnWidth(view, column, texts));
}

} // namespace Provisio::Crm
