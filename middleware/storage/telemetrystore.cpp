// SPDX-License-Identifier: Apache-2.0
#include "telemetrystore.h"

#include "protocol/timeutil.h"
#include "storage/database.h"
#include "storage/recordutil.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace Provisio {

namespace {
constexpr int kColumns = 6;

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

const QString &legacyLookupSqlFor(int rows)
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

// A recorded delivery in a telemetry_delivery_log row: the packet
// identifier (2 bytes, big-endian), then the digest.
constexpr int kEntryBytes = 2 + TelemetryStore::kDigestBytes;

QByteArray recordedDigest(const QByteArray &digest)
{
    return digest.left(TelemetryStore::kDigestBytes).leftJustified(TelemetryStore::kDigestBytes, '\0');
}

void appendEntry(QByteArray &entries, const TelemetryStore::Message &m)
{
    entries.append(char(m.packetId >> 8));
    entries.append(char(m.packetId & 0xff));
    entries.append(recordedDigest(m.digest));
}
} // namespace

Result<void> TelemetryStore::insert(const QList<Message> &messages)
{
    qsizetype next = 0;
    QVariantList binds;
    // Messages of a batch arrive many to a millisecond: each reception
    // time is formatted once.
    QDateTime lastReceived;
    QString lastReceivedText;
    while (next < messages.size()) {
        const int rows = chunkRows(messages.size() - next);
        binds.clear();
        binds.reserve(rows * kColumns);
        for (int i = 0; i < rows; ++i) {
            const Message &m = messages.at(next + i);
            // Empty, never NULL: a null QString/QByteArray binds as SQL NULL.
            const QString properties = MqttTopic::encodePropertyBag(m.properties);
            if (lastReceivedText.isNull() || m.received != lastReceived) {
                lastReceived = m.received;
                lastReceivedText = toIsoUtc(m.received);
            }
            binds << m.deviceId << m.hubHost << lastReceivedText
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
    // Only messages without an identity of their own need the record, and
    // one row per hub session and batch holds them all (packet identifier
    // and digest each), instead of a row per message: the batch's other
    // writes stay the only per-message work. `through` numbers a session's
    // recorded deliveries; rows that hold none of its latest
    // kDeliveryHorizon go, so a session keeps a bounded record.
    QList<QPair<QString, QByteArray>> sessions; // in order; a batch holds one or two
    for (const Message &m : messages) {
        if (!m.messageId.isEmpty() || !m.hasDelivery())
            continue;
        auto it = std::find_if(sessions.begin(), sessions.end(), [&](const auto &s) { return s.first == m.session; });
        if (it == sessions.end()) {
            sessions.append({m.session, QByteArray()});
            it = sessions.end() - 1;
            it->second.reserve(messages.size() * kEntryBytes);
        }
        appendEntry(it->second, m);
    }
    static const QString lastSql = QStringLiteral("SELECT MAX(through) FROM telemetry_delivery_log WHERE session = ?");
    static const QString insertSql =
        QStringLiteral("INSERT INTO telemetry_delivery_log (session, through, deliveries) VALUES (?, ?, ?)");
    static const QString pruneSql =
        QStringLiteral("DELETE FROM telemetry_delivery_log WHERE session = ? AND through <= ?");
    for (const auto &[session, entries] : std::as_const(sessions)) {
        auto last = m_db.selectRows(lastSql, {session}, 1);
        if (!last)
            return last.error();
        const qint64 previous = last->isEmpty() ? 0 : last->first().first().toLongLong();
        const qint64 through = previous + entries.size() / kEntryBytes;
        if (auto r = m_db.execWrite(insertSql, {session, through, entries}); !r)
            return r.error();
        if (through > kDeliveryHorizon) {
            if (auto r = m_db.execWrite(pruneSql, {session, through - kDeliveryHorizon}); !r)
                return r.error();
        }
    }
    return {};
}

Result<bool> TelemetryStore::isStoredRedelivery(const Message &message)
{
    Message redelivery = message;
    redelivery.redelivered = true;
    auto stored = storedRedeliveries({redelivery});
    if (!stored)
        return stored.error();
    return stored->first();
}

Result<QList<bool>> TelemetryStore::storedRedeliveries(const QList<Message> &messages)
{
    const auto looksUp = [](const Message &m) { return m.redelivered && m.messageId.isEmpty() && m.hasDelivery(); };
    // Per session, the packet identifiers asked about, and the digest of
    // each one's latest recorded delivery once found.
    QHash<QString, QHash<quint16, QByteArray>> recorded;
    QHash<QString, QSet<quint16>> wanted;
    for (const Message &m : messages) {
        if (looksUp(m))
            wanted[m.session].insert(m.packetId);
    }
    static const QString logSql =
        QStringLiteral("SELECT deliveries FROM telemetry_delivery_log WHERE session = ? ORDER BY through DESC");
    QStringList legacyKeys;
    for (auto it = wanted.begin(); it != wanted.end(); ++it) {
        QSet<quint16> &missing = it.value();
        QHash<quint16, QByteArray> &found = recorded[it.key()];
        auto rows = m_db.selectRows(logSql, {it.key()}, 1);
        if (!rows)
            return rows.error();
        // Newest row first, and within a row the last entry first: the
        // latest delivery under an identifier is the one that counts.
        for (const QVariantList &row : std::as_const(*rows)) {
            const QByteArray entries = row.first().toByteArray();
            for (qsizetype at = entries.size() / kEntryBytes * kEntryBytes - kEntryBytes; at >= 0 && !missing.isEmpty();
                 at -= kEntryBytes) {
                const auto *bytes = reinterpret_cast<const uchar *>(entries.constData() + at);
                const quint16 packetId = quint16((bytes[0] << 8) | bytes[1]);
                if (missing.remove(packetId))
                    found.insert(packetId, entries.mid(at + 2, kDigestBytes));
            }
            if (missing.isEmpty())
                break;
        }
        // Deliveries stored before migration 25 were recorded one row each.
        for (const quint16 packetId : std::as_const(missing))
            legacyKeys << it.key() + QLatin1Char('|') + QString::number(packetId);
    }
    QVariantList binds;
    for (qsizetype next = 0; next < legacyKeys.size();) {
        const int rows = chunkRows(legacyKeys.size() - next);
        binds.clear();
        for (int i = 0; i < rows; ++i)
            binds << legacyKeys.at(next + i);
        auto found = m_db.selectRows(legacyLookupSqlFor(rows), binds, 2);
        if (!found)
            return found.error();
        for (const QVariantList &row : std::as_const(*found)) {
            const QString key = row.at(0).toString();
            const qsizetype bar = key.lastIndexOf(QLatin1Char('|'));
            recorded[key.left(bar)].insert(quint16(key.mid(bar + 1).toUInt()),
                                           QByteArray::fromHex(row.at(1).toString().toLatin1()));
        }
        next += rows;
    }
    QList<bool> stored(messages.size(), false);
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const Message &m = messages.at(i);
        if (!looksUp(m))
            continue;
        const auto session = recorded.constFind(m.session);
        if (session == recorded.cend())
            continue;
        const auto it = session->constFind(m.packetId);
        stored[i] = it != session->cend() && *it == recordedDigest(m.digest);
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
