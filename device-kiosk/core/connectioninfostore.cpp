// SPDX-License-Identifier: Apache-2.0
#include "connectioninfostore.h"

#include "protocol/jsonreader.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

#include <fcntl.h>
#include <unistd.h>

namespace Provisio::Kiosk {

namespace {

constexpr QFileDevice::Permissions OwnerOnlyFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions OwnerOnlyDir =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;

// After the rename the directory entry must reach the disk too, or a power
// cut can bring the old file back.
void syncDirectory(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

ConnectionInfoStore::ConnectionInfoStore(const QString &directory) : m_directory(directory) {}

QString ConnectionInfoStore::filePath() const
{
    return QDir(m_directory).filePath(QStringLiteral("connection.json"));
}

Result<void> ConnectionInfoStore::save(const ConnectionInfo &info)
{
    if (!QDir().mkpath(m_directory))
        return Error(ErrorCode::Internal, QStringLiteral("cannot create directory %1").arg(m_directory));
    if (!QFile::setPermissions(m_directory, OwnerOnlyDir))
        return Error(ErrorCode::Internal, QStringLiteral("cannot make directory %1 owner-only").arg(m_directory));

    QSaveFile file(filePath());
    if (!file.open(QIODevice::WriteOnly))
        return Error(ErrorCode::Internal,
                     QStringLiteral("cannot write %1: %2").arg(filePath(), file.errorString()));
    // Restrict the temporary file before the key is written into it.
    if (!file.setPermissions(OwnerOnlyFile)) {
        file.cancelWriting();
        return Error(ErrorCode::Internal, QStringLiteral("cannot make %1 owner-only").arg(filePath()));
    }
    const QByteArray data = QJsonDocument(info.toJson()).toJson(QJsonDocument::Indented);
    if (file.write(data) != data.size() || !file.flush() || ::fsync(file.handle()) != 0) {
        const QString why = file.errorString();
        file.cancelWriting();
        return Error(ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(filePath(), why));
    }
    if (!file.commit())
        return Error(ErrorCode::Internal,
                     QStringLiteral("cannot replace %1: %2").arg(filePath(), file.errorString()));
    syncDirectory(m_directory);
    return {};
}

Result<std::optional<ConnectionInfo>> ConnectionInfoStore::load() const
{
    QFile file(filePath());
    if (!file.exists())
        return std::optional<ConnectionInfo>();
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::Internal,
                     QStringLiteral("cannot read %1: %2").arg(filePath(), file.errorString()));
    const auto json = parseJsonObject(file.readAll());
    if (!json)
        return Error(ErrorCode::InvalidInput, QStringLiteral("stored connection %1 is corrupt: %2")
                                                  .arg(filePath(), json.error().message));
    auto info = ConnectionInfo::fromJson(*json);
    if (!info)
        return Error(ErrorCode::InvalidInput, QStringLiteral("stored connection %1 is corrupt: %2")
                                                  .arg(filePath(), info.error().message));
    return std::optional<ConnectionInfo>(std::move(info).value());
}

Result<void> ConnectionInfoStore::clear()
{
    QFile file(filePath());
    if (file.exists() && !file.remove())
        return Error(ErrorCode::Internal,
                     QStringLiteral("cannot remove %1: %2").arg(filePath(), file.errorString()));
    syncDirectory(m_directory);
    return {};
}

} // namespace Provisio::Kiosk
