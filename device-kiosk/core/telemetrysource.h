// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <random>

namespace Provisio::Kiosk {

// A pluggable telemetry producer: the DeviceController asks it for one
// message body per tick and sends that through the outbox. Implementations
// below; create() picks one from the agent's `--telemetry` value.
class TelemetrySource : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual QString name() const = 0; // "file", "simulated", "host"
    virtual QJsonObject next() = 0;   // one message's body

    // "simulated", "host", or the path of a JSON-lines file.
    static Result<std::unique_ptr<TelemetrySource>> create(const QString &spec);
};

// Replays a JSON-lines file in a loop, one object per line (blank lines are
// skipped), as the original DPS sample's random_telemetry.json: every
// `$UTC_TIME$` in a line becomes the current UTC time in ISO 8601 with
// milliseconds. The whole file is read and checked when it is opened, so a
// broken line is reported at start-up with its number, not in the field.
class FileReplaySource : public TelemetrySource
{
    Q_OBJECT
public:
    static constexpr qint64 MaxFileSize = 16 * 1024 * 1024;
    static const QString TimePlaceholder; // "$UTC_TIME$"

    static Result<std::unique_ptr<FileReplaySource>> open(const QString &path);
    // The same from text already in memory; `origin` names it in errors.
    static Result<std::unique_ptr<FileReplaySource>> fromText(const QByteArray &text, const QString &origin);

    QString name() const override { return QStringLiteral("file"); }
    QJsonObject next() override;
    int lineCount() const { return int(m_lines.size()); }
    // Index of the line next() returns next.
    int position() const { return m_position; }

private:
    FileReplaySource() = default;
    QList<QByteArray> m_lines;
    int m_position = 0;
};

// Simulated environment sensors: temperature (°C), relative humidity (%) and
// pressure (hPa), each a bounded random walk. The same seed gives the same
// readings, so tests and demos are repeatable.
class SimulatedSensorsSource : public TelemetrySource
{
    Q_OBJECT
public:
    explicit SimulatedSensorsSource(quint32 seed, QObject *parent = nullptr);
    // Seeded from the system's random device.
    explicit SimulatedSensorsSource(QObject *parent = nullptr);

    QString name() const override { return QStringLiteral("simulated"); }
    QJsonObject next() override;

private:
    std::mt19937 m_random;
    double m_temperature = 21.0;
    double m_humidity = 45.0;
    double m_pressure = 1013.0;
};

// What the host itself says about its health: CPU temperature (from the
// first thermal zone of type cpu/soc, else the first zone), load averages
// and memory. A value the host does not offer is left out rather than faked.
class HostMetricsSource : public TelemetrySource
{
    Q_OBJECT
public:
    struct Paths
    {
        QString thermal = QStringLiteral("/sys/class/thermal");
        QString loadAverage = QStringLiteral("/proc/loadavg");
        QString memoryInfo = QStringLiteral("/proc/meminfo");
    };

    explicit HostMetricsSource(QObject *parent = nullptr);
    HostMetricsSource(const Paths &paths, QObject *parent = nullptr);

    QString name() const override { return QStringLiteral("host"); }
    QJsonObject next() override;

private:
    Paths m_paths;
};

} // namespace Provisio::Kiosk
