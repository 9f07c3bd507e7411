// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "storage/hublinkstore.h"

#include <QByteArray>
#include <QString>

namespace Provisio {

struct ServiceContext;
class DeviceLookup;

// Whether a device is connected, as it says on devices/{id}/status
// ("online", or "offline" from itself or its last will): recorded once for
// the twin and the registrations API (connectionState, lastActivityTime),
// and announced as device.online / device.offline when it changes.
class Presence
{
public:
    Presence(ServiceContext &ctx, DeviceLookup &lookup);

    void handleStatus(const QString &hubHost, const QString &deviceId, const QByteArray &payload);

private:
    ServiceContext &m_ctx;
    DeviceLookup &m_lookup;
    HubLinkStore m_store;
};

} // namespace Provisio
