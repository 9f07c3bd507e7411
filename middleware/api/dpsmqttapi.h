// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "dpsdevicerequests.h"
#include "mqttserver/mqttserver.h"

#include <QHash>
#include <QObject>

#include <optional>

namespace Provisio {

// DPS's device protocol over MQTT 3.1.1, as Azure's device SDKs speak it
// (docs/api.md, "DPS over MQTT"): the device connects with client id =
// registration id, user name `{idScope}/registrations/{registrationId}/
// api-version=…[&ClientVersion=…]` and its registration SAS token as the
// password, subscribes `$dps/registrations/res/#`, and publishes
//   $dps/registrations/PUT/iotdps-register/?$rid={rid}            (body as HTTP's)
//   $dps/registrations/GET/iotdps-get-operationstatus/?$rid={rid}&operationId={id}
// Each is answered on `$dps/registrations/res/{status}/?$rid={rid}[&retry-after=s]`
// with the HTTP API's status and JSON body: DpsDeviceRequests does the work
// for both, so the two cannot drift apart.
class DpsMqttApi : public QObject, public MqttServerHandler
{
    Q_OBJECT
public:
    DpsMqttApi(DpsDeviceRequests &requests, const MqttServerLimits &limits, QObject *parent = nullptr);

    std::optional<quint16> listen(const QHostAddress &address, quint16 port,
                                  const std::optional<QSslConfiguration> &ssl, QString *error)
    {
        return m_server.listen(address, port, ssl, error);
    }

    int connectionCount() const { return m_server.connectionCount(); }

    // `{idScope}/registrations/{registrationId}/api-version=…&…`; nullopt
    // when it does not have that shape.
    static std::optional<DpsDeviceRequests::Call> parseUsername(const QString &username);

    quint8 authenticate(MqttServerConnection &connection, const MqttCodec::Connect &connect) override;
    quint8 subscribe(MqttServerConnection &connection, const QString &filter, int qos) override;
    bool published(MqttServerConnection &connection, const MqttCodec::Publish &publish, int retryAfterSeconds) override;

private:
    void answer(MqttServerConnection &connection, const QString &rid, const DpsDeviceRequests::Answer &answer);

    DpsDeviceRequests &m_requests;
    MqttServer m_server;
    QHash<MqttServerConnection *, DpsDeviceRequests::Call> m_calls;
};

} // namespace Provisio
