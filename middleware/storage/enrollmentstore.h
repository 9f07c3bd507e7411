// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "protocol/enrollment.h"
#include "protocol/enrollmentgroup.h"
#include "recordpage.h"
#include "recordutil.h"
#include "registrationstore.h"

#include <QList>
#include <QString>

#include <optional>

namespace Provisio {

class Database;

// Individual enrollments and enrollment groups. The full DPS record (keys
// included: the registration API verifies SAS tokens against them) lives in
// `doc`; the columns repeat what lists filter on. Writes that replace a
// record are conditional on the etag the caller read, so two concurrent
// edits cannot silently overwrite each other: the loser gets
// PreconditionFailed.
class EnrollmentStore
{
public:
    explicit EnrollmentStore(Database &db) : m_db(db) { }

    // registrationId must already be normalized. A record whose document
    // is unreadable is a Conflict naming the repair, unless `unreadable` is
    // given: then it comes back as its columns keep it (enough to delete
    // it by its etag) and *unreadable says so.
    Result<std::optional<Enrollment>> find(const QString &registrationId, bool *unreadable = nullptr);
    Result<std::optional<Enrollment>> findBySerial(const QString &serial);
    // What the registrar's key check reads besides the enrollment.
    struct CheckSideReads
    {
        std::optional<RegistrationRecord> record; // the device's registration, if it has one
        std::optional<QString> allocationPolicy;  // the instance's setting, if set
    };
    // find() for a registration (Registrar): the enrollment with what a
    // registration uses of it (ids, keys, provisioning status, reprovision
    // and allocation policy, hubs, initial twin), read from the columns its
    // last write filled (migration 24) without reading its document; the
    // other members are left at their defaults. A custom allocation (whose
    // webhook hears the whole record) and a row written without those
    // columns are read whole, as find() does. With `side`, the same
    // statement (one round trip on PostgreSQL, one read on SQLite) also
    // reads the device's registration record and the instance's allocation
    // policy setting into *side.
    Result<std::optional<Enrollment>> findForRegistration(const QString &registrationId,
                                                          CheckSideReads *side = nullptr);

    struct Filter
    {
        QString serial;
        QString provisioningStatus;
    };
    // Ordered by registration id; the page cursor is the last id. Records
    // whose document is unreadable are listed from their columns, their
    // keys in RecordPage::unreadable.
    Result<RecordPage<Enrollment>> list(const Filter &filter, const PageRequest &page);

    // What a client hears about an unreadable enrollment or group.
    static QString unreadableEnrollmentMessage(const QString &registrationId);
    static QString unreadableGroupMessage(const QString &groupId);

    // Sets a fresh etag and the timestamps (created is kept on update).
    Result<void> insert(Enrollment &enrollment);
    Result<void> update(Enrollment &enrollment, const QString &expectedEtag);
    Result<void> remove(const QString &registrationId, const QString &expectedEtag);

    // Whether the inventory knows this serial (the `devices` table).
    Result<bool> inventoryHasSerial(const QString &serial);

    // Groups, keyed by enrollmentGroupId as given (group ids are compared
    // exactly; DPS treats them as case-sensitive names).
    // As find() and list() for enrollments.
    Result<std::optional<EnrollmentGroup>> findGroup(const QString &groupId, bool *unreadable = nullptr);
    Result<RecordPage<EnrollmentGroup>> listGroups(const PageRequest &page);
    // Every readable group, for SAS verification of group devices (an
    // unreadable one is left out with a warning: its devices cannot
    // register until it is repaired).
    Result<QList<EnrollmentGroup>> allGroups();
    // Every group's id and etag, ordered by id, without reading the
    // documents (EnrollmentGroupCache).
    Result<QList<std::pair<QString, QString>>> groupVersions();
    Result<void> insertGroup(EnrollmentGroup &group);
    Result<void> updateGroup(EnrollmentGroup &group, const QString &expectedEtag);
    Result<void> removeGroup(const QString &groupId, const QString &expectedEtag);

private:
    // The enrollment from a row of registration_id, device_id,
    // provisioning_status and the registration columns (read whole when
    // they do not suffice).
    Result<std::optional<Enrollment>> forRegistration(const QString &registrationId, const QVariantList &row);
    Result<QList<Enrollment>> query(const QString &where, const QVariantList &binds, int limit,
                                    QSet<QString> *unreadable = nullptr);
    Result<QList<EnrollmentGroup>> queryGroups(const QString &where, const QVariantList &binds, int limit,
                                               QSet<QString> *unreadable = nullptr);
    Database &m_db;
};

} // namespace Provisio
