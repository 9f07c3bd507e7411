// SPDX-License-Identifier: Apache-2.0
#include "domainevent.h"

#include <QHash>
#include <QJsonDocument>

#include <utility>

namespace Provisio {

namespace {
struct KindName
{
    EventKind kind;
    const char *name;
};

// The one table of wire names; the order is the enum's.
constexpr KindName kNames[] = {
    {EventKind::EnrollmentCreated, "enrollment.created"},
    {EventKind::EnrollmentUpdated, "enrollment.updated"},
    {EventKind::EnrollmentDeleted, "enrollment.deleted"},
    {EventKind::EnrollmentEnabled, "enrollment.enabled"},
    {EventKind::EnrollmentDisabled, "enrollment.disabled"},
    {EventKind::EnrollmentKeysRegenerated, "enrollment.keysRegenerated"},
    {EventKind::EnrollmentTwinUpdated, "enrollment.twinUpdated"},
    {EventKind::GroupCreated, "enrollmentGroup.created"},
    {EventKind::GroupUpdated, "enrollmentGroup.updated"},
    {EventKind::GroupDeleted, "enrollmentGroup.deleted"},
    {EventKind::GroupEnabled, "enrollmentGroup.enabled"},
    {EventKind::GroupDisabled, "enrollmentGroup.disabled"},
    {EventKind::GroupKeysRegenerated, "enrollmentGroup.keysRegenerated"},
    {EventKind::GroupTwinUpdated, "enrollmentGroup.twinUpdated"},
    {EventKind::CustomerCreated, "customer.created"},
    {EventKind::CustomerUpdated, "customer.updated"},
    {EventKind::CustomerDeleted, "customer.deleted"},
    {EventKind::HubCreated, "hub.created"},
    {EventKind::HubUpdated, "hub.updated"},
    {EventKind::HubDeleted, "hub.deleted"},
    {EventKind::HubKeyRotated, "hub.keyRotated"},
    {EventKind::WebhookCreated, "webhook.created"},
    {EventKind::WebhookUpdated, "webhook.updated"},
    {EventKind::WebhookDeleted, "webhook.deleted"},
    {EventKind::TokenCreated, "token.created"},
    {EventKind::TokenUpdated, "token.updated"},
    {EventKind::TokenDeleted, "token.deleted"},
    {EventKind::TokenRevoked, "token.revoked"},
    {EventKind::AccessPolicyCreated, "accessPolicy.created"},
    {EventKind::AccessPolicyRevoked, "accessPolicy.revoked"},
    {EventKind::PolicyCreated, "policy.created"},
    {EventKind::PolicyUpdated, "policy.updated"},
    {EventKind::PolicyDeleted, "policy.deleted"},
    {EventKind::DeviceCreated, "device.created"},
    {EventKind::DeviceUpdated, "device.updated"},
    {EventKind::DeviceDeleted, "device.deleted"},
    {EventKind::DeviceSold, "device.sold"},
    {EventKind::DeviceReturned, "device.returned"},
    {EventKind::DeviceImported, "device.imported"},
    {EventKind::DeviceProvisioned, "device.provisioned"},
    {EventKind::DeviceStatusReported, "device.statusReported"},
    {EventKind::DeviceOnline, "device.online"},
    {EventKind::DeviceOffline, "device.offline"},
    {EventKind::RegistrationAssigned, "registration.assigned"},
    {EventKind::RegistrationFailed, "registration.failed"},
    {EventKind::RegistrationDisabled, "registration.disabled"},
    {EventKind::RegistrationDeleted, "registration.deleted"},
    {EventKind::RegistrationReprovisioned, "registration.reprovisioned"},
    {EventKind::RegistrationHubKeyRotated, "registration.hubKeyRotated"},
    {EventKind::GroupHubKeysRotated, "enrollmentGroup.hubKeysRotated"},
    {EventKind::ActivationIssued, "activation.issued"},
    {EventKind::ActivationExchanged, "activation.exchanged"},
    {EventKind::ActivationUnlocked, "activation.unlocked"},
    {EventKind::TwinReported, "twin.reported"},
    {EventKind::TwinUpdated, "twin.updated"},
    {EventKind::CloudMessageQueued, "cloudMessage.queued"},
    {EventKind::CloudMessageDelivered, "cloudMessage.delivered"},
    {EventKind::CloudMessageExpired, "cloudMessage.expired"},
    {EventKind::ActivationMailQueued, "activationMail.queued"},
    {EventKind::ActivationMailSent, "activationMail.sent"},
    {EventKind::ActivationMailFailed, "activationMail.failed"},
    {EventKind::BatchJobStarted, "batchJob.started"},
    {EventKind::BatchJobProgress, "batchJob.progress"},
    {EventKind::BatchJobFinished, "batchJob.finished"},
    {EventKind::Telemetry, "telemetry"},
};

static_assert(std::size(kNames) == std::size_t(EventKind::Telemetry) + 1, "one wire name per event kind");

constexpr bool tableInEnumOrder()
{
    for (std::size_t i = 0; i < std::size(kNames); ++i) {
        if (std::size_t(kNames[i].kind) != i)
            return false;
    }
    return true;
}
static_assert(tableInEnumOrder(), "kNames is indexed by EventKind");
} // namespace

const QList<EventKind> &allEventKinds()
{
    static const QList<EventKind> kinds = [] {
        QList<EventKind> k;
        for (const KindName &n : kNames)
            k << n.kind;
        return k;
    }();
    return kinds;
}

QString wireName(EventKind kind)
{
    return QLatin1String(kNames[std::size_t(kind)].name);
}

QString categoryOf(EventKind kind)
{
    const QString name = wireName(kind);
    const int dot = name.indexOf(QLatin1Char('.'));
    return dot < 0 ? QString() : name.left(dot);
}

std::optional<EventKind> eventKindFromWireName(const QString &name)
{
    static const QHash<QString, EventKind> byName = [] {
        QHash<QString, EventKind> h;
        for (const KindName &n : kNames)
            h.insert(QLatin1String(n.name), n.kind);
        return h;
    }();
    const auto it = byName.constFind(name);
    if (it == byName.constEnd())
        return std::nullopt;
    return *it;
}

QJsonObject DomainEvent::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id}, {QStringLiteral("type"), wireName(kind)}, {QStringLiteral("at"), at}};
    if (!deviceId.isEmpty())
        o.insert(QStringLiteral("deviceId"), deviceId);
    if (!registrationId.isEmpty())
        o.insert(QStringLiteral("registrationId"), registrationId);
    // Activation codes are recorded on their enrollment, and the wire has
    // always said so.
    const bool activation = kind == EventKind::ActivationIssued || kind == EventKind::ActivationExchanged;
    if (const QString type = activation ? QStringLiteral("enrollment") : categoryOf(kind); !type.isEmpty())
        o.insert(QStringLiteral("entityType"), type);
    if (!entityId.isEmpty())
        o.insert(QStringLiteral("entityId"), entityId);
    o.insert(QStringLiteral("data"), record());
    return o;
}

QJsonObject DomainEvent::record() const
{
    if (dataText.isEmpty())
        return data;
    return QJsonDocument::fromJson(dataText.toUtf8()).object();
}

} // namespace Provisio
