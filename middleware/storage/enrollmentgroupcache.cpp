// SPDX-License-Identifier: Apache-2.0
#include "enrollmentgroupcache.h"
#include "enrollmentstore.h"

#include <QLoggingCategory>
#include <QSet>

Q_DECLARE_LOGGING_CATEGORY(lcDb)

namespace Provisio {

Result<QList<EnrollmentGroup>> EnrollmentGroupCache::groups(EnrollmentStore &store)
{
    QMutexLocker lock(&m_mutex);
    auto versions = store.groupVersions();
    if (!versions)
        return versions.error();
    QList<EnrollmentGroup> out;
    out.reserve(versions->size());
    QSet<QString> present;
    present.reserve(versions->size());
    for (const auto &[id, etag] : std::as_const(*versions)) {
        present.insert(id);
        auto it = m_entries.find(id);
        if (it == m_entries.end() || it->etag != etag) {
            bool unreadable = false;
            auto found = store.findGroup(id, &unreadable);
            if (!found)
                return found.error();
            if (!*found)
                continue; // deleted since the list was read
            Entry entry;
            // The etag of what was read: a write in between gives another.
            entry.etag = (*found)->etag;
            if (unreadable)
                qCWarning(lcDb).noquote()
                    << "enrollment group" << id << "is left out: its stored document is unreadable";
            else
                entry.group = std::move(**found);
            it = m_entries.insert(id, std::move(entry));
        }
        if (it->group)
            out << *it->group;
    }
    if (present.size() != m_entries.size()) {
        for (auto it = m_entries.begin(); it != m_entries.end();)
            it = present.contains(it.key()) ? std::next(it) : m_entries.erase(it);
    }
    return out;
}

} // namespace Provisio
