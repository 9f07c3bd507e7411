// SPDX-License-Identifier: Apache-2.0
#include "enrollmentstore.h"
#include "database.h"
#include "recordquery.h"

#include "protocol/timeutil.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcDb)

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

const QString kEnrollmentColumns =
    QStringLiteral("doc, registration_id, device_id, serial, provisioning_status, etag, created, updated");
const QString kGroupColumns = QStringLiteral("doc, group_id, provisioning_status, etag, created, updated");

Error unreadableEnrollment(const QString &id)
{
    return Error(ErrorCode::Conflict, EnrollmentStore::unreadableEnrollmentMessage(id));
}

Error unreadableGroup(const QString &id)
{
    return Error(ErrorCode::Conflict, EnrollmentStore::unreadableGroupMessage(id));
}

// Records from rows whose first column is the document: parsed with
// `fromDoc`; one that cannot be read is built by `fromColumns` and its key
// collected in `unreadable` (a list), or fails the read with `failure` (one
// record asked for by key) when there is no `unreadable`.
template<typename T, typename FromDoc, typename FromColumns, typename Failure>
Result<QList<T>> readRows(Result<QList<QVariantList>> rows, QSet<QString> *unreadable, FromDoc fromDoc,
                          FromColumns fromColumns, Failure failure)
{
    if (!rows)
        return rows.error();
    QList<T> out;
    for (const QVariantList &row : std::as_const(*rows)) {
        const auto doc = readStoredDocument(row.value(0).toString());
        Result<T> record = doc ? fromDoc(*doc) : Result<T>(Error(ErrorCode::Internal, QString()));
        if (record) {
            out << *record;
            continue;
        }
        const QString key = row.value(1).toString();
        if (!unreadable)
            return failure(key);
        unreadable->insert(key);
        out << fromColumns(row);
    }
    return out;
}

// The stored doc was written by toJson(); one that no longer parses or
// validates (edited by hand, damaged, written by a newer version) is
// reported instead of guessed at.
Result<QList<Enrollment>> readEnrollments(Database &db, const QString &sql, const QVariantList &binds,
                                          QSet<QString> *unreadable)
{
    return readRows<Enrollment>(
        db.selectRows(sql, binds, 8), unreadable, [](const QJsonObject &doc) { return Enrollment::fromJson(doc); },
        [](const QVariantList &row) {
            Enrollment e;
            e.registrationId = row.value(1).toString();
            e.deviceId = row.value(2).toString();
            e.serial = row.value(3).toString();
            e.provisioningStatus = row.value(4).toString();
            e.etag = row.value(5).toString();
            e.createdDateTimeUtc = fromIsoUtc(row.value(6).toString()).value_or(QDateTime());
            e.lastUpdatedDateTimeUtc = fromIsoUtc(row.value(7).toString()).value_or(QDateTime());
            return e;
        },
        unreadableEnrollment);
}

Result<QList<EnrollmentGroup>> readGroups(Database &db, const QString &sql, const QVariantList &binds,
                                          QSet<QString> *unreadable)
{
    return readRows<EnrollmentGroup>(
        db.selectRows(sql, binds, 6), unreadable, [](const QJsonObject &doc) { return EnrollmentGroup::fromJson(doc); },
        [](const QVariantList &row) {
            EnrollmentGroup g;
            g.enrollmentGroupId = row.value(1).toString();
            g.provisioningStatus = row.value(2).toString();
            g.etag = row.value(3).toString();
            g.createdDateTimeUtc = fromIsoUtc(row.value(4).toString()).value_or(QDateTime());
            g.lastUpdatedDateTimeUtc = fromIsoUtc(row.value(5).toString()).value_or(QDateTime());
            return g;
        },
        unreadableGroup);
}

// Which version of the registration columns (migration 24) a write fills;
// a row with another value (NULL: written before them) is read from its
// document.
constexpr int kRegistrationColumns = 1;

// The registration columns' values for `e`, in the order of
// kRegistrationColumnNames: what Enrollment::toJson writes into the
// document for the same members.
QVariantList registrationColumns(const Enrollment &e)
{
    return {kRegistrationColumns, e.attestation.primaryKey, e.attestation.secondaryKey,
            int(e.reprovisionPolicy.updateHubAssignment), int(e.reprovisionPolicy.migrateDeviceData),
            e.allocationPolicy ? QVariant(allocationPolicyName(*e.allocationPolicy)) : QVariant(),
            // Host names hold no spaces (Hub::isValidHostName).
            e.iotHubs.join(QLatin1Char(' ')),
            e.initialTwin.isEmpty() ? QVariant() : QVariant(toJsonText(e.initialTwin.toJson()))};
}

const QString kRegistrationColumnNames =
    QStringLiteral("registration_columns, primary_key, secondary_key, update_hub_assignment, "
                   "migrate_device_data, allocation_policy, iot_hubs, initial_twin");
// registration_id, device_id, provisioning_status and the above.
constexpr int kForRegistrationColumns = 11;

