// SPDX-License-Identifier: Apache-2.0
#include "hubcredit.h"

#include "hubconnection.h"
#include "hubconnections.h"
#include "hublinkutil.h"

#include "protocol/deliveryidentity.h"

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
        for (const QList<quint64> &due : std::as_const(m_due)) {
            if (!due.isEmpty()) {
                m_timer.start();
                break;
            }
        }
    });
}

void HubCredit::handled(const QString &hubHost, const QList<quint64> &deliveries)
{
    if (deliveries.isEmpty())
        return;
    QList<quint64> &due = m_due[hubHost.toLower()];
    due.append(deliveries);
    if (due.size() > kMaxUnsent) {
        qCWarning(lcHubConnection).noquote() << "hub" << hubHost << "unreachable for long: dropping"
                                             << due.size() - kMaxUnsent << "unsent confirmation(s)";
        due.remove(0, due.size() - kMaxUnsent);
    }
    if (!m_timer.isActive())
        m_timer.start();
}

void HubCredit::settled(const QString &hubHost, const QList<quint64> &deliveries)
{
    handled(hubHost, deliveries);
    flush();
}

void HubCredit::flush()
{
    m_timer.stop();
    for (auto it = m_due.begin(); it != m_due.end(); ++it) {
        if (it->isEmpty())
            continue;
        HubConnection *connection = m_connections.connectedTo(it.key());
        if (!connection)
            continue;
        const QString hubHost = it.key();
        QList<quint64> &due = *it;
        qsizetype sent = 0;
        while (sent < due.size()) {
            const int count = int(qMin<qsizetype>(kMaxGrantDeliveries, due.size() - sent));
            const QByteArray command =
                QJsonDocument(QJsonObject{{QStringLiteral("op"), QStringLiteral("credit")},
                                          {QStringLiteral("deliveries"), QString::fromLatin1(encodeDeliveryIdentities(
                                                                             due.constData() + sent, count))}})
                    .toJson(QJsonDocument::Compact);
            QPointer<HubCredit> self(this);
            const QList<quint64> chunk = due.mid(sent, count);
            const bool queued =
                connection->publish(kControlTopic, command, 1, false, [self, hubHost, chunk](bool acked) {
                    if (acked || !self)
                        return;
                    // Not taken for sure: again at the next connection (a
                    // confirmation the hub has already applied pays nothing).
                    self->m_due[hubHost].append(chunk);
                    self->m_timer.start();
                });
            if (!queued)
                break;
            sent += count;
        }
        due.remove(0, sent);
    }
}

} // namespace Provisio
