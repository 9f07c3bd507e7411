// SPDX-License-Identifier: Apache-2.0
#include "telemetrysource.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace Provisio::Kiosk {

namespace {

QString utcNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

double round1(double v)
{
    return std::round(v * 10.0) / 10.0;
}

QByteArray readSmallFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(256 * 1024);
}

} // namespace

const QString FileReplaySource::TimePlaceholder = QStringLiteral("$UTC_TIME$");

Result<std::unique_ptr<TelemetrySource>> TelemetrySource::create(const QString &spec)
{
    if (spec == QLatin1String("simulated"))
        return std::unique_ptr<TelemetrySource>(std::make_unique<SimulatedSensorsSource>());
    if (spec == QLatin1String("host"))
        return std::unique_ptr<TelemetrySource>(std::make_unique<HostMetricsSource>());
    if (spec.isEmpty())
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("no telemetry source given: use \"simulated\", \"host\" or a JSON-lines file"));
    auto file = FileReplaySource::open(spec);
    if (!file)
        return file.error();
    return std::unique_ptr<TelemetrySource>(std::move(file).value());
}

// ---------------------------------------------------------------------------

Result<std::unique_ptr<FileReplaySource>> FileReplaySource::open(const QString &path)
{
    QFile file(path);
    if (!QFileInfo(path).isFile())
        return Error(ErrorCode::InvalidInput, QStringLiteral("telemetry file %1 does not exist").arg(path));
    if (file.size() > MaxFileSize)
        return Error(
            ErrorCode::InvalidInput,
            QStringLiteral("telemetry file %1 is larger than %2 MiB").arg(path).arg(MaxFileSize / (1024 * 1024)));
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("cannot read telemetry file %1: %2").arg(path, file.errorString()));
    return fromText(file.readAll(), path);
}

Result<std::unique_ptr<FileReplaySource>> FileReplaySource::fromText(const QByteArray &text, const QString &origin)
{
    std::unique_ptr<FileReplaySource> source(new FileReplaySource);
    // Checked with a real timestamp in place: the placeholder belongs inside
    // a JSON string, and a line that uses it elsewhere is not JSON.
    const QByteArray placeholder = TimePlaceholder.toUtf8();
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        QByteArray probe = line;
        probe.replace(placeholder, utcNow().toUtf8());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(probe, &error);
        if (error.error != QJsonParseError::NoError)
            return Error(ErrorCode::InvalidInput, QStringLiteral("%1 line %2: not JSON (%3 at column %4)")
                                                      .arg(origin)
                                                      .arg(i + 1)
                                                      .arg(error.errorString())
                                                      .arg(error.offset + 1));
        if (!doc.isObject())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("%1 line %2: each line must be one JSON object").arg(origin).arg(i + 1));
        source->m_lines.append(line);
    }
    if (source->m_lines.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("%1 holds no telemetry lines").arg(origin));
    return source;
}

QJsonObject FileReplaySource::next()
{
    QByteArray line = m_lines.at(m_position);
    m_position = (m_position + 1) % int(m_lines.size());
    // The timestamp has no characters JSON would need escaped, so a plain
    // text replacement keeps the (already checked) line valid.
    line.replace(TimePlaceholder.toUtf8(), utcNow().toUtf8());
    return QJsonDocument::fromJson(line).object();
}

// ---------------------------------------------------------------------------

SimulatedSensorsSource::SimulatedSensorsSource(quint32 seed, QObject *parent) : TelemetrySource(parent), m_random(seed)
{ }

SimulatedSensorsSource::SimulatedSensorsSource(QObject *parent) : SimulatedSensorsSource(std::random_device{}(), parent)
{ }

