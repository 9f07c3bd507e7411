// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QString>

namespace Provisio::Crm {

// The one way the CRM shows a moment: local time to the second with the
// zone, "2026-12-06 12:49:30 CET" (in German "06.12.2026 12:49:30 CET": the
// pattern is translated with the window's language), so a list, a detail
// view and the audit log never disagree about what a timestamp means.
// With `milliseconds`, "…:30.125 CET", where readings a second apart differ.
QString formatDateTime(const QDateTime &at, bool milliseconds = false);
// A calendar day (a delivery date), in the language's pattern:
// "2026-11-20", in German "20.11.2026".
QString formatDate(const QDate &day);
// The same for an API date ("2026-11-20"); an unreadable one as it came.
QString formatApiDate(const QString &iso);
// The same for an API timestamp (ISO 8601, as the middleware sends them);
// an empty text stays empty, an unreadable one is shown as it came.
QString formatApiDateTime(const QString &iso);
// A value the API names in its own words (a status such as "enabled" or
// "assigned", an audit verb such as "issueActivationCode", a record type
// such as "enrollmentGroup") as the window's language says it; a value
// this list does not know is shown as it came.
QString apiWord(const QString &value);

// The zone formatDateTime shows ("CET", "UTC"), for axis and column titles.
QString displayZone();

} // namespace Provisio::Crm
