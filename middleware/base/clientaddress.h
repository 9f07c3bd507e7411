// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace Provisio {

// Who sent a request. Behind a TLS-terminating proxy every connection comes
// from the proxy, so the client is named by the proxy's X-Forwarded-For or
// Forwarded header; anyone else can write those headers too, so they count
// only on connections from a configured trusted proxy (--trusted-proxy).
class ClientAddress
{
public:
    using Range = QPair<QHostAddress, int>; // address, prefix length

    // The client of a request that arrived from `peer` with `headers`.
    // When `peer` is a trusted proxy, the forwarded chain (Forwarded's for=
    // elements, else X-Forwarded-For) is read from the right, skipping
    // further trusted proxies, and the first other address is the client;
    // a chain that holds only trusted proxies gives its leftmost, one that
    // cannot be read gives `peer`. IPv4-mapped IPv6 addresses come back as
    // IPv4.
    static QHostAddress resolve(const QHostAddress &peer, const QList<QPair<QByteArray, QByteArray>> &headers,
                                const QList<Range> &trustedProxies);

    static bool isTrusted(const QHostAddress &address, const QList<Range> &trustedProxies);
    // `address` without the IPv4-mapped IPv6 wrapping.
    static QHostAddress normalized(const QHostAddress &address);
    // The key a limit counts a client under: the IPv4 address, or the /64
    // of an IPv6 address (one subscriber holds a whole /64).
    static QString limitKey(const QHostAddress &address);
};

} // namespace Provisio
