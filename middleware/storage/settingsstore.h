// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QHash>
#include <QString>

namespace Provisio {

class Database;

// Instance-wide settings kept in the database, so every middleware instance
// sharing a PostgreSQL database agrees on them: the ID scope, the default
// allocation policy, the activation code lifetime.
class SettingsStore
{
public:
    explicit SettingsStore(Database &db) : m_db(db) { }

    QString value(const QString &key, const QString &defaultValue = {});
    Result<void> setValue(const QString &key, const QString &value);
    // Stores valueIfAbsent unless the key already exists and returns what is
    // stored afterwards, so instances racing on an empty database agree.
    Result<QString> ensureValue(const QString &key, const QString &valueIfAbsent);
    // Sets key to newValue only while it still holds `expected`: false when
    // another writer changed it first. Guards read-modify-write of a group of
    // settings (e.g. the allocation policy's etag) across instances.
    Result<bool> compareAndSet(const QString &key, const QString &expected, const QString &newValue);

    // The ID scope, created on first start ("0ne" followed by 8 hex digits,
    // the shape DPS uses).
    Result<QString> ensureIdScope();
    QString idScope() { return value(QStringLiteral("idScope")); }

private:
    Database &m_db;
    QHash<QString, QString> m_cache;
};

} // namespace Provisio
