// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QChartView>
#include <QHash>

class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace Provisio::Crm {

class TelemetryModel;

// A live line chart of a device's telemetry: one series per numeric member
// of the JSON bodies (temperature, humidity, …) over the time each message
// arrived. Rebuilt from the TelemetryModel when it changes (its history
// first, then each live message); the model keeps a few hundred messages,
// so a rebuild is cheap.
class TelemetryChart : public QChartView
{
    Q_OBJECT
public:
    explicit TelemetryChart(TelemetryModel *model, QWidget *parent = nullptr);

    QStringList seriesNames() const;
    int pointCount(const QString &series) const;

private:
    void rebuild();

    TelemetryModel *m_model;
    QDateTimeAxis *m_x;
    QValueAxis *m_y;
    QHash<QString, QLineSeries *> m_series;
};

} // namespace Provisio::Crm
