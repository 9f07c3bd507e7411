// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "recordutil.h"

#include <QList>
#include <QSet>
#include <QString>

#include <utility>

namespace Provisio {

// One page of a listing: the records and the cursor of the next page, empty
// on the last page. Stores fetch one record more than asked for, so the last
// page is known without a second query and clients never get an empty page.
template<typename T>
struct RecordPage
{
    QList<T> items;
    QString nextCursor;
    // Keys of the items whose stored document could not be read
    // (readStoredDocument): they hold only what the table's columns say,
    // and are listed flagged.
    QSet<QString> unreadable;
};

// The page out of `fetched`, read with LIMIT `limit` + 1: when that extra
// record came, it is dropped and the cursor points after the last record
// kept, `cursorKey(record)` being that record's key in the listing's order.
template<typename T, typename CursorKey>
RecordPage<T> pageOf(QList<T> fetched, int limit, CursorKey cursorKey)
{
    RecordPage<T> out;
    out.items = std::move(fetched);
    if (out.items.size() > limit) {
        out.items.resize(limit);
        out.nextCursor = encodeCursor(cursorKey(out.items.constLast()));
    }
    return out;
}

} // namespace Provisio
