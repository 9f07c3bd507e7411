// SPDX-License-Identifier: Apache-2.0
#include "telemetrystore.h"

#include "protocol/timeutil.h"
#include "storage/database.h"
#include "storage/recordutil.h"

#include <QHash>
#include <QSet>

namespace Provisio {

namespace {
constexpr int kColumns = 6;
constexpr int kDeliveryColumns = 3;

// Rows per statement: multi-row VALUES is what makes a batch cheap (on
// PostgreSQL one round trip and one parse instead of one per row, on SQLite
// one statement execution instead of one per row). Chunks come in three
// fixed sizes, so the statement cache holds three texts per statement.
int chunkRows(qsizetype left)
{
    return left >= 100 ? 100 : left >= 10 ? 10 : 1;
}

QString valuesSql(const QString &head, int rows, int columns, const QString &tail)
{
    QString tuple = QStringLiteral("(?");
    for (int c = 1; c < columns; ++c)
        tuple += QLatin1String(", ?");
    tuple += QLatin1Char(')');
    QString sql = head;
    for (int i = 0; i < rows; ++i) {
        if (i)
            sql += QLatin1String(", ");
        sql += tuple;
    }
    return sql + tail;
}

const QString &insertSqlFor(int rows)
{
    // A message whose identity (device, message id) is stored already is a
    // redelivery: skipped, not an error (exactly-once storage).
    static const auto sql = [](int n) {
        return valuesSql(QStringLiteral("INSERT INTO telemetry (device_id, hub_host, received, properties, body, "
                                        "message_id) VALUES "),
                         n, kColumns, QStringLiteral(" ON CONFLICT DO NOTHING"));
    };
    static const QString one = sql(1);
    static const QString ten = sql(10);
    static const QString hundred = sql(100);
    return rows >= 100 ? hundred : rows >= 10 ? ten : one;
}

const QString &deliverySqlFor(int rows)
{
    // The keys of one statement are distinct (PostgreSQL refuses to update
    // one row twice in a statement), see recordDeliveries.
    static const auto sql = [](int n) {
        return valuesSql(QStringLiteral("INSERT INTO telemetry_deliveries (delivery_key, digest, stored) VALUES "), n,
                         kDeliveryColumns,
                         QStringLiteral(" ON CONFLICT (delivery_key) DO UPDATE SET digest = excluded.digest,"
                                        " stored = excluded.stored"));
    };
    static const QString one = sql(1);
    static const QString ten = sql(10);
    static const QString hundred = sql(100);
    return rows >= 100 ? hundred : rows >= 10 ? ten : one;
}
const QString &lookupSqlFor(int rows)
{
    static const auto sql = [](int n) -> QString {
        QString keys = QStringLiteral("?");
        for (int i = 1; i < n; ++i)
            keys += QLatin1String(", ?");
        return QStringLiteral("SELECT delivery_key, digest FROM telemetry_deliveries WHERE delivery_key IN (") + keys +
               QLatin1Char(')');
    };
    static const QString one = sql(1);
    static const QString ten = sql(10);
    static const QString hundred = sql(100);
    return rows >= 100 ? hundred : rows >= 10 ? ten : one;
}
} // namespace

Result<void> TelemetryStore::insert(const QList<Message> &messages)
{
    qsizetype next = 0;
    QVariantList binds;
    while (next < messages.size()) {
        const int rows = chunkRows(messages.size() - next);
        binds.clear();
        binds.reserve(rows * kColumns);
        for (int i = 0; i < rows; ++i) {
            const Message &m = messages.at(next + i);
            // Empty, never NULL: a null QString/QByteArray binds as SQL NULL.
            const QString properties = MqttTopic::encodePropertyBag(m.properties);
            binds << m.deviceId << m.hubHost << toIsoUtc(m.received)
                  << (properties.isNull() ? QStringLiteral("") : properties)
                  << (m.body.isNull() ? QByteArray("", 0) : m.body)
                  << (m.messageId.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(m.messageId));
        }
        if (auto r = m_db.execWrite(insertSqlFor(rows), binds); !r)
            return r.error();
        next += rows;
    }
    return recordDeliveries(messages);
}

Result<void> TelemetryStore::recordDeliveries(const QList<Message> &messages)
{
    // Only messages without an identity of their own need the record; one
    // row per (session, packet identifier), so the table stays within
    // 65,535 rows per hub session. Within one batch a key appears once (a
    // hub reuses a packet identifier only after its acknowledgement, which
    // waits for this commit); the last copy wins all the same.
    QHash<QString, QByteArray> latest;
    latest.reserve(messages.size());
    for (const Message &m : messages) {
        if (m.messageId.isEmpty() && !m.deliveryKey.isEmpty())
            latest.insert(m.deliveryKey, m.digest);
    }
    const QString now = toIsoUtc(QDateTime::currentDateTimeUtc());
    QVariantList binds;
    auto it = latest.cbegin();
    for (qsizetype left = latest.size(); left > 0;) {
        const int rows = chunkRows(left);
        binds.clear();
        binds.reserve(rows * kDeliveryColumns);
        for (int i = 0; i < rows; ++i, ++it)
            binds << it.key() << QString::fromLatin1(it.value()) << now;
        if (auto r = m_db.execWrite(deliverySqlFor(rows), binds); !r)
            return r.error();
        left -= rows;
    }
    return {};
}

Result<bool> TelemetryStore::isStoredRedelivery(const Message &message)
{
    if (message.deliveryKey.isEmpty() || !message.messageId.isEmpty())
        return false; // an identity of its own: the unique index decides
    auto q = m_db.exec(QStringLiteral("SELECT digest FROM telemetry_deliveries WHERE delivery_key = ?"),
                       {message.deliveryKey});
    if (!q)
        return q.error();
    const bool stored = q->next() && q->value(0).toString().toLatin1() == message.digest;
    q->finish();
    return stored;
}

Result<QList<bool>> TelemetryStore::storedRedeliveries(const QList<Message> &messages)
{
    const auto looksUp = [](const Message &m) {
        return m.redelivered && m.messageId.isEmpty() && !m.deliveryKey.isEmpty();
    };
    QStringList keys;
    QSet<QString> distinct;
    for (const Message &m : messages) {
        if (looksUp(m) && !distinct.contains(m.deliveryKey)) {
            distinct.insert(m.deliveryKey);
            keys << m.deliveryKey;
        }
    }
    QHash<QString, QByteArray> recorded; // delivery key -> digest of its stored message
    QVariantList binds;
    for (qsizetype next = 0; next < keys.size();) {
        const int rows = chunkRows(keys.size() - next);
        binds.clear();
        for (int i = 0; i < rows; ++i)
            binds << keys.at(next + i);
        auto found = m_db.selectRows(lookupSqlFor(rows), binds, 2);
        if (!found)
            return found.error();
        for (const QVariantList &row : std::as_const(*found))
            recorded.insert(row.at(0).toString(), row.at(1).toString().toLatin1());
        next += rows;
    }
    QList<bool> stored(messages.size(), false);
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const Message &m = messages.at(i);
        if (!looksUp(m))
            continue;
        const auto it = recorded.constFind(m.deliveryKey);
        stored[i] = it != recorded.cend() && *it == m.digest;
    }
    return stored;
}

