// SPDX-License-Identifier: Apache-2.0
#include "telemetrychart.h"

#include "displayformat.h"
#include "telemetrymodel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTimeAxis>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QToolButton>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>

namespace Provisio::Crm {

namespace {

// Distinct colours, by the member's place among the device's members.
QColor colourFor(int index)
{
    static const QColor palette[] = {QColor(0x1f77b4), QColor(0xd62728), QColor(0x2ca02c), QColor(0x9467bd),
                                     QColor(0xff7f0e), QColor(0x17becf), QColor(0x8c564b), QColor(0xe377c2)};
    return palette[index % int(sizeof(palette) / sizeof(palette[0]))];
}

// A value axis range on round steps: about four intervals, never below
// zero for data that is not, and as many decimals as the step needs.
struct NiceScale
{
    double low = 0;
    double high = 1;
    int ticks = 2;
    int decimals = 0;
};

NiceScale niceScale(double minimum, double maximum)
{
    double span = maximum - minimum;
    if (span <= 0)
        span = std::abs(maximum) > 0 ? std::abs(maximum) * 0.1 : 1.0;
    const double raw = span / 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double normal = raw / magnitude;
    const double step = (normal <= 1 ? 1 : normal <= 2 ? 2 : normal <= 5 ? 5 : 10) * magnitude;
    NiceScale scale;
    scale.low = std::floor(minimum / step) * step;
    scale.high = std::ceil(maximum / step) * step;
    if (scale.high - scale.low < step / 2)
        scale.high = scale.low + step;
    if (minimum >= 0 && scale.low < 0)
        scale.low = 0;
    scale.ticks = int(std::lround((scale.high - scale.low) / step)) + 1;
    scale.decimals = qMax(0, int(-std::floor(std::log10(step) + 1e-9)));
    return scale;
}

QString timeFormatFor(qint64 spanMs)
{
    if (spanMs <= 10 * 60 * 1000)
        return QStringLiteral("HH:mm:ss");
    if (spanMs <= 36LL * 3600 * 1000)
        return QStringLiteral("HH:mm");
    return QCoreApplication::translate("Provisio::Crm::TelemetryChart", "MM-dd HH:mm",
                                       "QDateTime format of the time axis over more than a day");
}

} // namespace

TelemetryChart::TelemetryChart(TelemetryModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_rangeBox(new QComboBox(this)), m_fromEdit(new QDateTimeEdit(this)),
      m_toEdit(new QDateTimeEdit(this)), m_apply(new QPushButton(tr("Show"), this)),
      m_export(new QPushButton(tr("Export CSV…"), this)), m_legend(new QWidget(this)),
      m_stack(new QStackedWidget(this)), m_empty(new QLabel(this)), m_panelsPage(new QWidget), m_hover(new QLabel(this))
{
    setObjectName(QStringLiteral("telemetryChart"));
    m_rangeBox->setObjectName(QStringLiteral("telemetryRange"));
    m_rangeBox->addItem(tr("Latest messages"), Latest);
    m_rangeBox->addItem(tr("Last hour"), LastHour);
    m_rangeBox->addItem(tr("Last 24 hours"), LastDay);
    m_rangeBox->addItem(tr("Last 7 days"), LastWeek);
    m_rangeBox->addItem(tr("Custom…"), Custom);
    m_fromEdit->setObjectName(QStringLiteral("telemetryFrom"));
    m_toEdit->setObjectName(QStringLiteral("telemetryTo"));
    for (QDateTimeEdit *edit : {m_fromEdit, m_toEdit}) {
        edit->setDisplayFormat(tr("yyyy-MM-dd HH:mm", "QDateTimeEdit format of the custom range"));
        edit->setCalendarPopup(true);
        edit->setVisible(false);
    }
    m_apply->setObjectName(QStringLiteral("telemetryApplyRange"));
    m_apply->setVisible(false);
    m_export->setObjectName(QStringLiteral("telemetryExport"));
    m_export->setEnabled(false);
    m_legend->setObjectName(QStringLiteral("telemetryLegend"));
    auto *legendLayout = new QHBoxLayout(m_legend);
    legendLayout->setContentsMargins(0, 0, 0, 0);
    legendLayout->addStretch(1);

    // The range and the export on one line, the legend on its own below:
    // the device panel is narrow.
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Range:"), this));
    bar->addWidget(m_rangeBox);
    bar->addWidget(m_fromEdit);
    bar->addWidget(m_toEdit);
    bar->addWidget(m_apply);
    bar->addStretch(1);
    bar->addWidget(m_export);

    m_empty->setObjectName(QStringLiteral("telemetryEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_panels = new QVBoxLayout(m_panelsPage);
    m_panels->setContentsMargins(0, 0, 0, 0);
    m_panels->setSpacing(2);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_panelsPage);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(scroll);

    m_hover->setObjectName(QStringLiteral("telemetryHover"));
    m_hover->setText(tr("Times in %1. Point at a chart for its values.").arg(displayZone()));
    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_legend);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_hover);
    setMinimumHeight(240);

    connect(m_rangeBox, &QComboBox::activated, this,
            [this](int index) { setRange(Range(m_rangeBox->itemData(index).toInt())); });
    connect(m_apply, &QPushButton::clicked, this, [this] {
        setCustomRange(m_fromEdit->dateTime(), m_toEdit->dateTime());
        applyRange();
    });
    connect(m_export, &QPushButton::clicked, this, &TelemetryChart::chooseExportFile);
    connect(model, &QAbstractItemModel::modelReset, this, &TelemetryChart::rebuild);
    connect(model, &QAbstractItemModel::rowsInserted, this, &TelemetryChart::rebuild);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &TelemetryChart::rebuild);
    connect(model, &TelemetryModel::loadingChanged, this, &TelemetryChart::rebuild);
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
    const auto it = m_series.constFind(series);
    return it == m_series.constEnd() ? 0 : int(it->points.size());
}

