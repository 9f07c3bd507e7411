// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDate>
#include <QJsonObject>
#include <QMap>
#include <QPointer>
#include <QWidget>

class QBarSet;
class QChartView;
class QLabel;
class QProgressBar;

namespace Provisio::Crm {

class ApiClient;

// The fleet at a glance: how many delivered devices were sold, enrolled,
// activated (registered with DPS) and are online now, registrations per
// day over the last two weeks, and each hub's link. Counted from the
// middleware's lists (devices, enrollments, registrations, hubs; 1000 a
// page, as the inventory loads its joins), so the numbers are the
// middleware's at the time of refresh().
class OverviewPage : public QWidget
{
    Q_OBJECT
public:
    struct Funnel
    {
        int delivered = 0; // in the inventory and not retired
        int sold = 0;      // of those, with a customer
        int enrolled = 0;  // of those, with an enrollment
        int activated = 0; // of those, registered (DPS status assigned)
        int online = 0;    // of those, connected to their hub now
    };
    static constexpr int kDays = 14;

    explicit OverviewPage(ApiClient *api, QWidget *parent = nullptr);

    void refresh();
    bool isLoading() const { return m_pending > 0; }
    Funnel funnel() const { return m_funnel; }
    // Registrations first made on each of the last kDays days (local dates).
    QMap<QDate, int> registrationsPerDay() const { return m_perDay; }
    // Hub name → empty when its link is up, else why not.
    QMap<QString, QString> hubHealth() const { return m_hubs; }

Q_SIGNALS:
    void loaded();
    void errorOccurred(const QString &message);

private:
    void load(const QString &path, const QString &cursor, quint64 generation);
    void compute();

    QPointer<ApiClient> m_api;
    quint64 m_generation = 0;
    int m_pending = 0;
    QMap<QString, QList<QJsonObject>> m_items;
    Funnel m_funnel;
    QMap<QDate, int> m_perDay;
    QMap<QString, QString> m_hubs;
    QList<QPair<QLabel *, QProgressBar *>> m_funnelRows;
    QChartView *m_perDayChart;
    QBarSet *m_perDaySet = nullptr;
    QLabel *m_hubLabel;
    QLabel *m_status;
};

} // namespace Provisio::Crm
