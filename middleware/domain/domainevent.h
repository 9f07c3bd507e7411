// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace Provisio {

// What happened in the middleware, as the code that reacts to it sees it:
// one value per event type. The dotted wire names ("enrollment.disabled")
// exist only at the edge (the events feed, webhooks, GET
// /api/v1/events/types), through wireName().
enum class EventKind {
    EnrollmentCreated,
    EnrollmentUpdated,
    EnrollmentDeleted,
    EnrollmentEnabled,
    EnrollmentDisabled,
    EnrollmentKeysRegenerated,
    EnrollmentTwinUpdated,
    GroupCreated,
    GroupUpdated,
    GroupDeleted,
    GroupEnabled,
    GroupDisabled,
    GroupKeysRegenerated,
    GroupTwinUpdated,
    CustomerCreated,
    CustomerUpdated,
    CustomerDeleted,
    HubCreated,
    HubUpdated,
    HubDeleted,
    HubKeyRotated,
    WebhookCreated,
    WebhookUpdated,
    WebhookDeleted,
    TokenCreated,
    TokenUpdated,
    TokenDeleted,
    TokenRevoked,
    AccessPolicyCreated,
    AccessPolicyRevoked,
    PolicyCreated,
    PolicyUpdated,
    PolicyDeleted,
    DeviceCreated,
    DeviceUpdated,
    DeviceDeleted,
    DeviceSold,
    DeviceReturned,
    DeviceImported,
    DeviceProvisioned, // the device reported itself provisioned (not in the published types list)
    DeviceStatusReported,
    DeviceOnline,
    DeviceOffline,
    RegistrationAssigned,
    RegistrationFailed,
    RegistrationDisabled,
    RegistrationDeleted,
    RegistrationReprovisioned,
    RegistrationHubKeyRotated, // the device's hub key retired; it registers again for a new one
    GroupHubKeysRotated,       // the same for every device of an enrollment group
    ActivationIssued,
    ActivationExchanged,
    ActivationUnlocked, // an operator cleared a serial's failed activation attempts
    TwinReported,
    TwinUpdated,
    CloudMessageQueued,    // an operator sent a cloud-to-device message
    CloudMessageDelivered, // a hub took it for the device's session
    CloudMessageExpired,   // its time to live ended while it still waited
    ActivationMailQueued,  // an operator had a device's activation card e-mailed
    ActivationMailSent,    // the SMTP server (or the outbox) took it
    ActivationMailFailed,  // given up: refused for good, or out of attempts
    BatchJobStarted,       // a device batch job was admitted
    BatchJobProgress,      // it finished chunks (at most one a second per job)
    BatchJobFinished,      // it ended: completed, cancelled or failed
    Telemetry,
};

// Every kind, in the order of the enum.
const QList<EventKind> &allEventKinds();
// "enrollment.disabled", "telemetry", ...
QString wireName(EventKind kind);
// The category part of the wire name ("enrollment"); empty for telemetry,
// which is about no stored record.
QString categoryOf(EventKind kind);
std::optional<EventKind> eventKindFromWireName(const QString &name);

// One event. `data` is the changed record as the audit log holds it
// (redacted: no keys, no tokens), or what the hub link observed.
struct DomainEvent
{
    EventKind kind = EventKind::Telemetry;
    QString entityId;       // the record changed (enrollment id, serial, hub name, ...)
    QString deviceId;       // when the change concerns a device
    QString registrationId; // when it concerns an enrollment or registration
    QString hub;            // the hub host concerned (the assigned one)
    QString previousHub;    // the hub a device left when it moved
    QJsonObject data;
    // The record as JSON text instead of `data` (redacted like it): a bulk
    // import publishes an event per device, and building each record as an
    // object cost more than storing it, while the object is needed only
    // when an event is delivered (record() reads it then).
    QString dataText;
    QString id; // "evt_" + random; filled by EventBus::publish when empty
    QString at; // ISO-8601 UTC; filled by EventBus::publish when empty

    // `data`, or `dataText` read as an object when it is set.
    QJsonObject record() const;

    // The wire shape: {id, type, at, deviceId?, registrationId?, entityType?,
    // entityId?, data}.
    QJsonObject toJson() const;
};

} // namespace Provisio

Q_DECLARE_METATYPE(Provisio::DomainEvent)
