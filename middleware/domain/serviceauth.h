// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "storage/accesspolicystore.h"

#include <QByteArray>
#include <QString>

namespace Provisio {

// Checks the ServiceSAS tokens Azure's service SDKs send:
//   SharedAccessSignature sr={host}[/path]&sig=...&se={expiry}&skn={policy}
// signed with the key of the shared access policy `skn` of the service (or
// hub) whose host name `sr` begins with. `sr` may name the host alone or the
// host and a leading part of the request path, whole segments only. Expiry
// and a longest lifetime are enforced, with the service's clock skew.
// A bad token of any kind is Unauthorized (401); a good token whose policy
// lacks the route's right is Forbidden (403). Messages never contain the key
// or the signature.
class ServiceAuth
{
public:
    struct Options
    {
        qint64 clockSkewSeconds = 300;
        qint64 maxLifetimeSeconds = 86400;
    };
    ServiceAuth(AccessPolicyStore &policies, Options options) : m_policies(policies), m_options(options) { }

    // Who called: the policy, for audit entries ("policy:<name>").
    struct Caller
    {
        QString policy;
        QString hub;
        QString actor() const { return QStringLiteral("policy:") + policy; }
    };

    // The host part of the token's `sr` (lower case), so a caller can tell
    // which hub a token is for before checking it. Unauthorized when the
    // header is no SAS token.
    static Result<QString> resourceHost(const QByteArray &authorization);

    // `host`: the host name sr must start with; `hub`: "" for the provisioning
    // service's policies, else the hub's name; `path`: the request path;
    // `right`: what the route needs.
    Result<Caller> authenticate(const QByteArray &authorization, const QString &host, const QString &hub,
                                const QString &path, const QString &right, qint64 nowUnixSeconds);

    // The longest Authorization value looked at; longer is refused unread.
    static constexpr int kMaxTokenLength = 4096;

private:
    AccessPolicyStore &m_policies;
    Options m_options;
};

} // namespace Provisio
