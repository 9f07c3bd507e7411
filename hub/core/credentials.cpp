// SPDX-License-Identifier: Apache-2.0
#include "credentials.h"

#include "revocationlist.h"

#include "crypto/keys.h"
#include "crypto/registrationid.h"
#include "crypto/sastoken.h"

#include <cstring>

namespace Provisio::HubAuth {

namespace {

Error refused(const QString &reason)
{
    return Error(ErrorCode::Unauthorized, reason);
}

// Length of a C string, stopping at `limit + 1` so a huge input costs nothing.
size_t boundedLength(const char *text, size_t limit)
{
    return strnlen(text, limit + 1);
}

bool isValidServiceClientId(const QString &id)
{
    if (id.isEmpty() || id.size() > kMaxClientIdLength)
        return false;
    for (const QChar c : id) {
        if (c == QLatin1Char('+') || c == QLatin1Char('#') || c == QLatin1Char('/') || !c.isPrint())
            return false;
    }
    return true;
}

// What may follow "{host}/{id}/": nothing, or a query. Azure's clients send
// "?api-version=..." and append their own parameters; old ones leave out '?'.
bool isAcceptedUsernameTail(QStringView tail)
{
    return tail.isEmpty() || tail.startsWith(QLatin1Char('?')) || tail.startsWith(u"api-version=");
}

} // namespace

std::optional<QStringView> CredentialChecker::deviceIdFromUsername(QStringView username, QStringView hubHost)
{
    if (username.size() <= hubHost.size() + 1 || !username.startsWith(hubHost, Qt::CaseInsensitive) ||
        username.at(hubHost.size()) != QLatin1Char('/')) {
        return std::nullopt;
    }
    const QStringView rest = username.mid(hubHost.size() + 1);
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    if (slash <= 0)
        return std::nullopt;
    if (!isAcceptedUsernameTail(rest.mid(slash + 1)))
        return std::nullopt;
    return rest.left(slash);
}

bool CredentialChecker::isServiceUsername(QStringView username, QStringView hubHost, QStringView policy)
{
    // "{policy}@sas.root.{hubHost}"
    constexpr QStringView kRoot = u"@sas.root.";
    if (username.size() == policy.size() + kRoot.size() + hubHost.size() && username.startsWith(policy) &&
        username.mid(policy.size(), kRoot.size()) == kRoot &&
        username.mid(policy.size() + kRoot.size()).compare(hubHost, Qt::CaseInsensitive) == 0) {
        return true;
    }
    // "{hubHost}/{policy}" or "{hubHost}/{policy}/?query"
    const auto id = deviceIdFromUsername(username, hubHost);
    if (id)
        return *id == policy;
    return username.size() == hubHost.size() + 1 + policy.size() && username.startsWith(hubHost, Qt::CaseInsensitive) &&
           username.at(hubHost.size()) == QLatin1Char('/') && username.mid(hubHost.size() + 1) == policy;
}

Result<Identity> CredentialChecker::check(const char *clientIdText, const char *usernameText, const char *passwordText,
                                          qint64 now, const StandingLookup &standingOf) const
{
    if (!clientIdText || !*clientIdText)
        return refused(QStringLiteral("no client id"));
    if (!usernameText || !*usernameText)
        return refused(QStringLiteral("no username"));
    if (!passwordText || !*passwordText)
        return refused(QStringLiteral("no password"));
    const size_t idLength = boundedLength(clientIdText, kMaxClientIdLength);
    const size_t userLength = boundedLength(usernameText, kMaxUsernameLength);
    const size_t passwordLength = boundedLength(passwordText, kMaxPasswordLength);
    if (idLength > size_t(kMaxClientIdLength))
        return refused(QStringLiteral("client id too long"));
    if (userLength > size_t(kMaxUsernameLength))
        return refused(QStringLiteral("username too long"));
    if (passwordLength > size_t(kMaxPasswordLength))
        return refused(QStringLiteral("password too long"));

    const QString clientId = QString::fromUtf8(clientIdText, qsizetype(idLength));
    const QString username = QString::fromUtf8(usernameText, qsizetype(userLength));
    auto token = SasToken::parse(QString::fromUtf8(passwordText, qsizetype(passwordLength)));
    if (!token)
        return refused(QStringLiteral("malformed token: ") + token.error().message);

    const qint64 skew = m_config.clockSkew;
    if (token->policyName().isEmpty()) {
        // A device.
        if (!Crypto::validateDeviceId(clientId))
            return refused(QStringLiteral("client id is not a valid device id"));
        if (isServiceSessionId(clientId))
            return refused(QStringLiteral("client ids starting with \"%1\" are reserved for the middleware")
                               .arg(kServiceSessionPrefix));
        const auto userDevice = deviceIdFromUsername(username, m_config.hubHost);
        if (!userDevice)
            return refused(QStringLiteral("username is not \"%1/{deviceId}/?api-version=...\"").arg(m_config.hubHost));
        if (*userDevice != clientId)
            return refused(QStringLiteral("username names a different device than the client id"));
        const DeviceStanding standing = standingOf ? standingOf(clientId) : DeviceStanding();
        if (standing.revoked)
            return refused(QStringLiteral("device is revoked"));
        // The case-insensitive resource check in verify() is for the host;
        // the device id inside the token must be the client id exactly.
        const QString devicePart = QStringLiteral("/devices/") + clientId;
        if (!token->resource().endsWith(devicePart, Qt::CaseSensitive))
            return refused(QStringLiteral("token is for a different device than the client id"));
        auto identity = checkDevice(clientId, *token, m_keys.signingKey, standing, now);
        if (identity || !m_keys.previousAccepted(now) ||
            !identity.error().message.contains(QLatin1String("signature does not match")))
            return identity;
        auto previous = checkDevice(clientId, *token, m_keys.previousSigningKey, standing, now);
        if (!previous)
            return previous;
        previous->previousKey = true;
        previous->expiry = qMin(previous->expiry, m_keys.lastSecondFor(skew));
        return previous;
    }

    // The service identity.
    if (token->policyName() != m_config.servicePolicy)
        return refused(QStringLiteral("unknown policy in token"));
    if (!isValidServiceClientId(clientId))
        return refused(QStringLiteral("service client id must be printable, without '+', '#' or '/'"));
    if (!isServiceUsername(username, m_config.hubHost, m_config.servicePolicy))
        return refused(
            QStringLiteral("username is not \"%1@sas.root.%2\"").arg(m_config.servicePolicy, m_config.hubHost));
    const QString resource = token->resource().compare(m_config.hubHost, Qt::CaseInsensitive) == 0
                                 ? m_config.hubHost
                                 : m_config.hubHost + QStringLiteral("/devices");
    if (auto ok = token->verify(resource, m_keys.serviceKey, now, skew, m_config.maxTokenLifetime); ok)
        return Identity{Role::Service, clientId, token->expiry()};
    else if (!m_keys.previousAccepted(now) || !ok.error().message.contains(QLatin1String("signature does not match")))
        return refused(ok.error().message);
    if (auto ok = token->verify(resource, m_keys.previousServiceKey, now, skew, m_config.maxTokenLifetime); !ok)
        return refused(ok.error().message);
    return Identity{Role::Service, clientId, qMin(token->expiry(), m_keys.lastSecondFor(skew)), 0, true};
}

Result<Identity> CredentialChecker::checkDevice(const QString &clientId, const SasToken &token,
                                                const QString &signingKey, const DeviceStanding &standing,
                                                qint64 now) const
{
    const QString resource = m_config.hubHost + QStringLiteral("/devices/") + clientId;
    // The current generation first: the usual case costs one HMAC (a wrong
    // key costs 1 + kGenerationLookahead). A token that fails for another
    // reason than its signature fails so for every generation.
    QString failure = QStringLiteral("SAS token signature does not match");
    for (quint32 g = standing.generation; g <= standing.generation + kGenerationLookahead && g <= kMaxGeneration; ++g) {
        const auto deviceKey = Crypto::deriveKey(signingKey, Crypto::hubDeviceKeyDerivationId(clientId, g));
        if (!deviceKey)
            return refused(QStringLiteral("cannot derive the device key"));
        auto ok = token.verify(resource, *deviceKey, now, m_config.clockSkew, m_config.maxTokenLifetime);
        if (ok)
            return Identity{Role::Device, clientId, token.expiry(), g};
        if (!ok.error().message.contains(QLatin1String("signature does not match"))) {
            failure = ok.error().message; // signed right, but expired or too long-lived
            break;
        }
    }
    return refused(failure);
}

} // namespace Provisio::HubAuth
