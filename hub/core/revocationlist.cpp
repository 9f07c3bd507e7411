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
    const QJsonObject doc{{QStringLiteral("revoked"), QJsonArray::fromStringList(ids())}};
    file.write(QJsonDocument(doc).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot write revocation file %1: %2").arg(m_path, file.errorString()));
    return {};
}

} // namespace Provisio::HubAuth
