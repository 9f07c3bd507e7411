// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

namespace Provisio {

// One page of a listing: the records and the cursor of the next page, empty
// on the last page. Stores fetch one record more than asked for, so the last
// page is known without a second query and clients never get an empty page.
template<typename T>
struct RecordPage
{
    QList<T> items;
    QString nextCursor;
};

} // namespace Provisio
