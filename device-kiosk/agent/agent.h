// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "agentoptions.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <memory>
#include <vector>

namespace Provisio::Kiosk {
class DeviceController;
}

namespace Provisio::Agent {

// The headless device program behind `provisio-agent`: one DeviceController
// (or, with --simulate, one per virtual device) driven from AgentOptions,
// with progress and status lines on the given stream. finished() carries the
// process exit code: 0 after a clean stop, 1 when provisioning failed, 2
// when the options cannot work with what the data directory holds.
class Agent : public QObject
{
    Q_OBJECT
public:
    Agent(AgentOptions options, QTextStream &out, QObject *parent = nullptr);
    ~Agent() override;

    void start();
    // Clean stop: every session says "offline" and disconnects; finished(0).
    void stop();

    int deviceCount() const { return int(m_devices.size()); }
    const Kiosk::DeviceController *device(int index) const { return m_devices.at(size_t(index)).controller.get(); }

Q_SIGNALS:
    void finished(int exitCode);

private:
    struct Device
    {
        std::unique_ptr<Kiosk::DeviceController> controller;
        QString registrationId; // --simulate: the id it registers with
        QString key;            // --simulate: derived from the group key (secret)
        bool queued = false;    // waits for a provisioning slot
        bool provisioning = false;
        bool failed = false;
    };

    void startSingle();
    void startSimulation();
    void pumpProvisioning();
    void printStatus();
    void line(const QString &text);
    void finish(int exitCode);
    Kiosk::DeviceController *addDevice(const QString &directory, const QString &serial, quint32 seed);

    AgentOptions m_options;
    QTextStream &m_out;
    std::vector<Device> m_devices;
    QTimer m_statusTimer;
    QElapsedTimer m_clock;
    int m_provisioningNow = 0;
    bool m_allRunningReported = false;
    bool m_stopping = false;
    bool m_finished = false;
};

} // namespace Provisio::Agent
