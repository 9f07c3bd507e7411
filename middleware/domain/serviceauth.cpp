// SPDX-License-Identifier: Apache-2.0
#include "serviceauth.h"

#include "crypto/sastoken.h"

#include <QStringList>
#include <QUrl>

namespace Provisio {

namespace {

Error unauthorized(const QString &why)
{
    return Error(ErrorCode::Unauthorized, QStringLiteral("invalid service token: ") + why);
}

Result<SasToken> parseHeader(const QByteArray &authorization)
{
    if (authorization.isEmpty())
        return Error(ErrorCode::Unauthorized,
                     QStringLiteral("missing Authorization header (a SharedAccessSignature of a shared access "
                                    "policy)"));
    if (authorization.size() > ServiceAuth::kMaxTokenLength)
        return unauthorized(QStringLiteral("longer than %1 bytes").arg(ServiceAuth::kMaxTokenLength));
    auto token = SasToken::parse(QString::fromLatin1(authorization));
    if (!token)
        return token.error();
    return token;
}

// "host/a/b" -> ["host", "a", "b"], lower case, empty segments dropped.
QStringList segments(const QString &text)
{
    QStringList out;
    for (const QString &s : text.split(QLatin1Char('/'), Qt::SkipEmptyParts))
        out << s.toLower();
    return out;
}

} // namespace

Result<QString> ServiceAuth::resourceHost(const QByteArray &authorization)
{
    auto token = parseHeader(authorization);
    if (!token)
        return token.error();
    const QStringList parts = segments(token->resource());
    if (parts.isEmpty())
        return unauthorized(QStringLiteral("sr names no host"));
    return parts.first();
}

Result<ServiceAuth::Caller> ServiceAuth::authenticate(const QByteArray &authorization, const QString &host,
                                                      const QString &hub, const QString &path, const QString &right,
                                                      qint64 nowUnixSeconds)
{
    auto token = parseHeader(authorization);
    if (!token)
        return token.error();
    if (token->policyName().isEmpty())
        return unauthorized(QStringLiteral("skn (the shared access policy) is missing"));

    // sr: the host, then optionally whole leading segments of the path.
    const QStringList resource = segments(token->resource());
    QStringList wanted{host.toLower()};
    wanted += segments(QUrl::fromPercentEncoding(path.toUtf8()));
    if (resource.isEmpty() || resource.size() > wanted.size() || wanted.mid(0, resource.size()) != resource)
        return unauthorized(QStringLiteral("sr does not name this service (%1)").arg(host));

    if (token->expiry() + m_options.clockSkewSeconds < nowUnixSeconds)
        return unauthorized(QStringLiteral("expired"));
    if (token->expiry() > nowUnixSeconds + m_options.maxLifetimeSeconds + m_options.clockSkewSeconds)
        return unauthorized(QStringLiteral("valid for longer than the allowed %1 s").arg(m_options.maxLifetimeSeconds));

    auto policy = m_policies.findActive(hub, token->policyName());
    if (!policy)
        return policy.error();
    // An unknown policy and a wrong key answer alike, so a caller cannot
    // probe which policy names exist.
    if (!*policy)
        return unauthorized(QStringLiteral("unknown policy or wrong signature"));
    if (auto verified = token->verify(token->resource(), (*policy)->key, nowUnixSeconds, m_options.clockSkewSeconds,
                                      m_options.maxLifetimeSeconds);
        !verified)
        return unauthorized(QStringLiteral("unknown policy or wrong signature"));
    if (!(*policy)->info.rights.contains(right))
        return Error(ErrorCode::Forbidden,
                     QStringLiteral("the policy '%1' does not have the right %2").arg((*policy)->info.name, right));
    return Caller{(*policy)->info.name, hub};
}

} // namespace Provisio
