// SPDX-License-Identifier: Apache-2.0
#include "visibility.h"

#include <QJsonArray>
#include <QSet>
#include <QUrl>

namespace Provisio::Visibility {

namespace {
const QString kHidden = QStringLiteral("***");

// Only what looks like an absolute URL ("scheme://…") is rewritten; free text
// that merely contains '?' stays as it is.
bool looksLikeUrl(const QString &text)
{
    const qsizetype sep = text.indexOf(QLatin1String("://"));
    if (sep <= 0 || sep > 16)
        return false;
    for (qsizetype i = 0; i < sep; ++i) {
        const QChar c = text.at(i);
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'+' && c != u'-' && c != u'.')
            return false;
    }
    return true;
}

QJsonValue redactUrls(const QJsonValue &value);

QJsonObject redactUrlsIn(const QJsonObject &object)
{
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it)
        out.insert(it.key(), redactUrls(it.value()));
    return out;
}

QJsonValue redactUrls(const QJsonValue &value)
{
    if (value.isString())
        return looksLikeUrl(value.toString()) ? QJsonValue(redactUrl(value.toString())) : value;
    if (value.isObject())
        return redactUrlsIn(value.toObject());
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(redactUrls(v));
        return out;
    }
    return value;
}
} // namespace

Role dataRoleFor(const QString &entityType)
{
    // The records whose read routes are admin-only: webhooks (URL, secret,
    // deliveries), CRM tokens (names and roles of everyone's access), access
    // policies.
    static const QSet<QString> adminOnly = {QStringLiteral("webhook"), QStringLiteral("token"),
                                            QStringLiteral("policy")};
    return adminOnly.contains(entityType) ? Role::Admin : Role::Viewer;
}

QString redactUrl(const QString &url)
{
    QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid())
        return kHidden; // unparsable: nothing of it can be shown safely
    if (!parsed.hasQuery() && !parsed.hasFragment() && parsed.password().isEmpty())
        return url;
    if (parsed.hasQuery())
        parsed.setQuery(kHidden);
    if (parsed.hasFragment())
        parsed.setFragment(kHidden);
    if (!parsed.password().isEmpty())
        parsed.setPassword(kHidden);
    return parsed.toString();
}

QJsonObject record(Role role, const QString &entityType, const QJsonObject &record)
{
    if (record.isEmpty() || role < dataRoleFor(entityType))
        return {};
    const QJsonObject withoutKeys = AuditLog::redactSecrets(record);
    return role >= Role::Admin ? withoutKeys : redactUrlsIn(withoutKeys);
}

AuditLog::Entry auditEntry(Role role, const AuditLog::Entry &entry)
{
    AuditLog::Entry out = entry;
    out.before = record(role, entry.entityType, entry.before);
    out.after = record(role, entry.entityType, entry.after);
    return out;
}

DomainEvent event(Role role, const DomainEvent &event)
{
    DomainEvent out = event;
    out.data = record(role, categoryOf(event.kind), event.record());
    out.dataText.clear();
    return out;
}

} // namespace Provisio::Visibility
