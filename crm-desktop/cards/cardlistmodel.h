// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "activationcard.h"

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

namespace Provisio::Crm {

// The devices of the activation cards dialog and how far each card got
// (waiting, ready, or why not). The code itself is not a column: it shows
// only on the card preview, not in a table someone might screenshot.
class CardListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { SerialColumn, ModelColumn, CustomerColumn, StatusColumn, ColumnCount };
    enum State { Waiting, Ready, Failed };
    enum Roles { StateRole = Qt::UserRole + 1, SerialRole };

    explicit CardListModel(QObject *parent = nullptr);

    void setSerials(const QStringList &serials);
    // Back to "waiting" for a new run, keeping the rows.
    void resetStates();
    void setCard(int row, const ActivationCard &card);
    void setFailed(int row, const QString &message);

    QStringList serials() const;
    State state(int row) const { return m_rows.at(row).state; }
    ActivationCard card(int row) const { return m_rows.at(row).card; }
    QString error(int row) const { return m_rows.at(row).error; }
    QList<ActivationCard> readyCards() const; // in row order
    int readyCount() const;
    int failedCount() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        ActivationCard card;
        State state = Waiting;
        QString error;
    };
    QList<Row> m_rows;
};

} // namespace Provisio::Crm
