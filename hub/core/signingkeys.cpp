// SPDX-License-Identifier: Apache-2.0
#include "signingkeys.h"

#include "crypto/keys.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace Provisio::HubAuth {

namespace {
const QString kSigning = QStringLiteral("signingKey");
const QString kService = QStringLiteral("serviceKey");
const QString kPreviousSigning = QStringLiteral("previousSigningKey");
const QString kPreviousService = QStringLiteral("previousServiceKey");
const QString kPreviousUntil = QStringLiteral("previousUntil");
constexpr qint64 kMaxFileBytes = 4096;
} // namespace

Result<SigningKeys> SigningKeys::load(const QString &path, const QString &configuredSigningKey,
                                      const QString &configuredServiceKey)
{
    SigningKeys configured{configuredSigningKey, configuredServiceKey, {}, {}, 0};
    if (path.isEmpty())
        return configured;
    QFile file(path);
    if (!file.exists())
        return configured;
    const auto bad = [&path](const QString &why) {
        return Error(ErrorCode::InvalidInput, QStringLiteral("key file %1: %2").arg(path, why));
    };
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot read key file %1: %2").arg(path, file.errorString()));
    if (file.size() > kMaxFileBytes)
        return bad(QStringLiteral("larger than %1 bytes").arg(kMaxFileBytes));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return bad(QStringLiteral("not a JSON object"));
    const QJsonObject o = doc.object();
    SigningKeys keys;
    keys.signingKey = o.value(kSigning).toString();
    keys.serviceKey = o.value(kService).toString();
    keys.previousSigningKey = o.value(kPreviousSigning).toString();
    keys.previousServiceKey = o.value(kPreviousService).toString();
    keys.previousUntil = qint64(o.value(kPreviousUntil).toDouble(0));
    for (const QString &k : {keys.signingKey, keys.serviceKey}) {
        if (!Crypto::decodeKey(k))
            return bad(QStringLiteral("signingKey and serviceKey must be base64 keys"));
    }
    if (keys.previousSigningKey.isEmpty() != keys.previousServiceKey.isEmpty())
        return bad(QStringLiteral("previousSigningKey and previousServiceKey come together"));
    if (keys.signingKey == configuredSigningKey || keys.previousSigningKey == configuredSigningKey)
        return keys;
    return configured;
}

Result<void> SigningKeys::save(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot write key file %1: %2").arg(path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QJsonObject o{{kSigning, signingKey}, {kService, serviceKey}};
    if (!previousSigningKey.isEmpty()) {
        o.insert(kPreviousSigning, previousSigningKey);
        o.insert(kPreviousService, previousServiceKey);
        o.insert(kPreviousUntil, previousUntil);
    }
    file.write(QJsonDocument(o).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot write key file %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace Provisio::HubAuth
