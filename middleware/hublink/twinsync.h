// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "domain/eventbus.h"
#include "storage/hublinkstore.h"
#include "storage/registrationstore.h"

#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <optional>

namespace Provisio {

struct ServiceContext;
class HubConnections;

// A device's twin between the middleware and its hub: publishes the desired
// properties retained with `$version` (on assignment, on every change, and
// after a reconnect or on a periodic rescan for whatever a hub missed),
// merges the reported patches the device sends into the registration's
// twin, records the provisioning status it reports and moves its inventory
// record to `provisioned` when it says so.
class TwinSync : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int desiredRescanMs = 300000;     // catch missed desired publishes
        int maxReportedBytes = 32 * 1024; // Azure's limit for a twin section
    };

    TwinSync(ServiceContext &ctx, HubConnections &connections, RegistrationStore &registrations, Options options,
             QObject *parent = nullptr);

    void start();
    void onEvent(const DomainEvent &event);
    // A hub (re)connected: what changed while it was away goes out.
    void catchUp(const QString &hubHost);
    // A reported patch on devices/{id}/twin/reported, or on
    // devices/{id}/twin/reported/{rid}: then answered on
    // devices/{id}/twin/res/{status}/{rid}[/{version}] (204 with the new
    // reported $version; 400 malformed, 413 too large, 404 unknown, 500).
    void handleReported(const QString &hubHost, const QString &deviceId, const QByteArray &payload,
                        const QString &rid = QString());
    // devices/{id}/twin/get/{rid}: the device's view of its twin,
    // {"desired":{…,"$version"},"reported":{…,"$version"}}, answered on
    // devices/{id}/twin/res/200/{rid} (the hub relays it as IoT Hub's
    // $iothub/twin/res/200/?$rid= to that device alone).
    void handleGet(const QString &hubHost, const QString &deviceId, const QString &rid);

    // The assigned registration of a device id, else any of its registrations.
    Result<std::optional<RegistrationRecord>> registrationOf(const QString &deviceId);
    // Publishes the record's desired properties to its hub if connected
    // (otherwise the next connect does: the record lags until then).
    void publishDesired(const RegistrationRecord &record);

private:
    void publishDesiredDocument(const HubLinkStore::DesiredDocument &doc);
    // The HTTP-like status of a reported patch; `newVersion` on 204.
    int mergeReported(const QString &hubHost, const QString &deviceId, const QByteArray &payload, int &newVersion);
    // A twin answer (version < 0: none) on devices/{id}/twin/res/…
    void answer(const QString &hubHost, const QString &deviceId, const QString &rid, int status, int version,
                const QByteArray &body);
    void scanDesired(const QString &hubHost, const QString &afterKey);
    void markInventoryProvisioned(const QString &registrationId, const QString &hubHost);

    ServiceContext &m_ctx;
    HubConnections &m_connections;
    RegistrationStore &m_registrations;
    HubLinkStore m_store;
    Options m_options;
    QSet<QString> m_scanning; // hub hosts being scanned
    QTimer m_rescanTimer;
};

} // namespace Provisio
