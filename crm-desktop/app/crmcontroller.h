// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QUrlQuery>

namespace Provisio::Crm {

class ApiClient;
class BatchOperation;
class DeviceBatchJob;

// Owns every change the main window's views ask for: selling, enrolling,
// enabling, deleting, saving customers and hubs. Views call these methods
// with what the user chose and never touch the network; each change runs as
// a BatchOperation the window shows with progress, and ends with
// recordsChanged() so the affected tables reload.
class CrmController : public QObject
{
    Q_OBJECT
public:
    enum Area { Inventory = 1, Customers = 2, Enrollments = 4, Hubs = 8, Policy = 16, AccessPolicies = 32 };
    Q_DECLARE_FLAGS(Areas, Area)

    explicit CrmController(ApiClient *api, QObject *parent = nullptr);
    ApiClient *api() const { return m_api; }

    // The registration id an enrollment for this serial gets: the serial in
    // lower case (DPS ids are case-insensitive), if that is a valid id.
    static QString registrationIdForSerial(const QString &serial, QString *error = nullptr);

    BatchOperation *sellDevices(const QStringList &serials, const QString &customerId, const QString &customerName);
    BatchOperation *returnDevices(const QStringList &serials);
    // One inventory device: creates it when `creating`, else merges the
    // fields into the stored record guarded by `etag`.
    BatchOperation *saveDevice(const QJsonObject &device, const QByteArray &etag, bool creating);
    // Retires a device (status "retired", the API's own retirement: it
    // stays in the inventory, cannot be sold without force and is never
    // marked provisioned again) and, when it has an enrollment
    // (registrationId not empty), disables that too, so the device can no
    // longer register and is disconnected from its hub.
    BatchOperation *retireDevice(const QString &serial, const QByteArray &etag, const QString &registrationId);
    BatchOperation *createEnrollments(const QStringList &serials, const QJsonObject &tags, const QJsonObject &desired,
                                      bool enabled);
    BatchOperation *setEnrollmentsEnabled(const QStringList &registrationIds, bool enabled);
    // which: "primary", "secondary" or "both"
    BatchOperation *regenerateKeys(const QStringList &registrationIds, const QString &which);
    BatchOperation *deleteEnrollments(const QStringList &registrationIds);
    // E-mails each device's activation card (a fresh code) to its customer.
    BatchOperation *mailActivationCards(const QStringList &serials);
    // An action over every device the inventory filter `filter` matches,
    // run by the middleware as a batch job; `body` is the action and its
    // arguments, `successText` has %1 = devices changed.
    DeviceBatchJob *runOnAllMatching(const QString &title, const QUrlQuery &filter, const QJsonObject &body,
                                     const QString &successText, Areas areas);

    // No "id" member: creates; otherwise updates guarded by `etag`.
    BatchOperation *saveCustomer(const QJsonObject &customer, const QByteArray &etag);
    BatchOperation *deleteCustomer(const QString &id, const QString &name);
    BatchOperation *saveHub(const QString &name, const QJsonObject &hub, const QByteArray &etag, bool creating);
    // A new signing key; the hub accepts the replaced one for `overlapSeconds`.
    BatchOperation *rotateHubKey(const QString &name, qint64 overlapSeconds);
    BatchOperation *setAllocationPolicy(const QJsonObject &policy, const QByteArray &etag);
    // A shared access policy with every right, for the provisioning service
    // (hub empty) or a hub; its connection string comes once, in
    // accessPolicyCreated().
    BatchOperation *createAccessPolicy(const QString &name, const QString &hub);
    BatchOperation *revokeAccessPolicy(const QString &id, const QString &name);
    // Reads the instance's policy: allocationPolicyLoaded() or loadFailed().
    void loadAllocationPolicy();

Q_SIGNALS:
    // A change began; `successText` has %1 = succeeded, %2 = total.
    void operationStarted(Provisio::Crm::BatchOperation *operation, const QString &successText);
    void recordsChanged(Provisio::Crm::CrmController::Areas areas);
    // A batch job on the middleware began; `successText` has %1 = changed.
    void jobStarted(Provisio::Crm::DeviceBatchJob *job, const QString &successText);
    // A hub signing key, shown once by the window and never logged.
    void signingKeyIssued(const QString &hubName, const QString &signingKey);
    void customerSaved(const QJsonObject &customer);
    // A new policy's connection string, shown once by the window and never logged.
    void accessPolicyCreated(const QString &name, const QString &connectionString);
    void allocationPolicyLoaded(const QJsonObject &policy);
    void loadFailed(const QString &message);

private:
    BatchOperation *launch(BatchOperation *operation, const QString &successText, Areas areas);

    ApiClient *m_api;
};

} // namespace Provisio::Crm

Q_DECLARE_OPERATORS_FOR_FLAGS(Provisio::Crm::CrmController::Areas)
