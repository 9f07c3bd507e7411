// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "csv/csvreader.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

namespace Provisio::Crm {

// Which inventory field each column of a delivery file fills. Manufacturers
// name their columns as they like ("Serial No.", "Seriennummer", "Lot"), so
// the mapping is guessed from the header and the user corrects it; the file
// is then re-written with the middleware's own column names.
class ColumnMapping
{
    Q_DECLARE_TR_FUNCTIONS(Provisio::Crm::ColumnMapping)

public:
    enum Target { Ignore, Serial, Model, Manufacturer, Batch, DeliveryDate, CustomerId, Notes };

    // Every target but Ignore, in the order of the canonical header.
    static QList<Target> fields();
    // The middleware's column name ("deliveryDate"); empty for Ignore.
    static QString columnName(Target target);
    // What the user reads in the mapping combo box ("Delivery date").
    static QString label(Target target);

    // A target per file column; each target at most once (the first column
    // that looks like it wins), unknown columns Ignore.
    static ColumnMapping guess(const QStringList &header);
    static Target guessOne(const QString &headerName);

    ColumnMapping() = default;
    explicit ColumnMapping(const QList<Target> &targets) : m_targets(targets) { }

    QList<Target> targets() const { return m_targets; }
    int columnCount() const { return int(m_targets.size()); }
    Target target(int column) const { return m_targets.value(column, Ignore); }
    void setTarget(int column, Target target);
    int columnOf(Target target) const; // -1 when not mapped

    // Empty when the mapping can be imported; otherwise what to fix
    // ("no column is mapped to Serial", "Model is chosen for two columns").
    QString problem() const;

    // The header the middleware expects, for the mapped targets only.
    QStringList canonicalHeader() const;
    // A row's cells in canonicalHeader() order, trimmed.
    QStringList canonicalCells(const QStringList &fields) const;

private:
    QList<Target> m_targets;
};

} // namespace Provisio::Crm
