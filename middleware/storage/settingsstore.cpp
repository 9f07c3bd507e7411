// SPDX-License-Identifier: Apache-2.0
#include "settingsstore.h"
#include "database.h"

#include "crypto/keys.h"

namespace Provisio {

QString SettingsStore::value(const QString &key, const QString &defaultValue)
{
    auto cached = m_cache.constFind(key);
    if (cached != m_cache.constEnd())
        return cached.value();
    const auto rows = m_db.selectRows(QStringLiteral("SELECT value FROM settings WHERE key = ?"), {key}, 1);
    if (!rows)
        return defaultValue;
    QString v = defaultValue;
    if (!rows->isEmpty()) {
        v = rows->first().value(0).toString();
        // Only immutable settings are cached: another instance sharing the
        // database may change the others at any time.
        if (key == QLatin1String("idScope"))
            m_cache.insert(key, v);
    }
    return v;
}

Result<void> SettingsStore::setValue(const QString &key, const QString &value)
{
    // A null QString binds as SQL NULL, which the NOT NULL column refuses;
    // "no value" is stored as the empty string (what value() reads back).
    auto r = m_db.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) "
                                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                       {key, value.isNull() ? QStringLiteral("") : value});
    if (!r)
        return r.error();
    r->finish();
    m_cache.remove(key);
    return {};
}

Result<QString> SettingsStore::ensureValue(const QString &key, const QString &valueIfAbsent)
{
    auto r = m_db.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) "
                                      "ON CONFLICT (key) DO NOTHING"),
                       {key, valueIfAbsent});
    if (!r)
        return r.error();
    r->finish();
    m_cache.remove(key);
    auto q = m_db.exec(QStringLiteral("SELECT value FROM settings WHERE key = ?"), {key});
    if (!q)
        return q.error();
    QString v = valueIfAbsent;
    if (q->next())
        v = q->value(0).toString();
    q->finish();
    return v;
}

Result<bool> SettingsStore::compareAndSet(const QString &key, const QString &expected, const QString &newValue)
{
    auto r = m_db.execAffected(QStringLiteral("UPDATE settings SET value = ? WHERE key = ? AND value = ?"),
                               {newValue, key, expected});
    if (!r)
        return r.error();
    m_cache.remove(key);
    return *r == 1;
}

Result<QString> SettingsStore::ensureIdScope()
{
    const QString existing = idScope();
    if (!existing.isEmpty())
        return existing;
    const QString scope = QStringLiteral("0ne") + QString::fromLatin1(Crypto::randomBytes(4).toHex().toUpper());
    // DO NOTHING: when two instances race on an empty PostgreSQL database,
    // the first one's scope wins and both read it back.
    auto r = m_db.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES ('idScope', ?) "
                                      "ON CONFLICT (key) DO NOTHING"),
                       {scope});
    if (!r)
        return r.error();
    r->finish();
    m_cache.remove(QStringLiteral("idScope"));
    return idScope();
}

} // namespace Provisio
