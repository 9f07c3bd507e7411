// SPDX-License-Identifier: Apache-2.0
#include "iothubtopics.h"

namespace Provisio::HubAuth {

namespace {

constexpr std::string_view kDevices = "devices/";
constexpr std::string_view kTwinGet = "$iothub/twin/GET/";
constexpr std::string_view kReportedPatch = "$iothub/twin/PATCH/properties/reported/";
constexpr std::string_view kMethodResponse = "$iothub/methods/res/";

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

bool isStatusCode(std::string_view level)
{
    if (level.empty() || level.size() > 3)
        return false;
    for (const char c : level) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

bool isLiteralLevel(std::string_view level)
{
    return !level.empty() && level.find_first_of("/+#") == std::string_view::npos;
}

// The request id of a request topic's remainder "?$rid={rid}[&…]" (the SDKs
// put the query right after the last '/').
std::optional<std::string_view> requestIdOf(std::string_view query)
{
    if (query.empty() || query.front() != '?')
        return std::nullopt;
    const auto rid = queryValue(query, "$rid");
    if (!rid || !isValidRequestId(*rid))
        return std::nullopt;
    return rid;
}

// Splits "devices/{id}/{rest}" into id and rest.
bool splitDeviceTopic(std::string_view topic, std::string_view &deviceId, std::string_view &rest)
{
    if (!startsWith(topic, kDevices))
        return false;
    const std::string_view tail = topic.substr(kDevices.size());
    const size_t slash = tail.find('/');
    if (slash == std::string_view::npos || slash == 0)
        return false;
    deviceId = tail.substr(0, slash);
    rest = tail.substr(slash + 1);
    return isLiteralLevel(deviceId);
}

} // namespace

bool mayNeedTranslation(std::string_view topic)
{
    // Plain prefix tests and one memchr: this runs for every message.
    if (startsWith(topic, "$iothub/"))
        return true;
    if (!startsWith(topic, kDevices))
        return false;
    const size_t slash = topic.find('/', kDevices.size());
    if (slash == std::string_view::npos)
        return false;
    const std::string_view rest = topic.substr(slash + 1);
    return !startsWith(rest, "messages/events") && rest != "status" && rest != "messages/stored";
}

uint8_t iotHubSubscriptionOf(std::string_view filter)
{
    if (filter == "$iothub/twin/res/#")
        return TwinResponses;
    if (filter == "$iothub/twin/PATCH/properties/desired/#")
        return DesiredPatches;
    if (filter == "$iothub/methods/POST/#")
        return MethodRequests;
    return 0;
}

bool isValidRequestId(std::string_view rid)
{
    if (rid.empty() || rid.size() > kMaxRequestIdLength)
        return false;
    for (const char c : rid) {
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '+' || c == '#' || c == '&' || c == '?')
            return false;
    }
    return true;
}

std::optional<std::string_view> queryValue(std::string_view topic, std::string_view name)
{
    const size_t question = topic.find('?');
    if (question == std::string_view::npos)
        return std::nullopt;
    std::string_view query = topic.substr(question + 1);
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        if (pair.size() > name.size() && startsWith(pair, name) && pair[name.size()] == '=')
            return pair.substr(name.size() + 1);
        if (amp == std::string_view::npos)
            break;
        query = query.substr(amp + 1);
    }
    return std::nullopt;
}

