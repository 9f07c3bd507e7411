// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "protocol/enrollmentgroup.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <optional>

namespace Provisio {

class EnrollmentStore;

// Every readable enrollment group, kept read between registrations. A
// device of a group is checked against every group (its key is derived from
// one of them), and reading and validating each group's document on every
// registration cost more than the rest of the registration. groups() asks
// the database only for the groups' ids and etags, and reads the documents
// of the groups added or changed since (every write of a group gives it a
// new etag, on any instance); groups gone are forgotten. So what it answers
// is what allGroups() would read at that moment. Any thread may call it
// (each with a store on its own connection).
class EnrollmentGroupCache
{
public:
    // As EnrollmentStore::allGroups(): ordered by group id, an unreadable
    // group left out (with a warning, once per version of it).
    Result<QList<EnrollmentGroup>> groups(EnrollmentStore &store);

private:
    struct Entry
    {
        QString etag;
        std::optional<EnrollmentGroup> group; // none: its document is unreadable
    };
    QMutex m_mutex;
    QHash<QString, Entry> m_entries; // by group id
};

} // namespace Provisio
