// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>

class QTableView;

namespace Provisio::Crm {

// Column widths from what a column can show rather than from pixel counts
// chosen for the English texts: each of `texts` (the words of a column with
// a known vocabulary, a sample timestamp) and the column's header title fit
// whole, measured by the delegate that paints the column. A translation longer
// than the English ("Aktivierungscode ausgegeben") then widens its column
// instead of being cut off.
int fittingColumnWidth(const QTableView *view, int column, const QStringList &texts);
// Sets the column to fittingColumnWidth().
void fitColumn(QTableView *view, int column, const QStringList &texts);

} // namespace Provisio::Crm
