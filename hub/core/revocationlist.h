// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>

#include <string>
#include <unordered_map>
#include <unordered_set>

// Devices the hub refuses whatever token they present, and the credential
// generation of every device whose hub key was rotated, persisted so that a
// broker restart neither readmits a revoked device nor an old key. The file
// is JSON,
//   {"revoked": ["device-1", "device-2"], "generations": {"device-3": 2}}
// ("generations" may be absent: every device at generation 0)
// written to a temporary file and renamed over the old one (QSaveFile), so a
// crash leaves the old or the new list, never half of one.
namespace Provisio::HubAuth {

// Generations are counted from 0; the bound keeps them exact in JSON.
inline constexpr quint32 kMaxGeneration = 1u << 30;

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

    // The generation of the device's hub key the hub accepts (see
    // CredentialChecker); 0 unless raised.
    quint32 generation(const QString &deviceId) const;
    // Raises the device's generation to `generation`; never lowers it, so a
    // late or repeated command cannot bring an older key back. True when it
    // rose.
    bool raiseGeneration(const QString &deviceId, quint32 generation);
    int generationCount() const { return int(m_generations.size()); }

    // Writes the list atomically (0600) to the path it was loaded from.
    Result<void> save() const;
    QString path() const { return m_path; }

private:
    QString m_path;
    std::unordered_set<std::string> m_ids;
    std::unordered_map<std::string, quint32> m_generations;
};

} // namespace Provisio::HubAuth
