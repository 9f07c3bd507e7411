// SPDX-License-Identifier: Apache-2.0
#include "displayformat.h"

#include <QCoreApplication>
#include <QLocale>

namespace Provisio::Crm {

QString formatDateTime(const QDateTime &at, bool milliseconds)
{
    if (!at.isValid())
        return QString();
    // The pattern is the language's (German: "06.12.2026 12:49:30 CET"),
    // so every view of the window shows the same one.
    return QLocale().toString(
        at.toLocalTime(), milliseconds
                              ? QCoreApplication::translate("Provisio::Crm::DisplayFormat", "yyyy-MM-dd HH:mm:ss.zzz t",
                                                            "QDateTime format with milliseconds and zone")
                              : QCoreApplication::translate("Provisio::Crm::DisplayFormat", "yyyy-MM-dd HH:mm:ss t",
                                                            "QDateTime format with zone"));
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
