// SPDX-License-Identifier: Apache-2.0
#include "telemetrychart.h"

#include "telemetrymodel.h"

#include <QChart>
#include <QDateTimeAxis>
#include <QJsonObject>
#include <QLineSeries>
#include <QValueAxis>

#include <cmath>

namespace Provisio::Crm {

TelemetryChart::TelemetryChart(TelemetryModel *model, QWidget *parent)
    : QChartView(parent), m_model(model), m_x(new QDateTimeAxis), m_y(new QValueAxis)
{
    setObjectName(QStringLiteral("telemetryChart"));
    auto *chart = new QChart;
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_x->setFormat(QStringLiteral("HH:mm:ss"));
    m_x->setTickCount(5);
    m_y->setLabelFormat(QStringLiteral("%.1f"));
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(240);
    connect(model, &QAbstractItemModel::modelReset, this, &TelemetryChart::rebuild);
    connect(model, &QAbstractItemModel::rowsInserted, this, &TelemetryChart::rebuild);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &TelemetryChart::rebuild);
    rebuild();
}

QStringList TelemetryChart::seriesNames() const
{
    QStringList names = m_series.keys();
    names.sort();
    return names;
}

int TelemetryChart::pointCount(const QString &series) const
{
    const QLineSeries *s = m_series.value(series);
    return s ? s->count() : 0;
}

void TelemetryChart::rebuild()
{
    // Which numeric members appear in the messages we have.
    QHash<QString, QList<QPointF>> points;
    double minY = 0;
    double maxY = 0;
    bool any = false;
    QDateTime first;
    QDateTime last;
    for (int row = m_model->rowCount() - 1; row >= 0; --row) { // oldest first
        const QModelIndex index = m_model->index(row, 0);
        const QDateTime at = index.data(TelemetryModel::ReceivedRole).toDateTime();
        const QJsonObject body =
            index.data(TelemetryModel::MessageRole).toJsonObject().value(QStringLiteral("body")).toObject();
        if (!at.isValid() || body.isEmpty())
            continue;
        for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
            if (!it.value().isDouble())
                continue;
            const double v = it.value().toDouble();
            if (!std::isfinite(v))
                continue;
            points[it.key()].append(QPointF(double(at.toMSecsSinceEpoch()), v));
            minY = any ? qMin(minY, v) : v;
            maxY = any ? qMax(maxY, v) : v;
            any = true;
            if (!first.isValid() || at < first)
                first = at;
            if (!last.isValid() || at > last)
                last = at;
        }
    }
    // Keep series objects for names still present so colours stay stable.
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (!points.contains(it.key())) {
            chart()->removeSeries(it.value());
            delete it.value();
            it = m_series.erase(it);
        } else {
            ++it;
        }
    }
    QStringList names = points.keys();
    names.sort();
    for (const QString &name : names) {
        QLineSeries *series = m_series.value(name);
        if (!series) {
            series = new QLineSeries;
            series->setName(name);
            chart()->addSeries(series);
            series->attachAxis(m_x);
            series->attachAxis(m_y);
            m_series.insert(name, series);
        }
        series->replace(points.value(name));
    }
    if (any) {
        const double pad = qMax(0.5, (maxY - minY) * 0.1);
        m_y->setRange(minY - pad, maxY + pad);
        if (first == last)
            last = first.addSecs(1);
        m_x->setRange(first, last);
    }
    chart()->setTitle(any ? QString() : tr("No numeric telemetry yet"));
}

} // namespace Provisio::Crm
