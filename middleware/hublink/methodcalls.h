// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/registrationstore.h"

#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

namespace Provisio {

struct ServiceContext;
class HubConnections;

// Direct methods: a request published to the device on its hub, the answer
// awaited on a response topic this instance subscribes to for the call, and
// a timeout; each call ends exactly once in its `done`.
class MethodCalls : public QObject
{
    Q_OBJECT
public:
    struct Outcome
    {
        enum Kind { Answered, TimedOut, HubNotConnected, NotSent } kind = NotSent;
        int status = 0;
        QJsonValue payload;
    };

    MethodCalls(ServiceContext &ctx, HubConnections &connections, QObject *parent = nullptr);
    ~MethodCalls() override;

    static bool isValidMethodName(const QString &name);

    void invoke(const RegistrationRecord &record, const QString &method, const QJsonValue &payload, int timeoutSeconds,
                std::function<void(const Outcome &)> done);
    // An answer on devices/{id}/methods/res/{status}/{rid}.
    void handleResponse(const QString &deviceId, const QString &status, const QString &rid, const QByteArray &payload);

private:
    struct Call
    {
        QString deviceId;
        QString hubHost;
        QString responseFilter;
        QTimer timer;
        std::function<void(const Outcome &)> done;
    };

    void count(const char *outcome);

    ServiceContext &m_ctx;
    HubConnections &m_connections;
    QHash<QString, std::shared_ptr<Call>> m_calls; // rid -> call
};

} // namespace Provisio