Error preconditionFailed(const QString &what)
{
    return Error(ErrorCode::PreconditionFailed,
                 QStringLiteral("%1 was changed by someone else (etag mismatch); read it again and retry").arg(what));
}

} // namespace

QString EnrollmentStore::unreadableEnrollmentMessage(const QString &id)
{
    return unreadableMessage(
        QStringLiteral("enrollment"), id,
        QStringLiteral("remove it with DELETE /api/v1/enrollments/%1 and create it again").arg(id));
}

QString EnrollmentStore::unreadableGroupMessage(const QString &id)
{
    return unreadableMessage(
        QStringLiteral("enrollment group"), id,
        QStringLiteral("remove it with DELETE /api/v1/enrollment-groups/%1 and create it again").arg(id));
}

Result<QList<Enrollment>> EnrollmentStore::query(const QString &where, const QVariantList &binds, int limit,
                                                 QSet<QString> *unreadable)
{
    QString sql = QStringLiteral("SELECT ") + kEnrollmentColumns + QStringLiteral(" FROM enrollments WHERE ") + where +
                  QStringLiteral(" ORDER BY registration_id");
    QVariantList b = binds;
    if (limit > 0) {
        sql += QStringLiteral(" LIMIT ?");
        b << limit;
    }
    return readEnrollments(m_db, sql, b, unreadable);
}

Result<std::optional<Enrollment>> EnrollmentStore::find(const QString &registrationId, bool *unreadable)
{
    QSet<QString> flagged;
    auto found =
        firstOf(query(QStringLiteral("registration_id = ?"), {registrationId}, 1, unreadable ? &flagged : nullptr));
    if (unreadable)
        *unreadable = !flagged.isEmpty();
    return found;
}

Result<std::optional<Enrollment>> EnrollmentStore::findBySerial(const QString &serial)
{
    return firstOf(query(QStringLiteral("serial = ?"), {serial}, 1));
}

Result<std::optional<Enrollment>> EnrollmentStore::findForRegistration(const QString &registrationId,
                                                                       CheckSideReads *side)
{
    if (!side) {
        auto rows = m_db.selectRows(QStringLiteral("SELECT registration_id, device_id, provisioning_status, ") +
                                        kRegistrationColumnNames +
                                        QStringLiteral(" FROM enrollments WHERE registration_id = ?"),
                                    {registrationId}, kForRegistrationColumns);
        if (!rows)
            return rows.error();
        if (rows->isEmpty())
            return std::optional<Enrollment>();
        return forRegistration(registrationId, rows->first());
    }
    // One row whatever exists: the id left-joined to the enrollment and to
    // the registration, the setting as a scalar subquery.
    static const QString sql = []() -> QString {
        QStringList enrollmentColumns{QStringLiteral("registration_id"), QStringLiteral("device_id"),
                                      QStringLiteral("provisioning_status")};
        enrollmentColumns += kRegistrationColumnNames.split(QStringLiteral(", "));
        for (QString &c : enrollmentColumns)
            c.prepend(QStringLiteral("e."));
        return QStringLiteral("SELECT ") + enrollmentColumns.join(QStringLiteral(", ")) +
               QStringLiteral(", (SELECT value FROM settings WHERE key = ?), ") +
               RegistrationStore::recordColumns(QStringLiteral("r")) +
               QStringLiteral(" FROM (SELECT CAST(? AS TEXT) AS id) q"
                              " LEFT JOIN enrollments e ON e.registration_id = q.id"
                              " LEFT JOIN registrations r ON r.registration_id = q.id");
    }();
    constexpr int kColumns = kForRegistrationColumns + 1 + RegistrationStore::kRecordColumnCount;
    auto rows = m_db.selectRows(sql, {QStringLiteral("allocationPolicy"), registrationId}, kColumns);
    if (!rows)
        return rows.error();
    if (rows->size() != 1)
        return Error(ErrorCode::Internal, QStringLiteral("the key check's read returned %1 rows").arg(rows->size()));
    const QVariantList &row = rows->first();
    *side = {};
    const QVariant policy = row.at(kForRegistrationColumns);
    if (!policy.isNull())
        side->allocationPolicy = policy.toString();
    const QVariantList record = row.mid(kForRegistrationColumns + 1);
    // registration_id is the record's second column.
    if (!record.at(1).isNull())
        side->record = RegistrationStore::recordFromRow(record);
    if (row.at(0).isNull())
        return std::optional<Enrollment>();
    return forRegistration(registrationId, row);
}