std::optional<DeviceRequest> deviceRequestFromIotHub(std::string_view prefix, std::string_view topic)
{
    if (prefix.size() <= kDevices.size() || !startsWith(prefix, kDevices) || prefix.back() != '/')
        return std::nullopt;
    DeviceRequest request;
    if (startsWith(topic, kTwinGet) || startsWith(topic, kReportedPatch)) {
        const bool get = startsWith(topic, kTwinGet);
        const auto rid = requestIdOf(topic.substr(get ? kTwinGet.size() : kReportedPatch.size()));
        if (!rid)
            return std::nullopt;
        request.kind = get ? DeviceRequest::TwinGet : DeviceRequest::ReportedPatch;
        request.rid = *rid;
        request.topic.append(prefix).append(get ? "twin/get/" : "twin/reported/").append(*rid);
        return request;
    }
    if (startsWith(topic, kMethodResponse)) {
        const std::string_view rest = topic.substr(kMethodResponse.size());
        const size_t slash = rest.find('/');
        if (slash == std::string_view::npos || !isStatusCode(rest.substr(0, slash)))
            return std::nullopt;
        const auto rid = requestIdOf(rest.substr(slash + 1));
        if (!rid)
            return std::nullopt;
        request.kind = DeviceRequest::MethodResponse;
        request.rid = *rid;
        request.topic.append(prefix).append("methods/res/").append(rest.substr(0, slash)).append("/").append(*rid);
        return request;
    }
    return std::nullopt;
}

std::optional<DeviceDelivery> iotHubDeliveryFor(std::string_view topic, std::optional<int64_t> desiredVersion)
{
    std::string_view deviceId, rest;
    if (!splitDeviceTopic(topic, deviceId, rest))
        return std::nullopt;
    DeviceDelivery delivery;
    delivery.deviceId = std::string(deviceId);
    if (rest == "twin/desired") {
        if (!desiredVersion)
            return std::nullopt;
        delivery.needs = DesiredPatches;
        delivery.topic = "$iothub/twin/PATCH/properties/desired/?$version=" + std::to_string(*desiredVersion);
        return delivery;
    }
    constexpr std::string_view kTwinRes = "twin/res/";
    if (startsWith(rest, kTwinRes)) {
        // {status}/{rid}[/{version}]
        std::string_view parts = rest.substr(kTwinRes.size());
        const size_t first = parts.find('/');
        if (first == std::string_view::npos || !isStatusCode(parts.substr(0, first)))
            return std::nullopt;
        const std::string_view status = parts.substr(0, first);
        parts = parts.substr(first + 1);
        const size_t second = parts.find('/');
        const std::string_view rid = parts.substr(0, second);
        std::string_view version;
        if (second != std::string_view::npos) {
            version = parts.substr(second + 1);
            if (version.empty() || version.size() > 19 ||
                version.find_first_not_of("0123456789") != std::string_view::npos)
                return std::nullopt;
        }
        if (!isValidRequestId(rid))
            return std::nullopt;
        delivery.needs = TwinResponses;
        delivery.topic.append("$iothub/twin/res/").append(status).append("/?$rid=").append(rid);
        if (!version.empty())
            delivery.topic.append("&$version=").append(version);
        return delivery;
    }
    constexpr std::string_view kMethods = "methods/";
    if (startsWith(rest, kMethods)) {
        const std::string_view parts = rest.substr(kMethods.size());
        const size_t slash = parts.find('/');
        if (slash == std::string_view::npos)
            return std::nullopt;
        const std::string_view name = parts.substr(0, slash);
        const std::string_view rid = parts.substr(slash + 1);
        if (!isLiteralLevel(name) || name == "res" || !isValidRequestId(rid))
            return std::nullopt;
        delivery.needs = MethodRequests;
        delivery.topic.append("$iothub/methods/POST/").append(name).append("/?$rid=").append(rid);
        return delivery;
    }
    return std::nullopt;
}

