// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "database.h"

#include <QList>
#include <QStringList>

namespace Provisio {

// One versioned schema change. Statements are written once with a few
// placeholders for what the dialects spell differently:
//   {{AUTOID}}  an auto-incrementing 64-bit primary key column type
//   {{BLOB}}    a column of raw bytes (BLOB / BYTEA)
// and a statement that begins with {{SQLITE}} or {{POSTGRES}} runs on that
// dialect only (indexes one database builds differently from the other).
struct Migration
{
    int version;
    QString name;
    QStringList sql;

    QStringList statements(Database::Dialect dialect) const;
};

// All migrations in version order. Never edit one that has shipped: add a new
// one instead.
const QList<Migration> &migrations();

} // namespace Provisio
