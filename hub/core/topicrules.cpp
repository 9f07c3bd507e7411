// SPDX-License-Identifier: Apache-2.0
#include "topicrules.h"

#include "iothubtopics.h"

namespace Provisio::HubAuth {

namespace {

constexpr std::string_view kDevices = "devices/";

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

// One concrete topic level: non-empty, no separator, no wildcard.
bool isLiteralLevel(std::string_view level)
{
    return !level.empty() && level.find_first_of("/+#") == std::string_view::npos;
}

bool hasWildcard(std::string_view topic)
{
    return topic.find_first_of("+#") != std::string_view::npos;
}

// Splits "a/b" into exactly two levels; false for fewer or more.
bool splitTwo(std::string_view text, std::string_view &first, std::string_view &second)
{
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos)
        return false;
    first = text.substr(0, slash);
    second = text.substr(slash + 1);
    return second.find('/') == std::string_view::npos;
}

bool isStatusCode(std::string_view level)
{
    if (level.empty() || level.size() > 10)
        return false;
    for (const char c : level) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

// The part of `topic` after the device's own prefix, or false when the topic
// lies outside it. An empty prefix (no device) matches nothing.
bool ownRemainder(std::string_view prefix, std::string_view topic, std::string_view &rest)
{
    if (prefix.size() <= kDevices.size() || !startsWith(topic, prefix))
        return false;
    rest = topic.substr(prefix.size());
    return true;
}

// Strips "$share/{group}/" from a subscription filter; false when the share
// syntax is broken (empty group, wildcard in the group, nothing after it).
bool stripShare(std::string_view &filter)
{
    constexpr std::string_view kShare = "$share/";
    if (!startsWith(filter, kShare))
        return true;
    const std::string_view rest = filter.substr(kShare.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos || !isLiteralLevel(rest.substr(0, slash)) || slash + 1 >= rest.size())
        return false;
    filter = rest.substr(slash + 1);
    return true;
}

} // namespace

std::string devicePrefix(std::string_view deviceId)
{
    std::string prefix;
    prefix.reserve(kDevices.size() + deviceId.size() + 1);
    prefix.append(kDevices).append(deviceId).push_back('/');
    return prefix;
}

bool deviceMayPublish(std::string_view prefix, std::string_view topic)
{
    if (startsWith(topic, "$iothub/"))
        return deviceRequestFromIotHub(prefix, topic).has_value();
    std::string_view rest;
    if (!ownRemainder(prefix, topic, rest) || hasWildcard(rest))
        return false;
    if (rest == "twin/reported" || rest == "status" || rest == "messages/events")
        return true;
    // Twin requests that want an answer on twin/res/…
    for (const std::string_view request : {std::string_view("twin/get/"), std::string_view("twin/reported/")}) {
        if (startsWith(rest, request))
            return isValidRequestId(rest.substr(request.size()));
    }
    if (startsWith(rest, "messages/events/"))
        return true; // the property bag is free-form, as in Azure
    constexpr std::string_view kMethodResponse = "methods/res/";
    if (startsWith(rest, kMethodResponse)) {
        std::string_view status, rid;
        return splitTwo(rest.substr(kMethodResponse.size()), status, rid) && isStatusCode(status) &&
               isLiteralLevel(rid);
    }
    return false;
}

bool deviceMayRead(std::string_view prefix, std::string_view topic)
{
    // What the plugin hands to one device (IoT Hub's answers and
    // notifications, cloud-to-device messages) never reaches anyone by
    // subscription: nobody may publish the $iothub forms, and the service's
    // cloud-to-device publish is diverted. The broker asks again, though,
    // when a device resumes a session that kept such a message for it.
    if (startsWith(topic, "$iothub/"))
        return prefix.size() > kDevices.size() &&
               (startsWith(topic, "$iothub/twin/res/") || startsWith(topic, "$iothub/twin/PATCH/properties/desired/") ||
                startsWith(topic, "$iothub/methods/POST/"));
    std::string_view rest;
    if (!ownRemainder(prefix, topic, rest))
        return false;
    if (rest == "twin/desired" || rest == "messages/devicebound" || startsWith(rest, "messages/devicebound/") ||
        rest == "messages/stored")
        return true;
    constexpr std::string_view kTwinRes = "twin/res/";
    if (startsWith(rest, kTwinRes)) {
        // {status}/{rid} or {status}/{rid}/{version}
        const std::string_view all = rest.substr(kTwinRes.size());
        const size_t slash = all.find('/');
        if (slash == std::string_view::npos || !isStatusCode(all.substr(0, slash)))
            return false;
        const std::string_view tail = all.substr(slash + 1);
        const size_t end = tail.find('/');
        if (end == std::string_view::npos)
            return isValidRequestId(tail);
        return isValidRequestId(tail.substr(0, end)) && isStatusCode(tail.substr(end + 1));
    }
    constexpr std::string_view kMethods = "methods/";
    if (startsWith(rest, kMethods)) {
        std::string_view name, rid;
        return splitTwo(rest.substr(kMethods.size()), name, rid) && isLiteralLevel(name) && name != "res" &&
               isLiteralLevel(rid);
    }
    return false;
}

bool deviceMaySubscribe(std::string_view prefix, std::string_view filter)
{
    // IoT Hub's fixed filters: what reaches a device under them is only ever
    // published to that one client by the hub (see iothubtopics.h).
    if (iotHubSubscriptionOf(filter) != 0)
        return prefix.size() > kDevices.size();
    std::string_view rest;
    if (!ownRemainder(prefix, filter, rest))
        return false;
    // messages/stored: the middleware's confirmations of stored telemetry,
    // which Provisio's own devices subscribe to (docs/device.md).
    if (rest == "twin/desired" || rest == "methods/#" || rest == "twin/res/#" || rest == "messages/devicebound/#" ||
        rest == "messages/stored")
        return true;
    constexpr std::string_view kMethods = "methods/";
    if (startsWith(rest, kMethods)) {
        std::string_view name, rid;
        if (!splitTwo(rest.substr(kMethods.size()), name, rid))
            return false;
        const bool nameOk = name == "+" || (isLiteralLevel(name) && name != "res");
        const bool ridOk = rid == "+" || rid == "#" || isLiteralLevel(rid);
        return nameOk && ridOk;
    }
    return false;
}

bool serviceMayPublish(std::string_view topic)
{
    return (startsWith(topic, kDevices) && topic.size() > kDevices.size()) || topic == kControlTopic;
}

bool serviceMayRead(std::string_view topic)
{
    return (startsWith(topic, kDevices) && topic.size() > kDevices.size()) || topic == kControlResponseTopic;
}

bool serviceMaySubscribe(std::string_view filter)
{
    if (filter == kControlResponseTopic)
        return true;
    if (!stripShare(filter))
        return false;
    return startsWith(filter, kDevices) && filter.size() > kDevices.size();
}

bool isAllowed(Role role, std::string_view prefix, Access access, std::string_view topic)
{
    if (access == Access::Unsubscribe)
        return true; // dropping a subscription never grants anything
    if (role == Role::Service) {
        switch (access) {
        case Access::Read:
            return serviceMayRead(topic);
        case Access::Write:
            return serviceMayPublish(topic);
        case Access::Subscribe:
            return serviceMaySubscribe(topic);
        case Access::Unsubscribe:
            return true;
        }
        return false;
    }
    switch (access) {
    case Access::Read:
        return deviceMayRead(prefix, topic);
    case Access::Write:
        return deviceMayPublish(prefix, topic);
    case Access::Subscribe:
        return deviceMaySubscribe(prefix, topic);
    case Access::Unsubscribe:
        return true;
    }
    return false;
}

} // namespace Provisio::HubAuth
