// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/error.h"
#include "domain/ratelimiter.h"
#include "domain/registrar.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonObject>

#include <functional>
#include <optional>

namespace Provisio {

struct ServiceContext;

// The DPS device protocol's three requests, whatever carries them: the HTTP
// routes (DeviceApi) and the MQTT endpoint (DpsMqttApi) only take the
// request apart and render the answer. Both therefore check the same things
// in the same order (api-version, ID scope, registration id, failure limits,
// SAS token), share one count of failed authentications per client address
// and registration id, and answer the same JSON bodies and statuses.
class DpsDeviceRequests
{
public:
    DpsDeviceRequests(ServiceContext &ctx, Registrar &registrar);

    // Who asks: the fields every request carries, however it is framed.
    struct Call
    {
        std::optional<QString> apiVersion; // nullopt: none was given
        QString idScope;
        QString registrationId;
        QByteArray authorization; // "SharedAccessSignature sr=…"
        QHostAddress client;      // for the failure limits
    };

    // An answer: a status and a JSON body (the operation, the registration
    // state, or DPS's error shape rendered by the transport from `error`),
    // and the seconds a device should wait before asking again (Retry-After
    // while assigning or when throttled; 0: none).
    struct Answer
    {
        int status = 200;
        QJsonObject body;
        QByteArray bodyText; // when not empty: the body already written as compact JSON (body unused)
        std::optional<Error> error;
        int retryAfter = 0;
    };

    // The checks every request starts with, alone: for a transport that
    // authenticates once per connection (MQTT's CONNECT). Status 200 when
    // they pass.
    Answer admission(const Call &call);
    // PUT …/register: the body {"registrationId", "payload"?}. Answered
    // through `reply`, once, in this thread: at once (a refusal, a custom
    // allocation's `assigning`), or once the registration's group commit
    // stored it (Registrar::registerDevice), so each transport must be
    // ready to answer later.
    using Reply = std::function<void(Answer)>;
    void registerDevice(const Call &call, const QByteArray &body, Reply reply);
    // Stores the registrations still waiting for their group commit and
    // answers them: for a transport that must keep its answers in the order
    // of its requests (HTTP pipelining).
    void settle() { m_registrar.commitPending(); }
    // GET …/operations/{operationId}: 202 while assigning, 200 once settled.
    Answer operationStatus(const Call &call, const QString &operationId);
    // POST …/registrations/{registrationId}: the registration state.
    Answer registrationStatus(const Call &call, const QByteArray &body);

    // The api-versions DPS device clients send that Provisio speaks: the
    // DPS releases from 2018 through 2021-10-01.
    static const QStringList &supportedApiVersions();

private:
    // The checks before the key's: api-version, ID scope, registration id,
    // failure limits.
    std::optional<Error> precheck(const Call &call, int *retryAfter);
    // Whether the key checks still running for this client could, should
    // they fail, take it over a failure limit.
    bool checksMayReachLimit(const Call &call);
    // Counts a failed authentication against the call's limits.
    void countFailure(const Call &call, const Result<Registrar::Attestee> &attestee);
    // precheck() and the key check.
    Result<Registrar::Attestee> admit(const Call &call, int *retryAfter);
    // The register body's checks for an authenticated device; `payload`
    // gets its payload.
    static Result<void> checkRegistrationBody(const Call &call, const Registrar::Attestee &attestee,
                                              const QByteArray &body, QJsonValue *payload);
    std::optional<Error> throttled(const Call &call, int *retryAfter);
    Answer failure(const Error &error, int retryAfter = 0) const;
    // `body`: the operation as JSON; `operationStatus`: its status.
    Answer operationAnswer(const QString &operationStatus, QJsonObject body, int status) const;

    ServiceContext &m_ctx;
    Registrar &m_registrar;
    // Failed authentications, counted per client address and per
    // registration id; over either limit a request is answered 429 before
    // any key is derived (an unknown id would try every group).
    RateLimiter m_failuresPerAddress;
    RateLimiter m_failuresPerRegistration;
    // Registrations whose key check is still running, per client address
    // and per registration id: they may yet fail (throttled()).
    QHash<QString, int> m_checkingFrom;
    QHash<QString, int> m_checkingFor;
    QElapsedTimer m_clock;
};

} // namespace Provisio
