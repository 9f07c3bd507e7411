// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/hublinkstore.h"
#include "storage/registrationstore.h"

namespace Provisio {

struct ServiceContext;

// Operator changes to device registrations (the device's own go through the
// Registrar): delete one, patch a registered device's twin, retire hub keys.
// Each in one
// transaction with its audit entry and typed event once committed.
class Registrations
{
public:
    Registrations(ServiceContext &ctx, RegistrationStore &registrations);

    // What a client hears about a record whose document is unreadable: how
    // to repair it (a Conflict: the request was fine, the record is not).
    static QString unreadableMessage(const QString &registrationId);

    // NotFound, PreconditionFailed unless `ifMatch` fits.
    Result<void> remove(const QString &registrationId, const QByteArray &ifMatch, const QString &actor);
    // Merges `tags` and `desired` into `current`'s twin (a desired change
    // bumps its $version), conditional on `current`'s etag and `ifMatch`.
    Result<RegistrationRecord> patchTwin(const RegistrationRecord &current, const QJsonObject &tags,
                                         const QJsonObject &desired, const QByteArray &ifMatch, const QString &actor);
    // The repair for a record whose stored document is unreadable (and a
    // fresh start for any other): the twin becomes its enrollment's (or
    // group's) initial twin, reported properties are dropped, and the
    // desired $version moves past anything published so the hub gets it.
    Result<RegistrationRecord> resetTwin(const QString &registrationId, const QByteArray &ifMatch,
                                         const QString &actor);

    // Retires the device's hub key: raises its credential generation on its
    // hub (HubLinkStore). The hub link tells the hub, which disconnects the
    // device and refuses the old key from then on; the device's next
    // registration hands it the new one. NotFound; Conflict when the
    // registration has no hub. Returns the new generation.
    Result<quint32> rotateHubKey(const QString &registrationId, const QString &actor);
    // The same for every registration made through the group that has a hub,
    // in one transaction. NotFound when there is no such group. Returns how
    // many devices got a new generation.
    Result<int> rotateGroupHubKeys(const QString &groupId, const QString &actor);

private:
    Database &m_db;
    HubLinkStore m_hubLink;
    RegistrationStore &m_registrations;
    ChangeRecorder m_changes;
};

} // namespace Provisio
