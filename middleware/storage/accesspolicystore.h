// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Provisio {

class Database;

// Shared access policies for Azure's service SDKs: a name, the rights it
// grants and a symmetric key that signs ServiceSAS tokens. A policy belongs
// to the provisioning service (hub empty: DPS's rights) or to one linked hub
// (IoT Hub's rights, sr = the hub's host). The key is kept as it is, because
// verifying an HMAC needs it; it leaves this store only in the result of
// create() and of find(), never in toJson().
class AccessPolicyStore
{
public:
    explicit AccessPolicyStore(Database &db) : m_db(db) { }

    struct Info
    {
        QString id;
        QString name;
        QString hub; // empty: the provisioning service
        QStringList rights;
        QString created;
        QString revokedAt;
        // As the API lists it and the audit log records it (no key).
        QJsonObject toJson() const;
    };
    struct Created
    {
        Info info;
        QString key; // base64; never logged
    };
    struct Active
    {
        Info info;
        QString key;
    };

    Result<Created> create(const QString &name, const QString &hub, const QStringList &rights);
    // Every policy, revoked ones too, oldest first.
    Result<QList<Info>> list();
    // The active policy `name` of `hub` ("" for the provisioning service).
    Result<std::optional<Active>> findActive(const QString &hub, const QString &name);
    // Revokes the active policy with that id, or that name in `hub`.
    Result<Info> revoke(const QString &idOrName, const QString &hub);

private:
    Database &m_db;
};

} // namespace Provisio
