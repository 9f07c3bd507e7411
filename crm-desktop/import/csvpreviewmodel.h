// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "columnmapping.h"
#include "csv/csvreader.h"

#include <QAbstractTableModel>

namespace Provisio::Crm {

// The first rows of a delivery file as a table, each column headed by the
// file's name for it and the inventory field it is mapped to, so the user
// sees at once whether "Lot" really holds batches.
class CsvPreviewModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    explicit CsvPreviewModel(QObject *parent = nullptr);

    void setTable(const CsvReader::Table &table, int maxRows = 200);
    void setMapping(const ColumnMapping &mapping);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_header;
    QList<CsvReader::Row> m_rows;
    ColumnMapping m_mapping;
};

} // namespace Provisio::Crm
