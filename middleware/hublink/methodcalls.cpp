// SPDX-License-Identifier: Apache-2.0
#include "methodcalls.h"

#include "hubconnections.h"
#include "hublinkutil.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "crypto/keys.h"

namespace Provisio {

MethodCalls::MethodCalls(ServiceContext &ctx, HubConnections &connections, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_connections(connections)
{
    m_ctx.metrics.describe(QStringLiteral("provisio_direct_methods_total"), QStringLiteral("counter"),
                           QStringLiteral("Direct method calls by outcome"));
}

MethodCalls::~MethodCalls()
{
    // Pending calls end with their owner; their HTTP clients see the
    // connection close when the server goes.
    m_calls.clear();
}

bool MethodCalls::isValidMethodName(const QString &name)
{
    if (name.isEmpty() || name.size() > 128 || name == QLatin1String("res"))
        return false;
    for (const QChar c : name) {
        if (c == QLatin1Char('/') || c == QLatin1Char('+') || c == QLatin1Char('#') || c.isNull() || c.unicode() < 0x20)
            return false;
    }
    return true;
}

void MethodCalls::count(const char *outcome)
{
    m_ctx.metrics.increment(QStringLiteral("provisio_direct_methods_total"),
                            QStringLiteral("outcome=\"%1\"").arg(QLatin1String(outcome)));
}

void MethodCalls::invoke(const RegistrationRecord &record, const QString &method, const QJsonValue &payload,
                         int timeoutSeconds, std::function<void(const Outcome &)> done)
{
    HubConnection *connection = m_connections.connectedTo(record.state.assignedHub);
    if (!connection) {
        count("hubDown");
        done({Outcome::HubNotConnected, 0, {}});
        return;
    }
    const QString deviceId = record.state.deviceId;
    const QString rid = QString::fromLatin1(Crypto::randomBytes(8).toHex());
    auto call = std::make_shared<Call>();
    call->deviceId = deviceId;
    call->hubHost = record.state.assignedHub.toLower();
    // Subscribed per call and on this instance only: the answer must reach
    // the instance whose HTTP client waits, which a shared subscription
    // would not guarantee. The broker handles our SUBSCRIBE before the
    // PUBLISH that follows it on the same connection.
    call->responseFilter = QStringLiteral("devices/%1/methods/res/+/%2").arg(deviceId, rid);
    call->done = std::move(done);
    connection->subscribe(call->responseFilter, 1);
    const QString topic = QStringLiteral("devices/%1/methods/%2/%3").arg(deviceId, method, rid);
    const QByteArray body = payload.isUndefined() ? QByteArrayLiteral("null") : HubLinkUtil::jsonText(payload);
    if (!connection->publish(topic, body, 1, false)) {
        connection->unsubscribe(call->responseFilter);
        count("notSent");
        call->done({Outcome::NotSent, 0, {}});
        return;
    }
    call->timer.setSingleShot(true);
    connect(&call->timer, &QTimer::timeout, this, [this, rid] {
        const auto c = m_calls.take(rid);
        if (!c)
            return;
        if (HubConnection *conn = m_connections.forHost(c->hubHost))
            conn->unsubscribe(c->responseFilter);
        count("timeout");
        c->done({Outcome::TimedOut, 0, {}});
    });
    call->timer.start(timeoutSeconds * 1000);
    m_calls.insert(rid, call);
}

void MethodCalls::handleResponse(const QString &deviceId, const QString &status, const QString &rid,
                                 const QByteArray &payload)
{
    HubLinkUtil::countReceived(m_ctx.metrics, "methodResponse");
    const auto it = m_calls.constFind(rid);
    if (it == m_calls.constEnd() || (*it)->deviceId != deviceId)
        return; // another instance's call, or one that timed out
    bool ok = false;
    const int code = status.toInt(&ok);
    if (!ok)
        return HubLinkUtil::countRejected(m_ctx.metrics, "methodResponse", "malformed");
    const auto call = m_calls.take(rid);
    call->timer.stop();
    if (HubConnection *conn = m_connections.forHost(call->hubHost))
        conn->unsubscribe(call->responseFilter);
    Outcome outcome;
    outcome.kind = Outcome::Answered;
    outcome.status = code;
    if (const auto value = HubLinkUtil::parseJsonValue(payload))
        outcome.payload = *value;
    else if (!payload.isEmpty())
        outcome.payload = QString::fromUtf8(payload); // not JSON: handed back as text
    count("answered");
    call->done(outcome);
}

} // namespace Provisio
