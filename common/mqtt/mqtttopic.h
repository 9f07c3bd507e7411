// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringView>

namespace Provisio {

// Topic rules shared by the device, the middleware and the hub plugin: MQTT
// filter matching (the broker's rules, so that a client can route what it
// receives to the right handler) and the Azure-style telemetry topic
// `devices/{deviceId}/messages/events/{property_bag}`, whose property bag is
// URL-encoded `key=value&key=value`.
namespace MqttTopic {

// Application and system properties of one telemetry message, in order.
// Keys may repeat; order is kept because Azure keeps it.
using PropertyBag = QList<QPair<QString, QString>>;

// A topic name a client may publish to: non-empty, no `+`/`#`, no NUL,
// at most 65535 UTF-8 bytes.
bool isValidTopicName(QStringView topic);

// A filter a client may subscribe to: `+` alone in its level, `#` alone and
// last, no NUL; `$share/{group}/{filter}` needs a non-empty group without
// wildcards and a valid filter after it.
bool isValidTopicFilter(QStringView filter);

// "$share/group/a/+" -> "a/+"; any other filter is returned unchanged. A
// malformed shared filter ("$share/group") yields an empty string.
QString stripSharedSubscription(const QString &filter);

// Whether `topic` matches `filter` as the broker decides it: `+` matches one
// level (possibly empty), `#` the rest including the parent level ("a/#"
// matches "a"), filters starting with a wildcard do not match topics starting
// with `$` ($SYS, $CONTROL), and a `$share/{group}/` prefix is ignored.
// Invalid filters or topic names match nothing.
bool topicMatches(QStringView filter, QStringView topic);

// `k1=v1&k2=v2`, each key and value percent-encoded (UTF-8) except for the
// unreserved characters and `$`, so Azure system properties such as `$.ct`
// read as they do in Azure's documentation.
QString encodePropertyBag(const PropertyBag &properties);

// The inverse of encodePropertyBag. Also accepts a key without `=` (value
// empty) and a trailing `&`. Fails on an empty key, a bad `%xx` sequence or
// bytes that are not UTF-8.
Result<PropertyBag> decodePropertyBag(QStringView bag);

// `devices/{deviceId}/messages/events/` + encodePropertyBag(properties).
QString telemetryTopic(const QString &deviceId, const PropertyBag &properties = {});

struct TelemetryTopic
{
    QString deviceId;
    PropertyBag properties;
};

// Splits a telemetry topic (with or without the trailing `/` before an empty
// bag) into the device id and the decoded property bag.
Result<TelemetryTopic> parseTelemetryTopic(QStringView topic);

} // namespace MqttTopic
} // namespace Provisio
