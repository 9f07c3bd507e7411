// SPDX-License-Identifier: Apache-2.0
#include "csvpreviewmodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace Provisio::Crm {

CsvPreviewModel::CsvPreviewModel(QObject *parent) : QAbstractTableModel(parent) { }

void CsvPreviewModel::setTable(const CsvReader::Table &table, int maxRows)
{
    beginResetModel();
    m_header = table.header;
    m_rows = table.rows.mid(0, maxRows);
    m_mapping = ColumnMapping::guess(m_header);
    endResetModel();
}

void CsvPreviewModel::setMapping(const ColumnMapping &mapping)
{
    m_mapping = mapping;
    if (!m_header.isEmpty()) {
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, int(m_header.size()) - 1);
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {Qt::ForegroundRole});
    }
}

int CsvPreviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CsvPreviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_header.size());
}

QVariant CsvPreviewModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CsvReader::Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return row.fields.value(index.column());
    case Qt::ForegroundRole:
        // Ignored columns fade, so what will be imported stands out.
        if (m_mapping.target(index.column()) == ColumnMapping::Ignore)
            return QBrush(QColor(0x90, 0x90, 0x90));
        return {};
    }
    return {};
}

QVariant CsvPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        if (role == Qt::DisplayRole && section >= 0 && section < m_rows.size())
            return m_rows.at(section).number;
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    if (section < 0 || section >= m_header.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return QString(m_header.at(section) + QStringLiteral("\n\u2192 ") +
                       ColumnMapping::label(m_mapping.target(section)));
    if (role == Qt::ToolTipRole)
        return tr("File column '%1' is imported as %2")
            .arg(m_header.at(section), ColumnMapping::label(m_mapping.target(section)));
    return QAbstractTableModel::headerData(section, orientation, role);
}

} // namespace Provisio::Crm
