// SPDX-License-Identifier: Apache-2.0
//
// provisio_auth: the Mosquitto 2.0 plugin (API v5) that makes a stock broker
// a Provisio hub. The broker calls the C entry points below; everything
// behind them is C++ in hub/core. See hub/README.md for the options and
// DESIGN.md "Hub topics" for the rules.
//
// Mosquitto 2.0.11 notes that shaped this file:
// - mosquitto_broker.h must come before mosquitto_plugin.h (the latter uses
//   mosquitto_plugin_id_t without declaring it);
// - the password is only seen at CONNECT, so token expiry while connected is
//   enforced from MOSQ_EVT_TICK, whose timestamps are zero in 2.0.11: the
//   plugin reads the clock itself;
// - the broker is single-threaded, so the plugin state needs no locking.

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <mqtt_protocol.h>

#include "clientregistry.h"
#include "controlcommand.h"
#include "credentials.h"
#include "hubauthconfig.h"
#include "ingresscredit.h"
#include "iothubtopics.h"
#include "protocol/deliveryidentity.h"
#include "revocationlist.h"
#include "signingkeys.h"
#include "topicrules.h"
#include "writelimiter.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#define PROVISIO_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using namespace Provisio;
using namespace Provisio::HubAuth;

constexpr char kControlTopicC[] = "$CONTROL/provisio-hub/v1";
constexpr char kResponseTopicC[] = "$CONTROL/provisio-hub/v1/response";
static_assert(std::string_view(kControlTopicC) == kControlTopic);
static_assert(std::string_view(kResponseTopicC) == kControlResponseTopic);

struct PluginState
{
    PluginState(mosquitto_plugin_id_t *id, HubAuthConfig config, RevocationList revoked)
        : identifier(id), credit(config.credit), writes(config.writes), checker(std::move(config)),
          revoked(std::move(revoked))
    { }
    mosquitto_plugin_id_t *identifier;
    IngressCredit credit;
    DeviceWriteLimiter writes;
    CredentialChecker checker;
    RevocationList revoked;
    ClientRegistry clients;
    // After the broker starts, devices are held back until a middleware has
    // subscribed a `$share/` filter (or device_gate_seconds have passed, so a hub without a
    // middleware still serves its devices): Mosquitto does not restore a
    // persisted session's shared subscriptions, and what devices published
    // before the middleware subscribed again would reach nobody.
    qint64 deviceGateUntil = 0;
    bool serviceSubscribed = false;
    // A client whose disconnect was just reported: its next write check is
    // its Will, which is neither rate-limited nor refused for credit (one
    // per connection; it is charged like any delivery).
    const void *departing = nullptr;
    // The `$iothub/…` filters each device subscribed (IotHubSubscription
    // bits), by client id: what the middleware publishes to a device is
    // also sent in IoT Hub's form to that client alone when it asked for it.
    // Kept across reconnects of a persistent session, as the broker keeps
    // its subscriptions; dropped when the client starts a clean session.
    std::unordered_map<std::string, uint8_t> iotHubSubscriptions;
    // Devices refused for their write rate, and when that was last logged
    // (a flooding device is named once a minute, not once per write).
    std::unordered_map<std::string, int64_t> rateLogged;
    bool holdingBack = false; // for the log: devices are being held back
    int64_t heldBack = 0;     // connections closed for credit since the last log line
    int64_t nextCompactMs = 0;
};

