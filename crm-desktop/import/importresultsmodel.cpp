// SPDX-License-Identifier: Apache-2.0
#include "importresultsmodel.h"

#include <QBrush>
#include <QColor>

namespace Provisio::Crm {

ImportResultsModel::ImportResultsModel(QObject *parent) : QAbstractTableModel(parent) { }

void ImportResultsModel::setResults(const QList<ImportRowResult> &results)
{
    beginResetModel();
    m_all = results;
    refilter();
    endResetModel();
}

void ImportResultsModel::setProblemsOnly(bool problemsOnly)
{
    if (m_problemsOnly == problemsOnly)
        return;
    beginResetModel();
    m_problemsOnly = problemsOnly;
    refilter();
    endResetModel();
}

void ImportResultsModel::refilter()
{
    m_shown.clear();
    for (const ImportRowResult &r : std::as_const(m_all)) {
        const bool problem = r.result != QLatin1String("created") && r.result != QLatin1String("updated");
        if (!m_problemsOnly || problem)
            m_shown << r;
    }
}

int ImportResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_shown.size());
}

int ImportResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImportResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ImportRowResult &r = m_shown.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case RowColumn:
            return role == Qt::DisplayRole ? QVariant(r.row) : QVariant(tr("row %1 of the file").arg(r.row));
        case SerialColumn:
            return r.serial;
        case ResultColumn:
            return r.result == QLatin1String("notSent") ? tr("not sent") : r.result;
        case MessageColumn:
            return r.message;
        }
    }
    if (role == Qt::ForegroundRole && index.column() == ResultColumn && r.isError())
        return QBrush(QColor(0xb0, 0x20, 0x20));
    if (role == Qt::TextAlignmentRole && index.column() == RowColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ImportResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case RowColumn:
        return tr("Row");
    case SerialColumn:
        return tr("Serial");
    case ResultColumn:
        return tr("Result");
    case MessageColumn:
        return tr("Message");
    }
    return {};
}

} // namespace Provisio::Crm
