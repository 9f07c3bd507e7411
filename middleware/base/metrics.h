// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHash>
#include <QMap>
#include <QString>

#include <functional>
#include <vector>

namespace Provisio {

// Counters, gauges and latency histograms rendered in the Prometheus text
// exposition format for /metrics. Labels are pre-rendered strings
// (`route="/x",status="200"`) because the set is small and fixed.
class Metrics
{
public:
    Metrics();

    void increment(const QString &name, const QString &labels = {}, double by = 1);
    void observeSeconds(const QString &name, const QString &labels, double seconds);
    // A gauge read at scrape time (database sizes, uptime).
    void addGauge(const QString &name, const QString &help, std::function<double()> read);
    void describe(const QString &name, const QString &type, const QString &help);

    double counter(const QString &name, const QString &labels = {}) const;
    QByteArray render() const;

private:
    struct Histogram
    {
        std::vector<quint64> buckets;
        quint64 count = 0;
        double sum = 0;
    };
    struct Gauge
    {
        QString help;
        std::function<double()> read;
    };
    QMap<QString, QMap<QString, double>> m_counters;
    QMap<QString, QMap<QString, Histogram>> m_histograms;
    QMap<QString, Gauge> m_gauges;
    QHash<QString, QPair<QString, QString>> m_descriptions; // name -> (type, help)
    std::vector<double> m_bounds;
};

} // namespace Provisio
