// SPDX-License-Identifier: Apache-2.0
#include "securefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <fcntl.h>
#include <unistd.h>

namespace Provisio::Kiosk::SecureFile {

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

Result<void> write(const QString &directory, const QString &name, const QByteArray &data)
{
    if (!QDir().mkpath(directory))
        return Error(ErrorCode::Internal, QStringLiteral("cannot create directory %1").arg(directory));
    if (!QFile::setPermissions(directory, OwnerOnlyDir))
        return Error(ErrorCode::Internal, QStringLiteral("cannot make directory %1 owner-only").arg(directory));

    const QString path = QDir(directory).filePath(name);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    // Restrict the temporary file before any secret is written into it.
    if (!file.setPermissions(OwnerOnlyFile)) {
        file.cancelWriting();
        return Error(ErrorCode::Internal, QStringLiteral("cannot make %1 owner-only").arg(path));
    }
    if (file.write(data) != data.size() || !file.flush() || ::fsync(file.handle()) != 0) {
        const QString why = file.errorString();
        file.cancelWriting();
        return Error(ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(path, why));
    }
    if (!file.commit())
        return Error(ErrorCode::Internal, QStringLiteral("cannot replace %1: %2").arg(path, file.errorString()));
    syncDirectory(directory);
    return {};
}

Result<std::optional<QByteArray>> read(const QString &directory, const QString &name)
{
    const QString path = QDir(directory).filePath(name);
    QFile file(path);
    if (!file.exists())
        return std::optional<QByteArray>();
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::Internal, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return std::optional<QByteArray>(file.readAll());
}

Result<void> remove(const QString &directory, const QString &name)
{
    const QString path = QDir(directory).filePath(name);
    QFile file(path);
    if (file.exists() && !file.remove())
        return Error(ErrorCode::Internal, QStringLiteral("cannot remove %1: %2").arg(path, file.errorString()));
    if (QFileInfo::exists(directory))
        syncDirectory(directory);
    return {};
}

} // namespace Provisio::Kiosk::SecureFile
