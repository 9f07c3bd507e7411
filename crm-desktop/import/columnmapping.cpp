// SPDX-License-Identifier: Apache-2.0
#include "columnmapping.h"

#include <QHash>

namespace Provisio::Crm {

namespace {

// Lower case, letters and digits only: "Serial No." -> "serialno".
QString normalised(const QString &name)
{
    QString out;
    for (const QChar c : name.toLower()) {
        if (c.isLetterOrNumber())
            out += c;
    }
    return out;
}

} // namespace

QList<ColumnMapping::Target> ColumnMapping::fields()
{
    return {Serial, Model, Manufacturer, Batch, DeliveryDate, CustomerId, Notes};
}

QString ColumnMapping::columnName(Target target)
{
    switch (target) {
    case Serial:
        return QStringLiteral("serial");
    case Model:
        return QStringLiteral("model");
    case Manufacturer:
        return QStringLiteral("manufacturer");
    case Batch:
        return QStringLiteral("batch");
    case DeliveryDate:
        return QStringLiteral("deliveryDate");
    case CustomerId:
        return QStringLiteral("customerId");
    case Notes:
        return QStringLiteral("notes");
    case Ignore:
        break;
    }
    return {};
}

QString ColumnMapping::label(Target target)
{
    switch (target) {
    case Serial:
        return tr("Serial");
    case Model:
        return tr("Model");
    case Manufacturer:
        return tr("Manufacturer");
    case Batch:
        return tr("Batch");
    case DeliveryDate:
        return tr("Delivery date");
    case CustomerId:
        return tr("Customer ID");
    case Notes:
        return tr("Notes");
    case Ignore:
        break;
    }
    return tr("(ignore)");
}

ColumnMapping::Target ColumnMapping::guessOne(const QString &headerName)
{
    // Names seen in manufacturers' delivery notes, English and German.
    static const QHash<QString, Target> known = {
        {QStringLiteral("serial"), Serial},
        {QStringLiteral("serialno"), Serial},
        {QStringLiteral("serialnumber"), Serial},
        {QStringLiteral("sn"), Serial},
        {QStringLiteral("serialnr"), Serial},
        {QStringLiteral("seriennummer"), Serial},
        {QStringLiteral("seriennr"), Serial},
        {QStringLiteral("deviceserial"), Serial},
        {QStringLiteral("model"), Model},
        {QStringLiteral("modelname"), Model},
        {QStringLiteral("product"), Model},
        {QStringLiteral("productname"), Model},
        {QStringLiteral("modell"), Model},
        {QStringLiteral("type"), Model},
        {QStringLiteral("manufacturer"), Manufacturer},
        {QStringLiteral("vendor"), Manufacturer},
        {QStringLiteral("maker"), Manufacturer},
        {QStringLiteral("brand"), Manufacturer},
        {QStringLiteral("hersteller"), Manufacturer},
        {QStringLiteral("batch"), Batch},
        {QStringLiteral("batchno"), Batch},
        {QStringLiteral("batchnumber"), Batch},
        {QStringLiteral("lot"), Batch},
        {QStringLiteral("lotno"), Batch},
        {QStringLiteral("lotnumber"), Batch},
        {QStringLiteral("charge"), Batch},
        {QStringLiteral("deliverydate"), DeliveryDate},
        {QStringLiteral("delivered"), DeliveryDate},
        {QStringLiteral("delivery"), DeliveryDate},
        {QStringLiteral("shipdate"), DeliveryDate},
        {QStringLiteral("shipped"), DeliveryDate},
        {QStringLiteral("date"), DeliveryDate},
        {QStringLiteral("lieferdatum"), DeliveryDate},
        {QStringLiteral("customerid"), CustomerId},
        {QStringLiteral("customer"), CustomerId},
        {QStringLiteral("kunde"), CustomerId},
        {QStringLiteral("kundennummer"), CustomerId},
        {QStringLiteral("notes"), Notes},
        {QStringLiteral("note"), Notes},
        {QStringLiteral("comment"), Notes},
        {QStringLiteral("comments"), Notes},
        {QStringLiteral("remarks"), Notes},
        {QStringLiteral("bemerkung"), Notes},
    };
    return known.value(normalised(headerName), Ignore);
}

ColumnMapping ColumnMapping::guess(const QStringList &header)
{
    QList<Target> targets;
    for (const QString &name : header) {
        Target t = guessOne(name);
        if (t != Ignore && targets.contains(t))
            t = Ignore;
        targets << t;
    }
    return ColumnMapping(targets);
}

void ColumnMapping::setTarget(int column, Target target)
{
    if (column >= 0 && column < m_targets.size())
        m_targets[column] = target;
}

int ColumnMapping::columnOf(Target target) const
{
    return int(m_targets.indexOf(target));
}

QString ColumnMapping::problem() const
{
    if (!m_targets.contains(Serial))
        return tr("Choose the column that holds the serial numbers.");
    for (const Target t : fields()) {
        if (m_targets.count(t) > 1)
            return tr("%1 is chosen for %2 columns; choose it for one only.").arg(label(t)).arg(m_targets.count(t));
    }
    return {};
}

QStringList ColumnMapping::canonicalHeader() const
{
    QStringList header;
    for (const Target t : fields()) {
        if (m_targets.contains(t))
            header << columnName(t);
    }
    return header;
}

QStringList ColumnMapping::canonicalCells(const QStringList &cells) const
{
    QStringList out;
    for (const Target t : fields()) {
        const int column = columnOf(t);
        if (column >= 0)
            out << (column < cells.size() ? cells.at(column).trimmed() : QString());
    }
    return out;
}

} // namespace Provisio::Crm
