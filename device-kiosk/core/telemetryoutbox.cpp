// SPDX-License-Identifier: Apache-2.0
#include "telemetryoutbox.h"

#include "mqtt/mqtttopic.h"

#include <QAtomicInteger>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Provisio::Kiosk {

namespace {

QAtomicInteger<quint64> s_connectionCounter;

QByteArray encodeProperties(const TelemetryOutbox::Properties &properties)
{
    QJsonArray array;
    for (const auto &p : properties)
        array.append(QJsonArray{p.first, p.second});
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

TelemetryOutbox::Properties decodeProperties(const QByteArray &json)
{
    TelemetryOutbox::Properties properties;
    const QJsonArray array = QJsonDocument::fromJson(json).array();
    for (const auto &item : array) {
        const QJsonArray pair = item.toArray();
        properties.append({pair.at(0).toString(), pair.at(1).toString()});
    }
    return properties;
}

Error sqlError(const QString &what, const QSqlError &error)
{
    return Error(ErrorCode::Unavailable, QStringLiteral("telemetry outbox: %1: %2").arg(what, error.text()));
}

} // namespace

Result<std::unique_ptr<TelemetryOutbox>> TelemetryOutbox::open(const QString &path, int capacity)
{
    if (capacity < 1)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("telemetry outbox capacity must be at least 1, got %1").arg(capacity));
    std::unique_ptr<TelemetryOutbox> box(new TelemetryOutbox);
    box->m_path = QFileInfo(path).absoluteFilePath();
    box->m_capacity = capacity;
    box->m_connectionName = QStringLiteral("provisio-telemetry-outbox-%1").arg(++s_connectionCounter);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), box->m_connectionName);
        if (!db.isValid())
            return Error(ErrorCode::Unavailable, QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));
        db.setDatabaseName(box->m_path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open())
            return sqlError(QStringLiteral("cannot open %1").arg(box->m_path), db.lastError());
        // FULL: a commit survives a power cut too, not only a crash of the
        // program; telemetry rates make the fsync per message affordable.
        const QString statements[] = {
            QStringLiteral("PRAGMA journal_mode=WAL"),
            QStringLiteral("PRAGMA synchronous=FULL"),
            QStringLiteral("CREATE TABLE IF NOT EXISTS messages ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " body BLOB NOT NULL,"
                           " properties TEXT NOT NULL,"
                           " enqueued_at INTEGER NOT NULL,"
                           " attempts INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE TABLE IF NOT EXISTS counters ("
                           " name TEXT PRIMARY KEY, value INTEGER NOT NULL)"),
            QStringLiteral("INSERT OR IGNORE INTO counters (name, value) VALUES ('dropped', 0)"),
        };
        for (const QString &sql : statements) {
            QSqlQuery q(db);
            if (!q.exec(sql))
                return sqlError(QStringLiteral("cannot prepare %1").arg(box->m_path), q.lastError());
            q.finish();
        }
    }
    return box;
}

TelemetryOutbox::~TelemetryOutbox()
{
    if (m_connectionName.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<qint64> TelemetryOutbox::enqueue(const QByteArray &body, const Properties &properties)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction())
        return sqlError(QStringLiteral("cannot begin"), db.lastError());
    auto fail = [&](const QString &what, const QSqlQuery &q) -> Error {
        const Error e = sqlError(what, q.lastError());
        db.rollback();
        return e;
    };

    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM messages")) || !q.next())
        return fail(QStringLiteral("cannot count"), q);
    const qint64 count = q.value(0).toLongLong();
    q.finish();
    const qint64 excess = count - m_capacity + 1;
    if (excess > 0) {
        q.prepare(QStringLiteral("DELETE FROM messages WHERE id IN"
                                 " (SELECT id FROM messages ORDER BY id LIMIT ?)"));
        q.addBindValue(excess);
        if (!q.exec())
            return fail(QStringLiteral("cannot drop the oldest messages"), q);
        q.prepare(QStringLiteral("UPDATE counters SET value = value + ? WHERE name = 'dropped'"));
        q.addBindValue(excess);
        if (!q.exec())
            return fail(QStringLiteral("cannot count dropped messages"), q);
    }
    q.prepare(QStringLiteral("INSERT INTO messages (body, properties, enqueued_at) VALUES (?, ?, ?)"));
    q.addBindValue(body);
    q.addBindValue(QString::fromUtf8(encodeProperties(properties)));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec())
        return fail(QStringLiteral("cannot store a message"), q);
    const qint64 id = q.lastInsertId().toLongLong();
    if (!db.commit())
        return sqlError(QStringLiteral("cannot commit"), db.lastError());
    return id;
}

