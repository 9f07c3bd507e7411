// SPDX-License-Identifier: Apache-2.0
#include "hublinkutil.h"

#include "base/metrics.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Provisio::HubLinkUtil {

std::optional<QJsonValue> parseJsonValue(const QByteArray &text)
{
    if (text.trimmed().isEmpty())
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + text + ']', &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().at(0);
}

QByteArray jsonText(const QJsonValue &value)
{
    QByteArray out = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return out.mid(1, out.size() - 2);
}

void countRejected(Metrics &metrics, const char *kind, const char *reason)
{
    metrics.increment(QStringLiteral("provisio_hub_messages_rejected_total"),
                      QStringLiteral("kind=\"%1\",reason=\"%2\"").arg(QLatin1String(kind), QLatin1String(reason)));
}

void countReceived(Metrics &metrics, const char *kind)
{
    metrics.increment(QStringLiteral("provisio_hub_messages_total"),
                      QStringLiteral("kind=\"%1\"").arg(QLatin1String(kind)));
}

} // namespace Provisio::HubLinkUtil
