// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/cloudmessagestore.h"
#include "storage/registrationstore.h"

namespace Provisio {

struct ServiceContext;

// Cloud-to-device messages, IoT Hub's limits: an operator sends a message to
// a registered device; it waits in the middleware (CloudMessageStore) until
// the device's hub takes it for the device's MQTT session, at most
// kMaxPendingPerDevice per device and until its time to live ends. Sending
// is audited (`cloudMessage` / `send`) and raises `cloudMessage.queued`; the
// hub link reports `cloudMessage.delivered` and `cloudMessage.expired`.
class CloudMessages
{
public:
    static constexpr int kMaxPendingPerDevice = 50;  // IoT Hub's queue depth per device
    static constexpr int kMaxBodyBytes = 64 * 1024;  // IoT Hub's cloud-to-device size limit
    static constexpr int kDefaultTtlSeconds = 3600;  // IoT Hub's default
    static constexpr int kMaxTtlSeconds = 2 * 86400; // IoT Hub's maximum
    static constexpr int kMaxProperties = 32;
    static constexpr int kMaxPropertyBagBytes = 4096; // encoded, as it travels in the topic
    static constexpr int kKeepFinishedDays = 7;

    explicit CloudMessages(ServiceContext &ctx);

    struct Outgoing
    {
        QByteArray body;
        QString contentType; // application/json for a JSON payload, else empty
        MqttTopic::PropertyBag properties;
        int ttlSeconds = kDefaultTtlSeconds;
    };
    // Checks `message` against the limits (InvalidInput, PayloadTooLarge)
    // before anything is stored.
    static Result<void> validate(const Outgoing &message);
    // Queues `message` for the device of `record` (assigned, with a hub);
    // TooManyRequests when kMaxPendingPerDevice are already waiting.
    Result<CloudMessageStore::Message> send(const RegistrationRecord &record, const Outgoing &message,
                                            const QString &actor);
    // The hub took it: queued -> delivered, `cloudMessage.delivered`.
    Result<void> markDelivered(const CloudMessageStore::Message &message);
    // Expires what outlived its time to live (`cloudMessage.expired` each)
    // and prunes finished messages older than kKeepFinishedDays.
    Result<int> expireDue();

    CloudMessageStore &store() { return m_store; }

private:
    DomainEvent eventFor(EventKind kind, const CloudMessageStore::Message &message) const;

    ServiceContext &m_ctx;
    CloudMessageStore m_store;
    ChangeRecorder m_changes;
};

} // namespace Provisio
