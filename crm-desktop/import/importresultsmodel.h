// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "importjob.h"

#include <QAbstractTableModel>
#include <QList>

namespace Provisio::Crm {

// The per-row outcome of a validation or an import, for the wizard's tables:
// by default only the rows that need the user's attention.
class ImportResultsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { RowColumn, SerialColumn, ResultColumn, MessageColumn, ColumnCount };

    explicit ImportResultsModel(QObject *parent = nullptr);

    void setResults(const QList<ImportRowResult> &results);
    void setProblemsOnly(bool problemsOnly);
    bool problemsOnly() const { return m_problemsOnly; }
    ImportRowResult result(int row) const { return m_shown.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refilter();

    QList<ImportRowResult> m_all;
    QList<ImportRowResult> m_shown;
    bool m_problemsOnly = true;
};

} // namespace Provisio::Crm
