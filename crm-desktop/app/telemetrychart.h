// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QHash>
#include <QWidget>

class QChartView;
class QComboBox;
class QDateTimeAxis;
class QDateTimeEdit;
class QLabel;
class QLineSeries;
class QPushButton;
class QStackedWidget;
class QToolButton;
class QValueAxis;
class QVBoxLayout;

namespace Provisio::Crm {

class TelemetryModel;

// A device's telemetry as small multiples: one chart per numeric member of
// the JSON bodies (temperature, humidity, pressure, …), each with its own
// value axis, so ~1013 hPa and ~43 % are both readable, over a shared time
// axis. A range picker (latest messages, last hour, 24 hours, 7 days or a
// custom window) sets the model's window; the legend's buttons show and
// hide a member's chart; moving the pointer over a chart names the nearest
// reading; "Export CSV" writes what the range holds. A device without
// numeric telemetry shows a sentence, not the previous device's scale.
class TelemetryChart : public QWidget
{
    Q_OBJECT
public:
    enum Range { Latest, LastHour, LastDay, LastWeek, Custom };
    Q_ENUM(Range)

    explicit TelemetryChart(TelemetryModel *model, QWidget *parent = nullptr);

    QStringList seriesNames() const;
    int pointCount(const QString &series) const;
    // The value axis and chart of one member (null when it has none), for
    // tests and screenshots.
    QValueAxis *valueAxis(const QString &series) const;
    QChartView *chartView(const QString &series) const;
    QDateTimeAxis *timeAxis(const QString &series) const;
    bool isSeriesVisible(const QString &series) const;
    void setSeriesVisible(const QString &series, bool visible);

    Range range() const { return m_range; }
    void setRange(Range range);
    // The custom window; takes effect with setRange(Custom).
    void setCustomRange(const QDateTime &from, const QDateTime &to);

    // The points of the shown members, oldest first, as CSV: a "time"
    // column (ISO 8601, UTC) and one column per member, empty where a
    // message lacked it.
    QByteArray csv() const;
    bool exportCsv(const QString &path, QString *error = nullptr) const;

    // What the pointer last pointed at ("pressure 1013.2 at …"); before
    // that, which zone the times are in.
    QString hoverText() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Panel
    {
        QChartView *view = nullptr;
        QLineSeries *series = nullptr;
        QValueAxis *y = nullptr;
        QDateTimeAxis *x = nullptr;
        QToolButton *toggle = nullptr;
        QList<QPointF> points;
    };

    void rebuild();
    void applyRange();
    Panel *addPanel(const QString &name, int index);
    void updateAxes(Panel &panel, qint64 fromMs, qint64 toMs);
    void hoverAt(Panel &panel, const QPoint &viewportPos);
    void chooseExportFile();

    TelemetryModel *m_model;
    Range m_range = Latest;
    QDateTime m_customFrom;
    QDateTime m_customTo;
    QComboBox *m_rangeBox;
    QDateTimeEdit *m_fromEdit;
    QDateTimeEdit *m_toEdit;
    QPushButton *m_apply;
    QPushButton *m_export;
    QWidget *m_legend;
    QStackedWidget *m_stack;
    QLabel *m_empty;
    QWidget *m_panelsPage;
    QVBoxLayout *m_panels;
    QLabel *m_hover;
    QHash<QString, Panel> m_series;
};

} // namespace Provisio::Crm
