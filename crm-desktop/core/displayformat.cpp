// SPDX-License-Identifier: Apache-2.0
#include "displayformat.h"

#include <QCoreApplication>
#include <QHash>
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

QString apiWord(const QString &value)
{
    // One list for the statuses, the audit verbs and the record types; the
    // English for the camel-case ones is words, not identifiers.
    static const QHash<QString, const char *> words{
        // provisioning and registration statuses
        {QStringLiteral("enabled"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "enabled")},
        {QStringLiteral("disabled"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "disabled")},
        {QStringLiteral("assigned"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "assigned")},
        {QStringLiteral("assigning"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "assigning")},
        {QStringLiteral("unassigned"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "unassigned")},
        {QStringLiteral("failed"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "failed")},
        {QStringLiteral("ready"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "ready")},
        // audit verbs
        {QStringLiteral("create"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "created")},
        {QStringLiteral("update"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "changed")},
        {QStringLiteral("delete"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "deleted")},
        {QStringLiteral("sell"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "sold")},
        {QStringLiteral("return"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "returned to stock")},
        {QStringLiteral("activate"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "activated")},
        {QStringLiteral("issueActivationCode"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "activation code issued")},
        {QStringLiteral("rotateKey"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "key rotated")},
        {QStringLiteral("revoke"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "revoked")},
        {QStringLiteral("provisioned"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "provisioned")},
        {QStringLiteral("import"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "imported")},
        {QStringLiteral("enable"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "enabled")},
        {QStringLiteral("disable"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "disabled")},
        {QStringLiteral("regenerateKeys"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "keys regenerated")},
        {QStringLiteral("rotateHubKeys"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "hub keys rotated")},
        {QStringLiteral("queue"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "queued")},
        {QStringLiteral("send"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "sent")},
        {QStringLiteral("fail"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "failed")},
        // record types
        {QStringLiteral("device"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "device")},
        {QStringLiteral("customer"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "customer")},
        {QStringLiteral("enrollment"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "enrollment")},
        {QStringLiteral("enrollmentGroup"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "enrollment group")},
        {QStringLiteral("registration"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "registration")},
        {QStringLiteral("twin"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "twin")},
        {QStringLiteral("hub"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "hub")},
        {QStringLiteral("policy"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "access policy")},
        {QStringLiteral("accessPolicy"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "access policy")},
        {QStringLiteral("activationMail"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "activation e-mail")},
        {QStringLiteral("cloudMessage"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "message to the device")},
        {QStringLiteral("token"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "access token")},
        {QStringLiteral("webhook"), QT_TRANSLATE_NOOP("Provisio::Crm::ApiWord", "webhook")},
    };
    const auto word = words.constFind(value);
    return word == words.constEnd() ? value : QCoreApplication::translate("Provisio::Crm::ApiWord", *word);
}

QString formatDate(const QDate &day)
{
    if (!day.isValid())
        return QString();
    return QLocale().toString(day, QCoreApplication::translate("Provisio::Crm::DisplayFormat", "yyyy-MM-dd",
                                                               "QDate format of a calendar day"));
}

QString formatApiDate(const QString &iso)
{
    const QDate day = QDate::fromString(iso.left(10), Qt::ISODate);
    return day.isValid() ? formatDate(day) : iso;
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
