// SPDX-License-Identifier: Apache-2.0
#include "hubauthconfig.h"

#include "crypto/keys.h"
#include "protocol/hub.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

namespace Provisio::HubAuth {

namespace {

constexpr int kMinKeyBytes = 16;
constexpr qint64 kMaxLifetimeCeiling = 10LL * 365 * 24 * 3600;
constexpr qint64 kMaxSkew = 3600;

Error invalid(const QString &message)
{
    return Error(ErrorCode::InvalidInput, message);
}

Result<qint64> parseSeconds(const QString &name, const QString &value, qint64 min, qint64 max)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,12}$"));
    if (!digits.match(value).hasMatch())
        return invalid(
            QStringLiteral("plugin_opt_%1 must be a whole number of seconds, got '%2'").arg(name, value.left(32)));
    const qint64 seconds = value.toLongLong();
    if (seconds < min || seconds > max)
        return invalid(QStringLiteral("plugin_opt_%1 must be between %2 and %3 seconds, got %4")
                           .arg(name)
                           .arg(min)
                           .arg(max)
                           .arg(seconds));
    return seconds;
}

// An optional whole number; `target` keeps its default when the option is absent.
template<typename T>
Result<void> parseOptional(const QHash<QString, QString> &values, const char *name, qint64 min, qint64 max, T &target)
{
    const QString key = QString::fromLatin1(name);
    if (!values.contains(key))
        return {};
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,12}$"));
    const QString value = values.value(key);
    const qint64 number = digits.match(value).hasMatch() ? value.toLongLong() : -1;
    if (number < min || number > max)
        return invalid(QStringLiteral("plugin_opt_%1 must be a whole number from %2 to %3, got '%4'")
                           .arg(key)
                           .arg(min)
                           .arg(max)
                           .arg(value.left(32)));
    target = T(number);
    return {};
}

Result<void> checkKey(const QString &name, const QString &value)
{
    const auto key = Crypto::decodeKey(value);
    if (!key)
        return invalid(QStringLiteral("plugin_opt_%1: %2").arg(name, key.error().message));
    if (key->size() < kMinKeyBytes)
        return invalid(
            QStringLiteral("plugin_opt_%1 is too short: a key needs at least %2 bytes").arg(name).arg(kMinKeyBytes));
    return {};
}

} // namespace

