// SPDX-License-Identifier: Apache-2.0
#include "eventbus.h"

#include "crypto/keys.h"
#include "storage/recordutil.h"

namespace Provisio {

namespace {
const QStringList &categories()
{
    static const QStringList list = {
        QStringLiteral("enrollment"),   QStringLiteral("enrollmentGroup"),
        QStringLiteral("device"),       QStringLiteral("customer"),
        QStringLiteral("hub"),          QStringLiteral("policy"),
        QStringLiteral("registration"), QStringLiteral("activation"),
        QStringLiteral("twin"),         QStringLiteral("telemetry"),
        QStringLiteral("webhook"),      QStringLiteral("token"),
        QStringLiteral("batchJob"),
    };
    return list;
}
} // namespace

EventBus::EventBus(QObject *parent) : QObject(parent) { }

void EventBus::publish(DomainEvent event)
{
    if (event.id.isEmpty())
        event.id = QStringLiteral("evt_") + Crypto::randomIdentifier(12);
    if (event.at.isEmpty())
        event.at = nowIso();
    Q_EMIT eventPublished(event);
}

const QStringList &EventBus::knownTypes()
{
    static const QStringList types = [] {
        QStringList t;
        const QStringList crud = {QStringLiteral("created"), QStringLiteral("updated"), QStringLiteral("deleted")};
        for (const char *category :
             {"enrollment", "enrollmentGroup", "customer", "hub", "webhook", "token", "policy"}) {
            for (const QString &what : crud)
                t << QLatin1String(category) + QLatin1Char('.') + what;
        }
        for (const char *what : {"enabled", "disabled", "keysRegenerated", "twinUpdated"}) {
            t << QStringLiteral("enrollment.") + QLatin1String(what)
              << QStringLiteral("enrollmentGroup.") + QLatin1String(what);
        }
        t << QStringLiteral("hub.keyRotated") << QStringLiteral("token.revoked");
        for (const char *what :
             {"created", "updated", "deleted", "sold", "returned", "imported", "statusReported", "online", "offline"})
            t << QStringLiteral("device.") + QLatin1String(what);
        for (const char *what : {"assigned", "failed", "disabled", "deleted", "reprovisioned"})
            t << QStringLiteral("registration.") + QLatin1String(what);
        t << QStringLiteral("activation.issued") << QStringLiteral("activation.exchanged")
          << QStringLiteral("activationMail.queued") << QStringLiteral("activationMail.sent")
          << QStringLiteral("activationMail.failed") << QStringLiteral("batchJob.started")
          << QStringLiteral("batchJob.progress") << QStringLiteral("batchJob.finished")
          << QStringLiteral("twin.reported") << QStringLiteral("twin.updated") << QStringLiteral("telemetry");
        return t;
    }();
    return types;
}

bool EventBus::typeMatches(const QString &pattern, const QString &type)
{
    if (pattern.isEmpty())
        return false;
    if (pattern == QLatin1String("*") || pattern == type)
        return true;
    QString prefix = pattern;
    if (prefix.endsWith(QLatin1String(".*")))
        prefix.chop(2);
    return type.size() > prefix.size() && type.startsWith(prefix) && type.at(prefix.size()) == QLatin1Char('.');
}

bool EventBus::isKnownPattern(const QString &pattern)
{
    if (pattern == QLatin1String("*"))
        return true;
    QString category = pattern;
    if (category.endsWith(QLatin1String(".*")))
        category.chop(2);
    return categories().contains(category) || knownTypes().contains(pattern);
}

} // namespace Provisio
