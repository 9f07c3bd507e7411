// SPDX-License-Identifier: Apache-2.0
#include "revocationlist.h"

#include "crypto/registrationid.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace Provisio::HubAuth {

Result<RevocationList> RevocationList::load(const QString &path)
{
    RevocationList list;
    list.m_path = path;
    QFile file(path);
    if (!file.exists())
        return list;
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot read revocation file %1: %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject() ||
        !doc.object().value(QStringLiteral("revoked")).isArray()) {
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("revocation file %1 is not {\"revoked\": [device ids]}").arg(path));
    }
    const QJsonArray ids = doc.object().value(QStringLiteral("revoked")).toArray();
    for (const QJsonValue &v : ids) {
        const QString id = v.toString();
        if (!v.isString() || !Crypto::validateDeviceId(id))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("revocation file %1 holds an invalid device id").arg(path));
        list.m_ids.insert(id.toStdString());
    }
    const QJsonValue generations = doc.object().value(QStringLiteral("generations"));
    if (!generations.isUndefined() && !generations.isObject())
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("revocation file %1: \"generations\" is not an object").arg(path));
    const QJsonObject byDevice = generations.toObject();
    for (auto it = byDevice.begin(); it != byDevice.end(); ++it) {
        const double n = it.value().toDouble(-1);
        if (!Crypto::validateDeviceId(it.key()) || !it.value().isDouble() || n < 0 || n > kMaxGeneration ||
            n != double(qint64(n))) {
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("revocation file %1 holds an invalid generation").arg(path));
        }
        if (n > 0)
            list.m_generations[it.key().toStdString()] = quint32(n);
    }
    return list;
}

bool RevocationList::insert(const QString &deviceId)
{
    return m_ids.insert(deviceId.toStdString()).second;
}

bool RevocationList::erase(const QString &deviceId)
{
    return m_ids.erase(deviceId.toStdString()) != 0;
}

quint32 RevocationList::generation(const QString &deviceId) const
{
    const auto it = m_generations.find(deviceId.toStdString());
    return it == m_generations.end() ? 0 : it->second;
}

bool RevocationList::raiseGeneration(const QString &deviceId, quint32 generation)
{
    if (generation == 0 || generation > kMaxGeneration)
        return false;
    quint32 &current = m_generations[deviceId.toStdString()];
    if (generation <= current)
        return false;
    current = generation;
    return true;
}

QStringList RevocationList::ids() const
{
    QStringList out;
    out.reserve(qsizetype(m_ids.size()));
    for (const std::string &id : m_ids)
        out << QString::fromStdString(id);
    std::sort(out.begin(), out.end());
    return out;
}

Result<void> RevocationList::save() const
{
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot write revocation file %1: %2").arg(m_path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QJsonObject generations;
    for (const auto &[id, generation] : m_generations)
        generations.insert(QString::fromStdString(id), qint64(generation));
    const QJsonObject doc{{QStringLiteral("revoked"), QJsonArray::fromStringList(ids())},
                          {QStringLiteral("generations"), generations}};
    file.write(QJsonDocument(doc).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot write revocation file %1: %2").arg(m_path, file.errorString()));
    return {};
}

} // namespace Provisio::HubAuth