// Client-controlled text in logs: printable ASCII only, bounded.
std::string printable(const char *text, size_t limit = 64)
{
    std::string out;
    if (!text)
        return "(none)";
    for (size_t i = 0; text[i] && i < limit; ++i) {
        const char c = text[i];
        out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (strnlen(text, limit + 1) > limit)
        out += "...";
    return out;
}

int64_t nowSeconds()
{
    return int64_t(std::time(nullptr));
}

int64_t monotonicMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Returned from a device's publish check to end its connection without an
// acknowledgement, so the message stays in the device's outbox. (An ACL
// denial would be acknowledged and dropped in MQTT 3.1.1; Mosquitto 2.0.11
// has no way for a plugin to answer 0x97 "quota exceeded" in MQTT 5.)
constexpr int kCloseWithoutAck = MOSQ_ERR_ADMINISTRATIVE_ACTION;

// "devices/{id}/" of a topic under devices/, else empty.
std::string_view devicePrefixOf(std::string_view topic)
{
    constexpr std::string_view root = "devices/";
    if (topic.substr(0, root.size()) != root)
        return {};
    const size_t end = topic.find('/', root.size());
    if (end == std::string_view::npos || end == root.size())
        return {};
    return topic.substr(0, end + 1);
}

// A message only a device publishes (what the middleware reads of them).
bool isDeviceMessage(std::string_view topic)
{
    const std::string_view prefix = devicePrefixOf(topic);
    return !prefix.empty() && deviceMayPublish(prefix, topic);
}

void chargeDelivery(PluginState *state, const mosquitto_evt_acl_check *event, const char *clientId)
{
    // A resumed session's queue (read checks right after its CONNECT) was
    // charged when it was queued: IngressCredit does not charge it twice.
    if (!isDeviceMessage(event->topic))
        return;
    // Charged under the delivery's identity, which the middleware's
    // confirmation names (deliveryidentity.h).
    const uint64_t identity =
        deliveryIdentity(event->topic, std::string_view(static_cast<const char *>(event->payload),
                                                        event->payload ? size_t(event->payloadlen) : 0));
    state->credit.chargeDelivery(clientId, event->client, identity, int64_t(event->payloadlen));
}

// A device's publish (or Will): limits and credit. SUCCESS, ACL_DENIED
// (acknowledged and dropped: for what a device must not do at all) or
// kCloseWithoutAck (kept by the device, sent again after it reconnects).
//
// `topic` is the Provisio topic of the publish (a `$iothub/…` request is
// checked as the topic it becomes); `iotHub` is that request, which is told
// 429 on `$iothub/twin/res/` instead of being disconnected, as IoT Hub does.
int checkDeviceWrite(PluginState *state, const mosquitto_evt_acl_check *event, const ClientRegistry::Entry &entry,
                     std::string_view topic, const DeviceRequest *iotHub)
{
    const std::string_view rest = topic.substr(std::min(entry.prefix.size(), topic.size()));
    const bool will = event->client == state->departing;
    state->departing = nullptr;
    // Retained messages from devices would pile up in the broker with no
    // bound (one per topic, and the telemetry property bag makes topics
    // endless); only the presence topic keeps its one retained "online".
    if (event->retain && rest != "status") {
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "provisio: refused retained publish of device '%s'",
                             printable(entry.clientId.c_str()).c_str());
        return MOSQ_ERR_ACL_DENIED;
    }
    if (will)
        return MOSQ_ERR_SUCCESS;
    // Twin requests (reported patches with or without a request id, twin
    // GETs) share the reported-properties budget: each costs the middleware
    // a database round trip.
    const bool twinRequest =
        rest == "twin/reported" || rest.substr(0, 14) == "twin/reported/" || rest.substr(0, 9) == "twin/get/";
    if (twinRequest || rest == "status") {
        const auto kind = rest == "status" ? LimitedWrite::Presence : LimitedWrite::ReportedProperties;
        if (!state->writes.allow(entry.clientId, kind, monotonicMs())) {
            if (iotHub && iotHub->kind != DeviceRequest::MethodResponse) {
                const std::string answer = iotHubTwinResponseTopic(429, iotHub->rid);
                mosquitto_broker_publish_copy(entry.clientId.c_str(), answer.c_str(), 0, nullptr, 1, false, nullptr);
                return MOSQ_ERR_ACL_DENIED;
            }
            // Refused, not disconnected: a device that reconnects sends its
            // whole outbox again, and one holding more presence or reported
            // writes than a burst (e.g. queued while the hub refused its key)
            // would be cut off at every attempt for good. The excess write
            // is dropped (MQTT 5: PUBACK 0x87); the device's next write
            // within its budget carries its current state.
            const int64_t now = monotonicMs();
            auto logged = state->rateLogged.find(entry.clientId);
            if (logged == state->rateLogged.end() || now - logged->second >= 60000) {
                if (state->rateLogged.size() > 100000)
                    state->rateLogged.clear(); // bounded: the log is only thinned, never needed
                state->rateLogged[entry.clientId] = now;
                mosquitto_log_printf(MOSQ_LOG_NOTICE,
                                     "provisio: device '%s' exceeds its %s write rate; its excess writes are refused",
                                     printable(entry.clientId.c_str()).c_str(),
                                     kind == LimitedWrite::Presence ? "presence" : "reported-property");
            }
            return MOSQ_ERR_ACL_DENIED;
        }
    }
    if (!state->credit.mayAdmit(int64_t(event->payloadlen), nowSeconds())) {
        if (!state->holdingBack && state->credit.awaitingResubscription(nowSeconds())) {
            mosquitto_log_printf(MOSQ_LOG_NOTICE,
                                 "provisio: a middleware session reconnected and has not subscribed again yet: "
                                 "holding devices back until it has");
        } else if (!state->holdingBack) {
            mosquitto_log_printf(MOSQ_LOG_NOTICE,
                                 "provisio: the middleware has not confirmed %lld message(s) (%lld bytes): holding "
                                 "devices back until it does",
                                 static_cast<long long>(state->credit.outstandingMessages()),
                                 static_cast<long long>(state->credit.outstandingBytes()));
        }
        state->holdingBack = true;
        ++state->heldBack;
        return kCloseWithoutAck;
    }
    if (state->holdingBack) {
        mosquitto_log_printf(MOSQ_LOG_NOTICE,
                             "provisio: the middleware caught up: admitting devices again (%lld connection(s) "
                             "held back)",
                             static_cast<long long>(state->heldBack));
        state->holdingBack = false;
        state->heldBack = 0;
    }
    // The broker routes it next; settleAdmission() checks that it reached
    // a middleware session.
    state->credit.admitted(topic);
    return MOSQ_ERR_SUCCESS;
}

