// SPDX-License-Identifier: Apache-2.0
#include "controlcommand.h"

#include "protocol/deliveryidentity.h"

#include "crypto/keyfingerprint.h"
#include "crypto/keys.h"
#include "crypto/registrationid.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Provisio::HubAuth {

namespace {

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

ControlOutcome failure(QJsonObject response, int status, const QString &message)
{
    response.insert(QStringLiteral("status"), status);
    response.insert(QStringLiteral("error"), message);
    return {toJson(response), {}};
}

bool isCount(const QJsonValue &value, qint64 max)
{
    const double d = value.toDouble(-1);
    return value.isDouble() && d >= 0 && d <= double(max) && d == double(qint64(d));
}

ControlOutcome creditGrant(const QJsonObject &command)
{
    QJsonObject response{{QStringLiteral("op"), QStringLiteral("credit")}};
    if (command.contains(QStringLiteral("deliveries"))) {
        // What the middleware sends: the identities of the deliveries it is
        // done with (deliveryidentity.h).
        for (auto it = command.begin(); it != command.end(); ++it) {
            if (it.key() != QLatin1String("op") && it.key() != QLatin1String("deliveries"))
                return failure(response, 400,
                               QStringLiteral("unknown field '%1' beside \"deliveries\"").arg(it.key().left(32)));
        }
        const QJsonValue value = command.value(QStringLiteral("deliveries"));
        auto identities = value.isString() ? decodeDeliveryIdentities(value.toString().toLatin1()) : std::nullopt;
        if (!identities)
            return failure(response, 400,
                           QStringLiteral("credit \"deliveries\" must be base64 of 1 to %1 identities of 8 bytes")
                               .arg(kMaxGrantDeliveries));
        ControlOutcome outcome;
        outcome.isCredit = true;
        outcome.creditDeliveries = std::move(*identities);
        return outcome;
    }
    for (auto it = command.begin(); it != command.end(); ++it) {
        if (it.key() != QLatin1String("op") && it.key() != QLatin1String("messages") &&
            it.key() != QLatin1String("bytes") && it.key() != QLatin1String("epoch"))
            return failure(response, 400, QStringLiteral("unknown field '%1'").arg(it.key().left(32)));
    }
    const QJsonValue messages = command.value(QStringLiteral("messages"));
    const QJsonValue bytes = command.value(QStringLiteral("bytes"));
    const QJsonValue epoch = command.value(QStringLiteral("epoch"));
    const bool totals = !epoch.isUndefined();
    if (totals) {
        const QString e = epoch.toString();
        bool printable = epoch.isString() && !e.isEmpty() && e.size() <= kMaxCreditEpoch;
        for (const QChar c : e)
            printable = printable && c.unicode() > 0x20 && c.unicode() < 0x7f;
        if (!printable)
            return failure(
                response, 400,
                QStringLiteral("credit \"epoch\" must be 1 to %1 printable ASCII characters").arg(kMaxCreditEpoch));
    }
    const qint64 maxMessages = totals ? kMaxCreditTotal : kMaxCreditMessages;
    const qint64 maxBytes = totals ? kMaxCreditTotal : kMaxCreditBytes;
    if (!isCount(messages, maxMessages) || !isCount(bytes, maxBytes))
        return failure(response, 400,
                       QStringLiteral("credit needs \"messages\" (0 to %1) and \"bytes\" (0 to %2) as integers")
                           .arg(maxMessages)
                           .arg(maxBytes));
    ControlOutcome outcome;
    outcome.isCredit = true;
    outcome.creditMessages = qint64(messages.toDouble());
    outcome.creditBytes = qint64(bytes.toDouble());
    if (totals)
        outcome.creditEpoch = epoch.toString().toStdString();
    return outcome;
}

constexpr int kMinKeyBytes = 16;

ControlOutcome rotateKeys(const QJsonObject &command, QJsonObject response, const KeyState &state)
{
    for (auto it = command.begin(); it != command.end(); ++it) {
        static const QStringList known{
            QStringLiteral("op"),         QStringLiteral("requestId"),     QStringLiteral("signingKey"),
            QStringLiteral("serviceKey"), QStringLiteral("replacesKeyId"), QStringLiteral("previousUntil")};
        if (!known.contains(it.key()))
            return failure(response, 400, QStringLiteral("unknown field '%1'").arg(it.key().left(32)));
    }
    const QString signingKey = command.value(QStringLiteral("signingKey")).toString();
    const QString serviceKey = command.value(QStringLiteral("serviceKey")).toString();
    for (const QString &key : {signingKey, serviceKey}) {
        const auto decoded = Crypto::decodeKey(key);
        if (!decoded || decoded->size() < kMinKeyBytes)
            return failure(
                response, 400,
                QStringLiteral("signingKey and serviceKey must be base64 keys of at least %1 bytes").arg(kMinKeyBytes));
    }
    if (signingKey == serviceKey)
        return failure(response, 400, QStringLiteral("serviceKey must differ from signingKey"));
    const QJsonValue untilValue = command.value(QStringLiteral("previousUntil"));
    const double until = untilValue.toDouble(-1);
    if (!untilValue.isDouble() || until < 0 || until > 4102444800.0 || until != double(qint64(until)))
        return failure(response, 400, QStringLiteral("previousUntil must be unix seconds"));
    if (!state.keys || state.file.isEmpty())
        return failure(response, 400,
                       QStringLiteral("this hub has no plugin_opt_key_file; write its configuration again with "
                                      "hub-config and restart it"));
    SigningKeys &keys = *state.keys;
    response.insert(QStringLiteral("keyId"), Crypto::keyFingerprint(signingKey));
    if (keys.signingKey == signingKey) {
        response.insert(QStringLiteral("status"), 200);
        response.insert(QStringLiteral("changed"), false);
        return {toJson(response), {}};
    }
    if (command.value(QStringLiteral("replacesKeyId")).toString() != Crypto::keyFingerprint(keys.signingKey))
        return failure(response, 409, QStringLiteral("the hub's signing key is not the one this rotation replaces"));
    SigningKeys next{signingKey, serviceKey, keys.signingKey, keys.serviceKey, qint64(until)};
    if (auto saved = next.save(state.file); !saved)
        return failure(response, 500, saved.error().message);
    keys = next;
    response.insert(QStringLiteral("status"), 200);
    response.insert(QStringLiteral("changed"), true);
    ControlOutcome outcome{toJson(response), {}, true};
    return outcome;
}

} // namespace