QValueAxis *TelemetryChart::valueAxis(const QString &series) const
{
    const auto it = m_series.constFind(series);
    return it == m_series.constEnd() ? nullptr : it->y;
}

QDateTimeAxis *TelemetryChart::timeAxis(const QString &series) const
{
    const auto it = m_series.constFind(series);
    return it == m_series.constEnd() ? nullptr : it->x;
}

QChartView *TelemetryChart::chartView(const QString &series) const
{
    const auto it = m_series.constFind(series);
    return it == m_series.constEnd() ? nullptr : it->view;
}

bool TelemetryChart::isSeriesVisible(const QString &series) const
{
    const auto it = m_series.constFind(series);
    return it != m_series.constEnd() && it->toggle->isChecked();
}

void TelemetryChart::setSeriesVisible(const QString &series, bool visible)
{
    const auto it = m_series.find(series);
    if (it != m_series.end())
        it->toggle->setChecked(visible); // toggled() shows or hides the chart
}

void TelemetryChart::setRange(Range range)
{
    m_range = range;
    const int index = m_rangeBox->findData(range);
    if (index >= 0)
        m_rangeBox->setCurrentIndex(index);
    const bool custom = range == Custom;
    if (custom && !m_customFrom.isValid()) {
        const QDateTime now = QDateTime::currentDateTime();
        m_fromEdit->setDateTime(now.addDays(-1));
        m_toEdit->setDateTime(now);
    }
    m_fromEdit->setVisible(custom);
    m_toEdit->setVisible(custom);
    m_apply->setVisible(custom);
    if (!custom || m_customFrom.isValid())
        applyRange();
}

void TelemetryChart::setCustomRange(const QDateTime &from, const QDateTime &to)
{
    m_customFrom = qMin(from, to);
    m_customTo = qMax(from, to);
    m_fromEdit->setDateTime(m_customFrom.toLocalTime());
    m_toEdit->setDateTime(m_customTo.toLocalTime());
}

void TelemetryChart::applyRange()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    switch (m_range) {
    case Latest:
        m_model->setTimeRange({}, {});
        break;
    case LastHour:
        m_model->setTimeRange(now.addSecs(-3600), {});
        break;
    case LastDay:
        m_model->setTimeRange(now.addDays(-1), {});
        break;
    case LastWeek:
        m_model->setTimeRange(now.addDays(-7), {});
        break;
    case Custom:
        m_model->setTimeRange(m_customFrom, m_customTo);
        break;
    }
    rebuild();
}