// Called at every event that cannot be the routing of the device message
// admitted last: if it reached no middleware session although a middleware
// filter covers its topic, the broker acknowledged and dropped it; devices
// are held back until that filter is subscribed again.
void settleAdmission(PluginState *state)
{
    const std::string filter = state->credit.settleAdmission(nowSeconds());
    if (filter.empty())
        return;
    mosquitto_log_printf(MOSQ_LOG_WARNING,
                         "provisio: a device message reached no middleware session although '%s' covers it (it "
                         "was acknowledged and is lost): holding devices back until a middleware subscribes it "
                         "again",
                         printable(filter.c_str(), 128).c_str());
}

int onBasicAuth(int, void *eventData, void *userData)
{
    auto *state = static_cast<PluginState *>(userData);
    auto *event = static_cast<mosquitto_evt_basic_auth *>(eventData);
    settleAdmission(state);
    state->credit.endResume();
    state->departing = nullptr;
    try {
        const char *clientId = mosquitto_client_id(event->client);
        const auto identity = state->checker.check(
            clientId, event->username, event->password, nowSeconds(), [state](const QString &deviceId) {
                return DeviceStanding{state->revoked.contains(deviceId), state->revoked.generation(deviceId)};
            });
        if (!identity) {
            mosquitto_log_printf(MOSQ_LOG_NOTICE, "provisio: refused client '%s' from %s: %s",
                                 printable(clientId).c_str(),
                                 printable(mosquitto_client_address(event->client)).c_str(),
                                 identity.error().message.toUtf8().constData());
            return MOSQ_ERR_AUTH;
        }
        if (identity->role == Role::Device && !state->serviceSubscribed && nowSeconds() < state->deviceGateUntil) {
            // Not "not authorized" (the device would think its credentials
            // bad): the connection just closes and the device tries again.
            mosquitto_log_printf(MOSQ_LOG_NOTICE,
                                 "provisio: holding back device '%s' until the middleware has subscribed",
                                 printable(clientId).c_str());
            return MOSQ_ERR_UNKNOWN;
        }
        if (identity->role == Role::Device &&
            state->revoked.raiseGeneration(identity->clientId, identity->generation)) {
            // A key of a newer generation than the hub had heard of: only the
            // middleware issues those, so the older ones are retired now.
            if (auto saved = state->revoked.save(); !saved)
                mosquitto_log_printf(MOSQ_LOG_WARNING, "provisio: %s", saved.error().message.toUtf8().constData());
        }
        if (identity->previousKey)
            mosquitto_log_printf(MOSQ_LOG_INFO, "provisio: client '%s' logged in with the previous signing key",
                                 printable(clientId).c_str());
        state->clients.add(clientId, event->client, identity->role, identity->expiry);
        if (identity->role == Role::Device && mosquitto_client_clean_session(event->client))
            state->iotHubSubscriptions.erase(clientId);
        if (identity->role == Role::Service) {
            state->credit.sessionConnected(clientId, mosquitto_client_clean_session(event->client), nowSeconds());
            state->credit.beginResume(clientId, event->client);
        }
        return MOSQ_ERR_SUCCESS;
    } catch (...) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "provisio: internal error while authenticating; refused");
        return MOSQ_ERR_AUTH;
    }
}

