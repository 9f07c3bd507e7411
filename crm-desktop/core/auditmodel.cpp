// SPDX-License-Identifier: Apache-2.0
#include "auditmodel.h"

#include "displayformat.h"

namespace Provisio::Crm {

AuditModel::AuditModel(ApiClient *api, QObject *parent)
    : PagedTableModel(api, QStringLiteral("audit"), QStringLiteral("id"), parent)
{
    setPageSize(200);
}

void AuditModel::setFilter(const Filter &filter)
{
    m_filter = filter;
    QUrlQuery query;
    const auto add = [&query](const QString &name, const QString &value) {
        if (!value.trimmed().isEmpty())
            query.addQueryItem(name, value.trimmed());
    };
    add(QStringLiteral("actor"), filter.actor);
    add(QStringLiteral("action"), filter.action);
    add(QStringLiteral("entityType"), filter.entityType);
    add(QStringLiteral("entityId"), filter.entityId);
    if (filter.since.isValid())
        query.addQueryItem(QStringLiteral("since"), filter.since.toUTC().toString(Qt::ISODateWithMs));
    if (filter.until.isValid())
        query.addQueryItem(QStringLiteral("until"), filter.until.toUTC().toString(Qt::ISODateWithMs));
    setQuery(query);
}

bool AuditModel::matchesFilter(const QJsonObject &record) const
{
    const auto same = [&record](const char *key, const QString &wanted) {
        return wanted.trimmed().isEmpty() || text(record, key) == wanted.trimmed();
    };
    if (!same("actor", m_filter.actor) || !same("action", m_filter.action) ||
        !same("entityType", m_filter.entityType) || !same("entityId", m_filter.entityId))
        return false;
    const QDateTime at = QDateTime::fromString(text(record, "at"), Qt::ISODateWithMs);
    return (!m_filter.since.isValid() || at >= m_filter.since) && (!m_filter.until.isValid() || at < m_filter.until);
}

QStringList AuditModel::knownActions()
{
    return {QStringLiteral("create"),
            QStringLiteral("update"),
            QStringLiteral("delete"),
            QStringLiteral("sell"),
            QStringLiteral("return"),
            QStringLiteral("activate"),
            QStringLiteral("issueActivationCode"),
            QStringLiteral("rotateKey"),
            QStringLiteral("revoke"),
            QStringLiteral("provisioned"),
            QStringLiteral("import"),
            QStringLiteral("enable"),
            QStringLiteral("disable"),
            QStringLiteral("regenerateKeys"),
            QStringLiteral("rotateHubKeys"),
            QStringLiteral("queue"),
            QStringLiteral("send"),
            QStringLiteral("fail")};
}

QStringList AuditModel::knownEntityTypes()
{
    return {QStringLiteral("device"),       QStringLiteral("customer"),
            QStringLiteral("enrollment"),   QStringLiteral("enrollmentGroup"),
            QStringLiteral("registration"), QStringLiteral("twin"),
            QStringLiteral("hub"),          QStringLiteral("policy"),
            QStringLiteral("token"),        QStringLiteral("webhook"),
            QStringLiteral("accessPolicy"), QStringLiteral("activationMail"),
            QStringLiteral("cloudMessage")};
}

QString AuditModel::columnTitle(int column) const
{
    switch (column) {
    case AtColumn:
        return tr("When");
    case ActorColumn:
        return tr("Who");
    case ActionColumn:
        return tr("Action");
    case EntityTypeColumn:
        return tr("Type");
    case EntityIdColumn:
        return tr("Record");
    }
    return {};
}

QString AuditModel::customerName(const QString &customerId) const
{
    const QString name = m_customerName && !customerId.isEmpty() ? m_customerName(customerId) : QString();
    return name.isEmpty() ? customerId : name;
}

QVariant AuditModel::display(const QJsonObject &record, int column) const
{
    switch (column) {
    case AtColumn:
        return localTime(text(record, "at"));
    case ActorColumn:
        return text(record, "actor");
    case ActionColumn:
        return apiWord(text(record, "action"));
    case EntityTypeColumn:
        return apiWord(text(record, "entityType"));
    case EntityIdColumn:
        return text(record, "entityType") == QLatin1String("customer") ? customerName(text(record, "entityId"))
                                                                       : text(record, "entityId");
    }
    return {};
}

QVariant AuditModel::toolTip(const QJsonObject &record, int column) const
{
    if (column == AtColumn)
        return text(record, "at");
    if (column == EntityIdColumn)
        return text(record, "entityId");
    return PagedTableModel::toolTip(record, column);
}

} // namespace Provisio::Crm
