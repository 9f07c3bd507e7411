// SPDX-License-Identifier: Apache-2.0
#include "hubcredit.h"

#include "hubconnection.h"
#include "hubconnections.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QRandomGenerator>

namespace Provisio {

namespace {
const QString kControlTopic = QStringLiteral("$CONTROL/provisio-hub/v1");
}

HubCredit::HubCredit(HubConnections &connections, int intervalMs, QObject *parent)
    : QObject(parent), m_connections(connections),
      m_epoch(QString::number(QRandomGenerator::system()->generate64(), 16))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &HubCredit::flush);
    // Whatever waited for a connection goes as soon as there is one.
    connect(&m_connections, &HubConnections::hubConnected, this, [this] {
        for (const Totals &t : std::as_const(m_due)) {
            if (t.unsent) {
                m_timer.start();
                break;
            }
        }
    });
}

void HubCredit::handled(const QString &hubHost, qint64 messages, qint64 bytes)
{
    Totals &due = m_due[hubHost.toLower()];
    due.messages += messages;
    due.bytes += bytes;
    due.unsent = true;
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
    for (auto it = m_due.begin(); it != m_due.end(); ++it) {
        if (!it->unsent)
            continue;
        HubConnection *connection = m_connections.connectedTo(it.key());
        if (!connection)
            continue;
        const QByteArray command = QJsonDocument(QJsonObject{{QStringLiteral("op"), QStringLiteral("credit")},
                                                             {QStringLiteral("epoch"), m_epoch},
                                                             {QStringLiteral("messages"), it->messages},
                                                             {QStringLiteral("bytes"), it->bytes}})
                                       .toJson(QJsonDocument::Compact);
        QPointer<HubCredit> self(this);
        const QString hubHost = it.key();
        const bool queued = connection->publish(kControlTopic, command, 1, false, [self, hubHost](bool acked) {
            if (acked || !self)
                return;
            // Running totals: sending them again is harmless.
            self->m_due[hubHost].unsent = true;
            self->m_timer.start();
        });
        if (queued)
            it->unsent = false;
    }
}

} // namespace Provisio