int onAclCheck(int, void *eventData, void *userData)
{
    auto *state = static_cast<PluginState *>(userData);
    auto *event = static_cast<mosquitto_evt_acl_check *>(eventData);
    const char *clientId = mosquitto_client_id(event->client);
    // Read checks are the routing of what was just admitted; anything else
    // comes after it.
    if (event->access != MOSQ_ACL_READ)
        settleAdmission(state);
    if (!clientId || !event->topic)
        return MOSQ_ERR_ACL_DENIED;
    if (event->access != MOSQ_ACL_READ || !state->credit.isResuming(event->client))
        state->credit.endResume();
    if (event->access != MOSQ_ACL_WRITE || event->client != state->departing)
        state->departing = nullptr;
    const ClientRegistry::Entry *entry = state->clients.find(clientId, event->client);
    if (!entry) {
        // An absent persistent session: the broker asks for read access when
        // it queues a message for it. Only the middleware's service identity
        // keeps such a session (so nothing devices send is lost while every
        // middleware instance is down); its username passed authentication
        // at its last CONNECT, and the service's topic rules still apply.
        // A session the broker restored from its saved state after a restart
        // may have no username: its reserved client id (which no device may
        // log in with) says whose it is.
        if (event->access == MOSQ_ACL_READ) {
            const char *username = mosquitto_client_username(event->client);
            const HubAuthConfig &config = state->checker.config();
            const bool service = username ? CredentialChecker::isServiceUsername(QString::fromUtf8(username),
                                                                                 config.hubHost, config.servicePolicy)
                                          : CredentialChecker::isServiceSessionId(QString::fromUtf8(clientId));
            if (service && isAllowed(Role::Service, std::string_view(), Access::Read, event->topic)) {
                chargeDelivery(state, event, clientId);
                return MOSQ_ERR_SUCCESS;
            }
        }
        return MOSQ_ERR_ACL_DENIED;
    }
    Access access;
    switch (event->access) {
    case MOSQ_ACL_READ:
        access = Access::Read;
        break;
    case MOSQ_ACL_WRITE:
        access = Access::Write;
        break;
    case MOSQ_ACL_SUBSCRIBE:
        access = Access::Subscribe;
        break;
    case MOSQ_ACL_UNSUBSCRIBE:
        access = Access::Unsubscribe;
        break;
    default:
        return MOSQ_ERR_ACL_DENIED;
    }
    const bool allowed = isAllowed(entry->role, entry->prefix, access, event->topic);
    if (!allowed)
        return MOSQ_ERR_ACL_DENIED;
    if (entry->role == Role::Device && (access == Access::Subscribe || access == Access::Unsubscribe)) {
        if (const uint8_t bit = iotHubSubscriptionOf(event->topic)) {
            uint8_t &bits = state->iotHubSubscriptions[entry->clientId];
            bits = access == Access::Subscribe ? uint8_t(bits | bit) : uint8_t(bits & ~bit);
            if (bits == 0)
                state->iotHubSubscriptions.erase(entry->clientId);
        }
    }
    if (entry->role == Role::Service && access == Access::Subscribe) {
        // The gate opens with a shared filter, the kind through which the
        // middleware reads devices' messages: its link subscribes the control
        // response topic first, and a device let in between that and its
        // `$share/` filters would publish to nobody.
        if (std::string_view(event->topic).substr(0, 7) == "$share/")
            state->serviceSubscribed = true;
        state->credit.subscribed(entry->clientId, event->topic);
    }
    if (entry->role == Role::Service && access == Access::Unsubscribe)
        state->credit.unsubscribed(entry->clientId, event->topic);
    if (entry->role == Role::Service && access == Access::Read)
        chargeDelivery(state, event, clientId);
    if (entry->role == Role::Device && access == Access::Write) {
        const std::string_view topic(event->topic);
        if (topic.substr(0, 8) == "$iothub/") {
            const auto request = deviceRequestFromIotHub(entry->prefix, topic);
            if (!request)
                return MOSQ_ERR_ACL_DENIED;
            return checkDeviceWrite(state, event, *entry, request->topic, &*request);
        }
        return checkDeviceWrite(state, event, *entry, topic, nullptr);
    }
    return MOSQ_ERR_SUCCESS;
}

