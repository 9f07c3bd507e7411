// SPDX-License-Identifier: Apache-2.0
#include "provisioningcredentials.h"

#include "securefile.h"

#include "protocol/jsonreader.h"

#include <QDir>
#include <QJsonDocument>

namespace Provisio::Kiosk {

namespace {
const auto kFileName = QStringLiteral("provisioning.json");
}

QJsonObject ProvisioningCredentials::toJson() const
{
    return QJsonObject{
        {QStringLiteral("middlewareUrl"), middlewareUrl.toString()},
        {QStringLiteral("middlewareCaCertificate"), QString::fromUtf8(middlewareCaPem)},
        {QStringLiteral("idScope"), idScope},
        {QStringLiteral("registrationId"), registrationId},
        {QStringLiteral("symmetricKey"), symmetricKey},
        {QStringLiteral("serial"), serial},
    };
}

Result<ProvisioningCredentials> ProvisioningCredentials::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    reader.allowOnly(
        {"middlewareUrl", "middlewareCaCertificate", "idScope", "registrationId", "symmetricKey", "serial"});
    ProvisioningCredentials c;
    const QString url = reader.requiredString(QStringLiteral("middlewareUrl"));
    c.middlewareCaPem = reader.optionalString(QStringLiteral("middlewareCaCertificate")).toUtf8();
    c.idScope = reader.requiredString(QStringLiteral("idScope"));
    c.registrationId = reader.requiredString(QStringLiteral("registrationId"));
    c.symmetricKey = reader.requiredString(QStringLiteral("symmetricKey"));
    c.serial = reader.optionalString(QStringLiteral("serial"));
    if (!reader.ok())
        return reader.error();
    c.middlewareUrl = QUrl(url, QUrl::StrictMode);
    if (!c.middlewareUrl.isValid() || c.middlewareUrl.host().isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("field 'middlewareUrl' is not a valid URL"));
    return c;
}

bool ProvisioningCredentials::operator==(const ProvisioningCredentials &o) const
{
    return middlewareUrl == o.middlewareUrl && middlewareCaPem == o.middlewareCaPem && idScope == o.idScope &&
           registrationId == o.registrationId && symmetricKey == o.symmetricKey && serial == o.serial;
}

ProvisioningCredentialsStore::ProvisioningCredentialsStore(const QString &directory) : m_directory(directory) { }

QString ProvisioningCredentialsStore::filePath() const
{
    return QDir(m_directory).filePath(kFileName);
}

Result<void> ProvisioningCredentialsStore::save(const ProvisioningCredentials &credentials)
{
    return SecureFile::write(m_directory, kFileName,
                             QJsonDocument(credentials.toJson()).toJson(QJsonDocument::Indented));
}

Result<std::optional<ProvisioningCredentials>> ProvisioningCredentialsStore::load() const
{
    const auto data = SecureFile::read(m_directory, kFileName);
    if (!data)
        return data.error();
    if (!data->has_value())
        return std::optional<ProvisioningCredentials>();
    const auto json = parseJsonObject(**data);
    if (!json)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("stored credentials %1 are corrupt: %2").arg(filePath(), json.error().message));
    auto c = ProvisioningCredentials::fromJson(*json);
    if (!c)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("stored credentials %1 are corrupt: %2").arg(filePath(), c.error().message));
    return std::optional<ProvisioningCredentials>(std::move(c).value());
}

Result<void> ProvisioningCredentialsStore::clear()
{
    return SecureFile::remove(m_directory, kFileName);
}

} // namespace Provisio::Kiosk
