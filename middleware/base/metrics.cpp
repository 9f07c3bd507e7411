// SPDX-License-Identifier: Apache-2.0
#include "metrics.h"

namespace Provisio {

Metrics::Metrics() : m_bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10} { }

void Metrics::describe(const QString &name, const QString &type, const QString &help)
{
    m_descriptions.insert(name, {type, help});
}

void Metrics::increment(const QString &name, const QString &labels, double by)
{
    m_counters[name][labels] += by;
}

double Metrics::counter(const QString &name, const QString &labels) const
{
    return m_counters.value(name).value(labels);
}

void Metrics::observeSeconds(const QString &name, const QString &labels, double seconds)
{
    Histogram &h = m_histograms[name][labels];
    if (h.buckets.empty())
        h.buckets.assign(m_bounds.size(), 0);
    for (size_t i = 0; i < m_bounds.size(); ++i) {
        if (seconds <= m_bounds[i])
            ++h.buckets[i];
    }
    ++h.count;
    h.sum += seconds;
}

void Metrics::addGauge(const QString &name, const QString &help, std::function<double()> read)
{
    m_gauges.insert(name, {help, std::move(read)});
}

namespace {
QByteArray number(double v)
{
    return QByteArray::number(v, 'g', 12);
}
QByteArray withLabels(const QString &name, const QString &labels, const QString &extra = {})
{
    QString all = labels;
    if (!extra.isEmpty())
        all = all.isEmpty() ? extra : all + QLatin1Char(',') + extra;
    if (all.isEmpty())
        return name.toUtf8();
    return (name + QLatin1Char('{') + all + QLatin1Char('}')).toUtf8();
}
} // namespace

QByteArray Metrics::render() const
{
    QByteArray out;
    auto header = [&](const QString &name, const char *fallbackType) {
        const auto d = m_descriptions.value(name);
        if (!d.second.isEmpty())
            out += "# HELP " + name.toUtf8() + ' ' + d.second.toUtf8() + '\n';
        out +=
            "# TYPE " + name.toUtf8() + ' ' + (d.first.isEmpty() ? QByteArray(fallbackType) : d.first.toUtf8()) + '\n';
    };
    for (auto it = m_counters.cbegin(); it != m_counters.cend(); ++it) {
        header(it.key(), "counter");
        for (auto s = it.value().cbegin(); s != it.value().cend(); ++s)
            out += withLabels(it.key(), s.key()) + ' ' + number(s.value()) + '\n';
    }
    for (auto it = m_histograms.cbegin(); it != m_histograms.cend(); ++it) {
        header(it.key(), "histogram");
        for (auto s = it.value().cbegin(); s != it.value().cend(); ++s) {
            const Histogram &h = s.value();
            for (size_t i = 0; i < m_bounds.size(); ++i)
                out += withLabels(it.key() + QLatin1String("_bucket"), s.key(),
                                  QStringLiteral("le=\"%1\"").arg(m_bounds[i])) +
                       ' ' + QByteArray::number(h.buckets[i]) + '\n';
            out += withLabels(it.key() + QLatin1String("_bucket"), s.key(), QStringLiteral("le=\"+Inf\"")) + ' ' +
                   QByteArray::number(h.count) + '\n';
            out += withLabels(it.key() + QLatin1String("_sum"), s.key()) + ' ' + number(h.sum) + '\n';
            out += withLabels(it.key() + QLatin1String("_count"), s.key()) + ' ' + QByteArray::number(h.count) + '\n';
        }
    }
    for (auto it = m_gauges.cbegin(); it != m_gauges.cend(); ++it) {
        out += "# HELP " + it.key().toUtf8() + ' ' + it.value().help.toUtf8() + '\n';
        out += "# TYPE " + it.key().toUtf8() + " gauge\n";
        out += it.key().toUtf8() + ' ' + number(it.value().read()) + '\n';
    }
    return out;
}

} // namespace Provisio