int onTick(int, void *, void *userData)
{
    auto *state = static_cast<PluginState *>(userData);
    settleAdmission(state);
    state->credit.endResume();
    state->departing = nullptr;
    state->clients.purgeDisconnected();
    for (const IngressCredit::Forgotten &f : state->credit.forgetAbandoned(nowSeconds())) {
        mosquitto_log_printf(MOSQ_LOG_WARNING,
                             "provisio: middleware session '%s' has been away for %llds while another is "
                             "connected: forgetting its %lld unconfirmed message(s)",
                             printable(f.sessionId.c_str()).c_str(),
                             static_cast<long long>(state->credit.options().abandonedSeconds),
                             static_cast<long long>(f.messages));
    }
    if (const int64_t ms = monotonicMs(); ms >= state->nextCompactMs) {
        state->writes.compact(ms);
        state->nextCompactMs = ms + 60000;
    }
    const auto expired = state->clients.takeExpired(nowSeconds(), state->checker.config().clockSkew);
    for (const std::string &clientId : expired) {
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "provisio: token of client '%s' expired; disconnecting",
                             printable(clientId.c_str()).c_str());
        // The entry outlives the kick so that the client's Will still passes
        // the write check while the broker disconnects it.
        mosquitto_kick_client_by_clientid(clientId.c_str(), true);
        state->clients.remove(clientId);
    }
    return MOSQ_ERR_SUCCESS;
}

int onDisconnect(int, void *eventData, void *userData)
{
    auto *state = static_cast<PluginState *>(userData);
    auto *event = static_cast<mosquitto_evt_disconnect *>(eventData);
    settleAdmission(state);
    state->departing = event->client;
    const char *disconnectedId = mosquitto_client_id(event->client);
    // A service session's new CONNECT retires its previous connection after
    // authenticating it: that disconnect must not end the resume.
    state->credit.clientDisconnected(disconnectedId ? std::string_view(disconnectedId) : std::string_view());
    if (const char *clientId = disconnectedId) {
        const ClientRegistry::Entry *entry = state->clients.find(clientId, event->client);
        if (entry && entry->role == Role::Service)
            state->credit.sessionDisconnected(clientId, nowSeconds());
        state->clients.markDisconnected(clientId, event->client);
    }
    return MOSQ_ERR_SUCCESS;
}

