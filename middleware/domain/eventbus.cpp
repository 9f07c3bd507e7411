// SPDX-License-Identifier: Apache-2.0
#include "eventbus.h"

#include "crypto/keys.h"
#include "storage/auditlog.h"
#include "storage/recordutil.h"

#include <QHash>
#include <QPointer>
#include <QSet>

namespace Provisio {

namespace {
// Entity types the stores audit under more than one name map to one category.
QString categoryFor(const QString &entityType)
{
    static const QHash<QString, QString> aliases = {
        {QStringLiteral("inventory"), QStringLiteral("device")},
        {QStringLiteral("individualEnrollment"), QStringLiteral("enrollment")},
        {QStringLiteral("enrollment_group"), QStringLiteral("enrollmentGroup")},
        {QStringLiteral("group"), QStringLiteral("enrollmentGroup")},
        {QStringLiteral("registrationState"), QStringLiteral("registration")},
        {QStringLiteral("activationCode"), QStringLiteral("activation")},
        {QStringLiteral("allocationPolicy"), QStringLiteral("policy")},
    };
    return aliases.value(entityType, entityType);
}

// Audit actions are verbs ("create", "sell"); events say what happened.
QString pastTense(const QString &action)
{
    static const QHash<QString, QString> irregular = {
        {QStringLiteral("sell"), QStringLiteral("sold")},
        {QStringLiteral("fail"), QStringLiteral("failed")},
        {QStringLiteral("assign"), QStringLiteral("assigned")},
        {QStringLiteral("report"), QStringLiteral("reported")},
        {QStringLiteral("reportStatus"), QStringLiteral("statusReported")},
        {QStringLiteral("return"), QStringLiteral("returned")},
        {QStringLiteral("reprovision"), QStringLiteral("reprovisioned")},
        {QStringLiteral("import"), QStringLiteral("imported")},
        {QStringLiteral("revoke"), QStringLiteral("revoked")},
        {QStringLiteral("exchange"), QStringLiteral("exchanged")},
        {QStringLiteral("issue"), QStringLiteral("issued")},
        {QStringLiteral("regenerateKeys"), QStringLiteral("keysRegenerated")},
        {QStringLiteral("rotateKey"), QStringLiteral("keyRotated")},
        {QStringLiteral("updateTwin"), QStringLiteral("twinUpdated")},
    };
    if (const auto it = irregular.constFind(action); it != irregular.constEnd())
        return *it;
    if (action.endsWith(QLatin1String("ed")))
        return action; // already past tense ("assigned", "failed")
    if (action.endsWith(QLatin1Char('e')))
        return action + QLatin1Char('d'); // create, update, delete, disable, enable
    return action;
}

QString stringMember(const QJsonObject &o, const QString &key)
{
    const QJsonValue v = o.value(key);
    return v.isString() ? v.toString() : QString();
}

const QStringList &categories()
{
    static const QStringList list = {
        QStringLiteral("enrollment"),   QStringLiteral("enrollmentGroup"),
        QStringLiteral("device"),       QStringLiteral("customer"),
        QStringLiteral("hub"),          QStringLiteral("policy"),
        QStringLiteral("registration"), QStringLiteral("activation"),
        QStringLiteral("twin"),         QStringLiteral("telemetry"),
        QStringLiteral("webhook"),      QStringLiteral("token"),
    };
    return list;
}
} // namespace

EventBus::EventBus(QObject *parent) : QObject(parent) { }

void EventBus::publish(DomainEvent event)
{
    if (event.id.isEmpty())
        event.id = QStringLiteral("evt_") + Crypto::randomToken(12);
    if (event.at.isEmpty())
        event.at = nowIso();
    Q_EMIT eventPublished(event);
}

void EventBus::followAuditLog(AuditLog &audit)
{
    QPointer<EventBus> self(this);
    audit.setCommittedListener([self](const AuditLog::Entry &entry) {
        if (!self)
            return;
        if (auto event = fromAuditEntry(entry.action, entry.entityType, entry.entityId, entry.before, entry.after))
            self->publish(*event);
    });
}

std::optional<DomainEvent> EventBus::fromAuditEntry(const QString &action, const QString &entityType,
                                                    const QString &entityId, const QJsonObject &before,
                                                    const QJsonObject &after)
{
    const QString category = categoryFor(entityType);
    QString type;
    // Activation codes live on their enrollment but are their own story.
    if (action == QLatin1String("activate") || action == QLatin1String("exchangeActivationCode"))
        type = QStringLiteral("activation.exchanged");
    else if (action == QLatin1String("issueActivationCode"))
        type = QStringLiteral("activation.issued");
    else
        type = category + QLatin1Char('.') + pastTense(action);
    const auto kind = eventKindFromWireName(type);
    if (!kind)
        return std::nullopt;
    DomainEvent e;
    e.kind = *kind;
    e.entityId = entityId;
    e.data = after.isEmpty() ? before : after;

    e.deviceId = stringMember(e.data, QStringLiteral("deviceId"));
    e.registrationId = stringMember(e.data, QStringLiteral("registrationId"));
    const QJsonObject state = e.data.value(QStringLiteral("registrationState")).toObject();
    if (e.deviceId.isEmpty())
        e.deviceId = stringMember(state, QStringLiteral("deviceId"));
    e.hub = stringMember(state, QStringLiteral("assignedHub"));
    if (category == QLatin1String("device") && e.deviceId.isEmpty())
        e.deviceId = entityId;
    if ((category == QLatin1String("enrollment") || category == QLatin1String("registration")) &&
        e.registrationId.isEmpty())
        e.registrationId = entityId;
    return e;
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
