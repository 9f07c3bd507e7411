// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connectioninfo.h"

#include "core/result.h"

#include <QString>

#include <optional>

namespace Provisio::Kiosk {

// Keeps the ConnectionInfo in one JSON file. The file holds the hub key, so
// it is owner-only (0600) in an owner-only directory (0700), and it is
// replaced atomically (write a temporary file, fsync, rename) so a power cut
// during save leaves either the old or the new connection, never a torn one.
class ConnectionInfoStore
{
public:
    explicit ConnectionInfoStore(const QString &directory);

    QString directory() const { return m_directory; }
    QString filePath() const;

    Result<void> save(const ConnectionInfo &info);
    // std::nullopt when nothing was stored yet; an error naming the file when
    // it cannot be read or is not a valid connection.
    Result<std::optional<ConnectionInfo>> load() const;
    // Removes the stored connection (the device provisions again). Succeeds
    // when there is nothing to remove.
    Result<void> clear();

private:
    QString m_directory;
};

} // namespace Provisio::Kiosk
