// SPDX-License-Identifier: Apache-2.0
#include "devicelookup.h"

namespace Provisio {

namespace {
constexpr int kLookupTtlMs = 30000;
}

DeviceLookup::DeviceLookup(RegistrationStore &registrations, int maxTrackedDevices)
    : m_registrations(registrations), m_maxTrackedDevices(maxTrackedDevices)
{
    m_clock.start();
}

Result<QString> DeviceLookup::assignedRegistrationOn(const QString &deviceId, const QString &hubHost)
{
    RegistrationStore::Filter filter;
    filter.deviceId = deviceId;
    filter.assignedHub = hubHost;
    filter.status = QStringLiteral("assigned");
    PageRequest page;
    page.limit = 1;
    auto found = m_registrations.list(filter, page);
    if (!found)
        return found.error();
    return found->items.isEmpty() ? QString() : found->items.first().state.registrationId;
}

std::optional<DeviceLookup::Entry> DeviceLookup::find(const QString &deviceId, const QString &hubHost)
{
    const qint64 now = m_clock.elapsed();
    const auto it = m_entries.constFind(deviceId);
    if (it != m_entries.constEnd() && now - it->at < kLookupTtlMs && it->hubHost == hubHost) {
        if (it->registrationId.isEmpty())
            return std::nullopt;
        return *it;
    }
    auto found = assignedRegistrationOn(deviceId, hubHost);
    if (!found)
        return std::nullopt; // database trouble: try again next time
    if (m_entries.size() > m_maxTrackedDevices)
        m_entries.clear();
    Entry entry{*found, hubHost, now};
    m_entries.insert(deviceId, entry);
    if (entry.registrationId.isEmpty())
        return std::nullopt;
    return entry;
}

} // namespace Provisio
