// SPDX-License-Identifier: Apache-2.0
#include "agent.h"

#include "devicecontroller.h"
#include "rebootcommand.h"
#include "telemetrysource.h"

#include "crypto/keys.h"

#include <QDir>
#include <QFileInfo>
#include <QMetaEnum>

#include <algorithm>

#include <unistd.h>

namespace Provisio::Agent {

using Kiosk::DeviceController;

namespace {

QString stateName(DeviceController::State state)
{
    return QString::fromLatin1(QMetaEnum::fromType<DeviceController::State>().valueToKey(int(state))).toLower();
}

QString stepName(DeviceController::Step step)
{
    return QString::fromLatin1(QMetaEnum::fromType<DeviceController::Step>().valueToKey(int(step)));
}

QString stepStateName(DeviceController::StepState state)
{
    return QString::fromLatin1(QMetaEnum::fromType<DeviceController::StepState>().valueToKey(int(state))).toLower();
}

} // namespace

Agent::Agent(AgentOptions options, QTextStream &out, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_out(out)
{
    connect(&m_statusTimer, &QTimer::timeout, this, &Agent::printStatus);
}

Agent::~Agent() = default;

void Agent::line(const QString &text)
{
    m_out << text << Qt::endl;
}

void Agent::finish(int exitCode)
{
    if (m_finished)
        return;
    m_finished = true;
    m_statusTimer.stop();
    Q_EMIT finished(exitCode);
}

DeviceController *Agent::addDevice(const QString &directory, const QString &serial, quint32 seed)
{
    Kiosk::DeviceSettings settings = m_options.deviceSettings();
    settings.dataDirectory = directory;
    settings.serial = serial;
    Device d;
    d.controller = std::make_unique<DeviceController>(settings);
    DeviceController *controller = d.controller.get();
    // The source was checked when the options were parsed.
    if (m_options.telemetry == QLatin1String("simulated")) {
        controller->setTelemetrySource(std::make_unique<Kiosk::SimulatedSensorsSource>(seed));
    } else if (auto source = Kiosk::TelemetrySource::create(m_options.telemetry)) {
        controller->setTelemetrySource(std::move(source).value());
    }
    m_devices.push_back(std::move(d));
    return controller;
}

void Agent::start()
{
    m_clock.start();
    if (m_options.mode == AgentOptions::Mode::Simulate)
        startSimulation();
    else
        startSingle();
    if (!m_finished && m_options.statusIntervalMs > 0)
        m_statusTimer.start(m_options.statusIntervalMs);
}

// --- one device -------------------------------------------------------------

void Agent::startSingle()
{
    // Reconnecting needs what an earlier run stored; checked before anything
    // is created, so a mistyped directory stays untouched.
    if (m_options.mode == AgentOptions::Mode::Reconnect &&
        !QFileInfo::exists(QDir(m_options.dataDirectory).filePath(QStringLiteral("connection.json")))) {
        line(QStringLiteral("error: %1 holds no provisioned device; give --activate CODE, or --id-scope, "
                            "--registration-id and --key (with --middleware)")
                 .arg(m_options.dataDirectory));
        finish(2);
        return;
    }
    DeviceController *device = addDevice(m_options.dataDirectory, m_options.serial, std::random_device{}());
    connect(device, &DeviceController::stateChanged, this, [this, device](DeviceController::State state) {
        QString text = QStringLiteral("state: ") + stateName(state);
        if (state == DeviceController::State::Running)
            text += QStringLiteral(" (device %1 on hub %2)").arg(device->deviceId(), device->assignedHub());
        line(text);
    });
    connect(device, &DeviceController::stepChanged, this,
            [this](DeviceController::Step step, DeviceController::StepState state, const QString &detail) {
                if (state == DeviceController::StepState::Pending)
                    return;
                line(QStringLiteral("step %1: %2%3")
                         .arg(stepName(step), stepStateName(state),
                              detail.isEmpty() ? QString() : QStringLiteral(" - ") + detail));
            });
    connect(device, &DeviceController::failed, this, [this, device](const QString &userMessage, const QString &detail) {
        line(QStringLiteral("error: %1 (%2)").arg(userMessage, detail));
        // Nothing left to retry without a stored connection (a wrong code, a
        // disabled enrollment, an unreachable middleware), or without the
        // credentials to register again after the hub refused the device.
        if (device->state() == DeviceController::State::Failed &&
            (device->deviceId().isEmpty() || !device->hasStoredCredentials()))
            finish(1);
    });
    connect(device, &DeviceController::desiredPropertiesChanged, this, [this, device](const QJsonObject &) {
        line(QStringLiteral("desired properties received; telemetry every %1 ms").arg(device->telemetryIntervalMs()));
    });
    connect(device, &DeviceController::rebootRequested, this, [this] {
        if (m_options.rebootCommand.isEmpty()) {
            line(QStringLiteral("reboot requested by the back office; ignored (no --reboot-command)"));
            return;
        }
        line(QStringLiteral("reboot requested by the back office: running the reboot command"));
        if (!Kiosk::startRebootCommand(m_options.rebootCommand))
            line(QStringLiteral("error: the reboot command could not be started"));
    });

    if (!m_options.middlewareUrl.isEmpty())
        device->setMiddlewareUrl(m_options.middlewareUrl);
    device->start();
    // After start(): a device set up before keeps the serial it was set up under.
    line(QStringLiteral("provisio-agent: serial %1, data in %2")
             .arg(device->serial().isEmpty() ? QStringLiteral("(none)") : device->serial(), m_options.dataDirectory));

    switch (device->state()) {
    case DeviceController::State::Failed:
        line(QStringLiteral("error: ") + device->lastErrorMessage());
        finish(1);
        return;
    case DeviceController::State::Unprovisioned:
        if (m_options.mode == AgentOptions::Mode::Activate) {
            device->activate(m_options.activationCode);
        } else if (m_options.mode == AgentOptions::Mode::FullKey) {
            device->provisionWithKey(m_options.idScope, m_options.registrationId, m_options.symmetricKey);
        } else {
            line(QStringLiteral("error: %1 holds no provisioned device; give --activate CODE, or --id-scope, "
                                "--registration-id and --key (with --middleware)")
                     .arg(m_options.dataDirectory));
            finish(2);
        }
        return;
    default:
        if (m_options.mode != AgentOptions::Mode::Reconnect)
            line(QStringLiteral("note: already provisioned as %1; the provisioning options are not used "
                                "(an empty --data-dir starts over)")
                     .arg(device->deviceId()));
        return;
    }
}

// --- many virtual devices ---------------------------------------------------

void Agent::startSimulation()
{
    const int n = m_options.simulateCount;
    const int width = std::max(4, int(QString::number(n).size()));
    line(QStringLiteral("simulate: %1 device(s) in %2, registration ids %3%4..%3%5")
             .arg(n)
             .arg(m_options.dataDirectory, m_options.registrationPrefix)
             .arg(1, width, 10, QLatin1Char('0'))
             .arg(n, width, 10, QLatin1Char('0')));
    m_devices.reserve(size_t(n));
    for (int i = 1; i <= n; ++i) {
        const QString id = m_options.registrationPrefix + QStringLiteral("%1").arg(i, width, 10, QLatin1Char('0'));
        const auto key = Crypto::deriveKey(m_options.groupKey, id);
        if (!key) {
            line(QStringLiteral("error: cannot derive the key of %1: %2").arg(id, key.error().message));
            finish(2);
            return;
        }
        DeviceController *device = addDevice(QDir(m_options.dataDirectory).filePath(id), id, quint32(i));
        const size_t index = m_devices.size() - 1;
        m_devices.back().registrationId = id;
        m_devices.back().key = *key;
        connect(device, &DeviceController::stateChanged, this, [this, index](DeviceController::State state) {
            Device &d = m_devices.at(index);
            if (d.provisioning && state != DeviceController::State::Provisioning) {
                d.provisioning = false;
                --m_provisioningNow;
                pumpProvisioning();
            }
            if (state == DeviceController::State::Running && !m_allRunningReported) {
                const bool all = std::all_of(m_devices.begin(), m_devices.end(), [](const Device &x) {
                    return x.controller->state() == DeviceController::State::Running;
                });
                if (all) {
                    m_allRunningReported = true;
                    line(QStringLiteral("simulate: all %1 device(s) running after %2 ms")
                             .arg(m_devices.size())
                             .arg(m_clock.elapsed()));
                }
            }
        });
        connect(device, &DeviceController::failed, this,
                [this, index](const QString &userMessage, const QString &detail) {
                    Device &d = m_devices.at(index);
                    d.failed = d.controller->state() == DeviceController::State::Failed;
                    line(QStringLiteral("%1: error: %2 (%3)").arg(d.registrationId, userMessage, detail));
                });
        device->setMiddlewareUrl(m_options.middlewareUrl);
        device->start();
        if (device->state() == DeviceController::State::Unprovisioned)
            m_devices.back().queued = true;
    }
    pumpProvisioning();
}

void Agent::pumpProvisioning()
{
    if (m_stopping)
        return;
    for (Device &d : m_devices) {
        if (m_provisioningNow >= m_options.simulateConcurrency)
            return;
        if (!d.queued)
            continue;
        d.queued = false;
        d.provisioning = true;
        ++m_provisioningNow;
        d.controller->provisionWithKey(m_options.idScope, d.registrationId, d.key);
    }
}

// --- status and stopping ----------------------------------------------------

void Agent::printStatus()
{
    qint64 sent = 0, dropped = 0;
    qint64 queued = 0;
    int counts[5] = {0, 0, 0, 0, 0};
    for (const Device &d : m_devices) {
        sent += d.controller->messagesSent();
        queued += d.controller->messagesQueued();
        dropped += d.controller->messagesDropped();
        ++counts[int(d.controller->state())];
    }
    if (m_devices.size() == 1) {
        const DeviceController *c = m_devices.front().controller.get();
        line(QStringLiteral("status: %1%2, sent %3, queued %4, dropped %5")
                 .arg(stateName(c->state()), c->isConnected() ? QStringLiteral(" (connected)") : QString())
                 .arg(sent)
                 .arg(queued)
                 .arg(dropped));
        return;
    }
    line(QStringLiteral("status: %1 running, %2 connecting, %3 provisioning, %4 unprovisioned, %5 failed; "
                        "sent %6, queued %7, dropped %8")
             .arg(counts[int(DeviceController::State::Running)])
             .arg(counts[int(DeviceController::State::Connecting)])
             .arg(counts[int(DeviceController::State::Provisioning)])
             .arg(counts[int(DeviceController::State::Unprovisioned)])
             .arg(counts[int(DeviceController::State::Failed)])
             .arg(sent)
             .arg(queued)
             .arg(dropped));
}

void Agent::stop()
{
    if (m_stopping || m_finished)
        return;
    m_stopping = true;
    m_statusTimer.stop();
    line(QStringLiteral("stopping"));
    auto remaining = std::make_shared<int>(int(m_devices.size()));
    auto done = [this] {
        printStatus();
        line(QStringLiteral("stopped"));
        finish(0);
    };
    if (*remaining == 0) {
        done();
        return;
    }
    for (Device &d : m_devices) {
        connect(d.controller.get(), &DeviceController::stopped, this, [remaining, done] {
            if (--*remaining == 0)
                done();
        });
        d.controller->stop();
    }
}

} // namespace Provisio::Agent
