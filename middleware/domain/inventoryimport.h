// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Provisio {

class Database;
class Inventory;

// Imports a manufacturer's delivery list (CSV) into the inventory. The header
// row names the columns, in any order; a bad header rejects the whole file
// before anything is written. Each data row is then validated on its own:
// valid rows are written in one transaction, invalid ones are reported and
// skipped, so a typo in row 5000 does not cost the other 4999 rows.
class InventoryImport
{
public:
    enum class Mode {
        CreateOnly, // an existing serial is reported as an error
        Upsert,     // an existing serial is updated; blank cells keep the stored value
    };

    struct Options
    {
        Mode mode = Mode::CreateOnly;
        bool dryRun = false; // validate and report, write nothing
        QString actor;
    };

    struct RowResult
    {
        int row = 0;
        QString serial;
        QString result; // created, updated, error
        QString message;
    };

    struct Report
    {
        int created = 0;
        int updated = 0;
        int failed = 0;
        bool dryRun = false;
        QList<RowResult> rows;
        QJsonObject toJson() const;
        // toJson() as compact JSON text, written directly: the same bytes
        // as QJsonDocument writes (members in its order), without an
        // object per row (a 5,000-row report's objects cost more than
        // validating its rows).
        QByteArray toJsonText() const;
        // toJsonText() as run() wrote it while the writer committed the
        // import (empty when it did not write it then).
        QByteArray preparedText;
        // toJsonText(), written once.
        QByteArray text() const { return preparedText.isEmpty() ? toJsonText() : preparedText; }
    };

    InventoryImport(Database &db, Inventory &inventory) : m_db(db), m_inventory(inventory) { }

    // InvalidInput for a file that cannot be read as a whole (bad header,
    // unterminated quote, no rows); a database failure rolls back everything.
    Result<Report> run(const QByteArray &csv, const Options &options);

    // The columns a file may have; `serial` is required.
    static QStringList columns();

private:
    Database &m_db;
    Inventory &m_inventory;
};

} // namespace Provisio
