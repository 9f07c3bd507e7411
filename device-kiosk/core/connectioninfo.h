// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace Provisio::Kiosk {

// Everything a provisioned kiosk needs to reach its hub, as the provisioning
// service handed it out. It is what ConnectionInfoStore keeps on disk, so the
// device connects straight to its hub after a reboot without provisioning
// again. hubDeviceKey is a secret: never log this struct.
struct ConnectionInfo
{
    QString idScope;
    QString registrationId;
    QString deviceId;
    QString assignedHub;   // hub name used in SAS resources and MQTT username
    QString hubEndpoint;   // host:port to dial
    QString hubDeviceKey;  // base64 key signing the MQTT password
    QString caCertificate; // PEM of the CA the hub's certificate chains to
    QDateTime provisionedAt;

    QJsonObject toJson() const;
    // Strict: every member except caCertificate is required; unknown members
    // are rejected so a damaged file is not half-read.
    static Result<ConnectionInfo> fromJson(const QJsonObject &json);

    bool operator==(const ConnectionInfo &other) const;
    bool operator!=(const ConnectionInfo &other) const { return !(*this == other); }
};

} // namespace Provisio::Kiosk

Q_DECLARE_METATYPE(Provisio::Kiosk::ConnectionInfo)
