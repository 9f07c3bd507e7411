// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "jsonreader.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace Provisio {

// A linked hub (a Mosquitto with the Provisio plugin) devices can be
// allocated to. Provisio's own type. `host` is the hub's name as devices see
// it in assignedHub and in their SAS token's resource; `endpoint` is only set
// when the address a device dials differs (NAT, a load balancer, a test
// port), because the name inside tokens must stay stable.
struct Hub
{
    QString name; // link name; may come from the URL instead of the body
    QString host; // required, hostname syntax
    int port = 8883;
    QString endpoint; // "host:port", empty to dial host:port
    QString region;
    int allocationWeight = 1; // 0..1000; 0 takes no new devices
    QString signingKey;       // base64; a secret, so only serialized on request
    // During a signing-key rotation's overlap: the replaced key (never
    // serialized) and until when the hub still accepts keys derived from it
    // (serialized as previousKeyAcceptedUntil, read-only).
    QString previousSigningKey;
    QDateTime previousKeyAcceptedUntil;
    QString etag;
    QDateTime createdDateTimeUtc;
    QDateTime lastUpdatedDateTimeUtc;

    static Result<Hub> fromJson(const QJsonObject &json);
    static Hub readFrom(JsonReader reader);
    QJsonObject toJson(bool includeSigningKey = false) const;

    // The address a device connects to: endpoint, or host:port.
    QString dialEndpoint() const;

    // DNS name syntax: dot-separated labels of letters, digits and '-', each
    // 1..63 characters not starting or ending in '-', 253 in all.
    static bool isValidHostName(const QString &host);
    // "host:port" where host is a host name, an IPv4 address or a bracketed
    // IPv6 address, and port is 1..65535.
    static bool isValidEndpoint(const QString &endpoint);
    static bool isValidName(const QString &name);
};

} // namespace Provisio
