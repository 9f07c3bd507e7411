// SPDX-License-Identifier: Apache-2.0
#include "auditmodel.h"

#include <QLocale>

namespace Provisio::Crm {

namespace {

QString text(const QJsonObject &record, const char *key)
{
    return record.value(QLatin1String(key)).toString();
}

// Timestamps as the user's locale writes them; the raw ISO form is in the tooltip.
QString localTime(const QString &iso)
{
    const QDateTime at = QDateTime::fromString(iso, Qt::ISODateWithMs);
    return at.isValid() ? QLocale().toString(at.toLocalTime(), QLocale::ShortFormat) : iso;
}

} // namespace

AuditModel::AuditModel(ApiClient *api, QObject *parent)
    : PagedTableModel(api, QStringLiteral("audit"), QStringLiteral("id"), parent)
{
    setPageSize(200);
}

void AuditModel::setFilter(const Filter &filter)
{
    m_filter = filter;
    QUrlQuery query;
    if (!filter.actor.trimmed().isEmpty())
        query.addQueryItem(QStringLiteral("actor"), filter.actor.trimmed());
    if (!filter.entityType.trimmed().isEmpty())
        query.addQueryItem(QStringLiteral("entityType"), filter.entityType.trimmed());
    if (!filter.entityId.trimmed().isEmpty())
        query.addQueryItem(QStringLiteral("entityId"), filter.entityId.trimmed());
    if (filter.since.isValid())
        query.addQueryItem(QStringLiteral("since"), filter.since.toUTC().toString(Qt::ISODateWithMs));
    // The action is not a query parameter; a change of only the action must
    // still reload, so it is folded in by refreshing explicitly.
    if (query.query() == this->query().query())
        refresh();
    else
        setQuery(query);
}

bool AuditModel::acceptRecord(const QJsonObject &record) const
{
    return m_filter.action.trimmed().isEmpty() || text(record, "action") == m_filter.action.trimmed();
}

QString AuditModel::columnTitle(int column) const
{
    switch (column) {
    case AtColumn: return tr("When");
    case ActorColumn: return tr("Who");
    case ActionColumn: return tr("Action");
    case EntityTypeColumn: return tr("Type");
    case EntityIdColumn: return tr("Record");
    }
    return {};
}

QVariant AuditModel::display(const QJsonObject &record, int column) const
{
    switch (column) {
    case AtColumn: return localTime(text(record, "at"));
    case ActorColumn: return text(record, "actor");
    case ActionColumn: return text(record, "action");
    case EntityTypeColumn: return text(record, "entityType");
    case EntityIdColumn: return text(record, "entityId");
    }
    return {};
}

QVariant AuditModel::toolTip(const QJsonObject &record, int column) const
{
    if (column == AtColumn)
        return text(record, "at");
    return PagedTableModel::toolTip(record, column);
}

} // namespace Provisio::Crm