QJsonObject SimulatedSensorsSource::next()
{
    std::normal_distribution<double> step(0.0, 1.0);
    // Small steps with a pull back to a typical indoor value, so a long run
    // wanders like a room does and never drifts off to the bounds for good.
    m_temperature = std::clamp(m_temperature + 0.2 * step(m_random) + 0.02 * (21.0 - m_temperature), -20.0, 50.0);
    m_humidity = std::clamp(m_humidity + 0.5 * step(m_random) + 0.02 * (45.0 - m_humidity), 0.0, 100.0);
    m_pressure = std::clamp(m_pressure + 0.3 * step(m_random) + 0.02 * (1013.0 - m_pressure), 900.0, 1100.0);
    return QJsonObject{
        {QStringLiteral("temperature"), round1(m_temperature)},
        {QStringLiteral("humidity"), round1(m_humidity)},
        {QStringLiteral("pressure"), round1(m_pressure)},
        {QStringLiteral("time"), utcNow()},
    };
}

// ---------------------------------------------------------------------------

HostMetricsSource::HostMetricsSource(QObject *parent) : HostMetricsSource(Paths(), parent) { }

HostMetricsSource::HostMetricsSource(const Paths &paths, QObject *parent) : TelemetrySource(parent), m_paths(paths) { }

QJsonObject HostMetricsSource::next()
{
    QJsonObject body;

    // CPU temperature: the zone named for the CPU or SoC, else the first.
    const QDir thermal(m_paths.thermal);
    QStringList zones =
        thermal.entryList({QStringLiteral("thermal_zone*")}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    QString chosen;
    for (const QString &zone : zones) {
        const QString type =
            QString::fromUtf8(readSmallFile(thermal.filePath(zone + QStringLiteral("/type")))).trimmed();
        if (type.contains(QLatin1String("cpu"), Qt::CaseInsensitive) ||
            type.contains(QLatin1String("soc"), Qt::CaseInsensitive)) {
            chosen = zone;
            break;
        }
    }
    if (chosen.isEmpty() && !zones.isEmpty())
        chosen = zones.constFirst();
    if (!chosen.isEmpty()) {
        bool ok = false;
        const qint64 milli =
            readSmallFile(thermal.filePath(chosen + QStringLiteral("/temp"))).trimmed().toLongLong(&ok);
        if (ok)
            body.insert(QStringLiteral("cpuTemperature"), round1(double(milli) / 1000.0));
    }

    const QList<QByteArray> load = readSmallFile(m_paths.loadAverage).simplified().split(' ');
    if (load.size() >= 3) {
        bool ok1 = false, ok5 = false, ok15 = false;
        const double l1 = load.at(0).toDouble(&ok1), l5 = load.at(1).toDouble(&ok5), l15 = load.at(2).toDouble(&ok15);
        if (ok1 && ok5 && ok15) {
            body.insert(QStringLiteral("loadAverage1"), l1);
            body.insert(QStringLiteral("loadAverage5"), l5);
            body.insert(QStringLiteral("loadAverage15"), l15);
        }
    }

    qint64 totalKiB = -1, availableKiB = -1;
    static const QRegularExpression memLine(QStringLiteral("^(MemTotal|MemAvailable):\\s+(\\d+)\\s+kB$"),
                                            QRegularExpression::MultilineOption);
    auto it = memLine.globalMatch(QString::fromUtf8(readSmallFile(m_paths.memoryInfo)));
    while (it.hasNext()) {
        const auto m = it.next();
        (m.captured(1) == QLatin1String("MemTotal") ? totalKiB : availableKiB) = m.captured(2).toLongLong();
    }
    if (totalKiB > 0 && availableKiB >= 0) {
        body.insert(QStringLiteral("memoryTotalKiB"), totalKiB);
        body.insert(QStringLiteral("memoryAvailableKiB"), availableKiB);
        body.insert(QStringLiteral("memoryUsedPercent"),
                    round1(100.0 * double(totalKiB - availableKiB) / double(totalKiB)));
    }
    body.insert(QStringLiteral("time"), utcNow());
    return body;
}

} // namespace Provisio::Kiosk
