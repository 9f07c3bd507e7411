// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Provisio::Kiosk {

// The device serial, the name the CRM's inventory knows the device by and
// the activation code is bound to. In order of preference: the configured
// value; the board's serial (/sys/firmware/devicetree/base/serial-number,
// else the "Serial" line of /proc/cpuinfo, as on a Raspberry Pi); else
// /etc/machine-id. A Pi's board serial survives a re-flashed SD card, the
// machine id does not, hence the order. The paths are overridable for tests.
struct DeviceIdentity
{
    struct Paths
    {
        QString deviceTreeSerial = QStringLiteral("/sys/firmware/devicetree/base/serial-number");
        QString cpuInfo = QStringLiteral("/proc/cpuinfo");
        QString machineId = QStringLiteral("/etc/machine-id");
    };

    // Empty when nothing yields a serial.
    static QString detect(const QString &configured = {});
    static QString detect(const QString &configured, const Paths &paths);
};

} // namespace Provisio::Kiosk