int onControl(int, void *eventData, void *userData)
{
    auto *state = static_cast<PluginState *>(userData);
    auto *event = static_cast<mosquitto_evt_control *>(eventData);
    settleAdmission(state);
    state->credit.endResume();
    state->departing = nullptr;
    // The ACL already limits this topic to the service; checked again here
    // because revocation is the one command that changes who gets in.
    const char *clientId = mosquitto_client_id(event->client);
    const ClientRegistry::Entry *entry = clientId ? state->clients.find(clientId, event->client) : nullptr;
    if (!entry || entry->role != Role::Service)
        return MOSQ_ERR_ACL_DENIED;
    try {
        const QByteArray payload(static_cast<const char *>(event->payload), qsizetype(event->payloadlen));
        SigningKeys keys = state->checker.keys();
        const ControlOutcome outcome =
            applyControlCommand(payload, state->revoked, KeyState{&keys, state->checker.config().keyFile});
        if (outcome.isCredit) {
            if (!outcome.creditDeliveries.empty()) {
                for (const uint64_t identity : outcome.creditDeliveries)
                    state->credit.confirm(clientId, identity);
            } else if (outcome.creditEpoch.empty())
                state->credit.grant(clientId, outcome.creditMessages, outcome.creditBytes);
            else
                state->credit.grantTotals(clientId, outcome.creditEpoch, outcome.creditMessages, outcome.creditBytes);
            return MOSQ_ERR_SUCCESS;
        }
        if (outcome.keysChanged) {
            state->checker.setKeys(keys);
            // Everyone connected now logged in with a key that is the
            // previous one from here on: each goes at the end of the overlap
            // unless it comes back with the new one before.
            state->clients.capExpiries(keys.lastSecondFor(state->checker.config().clockSkew));
            mosquitto_log_printf(MOSQ_LOG_NOTICE,
                                 "provisio: signing key rotated; the previous one is accepted for %lld more second(s)",
                                 static_cast<long long>(qMax<qint64>(0, keys.previousUntil - nowSeconds())));
        }
        if (!outcome.disconnect.isEmpty()) {
            const QByteArray deviceId = outcome.disconnect.toUtf8();
            mosquitto_log_printf(MOSQ_LOG_NOTICE, "provisio: device '%s' revoked or its key retired; disconnecting",
                                 printable(deviceId.constData()).c_str());
            // Kick first, forget after: the device's Will ("offline") still
            // passes the write check during the kick.
            mosquitto_kick_client_by_clientid(deviceId.constData(), true);
            state->clients.remove(deviceId.constData());
        }
        mosquitto_broker_publish_copy(nullptr, kResponseTopicC, int(outcome.response.size()),
                                      outcome.response.constData(), 1, false, nullptr);
    } catch (...) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "provisio: internal error while handling a control command");
    }
    return MOSQ_ERR_SUCCESS;
}

// A cloud-to-device message from the service: to its device alone, into
// its session even while it is offline (a persistent session keeps it), with
// the bag's `$.exp` as the MQTT 5 message expiry so the broker drops it when
// it runs out. (Devices cannot read the topic by subscription.)
void deliverCloudMessage(const std::string &deviceId, const mosquitto_evt_message *event)
{
    const auto expiry = cloudMessageExpiry(event->topic);
    mosquitto_property *properties = nullptr;
    if (expiry) {
        const int64_t remaining = *expiry - nowSeconds();
        if (remaining <= 0) {
            mosquitto_log_printf(MOSQ_LOG_NOTICE, "provisio: cloud-to-device message for '%s' expired on the way",
                                 printable(deviceId.c_str()).c_str());
            return;
        }
        if (mosquitto_property_add_int32(&properties, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL,
                                         uint32_t(std::min<int64_t>(remaining, UINT32_MAX))) != MOSQ_ERR_SUCCESS)
            return;
    }
    const int rc = mosquitto_broker_publish_copy(deviceId.c_str(), event->topic, int(event->payloadlen), event->payload,
                                                 1, false, properties);
    if (rc != MOSQ_ERR_SUCCESS) {
        mosquitto_property_free_all(&properties);
        mosquitto_log_printf(MOSQ_LOG_WARNING, "provisio: cannot deliver a cloud-to-device message to '%s' (%d)",
                             printable(deviceId.c_str()).c_str(), rc);
    }
}

