// SPDX-License-Identifier: Apache-2.0
#include "telemetrymodel.h"

#include "displayformat.h"

#include "apiclient.h"
#include "eventfeed.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <limits>

namespace Provisio::Crm {

namespace {

QString bodyText(const QJsonObject &message)
{
    const QJsonValue body = message.value(QLatin1String("body"));
    if (body.isUndefined())
        return TelemetryModel::tr("(%1 bytes, not shown)").arg(message.value(QLatin1String("size")).toInt());
    if (message.value(QLatin1String("bodyEncoding")).toString() == QLatin1String("base64"))
        return TelemetryModel::tr("base64: %1").arg(body.toString());
    if (body.isObject())
        return QString::fromUtf8(QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact));
    if (body.isArray())
        return QString::fromUtf8(QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact));
    return body.toVariant().toString();
}

QString propertiesText(const QJsonObject &message)
{
    const QJsonObject properties = message.value(QLatin1String("properties")).toObject();
    QStringList parts;
    for (auto it = properties.begin(); it != properties.end(); ++it)
        parts << it.key() + QLatin1Char('=') + it.value().toVariant().toString();
    return parts.join(QStringLiteral(", "));
}

} // namespace

TelemetryModel::TelemetryModel(ApiClient *api, QObject *parent) : QAbstractTableModel(parent), m_api(api) { }

TelemetryModel::~TelemetryModel()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
    }
}

int TelemetryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_messages.size());
}

int TelemetryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TelemetryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject &message = m_messages.at(index.row());
    const QString received = message.value(QLatin1String("receivedDateTimeUtc")).toString();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ReceivedColumn: {
            const QDateTime at = QDateTime::fromString(received, Qt::ISODateWithMs);
            return at.isValid() ? formatDateTime(at, true) : received;
        }
        case PropertiesColumn:
            return propertiesText(message);
        case BodyColumn:
            return bodyText(message);
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == ReceivedColumn ? received : data(index, Qt::DisplayRole);
    case MessageRole:
        return message;
    case ReceivedRole:
        return QDateTime::fromString(received, Qt::ISODateWithMs);
    case BodyRole:
        return message.value(QLatin1String("body")).toVariant();
    }
    return {};
}

QVariant TelemetryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ReceivedColumn:
        return tr("Received");
    case PropertiesColumn:
        return tr("Properties");
    case BodyColumn:
        return tr("Body");
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

QHash<int, QByteArray> TelemetryModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(MessageRole, "message");
    names.insert(ReceivedRole, "received");
    names.insert(BodyRole, "body");
    return names;
}

void TelemetryModel::setDeviceId(const QString &deviceId)
{
    if (deviceId == m_deviceId)
        return;
    m_deviceId = deviceId;
    Q_EMIT deviceIdChanged(deviceId);
    reload();
}

void TelemetryModel::setEventFeed(EventFeed *feed)
{
    if (m_feed)
        m_feed->disconnect(this);
    m_feed = feed;
    if (feed)
        connect(feed, &EventFeed::eventReceived, this, &TelemetryModel::applyEvent);
}

void TelemetryModel::setTimeRange(const QDateTime &since, const QDateTime &until)
{
    if (since == m_since && until == m_until)
        return;
    m_since = since;
    m_until = until;
    reload();
}

void TelemetryModel::setMaximumMessages(int maximum)
{
    m_maximum = qBound(1, maximum, 5000);
    trim();
}

void TelemetryModel::reload()
{
    ++m_generation;
    if (m_call) {
        ApiCall *old = m_call;
        old->disconnect(this);
        m_call = nullptr;
        old->abort();
        Q_EMIT loadingChanged(false);
    }
    beginResetModel();
    m_messages.clear();
    endResetModel();
    m_nextCursor.clear();
    m_liveWhileLoading.clear();
    m_lastError.clear();
    m_totalCount = 0;
    Q_EMIT totalCountChanged(0);
    m_seenLive = false;
    if (m_missedLive != 0) {
        m_missedLive = 0;
        Q_EMIT missedLiveChanged(0);
    }
    if (m_deviceId.isEmpty() || !m_api)
        return;
    Q_EMIT loadingChanged(true);
    fetchPage(m_generation);
}

