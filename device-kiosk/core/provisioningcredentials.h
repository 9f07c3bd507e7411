// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <optional>

namespace Provisio::Kiosk {

// What the device needs to register with DPS again without the person who
// set it up: the middleware it provisions through (URL and the CA its
// certificate chains to) and its DPS identity (ID scope, registration id,
// symmetric key). An activation code is one-time, so the credentials it was
// exchanged for are kept here the moment they arrive; reprovisioning (after
// repeated connection failures, an authentication refusal or the
// `reprovision` method) uses them. symmetricKey is a secret: never log it.
struct ProvisioningCredentials
{
    QUrl middlewareUrl;
    QByteArray middlewareCaPem;
    QString idScope;
    QString registrationId;
    QString symmetricKey;
    // The serial the device was set up under (empty in files written before
    // it was kept), so a restart with no configured serial keeps its name.
    QString serial;

    QJsonObject toJson() const;
    // Strict: every member is required except the CA (the system store is
    // used without it); unknown members are rejected.
    static Result<ProvisioningCredentials> fromJson(const QJsonObject &json);

    bool operator==(const ProvisioningCredentials &other) const;
    bool operator!=(const ProvisioningCredentials &other) const { return !(*this == other); }
};

// Keeps the ProvisioningCredentials in `provisioning.json` next to the
// connection info, owner-only and replaced atomically (see SecureFile).
class ProvisioningCredentialsStore
{
public:
    explicit ProvisioningCredentialsStore(const QString &directory);

    QString filePath() const;
    Result<void> save(const ProvisioningCredentials &credentials);
    Result<std::optional<ProvisioningCredentials>> load() const;
    Result<void> clear();

private:
    QString m_directory;
};

} // namespace Provisio::Kiosk
