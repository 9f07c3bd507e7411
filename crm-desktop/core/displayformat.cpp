// SPDX-License-Identifier: Apache-2.0
#include "displayformat.h"

namespace Provisio::Crm {

QString formatDateTime(const QDateTime &at, bool milliseconds)
{
    if (!at.isValid())
        return QString();
    return at.toLocalTime().toString(milliseconds ? QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz t")
                                                  : QStringLiteral("yyyy-MM-dd HH:mm:ss t"));
}

QString formatApiDateTime(const QString &iso)
{
    if (iso.isEmpty())
        return QString();
    QDateTime at = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!at.isValid())
        at = QDateTime::fromString(iso, Qt::ISODate);
    return at.isValid() ? formatDateTime(at) : iso;
}

QString displayZone()
{
    return QDateTime::currentDateTime().toString(QStringLiteral("t"));
}

} // namespace Provisio::Crm
