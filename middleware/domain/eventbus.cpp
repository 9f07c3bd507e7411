// SPDX-License-Identifier: Apache-2.0
#include "eventbus.h"

#include "crypto/keys.h"
#include "storage/recordutil.h"

namespace Provisio {

namespace {
// The categories a type filter may name ("device", "device.*"): the part
// of each kind's wire name before its dot, or the whole of a name without
// one ("telemetry"); from the one table of kinds, so a kind added there is
// accepted by the feed and webhooks at once.
const QStringList &categories()
{
    static const QStringList list = [] {
        QStringList c;
        for (EventKind kind : allEventKinds()) {
            const QString category = categoryOf(kind);
            c << (category.isEmpty() ? wireName(kind) : category);
        }
        c.removeDuplicates();
        return c;
    }();
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
        for (EventKind kind : allEventKinds())
            t << wireName(kind);
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
    // "telemetry.*": a category that is a single type.
    if (prefix == type)
        return true;
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