void TelemetryModel::fetchPage(quint64 generation)
{
    // Pages no larger than needed.
    const int wanted = qBound(1, m_maximum - int(m_messages.size()), m_pageSize);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QString::number(wanted));
    if (!m_nextCursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), m_nextCursor);
    if (m_since.isValid())
        query.addQueryItem(QStringLiteral("since"), m_since.toUTC().toString(Qt::ISODateWithMs));
    if (m_until.isValid())
        query.addQueryItem(QStringLiteral("until"), m_until.toUTC().toString(Qt::ISODateWithMs));
    ApiCall *call =
        m_api->get(QStringLiteral("devices/") + ApiClient::segment(m_deviceId) + QStringLiteral("/telemetry"), query);
    m_call = call;
    connect(call, &ApiCall::finished, this, [this, generation](const QJsonDocument &body, const QByteArray &) {
        if (generation != m_generation)
            return;
        onPage(body.object());
    });
    connect(call, &ApiCall::failed, this, [this, generation](const ApiFailure &failure) {
        if (generation != m_generation)
            return;
        m_call = nullptr;
        m_liveWhileLoading.clear();
        Q_EMIT loadingChanged(false);
        if (failure.aborted)
            return;
        m_lastError = failure.message;
        Q_EMIT errorOccurred(failure.message);
    });
}

void TelemetryModel::onPage(const QJsonObject &page)
{
    const QJsonArray messages = page.value(QLatin1String("messages")).toArray();
    QVector<QJsonObject> older;
    for (const QJsonValue &value : messages) {
        const QJsonObject message = value.toObject();
        if (!m_liveWhileLoading.contains(identity(message)))
            older.append(message);
    }
    // Older messages go below what is shown, never above live ones.
    const int room = m_maximum - int(m_messages.size());
    if (older.size() > room)
        older.resize(qMax(0, room));
    if (!older.isEmpty()) {
        const int first = int(m_messages.size());
        beginInsertRows(QModelIndex(), first, first + int(older.size()) - 1);
        m_messages += older;
        endInsertRows();
    }
    m_totalCount = qMax<qint64>(m_totalCount, qint64(page.value(QLatin1String("count")).toDouble()));
    Q_EMIT totalCountChanged(m_totalCount);
    m_nextCursor = page.value(QLatin1String("nextCursor")).toString();
    if (!m_nextCursor.isEmpty() && m_messages.size() < m_maximum) {
        fetchPage(m_generation);
        return;
    }
    m_call = nullptr;
    m_liveWhileLoading.clear();
    Q_EMIT loadingChanged(false);
}

QString TelemetryModel::identity(const QJsonObject &message)
{
    // Reception time (to the millisecond) and size tell one device's
    // messages apart; the body settles a tie.
    return message.value(QLatin1String("receivedDateTimeUtc")).toString() + QLatin1Char('|') +
           QString::number(message.value(QLatin1String("size")).toInt()) + QLatin1Char('|') + bodyText(message);
}

void TelemetryModel::applyEvent(const QString &type, const QJsonObject &event)
{
    if (type != QLatin1String("telemetry") || m_deviceId.isEmpty() ||
        event.value(QLatin1String("deviceId")).toString().compare(m_deviceId, Qt::CaseInsensitive) != 0)
        return;
    QJsonObject message = event.value(QLatin1String("data")).toObject();
    if (m_until.isValid()) {
        const QDateTime at =
            QDateTime::fromString(message.value(QLatin1String("receivedDateTimeUtc")).toString(), Qt::ISODateWithMs);
        if (!at.isValid() || at > m_until)
            return;
    }
    if (!message.contains(QLatin1String("bodyEncoding")) && message.contains(QLatin1String("body")))
        message.insert(QStringLiteral("bodyEncoding"), message.value(QLatin1String("body")).isString()
                                                           ? QStringLiteral("base64")
                                                           : QStringLiteral("json"));
    // Not part of the message: how many of the device's messages the
    // middleware did not send live since its previous event. Only a gap
    // between two events this model saw is surely missing here; before the
    // first one the skipped messages may be in the history just loaded.
    const qint64 skipped = qMax<qint64>(0, message.take(QLatin1String("skipped")).toInteger());
    const bool gapAfterSeenEvent = m_seenLive;
    m_seenLive = true;
    if (m_call)
        m_liveWhileLoading.insert(identity(message));
    prepend(message);
    ++m_totalCount;
    Q_EMIT totalCountChanged(m_totalCount);
    if (skipped > 0 && gapAfterSeenEvent) {
        m_missedLive += skipped;
        Q_EMIT missedLiveChanged(m_missedLive);
    }
}

void TelemetryModel::prepend(const QJsonObject &message)
{
    beginInsertRows(QModelIndex(), 0, 0);
    m_messages.prepend(message);
    endInsertRows();
    trim();
    Q_EMIT messageAdded(message);
}

void TelemetryModel::trim()
{
    if (m_messages.size() <= m_maximum)
        return;
    beginRemoveRows(QModelIndex(), m_maximum, int(m_messages.size()) - 1);
    m_messages.resize(m_maximum);
    endRemoveRows();
}

double TelemetryModel::numericValue(int row, const QString &member) const
{
    if (row < 0 || row >= m_messages.size())
        return std::numeric_limits<double>::quiet_NaN();
    const QJsonValue value = m_messages.at(row).value(QLatin1String("body")).toObject().value(member);
    return value.isDouble() ? value.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

} // namespace Provisio::Crm