Result<std::optional<Enrollment>> EnrollmentStore::forRegistration(const QString &registrationId,
                                                                   const QVariantList &row)
{
    if (row.at(3).isNull() || row.at(3).toInt() != kRegistrationColumns)
        return find(registrationId);
    Enrollment e;
    e.registrationId = registrationId;
    e.deviceId = row.at(1).toString();
    e.provisioningStatus = row.at(2).toString();
    e.attestation.primaryKey = row.at(4).toString();
    e.attestation.secondaryKey = row.at(5).toString();
    e.reprovisionPolicy.updateHubAssignment = row.at(6).toInt() != 0;
    e.reprovisionPolicy.migrateDeviceData = row.at(7).toInt() != 0;
    if (!row.at(8).isNull()) {
        e.allocationPolicy = parseAllocationPolicy(row.at(8).toString());
        if (!e.allocationPolicy || *e.allocationPolicy == AllocationPolicy::Custom)
            return find(registrationId);
    }
    e.iotHubs = row.at(9).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (!row.at(10).isNull()) {
        const auto twin = readStoredDocument(row.at(10).toString());
        auto initial = twin ? InitialTwin::fromJson(*twin) : Result<InitialTwin>(Error(ErrorCode::Internal, QString()));
        if (!initial)
            return find(registrationId); // reports what is wrong with the record, if anything
        e.initialTwin = std::move(*initial);
    }
    return std::optional<Enrollment>(std::move(e));
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
    QSet<QString> unreadable;
    auto items = query(where, binds, page.limit + 1, &unreadable);
    if (!items)
        return items.error();
    auto out = pageOf(*items, page.limit, [](const Enrollment &e) { return e.registrationId; });
    out.unreadable = unreadable;
    return out;
}

Result<void> EnrollmentStore::insert(Enrollment &e)
{
    stamp(e, {});
    auto r = m_db.exec(
        QStringLiteral("INSERT INTO enrollments (registration_id, device_id, serial, "
                       "provisioning_status, etag, created, updated, doc, ") +
            kRegistrationColumnNames + QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        QVariantList{e.registrationId, e.deviceId, nullIfEmpty(e.serial), e.provisioningStatus, e.etag,
                     toIsoUtc(e.createdDateTimeUtc), toIsoUtc(e.lastUpdatedDateTimeUtc), toJsonText(e.toJson())} +
            registrationColumns(e));
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
                                     "etag = ?, updated = ?, doc = ?, registration_columns = ?, primary_key = ?, "
                                     "secondary_key = ?, update_hub_assignment = ?, migrate_device_data = ?, "
                                     "allocation_policy = ?, iot_hubs = ?, initial_twin = ? "
                                     "WHERE registration_id = ? AND etag = ?"),
                      QVariantList{e.deviceId, nullIfEmpty(e.serial), e.provisioningStatus, e.etag,
                                   toIsoUtc(e.lastUpdatedDateTimeUtc), toJsonText(e.toJson())} +
                          registrationColumns(e) + QVariantList{e.registrationId, expectedEtag},
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

Result<QList<EnrollmentGroup>> EnrollmentStore::queryGroups(const QString &where, const QVariantList &binds, int limit,
                                                            QSet<QString> *unreadable)
{
    return readGroups(m_db,
                      QStringLiteral("SELECT ") + kGroupColumns + QStringLiteral(" FROM enrollment_groups ") + where +
                          QStringLiteral(" ORDER BY group_id LIMIT ?"),
                      QVariantList(binds) << limit, unreadable);
}

Result<std::optional<EnrollmentGroup>> EnrollmentStore::findGroup(const QString &groupId, bool *unreadable)
{
    QSet<QString> flagged;
    auto found =
        firstOf(queryGroups(QStringLiteral("WHERE group_id = ?"), {groupId}, 1, unreadable ? &flagged : nullptr));
    if (unreadable)
        *unreadable = !flagged.isEmpty();
    return found;
}

Result<RecordPage<EnrollmentGroup>> EnrollmentStore::listGroups(const PageRequest &page)
{
    // One more than asked for: whether there is a next page is known at once.
    QSet<QString> unreadable;
    auto items = page.afterKey.isEmpty()
                     ? queryGroups(QString(), {}, page.limit + 1, &unreadable)
                     : queryGroups(QStringLiteral("WHERE group_id > ?"), {page.afterKey}, page.limit + 1, &unreadable);
    if (!items)
        return items.error();
    auto out = pageOf(*items, page.limit, [](const EnrollmentGroup &g) { return g.enrollmentGroupId; });
    out.unreadable = unreadable;
    return out;
}

Result<QList<EnrollmentGroup>> EnrollmentStore::allGroups()
{
    PageRequest everything;
    everything.limit = 100000;
    auto page = listGroups(everything);
    if (!page)
        return page.error();
    QList<EnrollmentGroup> readable;
    for (const EnrollmentGroup &g : std::as_const(page->items)) {
        if (page->unreadable.contains(g.enrollmentGroupId))
            qCWarning(lcDb).noquote() << "enrollment group" << g.enrollmentGroupId
                                      << "is left out: its stored document is unreadable";
        else
            readable << g;
    }
    return readable;
}

Result<QList<std::pair<QString, QString>>> EnrollmentStore::groupVersions()
{
    auto rows =
        m_db.selectRows(QStringLiteral("SELECT group_id, etag FROM enrollment_groups ORDER BY group_id"), {}, 2);
    if (!rows)
        return rows.error();
    QList<std::pair<QString, QString>> out;
    out.reserve(rows->size());
    for (const QVariantList &row : std::as_const(*rows))
        out.append({row.at(0).toString(), row.at(1).toString()});
    return out;
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
