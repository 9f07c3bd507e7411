// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apiclient.h"
#include "eventfeed.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QPointer>
#include <QSet>
#include <QVector>

namespace Provisio::Crm {

// The latest telemetry of one device: pages back through the stored history
// (GET devices/{deviceId}/telemetry, newest first, following nextCursor)
// until it holds maximumMessages() or the history ends, and meanwhile and
// afterwards puts each `telemetry` event for that device from the EventFeed
// on top, so the view never misses a message nor shows one twice. The
// detail view's chart and table both read it.
class TelemetryModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_PROPERTY(QString deviceId READ deviceId WRITE setDeviceId NOTIFY deviceIdChanged)
    Q_PROPERTY(qint64 totalCount READ totalCount NOTIFY totalCountChanged)
    Q_PROPERTY(bool loading READ isLoading NOTIFY loadingChanged)
    Q_PROPERTY(qint64 missedLive READ missedLive NOTIFY missedLiveChanged)
public:
    enum Column { ReceivedColumn, PropertiesColumn, BodyColumn, ColumnCount };
    enum Roles { MessageRole = Qt::UserRole + 1, ReceivedRole, BodyRole };

    explicit TelemetryModel(ApiClient *api, QObject *parent = nullptr);
    ~TelemetryModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The hub device id (the registration's deviceId), not the serial.
    QString deviceId() const { return m_deviceId; }
    void setDeviceId(const QString &deviceId);
    void reload();
    void setEventFeed(EventFeed *feed);
    void applyEvent(const QString &type, const QJsonObject &event);

    // The window of reception times to load (either end may be invalid:
    // open). A valid `until` also keeps live messages out, since they are
    // newer; with an open `until` live messages keep arriving. Reloads.
    void setTimeRange(const QDateTime &since, const QDateTime &until);
    QDateTime since() const { return m_since; }
    QDateTime until() const { return m_until; }

    // How many messages to keep (history plus live), 1 to 5000.
    int maximumMessages() const { return m_maximum; }
    void setMaximumMessages(int maximum);
    // Every message the middleware counted for the device, not just these.
    qint64 totalCount() const { return m_totalCount; }
    bool isLoading() const { return m_call != nullptr; }
    // Messages per history request (1 to 1000): small pages fill the view
    // sooner and show progress on the way.
    int pageSize() const { return m_pageSize; }
    void setPageSize(int size) { m_pageSize = qBound(1, size, 1000); }
    // Whether the stored history goes back further than what is loaded.
    bool hasOlderMessages() const { return !m_nextCursor.isEmpty(); }
    QString lastError() const { return m_lastError; }
    // Messages the middleware did not send live (it caps live events per
    // device; events say how many it skipped) between live events seen
    // since the last reload: only a reload shows them.
    qint64 missedLive() const { return m_missedLive; }

    // A numeric member of the JSON body of `row` (for the chart), NaN otherwise.
    double numericValue(int row, const QString &member) const;

Q_SIGNALS:
    void deviceIdChanged(const QString &deviceId);
    void totalCountChanged(qint64 count);
    void loadingChanged(bool loading);
    void errorOccurred(const QString &message);
    void messageAdded(const QJsonObject &message);
    void missedLiveChanged(qint64 count);

private:
    void fetchPage(quint64 generation);
    void onPage(const QJsonObject &page);
    void prepend(const QJsonObject &message);
    void trim();
    static QString identity(const QJsonObject &message);

    QPointer<ApiClient> m_api;
    QPointer<EventFeed> m_feed;
    QPointer<ApiCall> m_call;
    QString m_deviceId;
    QString m_lastError;
    QDateTime m_since;
    QDateTime m_until;
    QVector<QJsonObject> m_messages; // newest first
    QString m_nextCursor;
    // Messages that came live while the history loaded: the first page may
    // hold them too.
    QSet<QString> m_liveWhileLoading;
    qint64 m_totalCount = 0;
    qint64 m_missedLive = 0;
    bool m_seenLive = false; // a live event for the device since the reload
    quint64 m_generation = 0;
    int m_maximum = 500;
    int m_pageSize = 200;
};

} // namespace Provisio::Crm
