// SPDX-License-Identifier: Apache-2.0
#include "overviewpage.h"

#include "apicall.h"
#include "apiclient.h"
#include "displayformat.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QUrlQuery>
#include <QVBoxLayout>
#include <QValueAxis>

namespace Provisio::Crm {

namespace {
const char *const kLists[] = {"devices", "enrollments", "registrations", "hubs"};
}

OverviewPage::OverviewPage(ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_perDayChart(new QChartView(this)), m_hubLabel(new QLabel(this)),
      m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("overviewPage"));
    auto *funnelBox = new QGroupBox(tr("Fleet"), this);
    auto *grid = new QGridLayout(funnelBox);
    const QString names[] = {tr("Delivered"), tr("Sold"), tr("Enrolled"), tr("Activated"), tr("Online now")};
    for (int i = 0; i < 5; ++i) {
        auto *label = new QLabel(funnelBox);
        auto *bar = new QProgressBar(funnelBox);
        bar->setObjectName(QStringLiteral("funnel%1").arg(i));
        bar->setTextVisible(false);
        bar->setMaximumHeight(14);
        grid->addWidget(new QLabel(names[i], funnelBox), i, 0);
        grid->addWidget(bar, i, 1);
        grid->addWidget(label, i, 2);
        m_funnelRows.append({label, bar});
    }
    grid->setColumnStretch(1, 1);
    auto *chart = new QChart;
    chart->legend()->hide();
    chart->setTitle(tr("Registrations per day (last %1 days)").arg(kDays));
    m_perDayChart->setChart(chart);
    m_perDayChart->setObjectName(QStringLiteral("registrationsPerDay"));
    m_perDayChart->setMinimumHeight(220);
    auto *hubBox = new QGroupBox(tr("Hubs"), this);
    auto *hubLayout = new QVBoxLayout(hubBox);
    m_hubLabel->setObjectName(QStringLiteral("hubHealth"));
    m_hubLabel->setWordWrap(true);
    hubLayout->addWidget(m_hubLabel);
    auto *refreshButton = new QPushButton(tr("Refresh"), this);
    connect(refreshButton, &QPushButton::clicked, this, &OverviewPage::refresh);
    m_status->setObjectName(QStringLiteral("overviewStatus"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(refreshButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(funnelBox);
    layout->addWidget(m_perDayChart, 1);
    layout->addWidget(hubBox);
}

void OverviewPage::refresh()
{
    if (!m_api)
        return;
    ++m_generation;
    m_items.clear();
    m_pending = 0;
    m_status->setText(tr("Counting…"));
    for (const char *list : kLists) {
        ++m_pending;
        load(QString::fromLatin1(list), QString(), m_generation);
    }
}

void OverviewPage::load(const QString &path, const QString &cursor, quint64 generation)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
    if (!cursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), cursor);
    ApiCall *call = m_api->get(path, query);
    connect(call, &ApiCall::finished, this, [this, path, generation](const QJsonDocument &body, const QByteArray &) {
        if (generation != m_generation)
            return;
        const QJsonObject page = body.object();
        for (const QJsonValue &item : page.value(QLatin1String("items")).toArray())
            m_items[path].append(item.toObject());
        const QString next = page.value(QLatin1String("nextCursor")).toString();
        if (!next.isEmpty()) {
            load(path, next, generation);
            return;
        }
        if (--m_pending == 0)
            compute();
    });
    connect(call, &ApiCall::failed, this, [this, path, generation](const ApiFailure &failure) {
        if (generation != m_generation || failure.aborted)
            return;
        ++m_generation; // the counts would be partial: show none
        m_pending = 0;
        m_status->setText(tr("Could not count the %1: %2").arg(path, failure.message));
        Q_EMIT errorOccurred(m_status->text());
    });
}

void OverviewPage::compute()
{
    // Registrations by id, enrollments by serial.
    QHash<QString, QJsonObject> registrations;
    for (const QJsonObject &r : m_items.value(QStringLiteral("registrations")))
        registrations.insert(r.value(QLatin1String("registrationId")).toString(), r);
    QHash<QString, QString> registrationBySerial;
    for (const QJsonObject &e : m_items.value(QStringLiteral("enrollments"))) {
        const QString serial = e.value(QLatin1String("serial")).toString();
        if (!serial.isEmpty())
            registrationBySerial.insert(serial, e.value(QLatin1String("registrationId")).toString());
    }
    Funnel f;
    for (const QJsonObject &d : m_items.value(QStringLiteral("devices"))) {
        if (d.value(QLatin1String("status")).toString() == QLatin1String("retired"))
            continue;
        ++f.delivered;
        if (d.value(QLatin1String("customerId")).toString().isEmpty())
            continue;
        ++f.sold;
        const auto enrollment = registrationBySerial.constFind(d.value(QLatin1String("serial")).toString());
        if (enrollment == registrationBySerial.constEnd())
            continue;
        ++f.enrolled;
        const QJsonObject r = registrations.value(*enrollment);
        if (r.value(QLatin1String("status")).toString() != QLatin1String("assigned"))
            continue;
        ++f.activated;
        if (r.value(QLatin1String("connectionState")).toString() == QLatin1String("Connected"))
            ++f.online;
    }
    m_funnel = f;

    const QDate today = QDate::currentDate();
    m_perDay.clear();
    for (int i = kDays - 1; i >= 0; --i)
        m_perDay.insert(today.addDays(-i), 0);
    for (const QJsonObject &r : std::as_const(registrations)) {
        const QDateTime at =
            QDateTime::fromString(r.value(QLatin1String("createdDateTimeUtc")).toString(), Qt::ISODateWithMs);
        const QDate day = at.toLocalTime().date();
        if (at.isValid() && m_perDay.contains(day))
            ++m_perDay[day];
    }

    m_hubs.clear();
    for (const QJsonObject &h : m_items.value(QStringLiteral("hubs"))) {
        const QJsonObject link = h.value(QLatin1String("link")).toObject();
        QString problem;
        if (!link.value(QLatin1String("enabled")).toBool(true))
            problem = tr("not linked on this middleware");
        else if (!link.value(QLatin1String("connected")).toBool())
            problem = link.value(QLatin1String("lastError")).toString().isEmpty()
                          ? tr("not connected")
                          : tr("not connected: %1").arg(link.value(QLatin1String("lastError")).toString());
        m_hubs.insert(h.value(QLatin1String("name")).toString(), problem);
    }

    // Show it.
    const int counts[] = {f.delivered, f.sold, f.enrolled, f.activated, f.online};
    for (int i = 0; i < 5; ++i) {
        m_funnelRows[i].second->setRange(0, qMax(1, f.delivered));
        m_funnelRows[i].second->setValue(counts[i]);
        m_funnelRows[i].first->setText(i == 0 || f.delivered == 0
                                           ? QLocale().toString(counts[i])
                                           : tr("%L1 (%L2 %)").arg(counts[i]).arg(100 * counts[i] / f.delivered));
    }
    QChart *chart = m_perDayChart->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes())
        chart->removeAxis(axis);
    auto *series = new QBarSeries;
    m_perDaySet = new QBarSet(tr("Registrations"));
    QStringList days;
    int most = 0;
    for (auto it = m_perDay.constBegin(); it != m_perDay.constEnd(); ++it) {
        *m_perDaySet << it.value();
        days << it.key().toString(tr("MM-dd", "QDate format of a day on the registrations chart"));
        most = qMax(most, it.value());
    }
    series->append(m_perDaySet);
    chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(days);
    auto *y = new QValueAxis;
    y->setRange(0, qMax(4, (most + 4) / 4 * 4)); // four steps, the tallest bar below the top
    y->setTickCount(5);
    y->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);

    QStringList hubLines;
    for (auto it = m_hubs.constBegin(); it != m_hubs.constEnd(); ++it)
        hubLines << (it.value().isEmpty() ? tr("● %1: connected").arg(it.key())
                                          : tr("○ %1: %2").arg(it.key(), it.value().toHtmlEscaped()));
    m_hubLabel->setText(hubLines.isEmpty() ? tr("No hubs are linked yet.") : hubLines.join(QStringLiteral("<br>")));
    m_status->setText(tr("Counted at %1.").arg(formatDateTime(QDateTime::currentDateTime())));
    Q_EMIT loaded();
}

} // namespace Provisio::Crm
