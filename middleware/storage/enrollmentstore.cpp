// SPDX-License-Identifier: Apache-2.0
#include "enrollmentstore.h"
#include "database.h"
#include "recordquery.h"

#include "protocol/timeutil.h"

namespace Provisio {

namespace {

template<typename T>
void stamp(T &record, const QDateTime &created)
{
    const QDateTime now = fromIsoUtc(nowIso()).value_or(QDateTime::currentDateTimeUtc());
    record.etag = newEtag();
    record.lastUpdatedDateTimeUtc = now;
    record.createdDateTimeUtc = created.isValid() ? created : now;
}

// The stored doc was written by toJson(); a doc that no longer parses means
// the table was edited by hand or by a newer version, which we report
// instead of guessing.
Result<Enrollment> enrollmentFromDoc(const QString &doc)
{
    auto e = Enrollment::fromJson(fromJsonText(doc));
    if (!e)
        return Error(ErrorCode::Internal, QStringLiteral("stored enrollment is unreadable: ") + e.error().message);
    return e;
}

Result<EnrollmentGroup> groupFromDoc(const QString &doc)
{
    auto g = EnrollmentGroup::fromJson(fromJsonText(doc));
    if (!g)
        return Error(ErrorCode::Internal,
                     QStringLiteral("stored enrollment group is unreadable: ") + g.error().message);
    return g;
}

Error preconditionFailed(const QString &what)
{
    return Error(ErrorCode::PreconditionFailed,
                 QStringLiteral("%1 was changed by someone else (etag mismatch); read it again and retry").arg(what));
}

} // namespace

Result<QList<Enrollment>> EnrollmentStore::query(const QString &where, const QVariantList &binds, int limit)
{
    QString sql =
        QStringLiteral("SELECT doc FROM enrollments WHERE ") + where + QStringLiteral(" ORDER BY registration_id");
    QVariantList b = binds;
    if (limit > 0) {
        sql += QStringLiteral(" LIMIT ?");
        b << limit;
    }
    return readDocs<Enrollment>(m_db.exec(sql, b), enrollmentFromDoc);
}

Result<std::optional<Enrollment>> EnrollmentStore::find(const QString &registrationId)
{
    return firstOf(query(QStringLiteral("registration_id = ?"), {registrationId}, 1));
}

Result<std::optional<Enrollment>> EnrollmentStore::findBySerial(const QString &serial)
{
    return firstOf(query(QStringLiteral("serial = ?"), {serial}, 1));
}

Result<RecordPage<Enrollment>> EnrollmentStore::list(const Filter &filter, const PageRequest &page)
{
    QString where = QStringLiteral("1=1");
    QVariantList binds;
    if (!filter.serial.isEmpty()) {
        where += QStringLiteral(" AND serial = ?");
        binds << filter.serial;
    }
    if (!filter.provisioningStatus.isEmpty()) {
        where += QStringLiteral(" AND provisioning_status = ?");
        binds << filter.provisioningStatus;
    }
    if (!page.afterKey.isEmpty()) {
        where += QStringLiteral(" AND registration_id > ?");
        binds << page.afterKey;
    }
    auto items = query(where, binds, page.limit + 1);
    if (!items)
        return items.error();
    return pageOf(*items, page.limit, [](const Enrollment &e) { return e.registrationId; });
}

Result<void> EnrollmentStore::insert(Enrollment &e)
{
    stamp(e, {});
    auto r = m_db.exec(QStringLiteral("INSERT INTO enrollments (registration_id, device_id, serial, "
                                      "provisioning_status, etag, created, updated, doc) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                       {e.registrationId, e.deviceId, nullIfEmpty(e.serial), e.provisioningStatus, e.etag,
                        toIsoUtc(e.createdDateTimeUtc), toIsoUtc(e.lastUpdatedDateTimeUtc), toJsonText(e.toJson())});
    if (!r)
        return r.error();
    r->finish();
    return {};
}

Result<void> EnrollmentStore::update(Enrollment &e, const QString &expectedEtag)
{
    stamp(e, e.createdDateTimeUtc);
    return execIfEtag(m_db,
                      QStringLiteral("UPDATE enrollments SET device_id = ?, serial = ?, provisioning_status = ?, "
                                     "etag = ?, updated = ?, doc = ? WHERE registration_id = ? AND etag = ?"),
                      {e.deviceId, nullIfEmpty(e.serial), e.provisioningStatus, e.etag,
                       toIsoUtc(e.lastUpdatedDateTimeUtc), toJsonText(e.toJson()), e.registrationId, expectedEtag},
                      preconditionFailed(QStringLiteral("the enrollment")));
}

Result<void> EnrollmentStore::remove(const QString &registrationId, const QString &expectedEtag)
{
    return execIfEtag(m_db, QStringLiteral("DELETE FROM enrollments WHERE registration_id = ? AND etag = ?"),
                      {registrationId, expectedEtag}, preconditionFailed(QStringLiteral("the enrollment")));
}

Result<bool> EnrollmentStore::inventoryHasSerial(const QString &serial)
{
    auto q = m_db.exec(QStringLiteral("SELECT 1 FROM devices WHERE serial = ?"), {serial});
    if (!q)
        return q.error();
    const bool found = q->next();
    q->finish();
    return found;
}

Result<std::optional<EnrollmentGroup>> EnrollmentStore::findGroup(const QString &groupId)
{
    return firstOf(readDocs<EnrollmentGroup>(
        m_db.exec(QStringLiteral("SELECT doc FROM enrollment_groups WHERE group_id = ?"), {groupId}), groupFromDoc));
}

Result<RecordPage<EnrollmentGroup>> EnrollmentStore::listGroups(const PageRequest &page)
{
    // One more than asked for: whether there is a next page is known at once.
    auto q =
        page.afterKey.isEmpty()
            ? m_db.exec(QStringLiteral("SELECT doc FROM enrollment_groups ORDER BY group_id LIMIT ?"), {page.limit + 1})
            : m_db.exec(
                  QStringLiteral("SELECT doc FROM enrollment_groups WHERE group_id > ? ORDER BY group_id LIMIT ?"),
                  {page.afterKey, page.limit + 1});
    auto items = readDocs<EnrollmentGroup>(std::move(q), groupFromDoc);
    if (!items)
        return items.error();
    return pageOf(*items, page.limit, [](const EnrollmentGroup &g) { return g.enrollmentGroupId; });
}

Result<QList<EnrollmentGroup>> EnrollmentStore::allGroups()
{
    PageRequest everything;
    everything.limit = 100000;
    auto page = listGroups(everything);
    if (!page)
        return page.error();
    return page->items;
}

Result<void> EnrollmentStore::insertGroup(EnrollmentGroup &g)
{
    stamp(g, {});
    auto r = m_db.exec(QStringLiteral("INSERT INTO enrollment_groups (group_id, provisioning_status, etag, "
                                      "created, updated, doc) VALUES (?, ?, ?, ?, ?, ?)"),
                       {g.enrollmentGroupId, g.provisioningStatus, g.etag, toIsoUtc(g.createdDateTimeUtc),
                        toIsoUtc(g.lastUpdatedDateTimeUtc), toJsonText(g.toJson())});
    if (!r)
        return r.error();
    r->finish();
    return {};
}

Result<void> EnrollmentStore::updateGroup(EnrollmentGroup &g, const QString &expectedEtag)
{
    stamp(g, g.createdDateTimeUtc);
    return execIfEtag(m_db,
                      QStringLiteral("UPDATE enrollment_groups SET provisioning_status = ?, etag = ?, "
                                     "updated = ?, doc = ? WHERE group_id = ? AND etag = ?"),
                      {g.provisioningStatus, g.etag, toIsoUtc(g.lastUpdatedDateTimeUtc), toJsonText(g.toJson()),
                       g.enrollmentGroupId, expectedEtag},
                      preconditionFailed(QStringLiteral("the enrollment group")));
}

Result<void> EnrollmentStore::removeGroup(const QString &groupId, const QString &expectedEtag)
{
    return execIfEtag(m_db, QStringLiteral("DELETE FROM enrollment_groups WHERE group_id = ? AND etag = ?"),
                      {groupId, expectedEtag}, preconditionFailed(QStringLiteral("the enrollment group")));
}

} // namespace Provisio
