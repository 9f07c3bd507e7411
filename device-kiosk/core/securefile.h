// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace Provisio::Kiosk {

// Owner-only, atomic files for what the device keeps about itself (the hub
// connection, its DPS credentials, its settings). Several of them hold keys,
// so every file is 0600 in a 0700 directory, and each is replaced atomically
// (temporary file, fsync, rename, fsync of the directory) so a power cut
// during a save leaves the old or the new content, never a torn file.
namespace SecureFile {

// Writes `data` to `directory/name`, creating the directory when needed.
Result<void> write(const QString &directory, const QString &name, const QByteArray &data);
// std::nullopt when the file does not exist; an error naming the file when it
// exists but cannot be read.
Result<std::optional<QByteArray>> read(const QString &directory, const QString &name);
// Removes the file; succeeds when it is already gone.
Result<void> remove(const QString &directory, const QString &name);

} // namespace SecureFile

} // namespace Provisio::Kiosk
