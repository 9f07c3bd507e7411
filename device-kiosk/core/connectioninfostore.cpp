// SPDX-License-Identifier: Apache-2.0
#include "connectioninfostore.h"

#include "securefile.h"

#include "protocol/jsonreader.h"

#include <QDir>
#include <QJsonDocument>

namespace Provisio::Kiosk {

namespace {
const auto kFileName = QStringLiteral("connection.json");
}

ConnectionInfoStore::ConnectionInfoStore(const QString &directory) : m_directory(directory) { }

QString ConnectionInfoStore::filePath() const
{
    return QDir(m_directory).filePath(kFileName);
}

Result<void> ConnectionInfoStore::save(const ConnectionInfo &info)
{
    return SecureFile::write(m_directory, kFileName, QJsonDocument(info.toJson()).toJson(QJsonDocument::Indented));
}

Result<std::optional<ConnectionInfo>> ConnectionInfoStore::load() const
{
    const auto data = SecureFile::read(m_directory, kFileName);
    if (!data)
        return data.error();
    if (!data->has_value())
        return std::optional<ConnectionInfo>();
    const auto json = parseJsonObject(**data);
    if (!json)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("stored connection %1 is corrupt: %2").arg(filePath(), json.error().message));
    auto info = ConnectionInfo::fromJson(*json);
    if (!info)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("stored connection %1 is corrupt: %2").arg(filePath(), info.error().message));
    return std::optional<ConnectionInfo>(std::move(info).value());
}

Result<void> ConnectionInfoStore::clear()
{
    return SecureFile::remove(m_directory, kFileName);
}

} // namespace Provisio::Kiosk
