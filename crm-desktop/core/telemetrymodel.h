// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apiclient.h"
#include "eventfeed.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QPointer>
#include <QVector>

namespace Provisio::Crm {


// The latest telemetry of one device: loads GET devices/{deviceId}/telemetry
// and then adds each `telemetry` event for that device from the EventFeed
// on top (newest first), keeping at most maximumMessages() rows. The
// detail view's chart and table both read it.
class TelemetryModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_PROPERTY(QString deviceId READ deviceId WRITE setDeviceId NOTIFY deviceIdChanged)
    Q_PROPERTY(qint64 totalCount READ totalCount NOTIFY totalCountChanged)
    Q_PROPERTY(bool loading READ isLoading NOTIFY loadingChanged)
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

    int maximumMessages() const { return m_maximum; }
    void setMaximumMessages(int maximum);
    // Every message the middleware counted for the device, not just these.
    qint64 totalCount() const { return m_totalCount; }
    bool isLoading() const { return m_call != nullptr; }
    QString lastError() const { return m_lastError; }

    // A numeric member of the JSON body of `row` (for the chart), NaN otherwise.
    double numericValue(int row, const QString &member) const;

Q_SIGNALS:
    void deviceIdChanged(const QString &deviceId);
    void totalCountChanged(qint64 count);
    void loadingChanged(bool loading);
    void errorOccurred(const QString &message);
    void messageAdded(const QJsonObject &message);

private:
    void prepend(const QJsonObject &message);
    void trim();

    QPointer<ApiClient> m_api;
    QPointer<EventFeed> m_feed;
    QPointer<ApiCall> m_call;
    QString m_deviceId;
    QString m_lastError;
    QVector<QJsonObject> m_messages; // newest first
    qint64 m_totalCount = 0;
    quint64 m_generation = 0;
    int m_maximum = 100;
};

} // namespace Provisio::Crm
