// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "devicetestutil.h"
#include "mosquittoprocess.h"

#include <QJsonObject>
#include <QString>
#include <QTemporaryDir>

#include <map>
#include <memory>

namespace Provisio::Test {

// "A middleware with a linked hub and an enrolled device", the setup every
// device-side integration test starts from: a hub linked through the admin
// API, its broker configuration written by the real `hub-config`, a real
// mosquitto with the plugin running it, and enrollments made the way the CRM
// makes them. It works on a started DeviceFixture, whose clients the tests
// keep using for their own assertions.
class HubFixture
{
public:
    explicit HubFixture(DeviceFixture &f);
    ~HubFixture(); // stops every broker it started

    // PUT /api/v1/hubs/NAME: HOST on PORT, handed to devices as
    // 127.0.0.1:ENDPOINTPORT (PORT when 0).
    bool putHub(const QString &name, const QString &host, quint16 port, quint16 endpointPort = 0);

    // putHub, then the broker configuration and a running broker on PORT (a
    // free port when 0), then waits until the middleware's link is up.
    bool linkHub(const QString &name, const QString &host, quint16 port = 0, quint16 endpointPort = 0);

    // Until /api/v1/hubs/NAME/status says connected (and, when given, to
    // ENDPOINT).
    bool waitForLink(const QString &name, const QString &endpoint = {}, int timeoutMs = 30000);
    bool isLinked(const QString &name) const;

    // A hub linked with linkHub: its broker port, its mosquitto.conf and its
    // broker (to stop and start again for an outage). Null for other names.
    quint16 port(const QString &name) const;
    QString configPath(const QString &name) const;
    MosquittoProcess *broker(const QString &name) const;
    // Starts the hub's broker again with the configuration it had.
    bool restartBroker(const QString &name);

    // What an enrollment answer carries for the device.
    struct Enrollment
    {
        int status = 0;
        QString activationCode;
        QString primaryKey;
        QJsonObject json; // the whole answer (the error on failure)
    };

    // An inventory device for SERIAL (none when SERIAL is empty) and a
    // symmetric-key enrollment REGISTRATIONID bound to it; `extra` adds to
    // the enrollment body (e.g. initialTwin).
    Enrollment enroll(const QString &serial, const QString &registrationId, const QJsonObject &extra = {},
                      const QString &model = QStringLiteral("Sensor 2"));

    // The last failure of any call above, for QVERIFY2.
    QString lastError() const { return m_error; }

private:
    struct Hub
    {
        quint16 port = 0;
        QString conf;
        std::unique_ptr<MosquittoProcess> broker;
    };

    DeviceFixture &m_f;
    QTemporaryDir m_dir;
    std::map<QString, Hub> m_hubs;
    QString m_error;
};

} // namespace Provisio::Test