TelemetryChart::Panel *TelemetryChart::addPanel(const QString &name, int index)
{
    Panel panel;
    auto *chart = new QChart;
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->legend()->hide();
    chart->setTitle(name);
    // Axis labels with the language's decimal separator, without grouping
    // ("1013,5" in German, not "1.013,5").
    QLocale axisLocale;
    axisLocale.setNumberOptions(QLocale::OmitGroupSeparator);
    chart->setLocalizeNumbers(true);
    chart->setLocale(axisLocale);
    panel.series = new QLineSeries;
    panel.series->setName(name);
    const QColor colour = colourFor(index);
    panel.series->setColor(colour);
    panel.series->setPointsVisible(false);
    panel.series->setSelectedColor(colour.darker(150));
    panel.x = new QDateTimeAxis;
    panel.x->setTickCount(5);
    panel.x->setTitleVisible(false); // the hover line names the zone
    panel.y = new QValueAxis;        // the chart's title names it
    chart->addSeries(panel.series);
    chart->addAxis(panel.x, Qt::AlignBottom);
    chart->addAxis(panel.y, Qt::AlignLeft);
    panel.series->attachAxis(panel.x);
    panel.series->attachAxis(panel.y);
    panel.view = new QChartView(chart, m_panelsPage);
    panel.view->setObjectName(QStringLiteral("telemetryChart_") + name);
    panel.view->setRenderHint(QPainter::Antialiasing);
    panel.view->setMinimumHeight(140);
    panel.view->viewport()->setMouseTracking(true);
    panel.view->viewport()->installEventFilter(this);
    panel.view->viewport()->setProperty("telemetrySeries", name);
    m_panels->insertWidget(index, panel.view);

    panel.toggle = new QToolButton(m_legend);
    panel.toggle->setObjectName(QStringLiteral("telemetryToggle_") + name);
    panel.toggle->setText(name);
    panel.toggle->setCheckable(true);
    panel.toggle->setChecked(true);
    panel.toggle->setToolTip(tr("Show or hide %1").arg(name));
    panel.toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    QPixmap swatch(12, 12);
    swatch.fill(colour);
    panel.toggle->setIcon(QIcon(swatch));
    auto *legendLayout = static_cast<QHBoxLayout *>(m_legend->layout());
    legendLayout->insertWidget(index, panel.toggle);
    QChartView *view = panel.view;
    connect(panel.toggle, &QToolButton::toggled, view, &QWidget::setVisible);
    // Added to a window that may already show: show them now, not after the
    // next pass of the event loop.
    panel.view->show();
    panel.toggle->show();
    return &m_series.insert(name, panel).value();
}

void TelemetryChart::rebuild()
{
    // The window shown: the range's, or for the latest messages what they span.
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    qint64 fromMs = 0;
    qint64 toMs = 0;
    switch (m_range) {
    case Latest:
        break;
    case LastHour:
        fromMs = nowMs - 3600LL * 1000;
        toMs = nowMs;
        break;
    case LastDay:
        fromMs = nowMs - 24LL * 3600 * 1000;
        toMs = nowMs;
        break;
    case LastWeek:
        fromMs = nowMs - 7LL * 24 * 3600 * 1000;
        toMs = nowMs;
        break;
    case Custom:
        fromMs = m_customFrom.toMSecsSinceEpoch();
        toMs = m_customTo.toMSecsSinceEpoch();
        break;
    }
    const bool windowed = m_range != Latest;
    std::map<QString, QList<QPointF>> points; // sorted by name
    qint64 first = 0;
    qint64 last = 0;
    for (int row = m_model->rowCount() - 1; row >= 0; --row) { // oldest first
        const QModelIndex index = m_model->index(row, 0);
        const QDateTime at = index.data(TelemetryModel::ReceivedRole).toDateTime();
        const QJsonObject body =
            index.data(TelemetryModel::MessageRole).toJsonObject().value(QStringLiteral("body")).toObject();
        if (!at.isValid() || body.isEmpty())
            continue;
        const qint64 ms = at.toMSecsSinceEpoch();
        if (windowed && (ms < fromMs || ms > toMs))
            continue;
        for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
            if (!it.value().isDouble() || !std::isfinite(it.value().toDouble()))
                continue;
            points[it.key()].append(QPointF(double(ms), it.value().toDouble()));
            first = first == 0 ? ms : qMin(first, ms);
            last = qMax(last, ms);
        }
    }
    if (!windowed) {
        fromMs = first;
        toMs = last > first ? last : first + 1000;
    }
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (points.count(it.key()) == 0) {
            delete it->view; // owns its chart, series and axes
            delete it->toggle;
            it = m_series.erase(it);
        } else {
            ++it;
        }
    }
    int index = 0;
    for (auto &[name, list] : points) {
        Panel *panel = m_series.contains(name) ? &m_series[name] : addPanel(name, index);
        panel->points = list;
        panel->series->replace(list);
        updateAxes(*panel, fromMs, toMs);
        ++index;
    }
    const bool any = !points.empty();
    if (!any) {
        if (m_model->isLoading())
            m_empty->setText(tr("Loading telemetry…"));
        else if (m_range == Latest || m_model->totalCount() == 0)
            m_empty->setText(tr("No telemetry yet: this device has not sent any numeric readings."));
        else
            m_empty->setText(tr("No numeric telemetry in this range. Choose a longer range."));
    }
    m_stack->setCurrentIndex(any ? 1 : 0);
    m_export->setEnabled(any);
}

