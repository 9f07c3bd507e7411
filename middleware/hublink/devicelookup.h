// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "storage/registrationstore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QString>

#include <optional>

namespace Provisio {

// Which registration a device id on a hub belongs to, for every message a
// device sends (presence, telemetry): asked of the database once and then
// remembered for a while, with a bounded memory.
class DeviceLookup
{
public:
    struct Entry
    {
        QString registrationId;
        QString hubHost;
        qint64 at = 0; // ms since the lookup was created
    };

    DeviceLookup(RegistrationStore &registrations, int maxTrackedDevices);

    // The assigned registration of `deviceId` on `hubHost`, remembered;
    // nullopt when there is none (or the database cannot tell now).
    std::optional<Entry> find(const QString &deviceId, const QString &hubHost);
    // The registration that assigns `deviceId` to `hubHost`, empty when none
    // does; not remembered.
    Result<QString> assignedRegistrationOn(const QString &deviceId, const QString &hubHost);
    // The device's registration changed: ask the database again next time.
    void forget(const QString &deviceId) { m_entries.remove(deviceId); }

private:
    RegistrationStore &m_registrations;
    int m_maxTrackedDevices;
    QHash<QString, Entry> m_entries; // device id -> registration
    QElapsedTimer m_clock;
};

} // namespace Provisio