Result<HubAuthConfig> HubAuthConfig::fromOptions(const QList<QPair<QString, QString>> &options)
{
    static const QStringList known{
        QStringLiteral("hub_host"),
        QStringLiteral("signing_key"),
        QStringLiteral("service_policy"),
        QStringLiteral("service_key"),
        QStringLiteral("revocation_file"),
        QStringLiteral("max_token_lifetime"),
        QStringLiteral("clock_skew"),
        QStringLiteral("device_gate_seconds"),
        QStringLiteral("key_file"),
        QStringLiteral("credit_window_messages"),
        QStringLiteral("credit_window_bytes"),
        QStringLiteral("credit_abandoned_seconds"),
        QStringLiteral("credit_resubscribe_seconds"),
        QStringLiteral("reported_burst"),
        QStringLiteral("reported_per_minute"),
        QStringLiteral("presence_burst"),
        QStringLiteral("presence_per_minute"),
    };
    static const QStringList optional{
        QStringLiteral("device_gate_seconds"),      QStringLiteral("key_file"),
        QStringLiteral("credit_window_messages"),   QStringLiteral("credit_window_bytes"),
        QStringLiteral("credit_abandoned_seconds"), QStringLiteral("reported_burst"),
        QStringLiteral("reported_per_minute"),      QStringLiteral("presence_burst"),
        QStringLiteral("presence_per_minute"),      QStringLiteral("credit_resubscribe_seconds"),
    };
    QHash<QString, QString> values;
    for (const auto &[key, value] : options) {
        if (!known.contains(key))
            return invalid(QStringLiteral("unknown option plugin_opt_%1 (known: %2)")
                               .arg(key.left(64), known.join(QStringLiteral(", "))));
        if (values.contains(key))
            return invalid(QStringLiteral("plugin_opt_%1 is given twice").arg(key));
        values.insert(key, value.trimmed());
    }
    for (const QString &key : known) {
        if (values.value(key).isEmpty() && !optional.contains(key))
            return invalid(QStringLiteral("plugin_opt_%1 is missing or empty").arg(key));
    }

    HubAuthConfig c;
    c.hubHost = values.value(QStringLiteral("hub_host"));
    if (!Hub::isValidHostName(c.hubHost))
        return invalid(QStringLiteral("plugin_opt_hub_host '%1' is not a valid host name").arg(c.hubHost.left(253)));

    c.signingKey = values.value(QStringLiteral("signing_key"));
    if (auto r = checkKey(QStringLiteral("signing_key"), c.signingKey); !r)
        return r.error();

    c.servicePolicy = values.value(QStringLiteral("service_policy"));
    static const QRegularExpression policy(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    if (!policy.match(c.servicePolicy).hasMatch())
        return invalid(QStringLiteral("plugin_opt_service_policy must be 1..64 letters, digits, '.', '_' or '-'"));

    c.serviceKey = values.value(QStringLiteral("service_key"));
    if (auto r = checkKey(QStringLiteral("service_key"), c.serviceKey); !r)
        return r.error();
    if (c.serviceKey == c.signingKey)
        return invalid(QStringLiteral("plugin_opt_service_key must differ from plugin_opt_signing_key"));

    c.revocationFile = values.value(QStringLiteral("revocation_file"));
    const QFileInfo file(c.revocationFile);
    if (!file.isAbsolute())
        return invalid(
            QStringLiteral("plugin_opt_revocation_file must be an absolute path, got '%1'").arg(c.revocationFile));
    if (!file.absoluteDir().exists())
        return invalid(
            QStringLiteral("plugin_opt_revocation_file: directory %1 does not exist").arg(file.absolutePath()));
    if (file.exists() && !file.isFile())
        return invalid(QStringLiteral("plugin_opt_revocation_file %1 is not a regular file").arg(c.revocationFile));

    c.keyFile = values.value(QStringLiteral("key_file"));
    if (!c.keyFile.isEmpty()) {
        const QFileInfo keyFile(c.keyFile);
        if (!keyFile.isAbsolute())
            return invalid(QStringLiteral("plugin_opt_key_file must be an absolute path, got '%1'").arg(c.keyFile));
        if (!keyFile.absoluteDir().exists())
            return invalid(
                QStringLiteral("plugin_opt_key_file: directory %1 does not exist").arg(keyFile.absolutePath()));
        if (keyFile.exists() && !keyFile.isFile())
            return invalid(QStringLiteral("plugin_opt_key_file %1 is not a regular file").arg(c.keyFile));
    }

    auto lifetime = parseSeconds(QStringLiteral("max_token_lifetime"),
                                 values.value(QStringLiteral("max_token_lifetime")), 1, kMaxLifetimeCeiling);
    if (!lifetime)
        return lifetime.error();
    c.maxTokenLifetime = *lifetime;
    auto skew = parseSeconds(QStringLiteral("clock_skew"), values.value(QStringLiteral("clock_skew")), 0, kMaxSkew);
    if (!skew)
        return skew.error();
    c.clockSkew = *skew;
    if (values.contains(QStringLiteral("device_gate_seconds"))) {
        auto gate = parseSeconds(QStringLiteral("device_gate_seconds"),
                                 values.value(QStringLiteral("device_gate_seconds")), 0, 3600);
        if (!gate)
            return gate.error();
        c.deviceGateSeconds = *gate;
    }
    // Ranges: a window below a few hundred messages or one full-size message
    // would stall the link between grants; above ten million messages or
    // 4 GiB the hub's memory, not the window, would be the limit.
    const Result<void> checks[] = {
        parseOptional(values, "credit_window_messages", 100, 10000000, c.credit.windowMessages),
        parseOptional(values, "credit_window_bytes", 1024 * 1024, qint64(4) << 30, c.credit.windowBytes),
        parseOptional(values, "credit_abandoned_seconds", 10, 86400, c.credit.abandonedSeconds),
        parseOptional(values, "credit_resubscribe_seconds", 1, 3600, c.credit.resubscribeSeconds),
        parseOptional(values, "reported_burst", 1, 10000, c.writes.reported.burst),
        parseOptional(values, "reported_per_minute", 1, 600000, c.writes.reported.perMinute),
        parseOptional(values, "presence_burst", 1, 10000, c.writes.presence.burst),
        parseOptional(values, "presence_per_minute", 1, 600000, c.writes.presence.perMinute),
    };
    for (const Result<void> &r : checks) {
        if (!r)
            return r.error();
    }
    return c;
}

} // namespace Provisio::HubAuth
