// SPDX-License-Identifier: Apache-2.0
#include "cardlistmodel.h"

#include <QBrush>
#include <QColor>

namespace Provisio::Crm {

CardListModel::CardListModel(QObject *parent) : QAbstractTableModel(parent) { }

void CardListModel::setSerials(const QStringList &serials)
{
    beginResetModel();
    m_rows.clear();
    for (const QString &serial : serials) {
        Row row;
        row.card.serial = serial;
        m_rows << row;
    }
    endResetModel();
}

void CardListModel::resetStates()
{
    for (Row &row : m_rows) {
        const QString serial = row.card.serial;
        row = Row();
        row.card.serial = serial;
    }
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void CardListModel::setCard(int row, const ActivationCard &card)
{
    if (row < 0 || row >= m_rows.size())
        return;
    m_rows[row].card = card;
    m_rows[row].state = Ready;
    m_rows[row].error.clear();
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void CardListModel::setFailed(int row, const QString &message)
{
    if (row < 0 || row >= m_rows.size())
        return;
    m_rows[row].state = Failed;
    m_rows[row].error = message;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QStringList CardListModel::serials() const
{
    QStringList list;
    for (const Row &row : m_rows)
        list << row.card.serial;
    return list;
}

QList<ActivationCard> CardListModel::readyCards() const
{
    QList<ActivationCard> cards;
    for (const Row &row : m_rows) {
        if (row.state == Ready)
            cards << row.card;
    }
    return cards;
}

int CardListModel::readyCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &r) { return r.state == Ready; }));
}

int CardListModel::failedCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &r) { return r.state == Failed; }));
}

int CardListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CardListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CardListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case SerialColumn:
            return row.card.serial;
        case ModelColumn:
            return row.card.model;
        case CustomerColumn:
            return row.card.customerName;
        case StatusColumn:
            if (row.state == Ready)
                return row.card.expiresUtc.isValid()
                           ? tr("code issued, valid until %1")
                                 .arg(row.card.expiresUtc.toUTC().date().toString(Qt::ISODate))
                           : tr("code issued");
            if (row.state == Failed)
                return row.error;
            return tr("waiting");
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn && row.state == Failed)
            return QBrush(QColor(0xb0, 0x20, 0x20));
        return {};
    case StateRole:
        return int(row.state);
    case SerialRole:
        return row.card.serial;
    }
    return {};
}

QVariant CardListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SerialColumn:
        return tr("Serial");
    case ModelColumn:
        return tr("Model");
    case CustomerColumn:
        return tr("Customer");
    case StatusColumn:
        return tr("Activation card");
    }
    return {};
}

} // namespace Provisio::Crm
