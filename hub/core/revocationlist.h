// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>

#include <string>
#include <unordered_set>

// Devices the hub refuses whatever token they present, persisted so that a
// broker restart does not readmit them. The file is JSON,
//   {"revoked": ["device-1", "device-2"]}
// written to a temporary file and renamed over the old one (QSaveFile), so a
// crash leaves the old or the new list, never half of one.
namespace Provisio::HubAuth {

class RevocationList
{
public:
    // Loads `path`; a missing file is an empty list. A file that exists but
    // cannot be read or parsed is an error: starting with an empty list would
    // readmit revoked devices.
    static Result<RevocationList> load(const QString &path);

    bool contains(const std::string &deviceId) const { return m_ids.count(deviceId) != 0; }
    bool contains(const QString &deviceId) const { return contains(deviceId.toStdString()); }
    // True when the list changed.
    bool insert(const QString &deviceId);
    bool erase(const QString &deviceId);
    QStringList ids() const; // sorted
    int size() const { return int(m_ids.size()); }

    // Writes the list atomically (0600) to the path it was loaded from.
    Result<void> save() const;
    QString path() const { return m_path; }

private:
    QString m_path;
    std::unordered_set<std::string> m_ids;
};

} // namespace Provisio::HubAuth