// A publish about to be routed. A device's `$iothub/…` request becomes its
// own Provisio topic (the write check already allowed it); what the service
// publishes to a device is also sent in IoT Hub's form to that client alone,
// when it subscribed the matching `$iothub/…` filter (see iothubtopics.h).
int onMessage(int, void *eventData, void *userData)
{
    auto *state = static_cast<PluginState *>(userData);
    auto *event = static_cast<mosquitto_evt_message *>(eventData);
    if (!event->topic || !mayNeedTranslation(event->topic))
        return MOSQ_ERR_SUCCESS; // telemetry and presence: nothing to do, no lookup
    const char *clientId = mosquitto_client_id(event->client);
    if (!clientId)
        return MOSQ_ERR_SUCCESS;
    const ClientRegistry::Entry *entry = state->clients.find(clientId, event->client);
    if (!entry)
        return MOSQ_ERR_SUCCESS;
    try {
        const std::string_view topic(event->topic);
        if (entry->role == Role::Device) {
            if (topic.substr(0, 8) != "$iothub/")
                return MOSQ_ERR_SUCCESS;
            const auto request = deviceRequestFromIotHub(entry->prefix, topic);
            if (!request)
                return MOSQ_ERR_ACL_DENIED;
            char *rewritten = mosquitto_strdup(request->topic.c_str());
            if (!rewritten)
                return MOSQ_ERR_NOMEM;
            // The broker keeps whatever topic pointer the event holds and
            // does not free the one it passed in.
            mosquitto_free(event->topic);
            event->topic = rewritten;
            return MOSQ_ERR_SUCCESS;
        }
        if (const auto device = cloudToDeviceTarget(topic)) {
            deliverCloudMessage(*device, event);
            // The original goes nowhere (the device has its copy, with its
            // expiry); the service still gets its PUBACK.
            char *diverted = mosquitto_strdup(std::string(kDivertedTopic).c_str());
            if (!diverted)
                return MOSQ_ERR_NOMEM;
            mosquitto_free(event->topic);
            event->topic = diverted;
            return MOSQ_ERR_SUCCESS;
        }
        if (state->iotHubSubscriptions.empty())
            return MOSQ_ERR_SUCCESS;
        std::optional<int64_t> version;
        constexpr std::string_view kDesired = "/twin/desired";
        if (topic.size() > kDesired.size() && topic.substr(topic.size() - kDesired.size()) == kDesired)
            version = topLevelVersion(std::string_view(static_cast<const char *>(event->payload), event->payloadlen));
        const auto delivery = iotHubDeliveryFor(topic, version);
        if (!delivery)
            return MOSQ_ERR_SUCCESS;
        const auto subscribed = state->iotHubSubscriptions.find(delivery->deviceId);
        if (subscribed == state->iotHubSubscriptions.end() || !(subscribed->second & delivery->needs))
            return MOSQ_ERR_SUCCESS;
        const int rc =
            mosquitto_broker_publish_copy(delivery->deviceId.c_str(), delivery->topic.c_str(), int(event->payloadlen),
                                          event->payload, event->qos > 1 ? 1 : event->qos, false, nullptr);
        if (rc != MOSQ_ERR_SUCCESS)
            mosquitto_log_printf(MOSQ_LOG_WARNING, "provisio: cannot deliver %s to device '%s' (%d)",
                                 printable(delivery->topic.c_str(), 40).c_str(),
                                 printable(delivery->deviceId.c_str()).c_str(), rc);
    } catch (...) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "provisio: internal error while routing a message");
    }
    return MOSQ_ERR_SUCCESS;
}

struct Registration
{
    int event;
    MOSQ_FUNC_generic_callback callback;
    const void *eventData;
};

