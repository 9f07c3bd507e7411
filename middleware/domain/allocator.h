// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/webhooktarget.h"
#include "core/result.h"
#include "protocol/allocation.h"
#include "protocol/hub.h"
#include "protocol/twin.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Provisio {

struct ServiceContext;
class SettingsStore;

// Picks the hub a device is assigned to, by DPS allocation policy.
//
// hashed: weighted rendezvous (highest-random-weight) hashing of the
// registration id over the candidate hubs. It is deterministic, so a device
// lands on the same hub every time (registration stays idempotent), and
// adding or removing a hub moves only the devices that hub wins or held,
// instead of reshuffling the fleet as `hash % n` would. Hubs of weight 0
// take no devices.
// static: the enrollment's one hub, or the instance's allocation.staticHub.
// geoLatency: Provisio cannot measure latency from the device, so the device
// declares its region in the registration payload (payload.region or
// payload.provisio.region); hubs of that region are chosen among by hashing,
// and all candidates when none matches.
// custom: a webhook answers with the hub, asynchronously (allocateCustom).
class Allocator : public QObject
{
    Q_OBJECT
public:
    explicit Allocator(ServiceContext &ctx, QObject *parent = nullptr);

    // What to allocate with, resolved from the enrollment and the instance
    // settings once per registration.
    struct Plan
    {
        AllocationPolicy policy = AllocationPolicy::Hashed;
        QList<Hub> candidates; // the enrollment's hubs, or every linked hub
        QList<Hub> linked;     // every linked hub
        QString staticHub;     // static: host or link name
        std::optional<CustomAllocationDefinition> webhook;
    };

    struct Outcome
    {
        Hub hub;
        QJsonObject payload;                    // a custom allocation's payload
        std::optional<InitialTwin> initialTwin; // a custom allocation's twin
    };

    // `instancePolicy`: the instance's allocation policy setting as already
    // read (with the key check, Registrar::Attestee::Prefetched); empty: read
    // here when the enrollment sets none.
    Result<Plan> plan(const std::optional<AllocationPolicy> &enrollmentPolicy, const QStringList &iotHubs,
                      const std::optional<CustomAllocationDefinition> &enrollmentWebhook,
                      const QString &instancePolicy = {});

    // The synchronous policies (everything but custom).
    Result<Outcome> allocate(const Plan &plan, const QString &registrationId, const QJsonValue &payload) const;

    // Calls the plan's webhook with `requestBody` (DPS's custom allocation
    // request) and reports once, from the event loop: on the answer, on a
    // non-2xx status (redirects included), on a bad answer, after the
    // timeout, or when the URL or its resolved address breaks the webhook
    // rules (WebhookTarget). A failure reaches `done` as a generic message
    // with a tracking id; its detail goes to the log and to an
    // "allocationFailed" audit entry for the registration. `context`
    // guards the callback: it is dropped when context is destroyed.
    void allocateCustom(const Plan &plan, const QJsonObject &requestBody, QObject *context,
                        std::function<void(Result<Outcome>)> done);

    static constexpr int kWebhookTimeoutMs = 10000;

    // The signing secret of one allocation webhook: URL-safe base64 of
    // HMAC-SHA256(instance key, the webhook URL), the instance key generated
    // into the database on first use. Every webhook URL has its own secret
    // (a receiver that leaks it exposes no other webhook; changing the URL,
    // e.g. its ?code=, rotates it); admins read it from
    // GET /api/v1/allocation-policy/webhook-secret?url=. It never travels:
    // each request carries X-Provisio-Timestamp and
    // X-Provisio-Signature: sha256=<hex HMAC-SHA256(secret, timestamp "." body)>,
    // the scheme of event webhooks.
    static Result<QString> webhookSecret(SettingsStore &settings, const QString &webhookUrl);

    // Pure parts, public for unit tests.
    // Weighted rendezvous choice; nullopt when no hub has weight > 0.
    static std::optional<Hub> hashedChoice(const QList<Hub> &hubs, const QString &registrationId);
    // The score a hub gets for a registration id: -weight / ln(u), u in
    // (0, 1) from SHA-256 of hub name and id. Higher wins.
    static double rendezvousScore(const QString &hubName, int weight, const QString &registrationId);
    // payload.region, else payload.provisio.region; empty when neither.
    static QString declaredRegion(const QJsonValue &payload);
    // A hub named by host (case-insensitive) or link name.
    static std::optional<Hub> findHub(const QList<Hub> &hubs, const QString &hostOrName);

private:
    Result<Outcome> readWebhookAnswer(const QByteArray &body, const QList<Hub> &linked) const;

    ServiceContext &m_ctx;
    WebhookTarget m_target;
};

} // namespace Provisio
