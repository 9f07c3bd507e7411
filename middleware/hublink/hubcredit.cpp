// SPDX-License-Identifier: Apache-2.0
#include "hubcredit.h"

#include "hubconnection.h"
#include "hubconnections.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

namespace Provisio {

namespace {
const QString kControlTopic = QStringLiteral("$CONTROL/provisio-hub/v1");
}

HubCredit::HubCredit(HubConnections &connections, int intervalMs, QObject *parent)
    : QObject(parent), m_connections(connections)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &HubCredit::flush);
    // Whatever waited for a connection goes as soon as there is one.
    connect(&m_connections, &HubConnections::hubConnected, this, [this] {
        if (!m_due.isEmpty())
            m_timer.start();
    });
}

void HubCredit::handled(const QString &hubHost, qint64 messages, qint64 bytes)
{
    Due &due = m_due[hubHost.toLower()];
    due.messages += messages;
    due.bytes += bytes;
    if (!m_timer.isActive())
        m_timer.start();
}

void HubCredit::settled(const QString &hubHost, qint64 messages, qint64 bytes)
{
    handled(hubHost, messages, bytes);
    flush();
}

void HubCredit::flush()
{
    m_timer.stop();
    for (auto it = m_due.begin(); it != m_due.end();) {
        HubConnection *connection = m_connections.connectedTo(it.key());
        if (!connection) {
            ++it;
            continue;
        }
        const Due due = it.value();
        const QByteArray command = QJsonDocument(QJsonObject{{QStringLiteral("op"), QStringLiteral("credit")},
                                                             {QStringLiteral("messages"), due.messages},
                                                             {QStringLiteral("bytes"), due.bytes}})
                                       .toJson(QJsonDocument::Compact);
        QPointer<HubCredit> self(this);
        const QString hubHost = it.key();
        const bool queued = connection->publish(kControlTopic, command, 1, false, [self, hubHost, due](bool acked) {
            if (!acked && self)
                self->handled(hubHost, due.messages, due.bytes);
        });
        if (!queued) {
            ++it;
            continue;
        }
        it = m_due.erase(it);
    }
}

} // namespace Provisio
