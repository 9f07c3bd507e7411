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
    explicit SettingsStore(Database &db) : m_db(db) {}

    QString value(const QString &key, const QString &defaultValue = {});
    Result<void> setValue(const QString &key, const QString &value);

    // The ID scope, created on first start ("0ne" followed by 8 hex digits,
    // the shape DPS uses).
    Result<QString> ensureIdScope();
    QString idScope() { return value(QStringLiteral("idScope")); }

private:
    Database &m_db;
    QHash<QString, QString> m_cache;
};

} // namespace Provisio