ControlOutcome applyControlCommand(const QByteArray &payload, RevocationList &revoked, const KeyState &keys)
{
    QJsonObject response;
    if (payload.size() > kMaxControlPayload)
        return failure(response, 400, QStringLiteral("command larger than %1 bytes").arg(kMaxControlPayload));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return failure(response, 400, QStringLiteral("command is not a JSON object"));
    const QJsonObject command = doc.object();

    if (command.value(QStringLiteral("op")) == QLatin1String("credit"))
        return creditGrant(command);

    const QJsonValue requestId = command.value(QStringLiteral("requestId"));
    if (!requestId.isUndefined() && !requestId.isString())
        return failure(response, 400, QStringLiteral("requestId must be a string"));
    if (requestId.isString())
        response.insert(QStringLiteral("requestId"), requestId.toString().left(128));
    if (command.value(QStringLiteral("op")).toString() == QLatin1String("rotate-keys")) {
        response.insert(QStringLiteral("op"), QStringLiteral("rotate-keys"));
        return rotateKeys(command, response, keys);
    }
    for (auto it = command.begin(); it != command.end(); ++it) {
        if (it.key() != QLatin1String("op") && it.key() != QLatin1String("deviceId") &&
            it.key() != QLatin1String("requestId") && it.key() != QLatin1String("generation")) {
            return failure(response, 400, QStringLiteral("unknown field '%1'").arg(it.key().left(32)));
        }
    }
    const QString op = command.value(QStringLiteral("op")).toString();
    response.insert(QStringLiteral("op"), op.left(16));

    if (op == QLatin1String("list")) {
        response.insert(QStringLiteral("status"), 200);
        response.insert(QStringLiteral("revoked"), QJsonArray::fromStringList(revoked.ids()));
        return {toJson(response), {}};
    }
    if (op != QLatin1String("revoke") && op != QLatin1String("restore"))
        return failure(response, 400,
                       QStringLiteral("op must be \"revoke\", \"restore\", \"list\", \"credit\" or \"rotate-keys\""));

    const QJsonValue idValue = command.value(QStringLiteral("deviceId"));
    const QString deviceId = idValue.toString();
    if (!idValue.isString() || !Crypto::validateDeviceId(deviceId))
        return failure(response, 400, QStringLiteral("deviceId must be a valid device id"));
    response.insert(QStringLiteral("deviceId"), deviceId);
    const QJsonValue generationValue = command.value(QStringLiteral("generation"));
    const double generation = generationValue.toDouble(-1);
    if (!generationValue.isUndefined() && (!generationValue.isDouble() || generation < 0 ||
                                           generation > kMaxGeneration || generation != double(qint64(generation)))) {
        return failure(response, 400, QStringLiteral("generation must be an integer from 0 to %1").arg(kMaxGeneration));
    }

    const bool revoke = op == QLatin1String("revoke");
    const bool raised = !generationValue.isUndefined() && revoked.raiseGeneration(deviceId, quint32(generation));
    const bool listChanged = revoke ? revoked.insert(deviceId) : revoked.erase(deviceId);
    const bool changed = listChanged || raised;
    response.insert(QStringLiteral("changed"), listChanged);
    response.insert(QStringLiteral("generation"), qint64(revoked.generation(deviceId)));
    ControlOutcome outcome;
    // A revoked device goes even when it was revoked already (it may have
    // slipped in before); one whose generation rose logged in with a key
    // that is no longer valid.
    if (revoke || raised)
        outcome.disconnect = deviceId;
    if (changed) {
        if (auto saved = revoked.save(); !saved) {
            if (!revoke && listChanged) {
                // A restore that cannot be persisted is not applied (the
                // device would be out again after a restart); a raised
                // generation stays in memory, the safe side.
                revoked.insert(deviceId);
                response.insert(QStringLiteral("changed"), false);
            }
            response.insert(QStringLiteral("status"), 500);
            response.insert(QStringLiteral("error"), saved.error().message);
            outcome.response = toJson(response);
            return outcome;
        }
    }
    response.insert(QStringLiteral("status"), 200);
    outcome.response = toJson(response);
    return outcome;
}

} // namespace Provisio::HubAuth
