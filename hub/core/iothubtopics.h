// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// IoT Hub's device topics (`$iothub/…`), as Azure's device SDKs hard-code
// them, translated to and from Provisio's per-device topics (DESIGN.md "Hub
// topics", docs/azure-sdks.md "Device SDKs"). The `$iothub/…` topics carry no
// device id: every device uses the same ones. So the hub never routes them
// as topics at all:
//
// - what a device publishes on a `$iothub/…` request topic is rewritten
//   (before the broker routes it) to the Provisio topic of that device, which
//   the middleware reads:
//     $iothub/twin/GET/?$rid={rid}                        -> devices/{id}/twin/get/{rid}
//     $iothub/twin/PATCH/properties/reported/?$rid={rid}  -> devices/{id}/twin/reported/{rid}
//     $iothub/methods/res/{status}/?$rid={rid}            -> devices/{id}/methods/res/{status}/{rid}
// - what the middleware publishes to a device on Provisio's topics is also
//   delivered in the `$iothub/…` form, to that one client only (a directed
//   publish), when it subscribed the matching `$iothub/…` filter:
//     devices/{id}/twin/res/{status}/{rid}[/{version}]    -> $iothub/twin/res/{status}/?$rid={rid}[&$version={v}]
//     devices/{id}/twin/desired  (document with $version)  -> $iothub/twin/PATCH/properties/desired/?$version={v}
//     devices/{id}/methods/{name}/{rid}                    -> $iothub/methods/POST/{name}/?$rid={rid}
//
// No client may publish to a response or notification topic, so a
// `$iothub/…` topic never reaches a device by subscription: one device
// cannot see another's answers.
//
// Pure string work, no Qt: it runs on the broker's hot path and in the fuzzer.
namespace Provisio::HubAuth {

inline constexpr size_t kMaxRequestIdLength = 128;

// Whether a publish on `topic` can need translating at all (a `$iothub/…`
// request, or something for a device other than telemetry and presence):
// the plugin sees every message, and telemetry must not pay for a lookup.
bool mayNeedTranslation(std::string_view topic);

// The `$iothub/…` filters an SDK subscribes to, as bits.
enum IotHubSubscription : uint8_t {
    TwinResponses = 1,  // $iothub/twin/res/#
    DesiredPatches = 2, // $iothub/twin/PATCH/properties/desired/#
    MethodRequests = 4, // $iothub/methods/POST/#
};

// The bit of an `$iothub/…` filter a device may subscribe to, else 0.
uint8_t iotHubSubscriptionOf(std::string_view filter);

// A request id as IoT Hub's SDKs send it: 1..kMaxRequestIdLength printable
// ASCII characters, none of `/ + # & ?`.
bool isValidRequestId(std::string_view rid);

// The value of `name` in a topic's query part ("…/?a=1&name=value"), if any.
std::optional<std::string_view> queryValue(std::string_view topic, std::string_view name);

struct DeviceRequest
{
    enum Kind { TwinGet, ReportedPatch, MethodResponse } kind = TwinGet;
    std::string topic;    // the Provisio topic it becomes
    std::string_view rid; // a view into the `$iothub/…` topic
};

// A device's publish on a `$iothub/…` request topic, rewritten into its own
// Provisio topic (`prefix` is "devices/{id}/"); nullopt for anything else,
// including response and notification topics and malformed request ids.
std::optional<DeviceRequest> deviceRequestFromIotHub(std::string_view prefix, std::string_view topic);

struct DeviceDelivery
{
    std::string deviceId;
    std::string topic; // the `$iothub/…` topic
    IotHubSubscription needs = TwinResponses;
};

// What the service publishes on `topic` for a device, in `$iothub/…` form;
// nullopt when the topic has no such form. `desiredVersion` is the
// desired document's `$version` (only read for twin/desired).
std::optional<DeviceDelivery> iotHubDeliveryFor(std::string_view topic, std::optional<int64_t> desiredVersion);

// The `$version` of a desired document: a cheap scan of its top level for
// "$version": <integer> (the middleware writes it; a full JSON parse is not
// needed to read one number). nullopt when absent or not a plain integer.
std::optional<int64_t> topLevelVersion(std::string_view json);

// Cloud-to-device messages: the service publishes them on
// devices/{id}/messages/devicebound/{property bag}; the hub hands each to
// client {id} alone (a directed publish, which also reaches the device's
// persistent session while it is offline) with the MQTT 5 message expiry
// taken from the bag's `$.exp`; the routed original is diverted to
// kDivertedTopic, which nobody can subscribe to. The device id, when `topic`
// is such a message.
inline constexpr std::string_view kDivertedTopic = "$provisio/diverted";
std::optional<std::string> cloudToDeviceTarget(std::string_view topic);
// The `$.exp` (ISO 8601 UTC, "YYYY-MM-DDTHH:MM:SS[.fff]Z", percent-encoded
// or not) of a cloud-to-device topic's property bag, as Unix seconds.
std::optional<int64_t> cloudMessageExpiry(std::string_view topic);

// The IoT Hub answer the hub itself gives a device's request (429: the
// device exceeded its write rate), in `$iothub/…` form.
std::string iotHubTwinResponseTopic(int status, std::string_view rid);

} // namespace Provisio::HubAuth