Result<RecordPage<TelemetryStore::Message>> TelemetryStore::page(const Filter &filter, const PageRequest &page)
{
    QString sql = QStringLiteral("SELECT id, hub_host, received, properties, body FROM telemetry WHERE device_id = ?");
    QVariantList binds{filter.deviceId};
    if (filter.since.isValid()) {
        sql += QLatin1String(" AND received >= ?");
        binds << toIsoUtc(filter.since);
    }
    if (filter.until.isValid()) {
        sql += QLatin1String(" AND received < ?");
        binds << toIsoUtc(filter.until);
    }
    if (!page.afterKey.isEmpty()) {
        const auto key = parsePairCursorKey(page.afterKey);
        bool ok = false;
        const qint64 afterId = key ? key->second.toLongLong(&ok) : 0;
        if (!key || !ok || !fromIsoUtc(key->first))
            return Error(ErrorCode::InvalidInput, QStringLiteral("cursor is not valid"));
        // `received <= ?` bounds the index range (a deep page seeks to its
        // place instead of walking the pages before it); the rest breaks ties.
        sql += QLatin1String(" AND received <= ? AND (received < ? OR id < ?)");
        binds << key->first << key->first << afterId;
    }
    sql += QLatin1String(" ORDER BY received DESC, id DESC LIMIT ?");
    binds << page.limit + 1;
    auto q = m_db.exec(sql, binds);
    if (!q)
        return q.error();
    QList<Message> fetched;
    while (q->next()) {
        Message m;
        m.id = q->value(0).toLongLong();
        m.deviceId = filter.deviceId;
        m.hubHost = q->value(1).toString();
        m.received = fromIsoUtc(q->value(2).toString()).value_or(QDateTime());
        // Written by encodePropertyBag, so it decodes; an unreadable bag
        // (hand-edited row) shows as no properties rather than no history.
        if (auto bag = MqttTopic::decodePropertyBag(q->value(3).toString()))
            m.properties = *bag;
        m.body = q->value(4).toByteArray();
        fetched << m;
    }
    q->finish();
    return pageOf(std::move(fetched), page.limit,
                  [](const Message &m) { return pairCursorKey(toIsoUtc(m.received), QString::number(m.id)); });
}

Result<int> TelemetryStore::pruneDevice(const QString &deviceId, int keep, int maxRows)
{
    // The newest message beyond the `keep` newest; it and everything older
    // go, the oldest `maxRows` of them per call.
    auto q = m_db.exec(QStringLiteral("SELECT received, id FROM telemetry WHERE device_id = ? "
                                      "ORDER BY received DESC, id DESC LIMIT 1 OFFSET ?"),
                       {deviceId, qMax(0, keep)});
    if (!q)
        return q.error();
    if (!q->next()) {
        q->finish();
        return 0;
    }
    const QString received = q->value(0).toString();
    const qint64 id = q->value(1).toLongLong();
    q->finish();
    return m_db.execAffected(QStringLiteral("DELETE FROM telemetry WHERE id IN (SELECT id FROM telemetry "
                                            "WHERE device_id = ? AND received <= ? AND (received < ? OR id <= ?) "
                                            "ORDER BY received, id LIMIT ?)"),
                             {deviceId, received, received, id, qMax(1, maxRows)});
}

Result<int> TelemetryStore::pruneOlderThan(const QDateTime &cutoff, int maxRows)
{
    // Bounded, so one prune never holds the write lock for long: a backlog
    // (the first start after a long outage) goes in several rounds.
    return m_db.execAffected(QStringLiteral("DELETE FROM telemetry WHERE id IN ("
                                            "SELECT id FROM telemetry WHERE received < ? ORDER BY received LIMIT ?)"),
                             {toIsoUtc(cutoff), maxRows});
}

} // namespace Provisio