QList<TelemetryOutbox::Entry> TelemetryOutbox::peek(int max) const
{
    return read(QString(), {}, max);
}

QList<TelemetryOutbox::Entry> TelemetryOutbox::peekAfter(qint64 afterId, int max) const
{
    return read(QStringLiteral(" WHERE id > ?"), {afterId}, max);
}

QList<TelemetryOutbox::Entry> TelemetryOutbox::read(const QString &where, const QVariantList &binds, int max) const
{
    QList<Entry> entries;
    if (max <= 0)
        return entries;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT id, body, properties, enqueued_at, attempts FROM messages") + where +
              QStringLiteral(" ORDER BY id LIMIT ?"));
    for (const QVariant &bind : binds)
        q.addBindValue(bind);
    q.addBindValue(max);
    if (!q.exec())
        return entries;
    while (q.next()) {
        Entry e;
        e.id = q.value(0).toLongLong();
        e.body = q.value(1).toByteArray();
        e.properties = decodeProperties(q.value(2).toString().toUtf8());
        e.enqueuedAt = QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong(), Qt::UTC);
        e.attempts = q.value(4).toInt();
        entries.append(std::move(e));
    }
    return entries;
}

Result<void> TelemetryOutbox::acknowledge(qint64 id)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("DELETE FROM messages WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(QStringLiteral("cannot remove message %1").arg(id), q.lastError());
    return {};
}

void TelemetryOutbox::markAttempt(qint64 id)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("UPDATE messages SET attempts = attempts + 1 WHERE id = ?"));
    q.addBindValue(id);
    q.exec();
}

Result<void> TelemetryOutbox::clear()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction())
        return sqlError(QStringLiteral("cannot begin"), db.lastError());
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("DELETE FROM messages")) ||
        !q.exec(QStringLiteral("UPDATE counters SET value = 0 WHERE name = 'dropped'"))) {
        const Error e = sqlError(QStringLiteral("cannot clear"), q.lastError());
        db.rollback();
        return e;
    }
    if (!db.commit())
        return sqlError(QStringLiteral("cannot commit"), db.lastError());
    return {};
}

int TelemetryOutbox::size() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM messages")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

qint64 TelemetryOutbox::droppedCount() const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT value FROM counters WHERE name = 'dropped'")) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

// ---------------------------------------------------------------------------

OutboxSender::OutboxSender(TelemetryOutbox *outbox, const QString &deviceId, PublishFunction publish, int maxInFlight,
                           QObject *parent)
    : QObject(parent), m_outbox(outbox), m_deviceId(deviceId), m_publish(std::move(publish)),
      m_maxInFlight(qMax(1, maxInFlight))
{
    m_clock.start();
    connect(&m_resendTimer, &QTimer::timeout, this, &OutboxSender::resendOverdue);
}

void OutboxSender::setConfirmation(int window, int timeoutMs)
{
    m_confirmWindow = qMax(0, window);
    m_confirmTimeoutMs = qMax(1000, timeoutMs);
    if (m_confirmWindow > 0)
        m_resendTimer.start(qMax(250, m_confirmTimeoutMs / 4));
    else
        m_resendTimer.stop();
}

void OutboxSender::onConnected()
{
    m_connected = true;
    drain();
}

void OutboxSender::onConnectionLost()
{
    // The entries stay in the outbox; the next connection sends them again,
    // those the hub acknowledged but the back end did not confirm included.
    m_connected = false;
    m_midToId.clear();
    m_idToMid.clear();
    m_messageIds.clear();
    m_byMessageId.clear();
    m_unconfirmed.clear();
    m_lastSent = 0;
}

