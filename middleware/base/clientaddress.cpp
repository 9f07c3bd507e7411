// SPDX-License-Identifier: Apache-2.0
#include "clientaddress.h"

#include <QStringList>

#include <optional>

namespace Provisio {

namespace {

// One node of a Forwarded for= or X-Forwarded-For element: "192.0.2.1",
// "\"[2001:db8::1]:4711\"", "192.0.2.1:80". Null for "unknown", obfuscated
// names and anything else that is no address.
QHostAddress parseNode(QByteArray node)
{
    node = node.trimmed();
    if (node.size() >= 2 && node.startsWith('"') && node.endsWith('"'))
        node = node.mid(1, node.size() - 2);
    QString text = QString::fromLatin1(node);
    if (text.startsWith(QLatin1Char('['))) {
        const int close = text.indexOf(QLatin1Char(']'));
        if (close < 0)
            return {};
        text = text.mid(1, close - 1);
    } else if (text.count(QLatin1Char(':')) == 1) {
        text = text.left(text.indexOf(QLatin1Char(':'))); // IPv4 with a port
    }
    QHostAddress address;
    if (!address.setAddress(text))
        return {};
    return ClientAddress::normalized(address);
}

// The forwarded chain, client first, from every Forwarded header (for=
// parameters) or, when there is none, every X-Forwarded-For header.
// nullopt when an element cannot be read: then nothing in it is trusted.
std::optional<QList<QHostAddress>> forwardedChain(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QList<QHostAddress> chain;
    bool sawForwarded = false;
    for (const auto &h : headers) {
        if (h.first.compare("Forwarded", Qt::CaseInsensitive) != 0)
            continue;
        sawForwarded = true;
        for (const QByteArray &element : h.second.split(',')) {
            for (const QByteArray &pair : element.split(';')) {
                const int eq = pair.indexOf('=');
                if (eq < 0 || pair.left(eq).trimmed().compare("for", Qt::CaseInsensitive) != 0)
                    continue;
                const QHostAddress node = parseNode(pair.mid(eq + 1));
                if (node.isNull())
                    return std::nullopt;
                chain.append(node);
            }
        }
    }
    if (sawForwarded)
        return chain;
    for (const auto &h : headers) {
        if (h.first.compare("X-Forwarded-For", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &element : h.second.split(',')) {
            const QHostAddress node = parseNode(element);
            if (node.isNull())
                return std::nullopt;
            chain.append(node);
        }
    }
    return chain;
}

} // namespace

QHostAddress ClientAddress::normalized(const QHostAddress &address)
{
    bool v4 = false;
    const quint32 ipv4 = address.toIPv4Address(&v4);
    return v4 ? QHostAddress(ipv4) : address;
}

bool ClientAddress::isTrusted(const QHostAddress &address, const QList<Range> &trustedProxies)
{
    for (const Range &range : trustedProxies) {
        if (address.isInSubnet(range))
            return true;
    }
    return false;
}

QHostAddress ClientAddress::resolve(const QHostAddress &peer, const QList<QPair<QByteArray, QByteArray>> &headers,
                                    const QList<Range> &trustedProxies)
{
    const QHostAddress direct = normalized(peer);
    if (trustedProxies.isEmpty() || !isTrusted(direct, trustedProxies))
        return direct;
    const auto chain = forwardedChain(headers);
    if (!chain || chain->isEmpty())
        return direct;
    // From the right: each hop was added by the proxy before it, so only
    // the hops up to the first untrusted one are vouched for.
    for (auto it = chain->crbegin(); it != chain->crend(); ++it) {
        if (!isTrusted(*it, trustedProxies))
            return *it;
    }
    return chain->first();
}

QString ClientAddress::limitKey(const QHostAddress &address)
{
    const QHostAddress a = normalized(address);
    if (a.protocol() != QAbstractSocket::IPv6Protocol)
        return a.toString();
    Q_IPV6ADDR bytes = a.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

} // namespace Provisio
