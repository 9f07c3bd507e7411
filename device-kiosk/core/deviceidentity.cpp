// SPDX-License-Identifier: Apache-2.0
#include "deviceidentity.h"

#include <QFile>
#include <QRegularExpression>

namespace Provisio::Kiosk {

namespace {

// Small text files only; a serial is never long.
QByteArray readSmallFile(const QString &path)
{
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return {};
    return file.read(64 * 1024);
}

// Device tree strings end in NUL; files end in a newline.
QString clean(const QByteArray &raw)
{
    QByteArray bytes = raw;
    const int nul = bytes.indexOf('\0');
    if (nul >= 0)
        bytes.truncate(nul);
    const QString text = QString::fromUtf8(bytes).trimmed();
    // Only printable, single-line text is a plausible serial.
    static const QRegularExpression plausible(QStringLiteral("^[\\x21-\\x7e]{1,128}$"));
    return plausible.match(text).hasMatch() ? text : QString();
}

// A board serial of all zeros means the firmware did not set one.
bool isPlaceholder(const QString &serial)
{
    static const QRegularExpression zeros(QStringLiteral("^0+$"));
    return zeros.match(serial).hasMatch();
}

QString cpuInfoSerial(const QByteArray &cpuInfo)
{
    static const QRegularExpression line(QStringLiteral("^Serial\\s*:\\s*(\\S+)\\s*$"),
                                         QRegularExpression::MultilineOption);
    const auto match = line.match(QString::fromUtf8(cpuInfo));
    return match.hasMatch() ? clean(match.captured(1).toUtf8()) : QString();
}

} // namespace

QString DeviceIdentity::detect(const QString &configured)
{
    return detect(configured, Paths());
}

QString DeviceIdentity::detect(const QString &configured, const Paths &paths)
{
    const QString given = configured.trimmed();
    if (!given.isEmpty())
        return given;
    const QString deviceTree = clean(readSmallFile(paths.deviceTreeSerial));
    if (!deviceTree.isEmpty() && !isPlaceholder(deviceTree))
        return deviceTree;
    const QString cpu = cpuInfoSerial(readSmallFile(paths.cpuInfo));
    if (!cpu.isEmpty() && !isPlaceholder(cpu))
        return cpu;
    return clean(readSmallFile(paths.machineId));
}

} // namespace Provisio::Kiosk