void TelemetryChart::updateAxes(Panel &panel, qint64 fromMs, qint64 toMs)
{
    double minimum = 0;
    double maximum = 0;
    bool seen = false;
    for (const QPointF &p : std::as_const(panel.points)) {
        minimum = seen ? qMin(minimum, p.y()) : p.y();
        maximum = seen ? qMax(maximum, p.y()) : p.y();
        seen = true;
    }
    const NiceScale scale = niceScale(minimum, maximum);
    panel.y->setRange(scale.low, scale.high);
    panel.y->setTickCount(qBound(2, scale.ticks, 11));
    panel.y->setLabelFormat(QStringLiteral("%.") + QString::number(scale.decimals) + QStringLiteral("f"));
    panel.x->setFormat(timeFormatFor(toMs - fromMs));
    panel.x->setRange(QDateTime::fromMSecsSinceEpoch(fromMs), QDateTime::fromMSecsSinceEpoch(toMs));
}

bool TelemetryChart::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::MouseMove) {
        const QString name = watched->property("telemetrySeries").toString();
        const auto it = m_series.find(name);
        if (it != m_series.end())
            hoverAt(*it, static_cast<QMouseEvent *>(event)->position().toPoint());
    }
    return QWidget::eventFilter(watched, event);
}

void TelemetryChart::hoverAt(Panel &panel, const QPoint &viewportPos)
{
    if (panel.points.isEmpty())
        return;
    QChart *chart = panel.view->chart();
    const QPointF value = chart->mapToValue(chart->mapFromScene(panel.view->mapToScene(viewportPos)), panel.series);
    // Points are oldest first: the nearest in time by bisection.
    const auto after = std::lower_bound(panel.points.cbegin(), panel.points.cend(), value.x(),
                                        [](const QPointF &p, double x) { return p.x() < x; });
    auto nearest = after == panel.points.cend() ? after - 1 : after;
    if (after != panel.points.cbegin() && after != panel.points.cend() &&
        value.x() - (after - 1)->x() < after->x() - value.x())
        nearest = after - 1;
    const int decimals = qMax(0, panel.y->labelFormat().mid(2).chopped(1).toInt()) + 1;
    const QString text = tr("%1 %2 at %3")
                             .arg(panel.series->name(), QLocale().toString(nearest->y(), 'f', decimals),
                                  formatDateTime(QDateTime::fromMSecsSinceEpoch(qint64(nearest->x()))));
    panel.series->deselectAllPoints();
    panel.series->selectPoint(int(nearest - panel.points.cbegin()));
    m_hover->setText(text);
    QToolTip::showText(panel.view->viewport()->mapToGlobal(viewportPos), text, panel.view->viewport());
}

QString TelemetryChart::hoverText() const
{
    return m_hover->text();
}

QByteArray TelemetryChart::csv() const
{
    QStringList names;
    for (const QString &name : seriesNames()) {
        if (isSeriesVisible(name))
            names.append(name);
    }
    // One row per reception time, the members side by side.
    std::map<qint64, QHash<QString, double>> rows;
    for (const QString &name : std::as_const(names)) {
        for (const QPointF &p : m_series.value(name).points)
            rows[qint64(p.x())].insert(name, p.y());
    }
    QByteArray out = "time";
    for (const QString &name : std::as_const(names))
        out += ',' + (name.contains(QLatin1Char(',')) || name.contains(QLatin1Char('"'))
                          ? '"' + name.toUtf8().replace('"', "\"\"") + '"'
                          : name.toUtf8());
    out += '\n';
    for (const auto &[ms, values] : rows) {
        out += QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
        for (const QString &name : std::as_const(names)) {
            out += ',';
            if (values.contains(name))
                out += QByteArray::number(values.value(name), 'g', 15);
        }
        out += '\n';
    }
    return out;
}

bool TelemetryChart::exportCsv(const QString &path, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(csv()) < 0 || !file.flush()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void TelemetryChart::chooseExportFile()
{
    const QString device = m_model->deviceId().isEmpty() ? QStringLiteral("telemetry") : m_model->deviceId();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export telemetry"), device + QStringLiteral(".csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export telemetry"), tr("Could not write %1: %2").arg(path, error));
}

} // namespace Provisio::Crm
