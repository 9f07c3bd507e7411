// SPDX-License-Identifier: Apache-2.0
#include "mqtt/mqtttopic.h"

#include <QByteArray>
#include <QStringDecoder>
#include <QUrl>

#include <optional>

namespace Provisio::MqttTopic {

namespace {

constexpr QStringView SharePrefix = u"$share/";
constexpr qsizetype MaxTopicBytes = 65535;

bool withinLength(QStringView text)
{
    // UTF-8 is at most 3 bytes per UTF-16 unit; only measure when it matters.
    return text.size() * 3 <= MaxTopicBytes || text.toUtf8().size() <= MaxTopicBytes;
}

// A filter without the $share prefix.
bool isValidPlainFilter(QStringView filter)
{
    if (filter.isEmpty() || filter.contains(QChar(0)) || !withinLength(filter))
        return false;
    const QList<QStringView> levels = filter.split(u'/');
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QStringView level = levels.at(i);
        if (level.contains(u'+') && level != u"+")
            return false;
        if (level.contains(u'#') && (level != u"#" || i != levels.size() - 1))
            return false;
    }
    return true;
}

// Splits "$share/group/filter" into the filter; nullopt when malformed.
std::optional<QStringView> sharedFilterPart(QStringView filter)
{
    const QStringView rest = filter.mid(SharePrefix.size());
    const qsizetype slash = rest.indexOf(u'/');
    if (slash <= 0)
        return std::nullopt; // no group, or no filter after it
    const QStringView group = rest.left(slash);
    if (group.contains(u'+') || group.contains(u'#'))
        return std::nullopt;
    return rest.mid(slash + 1);
}

std::optional<QString> decodeComponent(QStringView text)
{
    const QByteArray raw = text.toUtf8();
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw.at(i) != '%')
            continue;
        if (i + 2 >= raw.size() || !isxdigit(uchar(raw.at(i + 1))) || !isxdigit(uchar(raw.at(i + 2))))
            return std::nullopt;
        i += 2;
    }
    const QByteArray bytes = QByteArray::fromPercentEncoding(raw);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString decoded = decoder(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return decoded;
}

QString encodeComponent(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text, QByteArrayLiteral("$")));
}

} // namespace

bool isValidTopicName(QStringView topic)
{
    return !topic.isEmpty() && !topic.contains(u'+') && !topic.contains(u'#') && !topic.contains(QChar(0)) &&
           withinLength(topic);
}

bool isValidTopicFilter(QStringView filter)
{
    if (filter.startsWith(SharePrefix)) {
        const auto inner = sharedFilterPart(filter);
        return inner && isValidPlainFilter(*inner);
    }
    return isValidPlainFilter(filter);
}

QString stripSharedSubscription(const QString &filter)
{
    if (!filter.startsWith(SharePrefix))
        return filter;
    const auto inner = sharedFilterPart(filter);
    return inner ? inner->toString() : QString();
}

bool topicMatches(QStringView filter, QStringView topic)
{
    if (!isValidTopicFilter(filter) || !isValidTopicName(topic))
        return false;
    if (filter.startsWith(SharePrefix))
        filter = *sharedFilterPart(filter);

    // MQTT 4.7.2: wildcards at the first level do not reach $-topics.
    if (topic.startsWith(u'$') && (filter.startsWith(u'+') || filter.startsWith(u'#')))
        return false;

    const QList<QStringView> filterLevels = filter.split(u'/');
    const QList<QStringView> topicLevels = topic.split(u'/');
    for (qsizetype i = 0; i < filterLevels.size(); ++i) {
        const QStringView level = filterLevels.at(i);
        if (level == u"#")
            return true; // also matches the parent level: "a/#" matches "a"
        if (i >= topicLevels.size())
            return false;
        if (level != u"+" && level != topicLevels.at(i))
            return false;
    }
    return filterLevels.size() == topicLevels.size();
}

QString encodePropertyBag(const PropertyBag &properties)
{
    QString bag;
    for (const auto &[key, value] : properties) {
        if (!bag.isEmpty())
            bag += u'&';
        bag += encodeComponent(key) + u'=' + encodeComponent(value);
    }
    return bag;
}

Result<PropertyBag> decodePropertyBag(QStringView bag)
{
    PropertyBag properties;
    const QList<QStringView> pairs = bag.split(u'&', Qt::SkipEmptyParts);
    for (const QStringView pair : pairs) {
        const qsizetype eq = pair.indexOf(u'=');
        const QStringView rawKey = eq < 0 ? pair : pair.left(eq);
        const QStringView rawValue = eq < 0 ? QStringView() : pair.mid(eq + 1);
        const auto key = decodeComponent(rawKey);
        const auto value = decodeComponent(rawValue);
        if (!key || !value)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("property bag: bad percent-encoding or UTF-8 in \"%1\"").arg(pair));
        if (key->isEmpty())
            return Error(ErrorCode::InvalidInput, QStringLiteral("property bag: empty key in \"%1\"").arg(pair));
        properties.append({*key, *value});
    }
    return properties;
}

QString telemetryTopic(const QString &deviceId, const PropertyBag &properties)
{
    return QStringLiteral("devices/") + deviceId + QStringLiteral("/messages/events/") + encodePropertyBag(properties);
}

Result<TelemetryTopic> parseTelemetryTopic(QStringView topic)
{
    constexpr QStringView prefix = u"devices/";
    constexpr QStringView events = u"/messages/events";
    const auto notTelemetry = [&] {
        return Error(ErrorCode::InvalidInput, QStringLiteral("not a telemetry topic: \"%1\"").arg(topic));
    };
    if (!topic.startsWith(prefix))
        return notTelemetry();
    const QStringView rest = topic.mid(prefix.size());
    const qsizetype slash = rest.indexOf(u'/');
    if (slash <= 0)
        return notTelemetry();
    const QStringView tail = rest.mid(slash);
    if (!tail.startsWith(events))
        return notTelemetry();
    QStringView bag = tail.mid(events.size());
    if (!bag.isEmpty()) {
        if (!bag.startsWith(u'/'))
            return notTelemetry();
        bag = bag.mid(1);
        if (bag.contains(u'/'))
            return notTelemetry();
    }
    auto properties = decodePropertyBag(bag);
    if (!properties)
        return properties.error();
    return TelemetryTopic{rest.left(slash).toString(), std::move(*properties)};
}

} // namespace Provisio::MqttTopic