void OutboxSender::remove(qint64 id)
{
    if (const auto midIt = m_idToMid.constFind(id); midIt != m_idToMid.constEnd()) {
        m_midToId.remove(midIt.value());
        m_idToMid.erase(midIt);
    }
    m_unconfirmed.remove(id);
    m_byMessageId.remove(m_messageIds.take(id));
    const auto removed = m_outbox->acknowledge(id);
    if (!removed)
        Q_EMIT outboxError(removed.error().message);
}

void OutboxSender::onPublished(int messageId, int reasonCode)
{
    const auto it = m_midToId.constFind(messageId);
    if (it == m_midToId.constEnd())
        return; // not ours, or from a connection that is gone
    const qint64 id = it.value();
    m_midToId.erase(it);
    m_idToMid.remove(id);
    if (reasonCode < 0x80 && m_confirmWindow > 0 && m_messageIds.contains(id)) {
        // The hub has it, the back end may not yet: kept until confirmed.
        m_unconfirmed.insert(id, m_clock.elapsed());
        drain();
        return;
    }
    remove(id);
    if (reasonCode < 0x80) {
        Q_EMIT messageAcknowledged(id);
    } else {
        ++m_refused;
        Q_EMIT messageRefused(id, reasonCode);
    }
    drain();
}

void OutboxSender::onStored(const QStringList &messageIds)
{
    bool any = false;
    for (const QString &messageId : messageIds) {
        const auto it = m_byMessageId.constFind(messageId);
        if (it == m_byMessageId.constEnd())
            continue; // not sent on this connection (or confirmed already)
        const qint64 id = it.value();
        remove(id);
        Q_EMIT messageAcknowledged(id);
        any = true;
    }
    if (any)
        drain();
}

void OutboxSender::resendOverdue()
{
    if (!m_connected || m_unconfirmed.isEmpty())
        return;
    const qint64 now = m_clock.elapsed();
    qint64 lowest = -1;
    for (auto it = m_unconfirmed.begin(); it != m_unconfirmed.end();) {
        if (now - it.value() < m_confirmTimeoutMs) {
            ++it;
            continue;
        }
        const qint64 id = it.key();
        lowest = lowest < 0 ? id : qMin(lowest, id);
        m_byMessageId.remove(m_messageIds.take(id));
        it = m_unconfirmed.erase(it);
    }
    if (lowest < 0)
        return;
    // Sent again from the oldest overdue one on.
    m_lastSent = qMin(m_lastSent, lowest - 1);
    drain();
}

void OutboxSender::drain()
{
    if (m_draining)
        return;
    m_draining = true;
    const auto full = [this] {
        return m_midToId.size() >= m_maxInFlight ||
               (m_confirmWindow > 0 && m_midToId.size() + m_unconfirmed.size() >= m_confirmWindow);
    };
    while (m_connected && !full()) {
        const auto entries = m_outbox->peekAfter(m_lastSent, m_maxInFlight);
        if (entries.isEmpty())
            break;
        for (const auto &entry : entries) {
            if (!m_connected || full())
                break;
            if (m_idToMid.contains(entry.id) || m_unconfirmed.contains(entry.id)) {
                m_lastSent = qMax(m_lastSent, entry.id);
                continue;
            }
            m_outbox->markAttempt(entry.id);
            const int mid = m_publish(MqttTopic::telemetryTopic(m_deviceId, entry.properties), entry.body);
            if (mid < 0) {
                // The client refused to take it (not connected): try again
                // on the next drain or connection.
                m_draining = false;
                return;
            }
            m_lastSent = qMax(m_lastSent, entry.id);
            m_midToId.insert(mid, entry.id);
            m_idToMid.insert(entry.id, mid);
            for (const auto &p : entry.properties) {
                if (p.first == QLatin1String("$.mid")) {
                    m_messageIds.insert(entry.id, p.second);
                    m_byMessageId.insert(p.second, entry.id);
                    break;
                }
            }
        }
    }
    m_draining = false;
}

} // namespace Provisio::Kiosk