const Registration kRegistrations[] = {
    {MOSQ_EVT_BASIC_AUTH, onBasicAuth, nullptr},
    {MOSQ_EVT_ACL_CHECK, onAclCheck, nullptr},
    {MOSQ_EVT_TICK, onTick, nullptr},
    {MOSQ_EVT_DISCONNECT, onDisconnect, nullptr},
    {MOSQ_EVT_CONTROL, onControl, kControlTopicC},
    {MOSQ_EVT_MESSAGE, onMessage, nullptr},
};

void unregisterAll(mosquitto_plugin_id_t *identifier)
{
    for (const Registration &r : kRegistrations)
        mosquitto_callback_unregister(identifier, r.event, r.callback, r.eventData);
}

} // namespace

PROVISIO_PLUGIN_EXPORT int mosquitto_plugin_version(int supportedVersionCount, const int *supportedVersions)
{
    for (int i = 0; i < supportedVersionCount; ++i) {
        if (supportedVersions[i] == 5)
            return 5;
    }
    return -1;
}

PROVISIO_PLUGIN_EXPORT int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userData,
                                                 struct mosquitto_opt *options, int optionCount)
{
    try {
        QList<QPair<QString, QString>> pairs;
        for (int i = 0; i < optionCount; ++i) {
            pairs.append({QString::fromUtf8(options[i].key ? options[i].key : ""),
                          QString::fromUtf8(options[i].value ? options[i].value : "")});
        }
        auto config = HubAuthConfig::fromOptions(pairs);
        if (!config) {
            mosquitto_log_printf(MOSQ_LOG_ERR, "provisio: refusing to start: %s",
                                 config.error().message.toUtf8().constData());
            return MOSQ_ERR_INVAL;
        }
        auto revoked = RevocationList::load(config->revocationFile);
        if (!revoked) {
            mosquitto_log_printf(MOSQ_LOG_ERR, "provisio: refusing to start: %s",
                                 revoked.error().message.toUtf8().constData());
            return MOSQ_ERR_INVAL;
        }
        auto keys = SigningKeys::load(config->keyFile, config->signingKey, config->serviceKey);
        if (!keys) {
            mosquitto_log_printf(MOSQ_LOG_ERR, "provisio: refusing to start: %s",
                                 keys.error().message.toUtf8().constData());
            return MOSQ_ERR_INVAL;
        }
        auto state = std::make_unique<PluginState>(identifier, std::move(config).value(), std::move(revoked).value());
        state->checker.setKeys(std::move(keys).value());
        state->deviceGateUntil = nowSeconds() + state->checker.config().deviceGateSeconds;
        for (const Registration &r : kRegistrations) {
            const int rc = mosquitto_callback_register(identifier, r.event, r.callback, r.eventData, state.get());
            if (rc != MOSQ_ERR_SUCCESS) {
                mosquitto_log_printf(MOSQ_LOG_ERR, "provisio: refusing to start: cannot register for event %d (%d)",
                                     r.event, rc);
                unregisterAll(identifier);
                return rc;
            }
        }
        mosquitto_log_printf(MOSQ_LOG_NOTICE,
                             "provisio: hub %s ready (service policy %s, %d revoked device(s), max token "
                             "lifetime %llds, clock skew %llds, credit window %lld messages / %lld bytes)",
                             state->checker.config().hubHost.toUtf8().constData(),
                             state->checker.config().servicePolicy.toUtf8().constData(), state->revoked.size(),
                             static_cast<long long>(state->checker.config().maxTokenLifetime),
                             static_cast<long long>(state->checker.config().clockSkew),
                             static_cast<long long>(state->credit.options().windowMessages),
                             static_cast<long long>(state->credit.options().windowBytes));
        *userData = state.release();
        return MOSQ_ERR_SUCCESS;
    } catch (...) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "provisio: refusing to start: internal error");
        return MOSQ_ERR_UNKNOWN;
    }
}

PROVISIO_PLUGIN_EXPORT int mosquitto_plugin_cleanup(void *userData, struct mosquitto_opt *, int)
{
    auto *state = static_cast<PluginState *>(userData);
    if (!state)
        return MOSQ_ERR_SUCCESS;
    unregisterAll(state->identifier);
    delete state;
    return MOSQ_ERR_SUCCESS;
}
