// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "kioskoptions.h"

#include <QObject>

#include <memory>

class QQmlApplicationEngine;
class QQuickWindow;

namespace Provisio::Kiosk {

class DeviceController;
class KioskDevice;
class SettingsLock;

// The touchscreen program behind `provisio-kiosk`: builds the DeviceController
// from KioskOptions, hands it to QML as the Device singleton (with the
// SettingsLock), runs the `reboot` method's command, and shows the
// Provisio.Kiosk window. finished() carries the process exit code: 0 after a
// clean stop, 1 when the window could not be created.
class KioskApplication : public QObject
{
    Q_OBJECT
public:
    // What must happen before the QGuiApplication exists: the virtual
    // keyboard as input method, the Basic style, the offscreen platform for
    // --help and --version, and the clock the first-frame figure counts from.
    static void prepareProcess(int argc, char **argv);

    explicit KioskApplication(KioskOptions options, QObject *parent = nullptr);
    ~KioskApplication() override;

    // Creates the data directory, starts the device and shows the window; an
    // error is a message for stderr (exit code 1).
    Result<void> start();
    // Clean stop: the hub hears "offline" at once instead of waiting for the
    // last will; then finished(0). Closing the window comes here too.
    void stop();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void reportFirstFrame();

    KioskOptions m_options;
    std::unique_ptr<SettingsLock> m_settingsLock;
    std::unique_ptr<DeviceController> m_controller;
    std::unique_ptr<KioskDevice> m_device;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    bool m_stopping = false;
    bool m_firstFrameReported = false;
};

} // namespace Provisio::Kiosk
