// SPDX-License-Identifier: Apache-2.0
#include "webhooktarget.h"

#include "serviceconfig.h"

#include <QHostInfo>
#include <QPointer>

namespace Provisio {

namespace {
constexpr int kMaxUrlLength = 2048;

bool inRange(const QHostAddress &address, const char *subnet)
{
    return address.isInSubnet(QHostAddress::parseSubnet(QString::fromLatin1(subnet)));
}

Error refused(const QString &why)
{
    return Error(ErrorCode::InvalidInput, why);
}
} // namespace

WebhookTarget::Rules WebhookTarget::rulesFrom(const ServiceConfig &config)
{
    return Rules{config.webhookAllowedHosts, config.webhookAllowHttp, config.webhookAllowPrivateNetworks};
}

QString WebhookTarget::nonPublicKind(const QHostAddress &input)
{
    QHostAddress address = input;
    // ::ffff:10.0.0.1 is 10.0.0.1.
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    if (mapped)
        address = QHostAddress(v4);
    if (address.isNull())
        return QStringLiteral("not an address");
    if (address.isLoopback())
        return QStringLiteral("loopback");
    if (address == QHostAddress(QHostAddress::AnyIPv4) || address == QHostAddress(QHostAddress::AnyIPv6) ||
        inRange(address, "0.0.0.0/8"))
        return QStringLiteral("unspecified");
    if (address.isLinkLocal() || inRange(address, "169.254.0.0/16") || inRange(address, "fe80::/10"))
        return QStringLiteral("link-local");
    if (address.isMulticast())
        return QStringLiteral("multicast");
    if (address.isBroadcast())
        return QStringLiteral("broadcast");
    for (const char *net : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10"}) {
        if (inRange(address, net))
            return QStringLiteral("private");
    }
    if (inRange(address, "100.64.0.0/10"))
        return QStringLiteral("shared (carrier-grade NAT)");
    // Reserved and special-purpose: benchmarking, documentation, IETF
    // protocol assignments, 240/4, NAT64 and 6to4 (which embed v4 addresses).
    for (const char *net :
         {"192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
          "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001:db8::/32", "100::/64", "::/96"}) {
        if (inRange(address, net))
            return QStringLiteral("reserved");
    }
    return {};
}

bool WebhookTarget::hostAllowed(const QString &host, const QStringList &allowedHosts)
{
    const QString h = host.toLower();
    for (const QString &raw : allowedHosts) {
        QString pattern = raw.trimmed().toLower();
        if (pattern.startsWith(QLatin1Char('[')) && pattern.endsWith(QLatin1Char(']')))
            pattern = pattern.mid(1, pattern.size() - 2);
        if (pattern.startsWith(QLatin1String("*."))) {
            const QString suffix = pattern.mid(1); // ".example.com"
            if (h.size() > suffix.size() && h.endsWith(suffix))
                return true;
        } else if (!pattern.isEmpty()) {
            const QHostAddress a(pattern), b(h);
            if (!a.isNull() ? a.isEqual(b) : pattern == h)
                return true;
        }
    }
    return false;
}

Result<void> WebhookTarget::checkAddress(const QHostAddress &address) const
{
    if (m_rules.allowPrivateNetworks)
        return {};
    const QString kind = nonPublicKind(address);
    if (!kind.isEmpty())
        return refused(QStringLiteral("must not lead to a %1 address (%2); webhooks go to public addresses only "
                                      "unless --webhook-allow-private-networks is set")
                           .arg(kind, address.toString()));
    return {};
}

Result<void> WebhookTarget::checkUrl(const QString &text) const
{
    if (text.size() > kMaxUrlLength)
        return refused(QStringLiteral("must be at most %1 characters").arg(kMaxUrlLength));
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.isRelative() || url.host().isEmpty() ||
        (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
        return refused(QStringLiteral("must be an absolute https:// URL"));
    if (!url.userInfo().isEmpty() || url.hasFragment())
        // Credentials in the URL would be shown to everyone reading the
        // webhook; receivers authenticate requests by their signature.
        return refused(QStringLiteral("must not contain user info or a fragment"));
    if (scheme == QLatin1String("http") && !m_rules.allowHttp)
        return refused(QStringLiteral("must use https:// (plain http:// only with --webhook-allow-http)"));
    const QString host = url.host();
    if (!hostAllowed(host, m_rules.allowedHosts))
        return refused(
            m_rules.allowedHosts.isEmpty()
                ? QStringLiteral("host '%1' is not allowed: this instance allows no webhook hosts "
                                 "(--webhook-allowed-hosts)")
                      .arg(host)
                : QStringLiteral("host '%1' is not on the allowed webhook hosts (--webhook-allowed-hosts)").arg(host));
    const QHostAddress literal(host);
    if (!literal.isNull())
        return checkAddress(literal);
    // Names that always mean this machine, whatever DNS says.
    const QString lower = host.toLower();
    if (!m_rules.allowPrivateNetworks &&
        (lower == QLatin1String("localhost") || lower.endsWith(QLatin1String(".localhost"))))
        return refused(QStringLiteral("must not lead to a loopback address (%1); webhooks go to public addresses "
                                      "only unless --webhook-allow-private-networks is set")
                           .arg(host));
    return {};
}

Result<void> WebhookTarget::checkAllocationDefinition(const std::optional<CustomAllocationDefinition> &def) const
{
    if (!def)
        return {};
    if (auto ok = checkUrl(def->webhookUrl); !ok)
        return refused(QStringLiteral("field 'customAllocationDefinition.webhookUrl' ") + ok.error().message);
    return {};
}

void WebhookTarget::resolve(const QUrl &url, QObject *context, std::function<void(Result<Pinned>)> done) const
{
    if (auto ok = checkUrl(url.toString()); !ok) {
        QMetaObject::invokeMethod(
            context, [done, e = ok.error()] { done(e); }, Qt::QueuedConnection);
        return;
    }
    const QString host = url.host();
    const auto finish = [target = *this, url, host, done](const QList<QHostAddress> &addresses,
                                                          const QString &lookupError) {
        if (addresses.isEmpty()) {
            done(Error(ErrorCode::Unavailable, QStringLiteral("cannot resolve '%1': %2").arg(host, lookupError)));
            return;
        }
        // Every address must pass: the name could lead to any of them.
        for (const QHostAddress &a : addresses) {
            if (auto ok = target.checkAddress(a); !ok)
                return done(ok.error());
        }
        Pinned p;
        p.address = addresses.first();
        p.hostName = host;
        p.url = url;
        p.url.setHost(p.address.toString());
        p.hostHeader = QUrl::toAce(host);
        if (p.address.protocol() == QAbstractSocket::IPv6Protocol && !QHostAddress(host).isNull())
            p.hostHeader = '[' + host.toLatin1() + ']';
        if (url.port() > 0)
            p.hostHeader += ':' + QByteArray::number(url.port());
        done(p);
    };
    const QHostAddress literal(host);
    if (!literal.isNull()) {
        QMetaObject::invokeMethod(
            context, [finish, literal] { finish({literal}, {}); }, Qt::QueuedConnection);
        return;
    }
    QHostInfo::lookupHost(host, context, [finish](const QHostInfo &info) {
        finish(info.error() == QHostInfo::NoError ? info.addresses() : QList<QHostAddress>(), info.errorString());
    });
}

} // namespace Provisio
