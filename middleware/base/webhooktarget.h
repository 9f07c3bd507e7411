// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "protocol/allocation.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

namespace Provisio {

struct ServiceConfig;

// Where the middleware may send a webhook (event or custom allocation), so
// that whoever may set a webhook URL cannot aim the middleware, and what it
// sends, at its own network.
//
// A URL is accepted when it is https:// (http:// only with allowHttp), has
// no user info or fragment, and its host is on the allow list: an exact name
// or IP, or "*.example.com" for any name below example.com (not example.com
// itself). An IP literal in the URL, or a resolved address, must be public:
// never loopback, unspecified, link-local (169.254/16 with the cloud metadata
// service, fe80::/10), private (10/8, 172.16/12, 192.168/16, fc00::/7),
// shared (100.64/10), multicast, broadcast or reserved, unless
// allowPrivateNetworks. The same rules are checked when a webhook is set
// (a 400 naming the rule) and again before each request, after DNS: the
// request then goes to the address that was checked (resolve once, no DNS
// rebinding), with TLS verified against the URL's host name.
class WebhookTarget
{
public:
    struct Rules
    {
        QStringList allowedHosts;
        bool allowHttp = false;
        bool allowPrivateNetworks = false;
    };

    explicit WebhookTarget(Rules rules) : m_rules(std::move(rules)) { }
    static Rules rulesFrom(const ServiceConfig &config);

    const Rules &rules() const { return m_rules; }

    // The configuration-time check; the error names the rule broken.
    Result<void> checkUrl(const QString &text) const;
    // A custom allocation definition's webhookUrl, the error naming the field.
    Result<void> checkAllocationDefinition(const std::optional<CustomAllocationDefinition> &def) const;
    // A resolved (or literal) address; the error names the kind of address.
    Result<void> checkAddress(const QHostAddress &address) const;
    // Why an address is not public ("loopback", "private", ...); empty when public.
    static QString nonPublicKind(const QHostAddress &address);
    // Whether `host` is on `allowedHosts` (case-insensitive; "*.x" patterns).
    static bool hostAllowed(const QString &host, const QStringList &allowedHosts);

    // The send-time check: checks the URL, resolves its host once, checks
    // every address, and reports (from the event loop, guarded by `context`)
    // the URL rewritten to the first address, or the reason it is refused.
    struct Pinned
    {
        QUrl url;         // the host replaced by the checked address
        QString hostName; // the original host: TLS name and Host header
        QByteArray hostHeader;
        QHostAddress address;
    };
    void resolve(const QUrl &url, QObject *context, std::function<void(Result<Pinned>)> done) const;

private:
    Rules m_rules;
};

} // namespace Provisio
