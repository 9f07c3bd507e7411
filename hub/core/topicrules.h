// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

// Which topics a hub client may use (DESIGN.md "Hub topics"). The broker asks
// on every publish, every subscription and, for reads, once per message and
// subscriber, so these are plain string_view scans with no allocation and no
// Qt: the hot path of the hub.
//
// A device `{id}` (its prefix is "devices/{id}/") may
//   publish   devices/{id}/messages/events            and .../messages/events/{anything}
//             devices/{id}/twin/reported
//             devices/{id}/methods/res/{status}/{rid}  status = 1..10 digits, rid one level
//             devices/{id}/status                       (also the only allowed Will topic)
//   read      devices/{id}/twin/desired
//             devices/{id}/methods/{name}/{rid}         two levels, name != "res"
//   subscribe devices/{id}/twin/desired
//             devices/{id}/methods/#
//             devices/{id}/methods/{A}/{B}              A = "+" or a name other than "res",
//                                                       B = "+", "#" or a literal level
// and nothing else: no `$share`, no `$SYS`, no `$CONTROL`, no filter whose
// wildcards reach past its own prefix. Read checks at delivery stay the
// authority, so a subscription like methods/+/# still never receives the
// device's own method responses.
//
// The service identity may publish under devices/ and to the control topic,
// read devices/... and the control response topic, and subscribe to filters
// under devices/ (directly or as `$share/{group}/devices/...`) and to the
// control response topic.
namespace Provisio::HubAuth {

inline constexpr std::string_view kControlTopic = "$CONTROL/provisio-hub/v1";
inline constexpr std::string_view kControlResponseTopic = "$CONTROL/provisio-hub/v1/response";

enum class Role { Device, Service };
enum class Access { Read, Write, Subscribe, Unsubscribe };

// "devices/{deviceId}/"
std::string devicePrefix(std::string_view deviceId);

bool deviceMayPublish(std::string_view prefix, std::string_view topic);
bool deviceMayRead(std::string_view prefix, std::string_view topic);
bool deviceMaySubscribe(std::string_view prefix, std::string_view filter);

bool serviceMayPublish(std::string_view topic);
bool serviceMayRead(std::string_view topic);
bool serviceMaySubscribe(std::string_view filter);

// One entry point for the broker glue. `prefix` is ignored for the service.
bool isAllowed(Role role, std::string_view prefix, Access access, std::string_view topic);

} // namespace Provisio::HubAuth
