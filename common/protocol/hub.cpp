// SPDX-License-Identifier: Apache-2.0
#include "hub.h"

#include "timeutil.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace Provisio {

bool Hub::isValidHostName(const QString &host)
{
    static const QRegularExpression label(QStringLiteral("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"));
    if (host.isEmpty() || host.size() > 253)
        return false;
    const QStringList labels = host.split(QLatin1Char('.'));
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch())
            return false;
    }
    return true;
}

bool Hub::isValidEndpoint(const QString &endpoint)
{
    const qsizetype colon = endpoint.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    // Digits only: toInt() alone would also take "+80" or " 80".
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,5}$"));
    const QString portText = endpoint.mid(colon + 1);
    const int port = portText.toInt();
    if (!digits.match(portText).hasMatch() || port < 1 || port > 65535)
        return false;
    const QString host = endpoint.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'))) {
        QHostAddress address;
        return address.setAddress(host.mid(1, host.size() - 2)) && address.protocol() == QAbstractSocket::IPv6Protocol;
    }
    QHostAddress address;
    if (address.setAddress(host))
        return address.protocol() == QAbstractSocket::IPv4Protocol;
    return isValidHostName(host);
}

bool Hub::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return re.match(name).hasMatch();
}

QString Hub::dialEndpoint() const
{
    if (!endpoint.isEmpty())
        return endpoint;
    return host + QLatin1Char(':') + QString::number(port);
}

Hub Hub::readFrom(JsonReader reader)
{
    reader.allowOnly({"name", "host", "port", "endpoint", "region", "allocationWeight", "signingKey", "etag",
                      "createdDateTimeUtc", "lastUpdatedDateTimeUtc", "previousKeyAcceptedUntil"});
    Hub hub;
    hub.name = reader.optionalString(QStringLiteral("name"));
    if (!hub.name.isEmpty() && !isValidName(hub.name))
        reader.fail(QStringLiteral("name"), QStringLiteral("must be 1 to 64 letters, digits, '.', '_' or '-'"));
    hub.host = reader.requiredString(QStringLiteral("host"));
    if (!hub.host.isEmpty() && !isValidHostName(hub.host))
        reader.fail(QStringLiteral("host"), QStringLiteral("must be a valid host name"));
    hub.port = int(reader.optionalInt(QStringLiteral("port"), 8883, 1, 65535));
    hub.endpoint = reader.optionalString(QStringLiteral("endpoint"));
    if (!hub.endpoint.isEmpty() && !isValidEndpoint(hub.endpoint))
        reader.fail(QStringLiteral("endpoint"), QStringLiteral("must be host:port with a port from 1 to 65535"));
    hub.region = reader.optionalString(QStringLiteral("region"));
    if (hub.region.size() > 64)
        reader.fail(QStringLiteral("region"), QStringLiteral("must be at most 64 characters"));
    hub.allocationWeight = int(reader.optionalInt(QStringLiteral("allocationWeight"), 1, 0, 1000));
    hub.signingKey = reader.optionalString(QStringLiteral("signingKey"));
    if (!hub.signingKey.isEmpty()) {
        const auto decoded =
            QByteArray::fromBase64Encoding(hub.signingKey.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty())
            reader.fail(QStringLiteral("signingKey"), QStringLiteral("must be base64"));
    }
    hub.etag = reader.optionalString(QStringLiteral("etag"));
    hub.createdDateTimeUtc = reader.optionalDateTime(QStringLiteral("createdDateTimeUtc"));
    hub.lastUpdatedDateTimeUtc = reader.optionalDateTime(QStringLiteral("lastUpdatedDateTimeUtc"));
    return hub;
}

Result<Hub> Hub::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    Hub hub = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return hub;
}

QJsonObject Hub::toJson(bool includeSigningKey) const
{
    QJsonObject json{
        {QStringLiteral("host"), host},
        {QStringLiteral("port"), port},
        {QStringLiteral("allocationWeight"), allocationWeight},
    };
    if (!name.isEmpty())
        json.insert(QStringLiteral("name"), name);
    if (!endpoint.isEmpty())
        json.insert(QStringLiteral("endpoint"), endpoint);
    if (!region.isEmpty())
        json.insert(QStringLiteral("region"), region);
    if (includeSigningKey && !signingKey.isEmpty())
        json.insert(QStringLiteral("signingKey"), signingKey);
    if (!etag.isEmpty())
        json.insert(QStringLiteral("etag"), etag);
    if (createdDateTimeUtc.isValid())
        json.insert(QStringLiteral("createdDateTimeUtc"), toIsoUtc(createdDateTimeUtc));
    if (lastUpdatedDateTimeUtc.isValid())
        json.insert(QStringLiteral("lastUpdatedDateTimeUtc"), toIsoUtc(lastUpdatedDateTimeUtc));
    if (!previousSigningKey.isEmpty() && previousKeyAcceptedUntil.isValid())
        json.insert(QStringLiteral("previousKeyAcceptedUntil"), toIsoUtc(previousKeyAcceptedUntil));
    return json;
}

} // namespace Provisio