std::optional<int64_t> topLevelVersion(std::string_view json)
{
    constexpr std::string_view kKey = "\"$version\"";
    int depth = 0;
    bool inString = false;
    size_t i = 0;
    while (i < json.size()) {
        const char c = json[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            ++i;
            continue;
        }
        if (c == '"') {
            // A key at the top level of the outermost object?
            if (depth == 1 && json.compare(i, kKey.size(), kKey) == 0) {
                size_t j = i + kKey.size();
                while (j < json.size() && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r'))
                    ++j;
                if (j < json.size() && json[j] == ':') {
                    ++j;
                    while (j < json.size() && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r'))
                        ++j;
                    int64_t value = 0;
                    size_t digits = 0;
                    while (j < json.size() && json[j] >= '0' && json[j] <= '9' && digits < 18) {
                        value = value * 10 + (json[j] - '0');
                        ++j;
                        ++digits;
                    }
                    const bool ends = j < json.size() && (json[j] == ',' || json[j] == '}' || json[j] == ' ' ||
                                                          json[j] == '\n' || json[j] == '\r' || json[j] == '\t');
                    if (digits > 0 && ends)
                        return value;
                    return std::nullopt;
                }
            }
            inString = true;
            ++i;
            continue;
        }
        if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']')
            --depth;
        ++i;
    }
    return std::nullopt;
}

std::optional<std::string> cloudToDeviceTarget(std::string_view topic)
{
    std::string_view deviceId, rest;
    if (!splitDeviceTopic(topic, deviceId, rest))
        return std::nullopt;
    if (rest != "messages/devicebound" && !startsWith(rest, "messages/devicebound/"))
        return std::nullopt;
    return std::string(deviceId);
}

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Percent-decodes `text` (at most 64 characters out); nullopt on a bad escape.
std::optional<std::string> percentDecoded(std::string_view text)
{
    std::string out;
    for (size_t i = 0; i < text.size() && out.size() < 64; ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size() || hexValue(text[i + 1]) < 0 || hexValue(text[i + 2]) < 0)
            return std::nullopt;
        out.push_back(char(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
        i += 2;
    }
    return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + int64_t(doe) - 719468;
}

bool digits(std::string_view text, size_t at, size_t count, int &value)
{
    if (at + count > text.size())
        return false;
    value = 0;
    for (size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10 + (text[i] - '0');
    }
    return true;
}

} // namespace

std::optional<int64_t> cloudMessageExpiry(std::string_view topic)
{
    if (!cloudToDeviceTarget(topic))
        return std::nullopt;
    const size_t bagStart = topic.rfind('/');
    std::string_view bag = topic.substr(bagStart + 1);
    std::optional<std::string_view> raw;
    while (!bag.empty() && !raw) {
        const size_t amp = bag.find('&');
        const std::string_view pair = bag.substr(0, amp);
        for (const std::string_view key : {std::string_view("$.exp="), std::string_view("%24.exp=")}) {
            if (startsWith(pair, key))
                raw = pair.substr(key.size());
        }
        if (amp == std::string_view::npos)
            break;
        bag = bag.substr(amp + 1);
    }
    if (!raw)
        return std::nullopt;
    const auto text = percentDecoded(*raw);
    if (!text)
        return std::nullopt;
    const std::string_view t(*text);
    int year, month, day, hour, minute, second;
    if (!digits(t, 0, 4, year) || t.size() < 20 || t[4] != '-' || !digits(t, 5, 2, month) || t[7] != '-' ||
        !digits(t, 8, 2, day) || t[10] != 'T' || !digits(t, 11, 2, hour) || t[13] != ':' || !digits(t, 14, 2, minute) ||
        t[16] != ':' || !digits(t, 17, 2, second))
        return std::nullopt;
    size_t end = 19;
    if (end < t.size() && t[end] == '.') {
        ++end;
        while (end < t.size() && t[end] >= '0' && t[end] <= '9')
            ++end;
    }
    if (end + 1 != t.size() || t[end] != 'Z')
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    return daysFromCivil(year, unsigned(month), unsigned(day)) * 86400 + hour * 3600 + minute * 60 + second;
}

std::string iotHubTwinResponseTopic(int status, std::string_view rid)
{
    std::string topic = "$iothub/twin/res/";
    topic.append(std::to_string(status)).append("/?$rid=").append(rid);
    return topic;
}

} // namespace Provisio::HubAuth
