// SPDX-License-Identifier: Apache-2.0
#include "crmcontroller.h"

#include "apiclient.h"
#include "applogging.h"
#include "batchoperation.h"
#include "devicebatchjob.h"

#include "crypto/registrationid.h"
#include "protocol/enrollment.h"

#include "apicall.h"

#include <QJsonDocument>

namespace Provisio::Crm {

CrmController::CrmController(ApiClient *api, QObject *parent) : QObject(parent), m_api(api)
{
    qRegisterMetaType<Provisio::Crm::CrmController::Areas>();
}

QString CrmController::registrationIdForSerial(const QString &serial, QString *error)
{
    const QString id = Crypto::normalizeRegistrationId(serial);
    const auto valid = Crypto::validateRegistrationId(id);
    if (!valid.ok()) {
        if (error)
            *error = valid.error().message;
        return {};
    }
    return id;
}

BatchOperation *CrmController::launch(BatchOperation *operation, const QString &successText, Areas areas)
{
    connect(operation, &BatchOperation::finished, this, [this, operation, areas] {
        if (operation->succeeded() > 0)
            Q_EMIT recordsChanged(areas);
    });
    Q_EMIT operationStarted(operation, successText);
    operation->start();
    return operation;
}

DeviceBatchJob *CrmController::runOnAllMatching(const QString &title, const QUrlQuery &filter, const QJsonObject &body,
                                                const QString &successText, Areas areas)
{
    auto *job = new DeviceBatchJob(m_api, title, filter, body, this);
    // Even a cancelled or refused job may have changed devices before it
    // stopped: the views reload either way.
    connect(job, &DeviceBatchJob::finished, this, [this, areas] { Q_EMIT recordsChanged(areas); });
    qCInfo(lcCrmUi) << "batch job" << body.value(QStringLiteral("action")).toString() << "on"
                    << filter.toString(QUrl::FullyDecoded);
    Q_EMIT jobStarted(job, successText);
    job->start();
    return job;
}

BatchOperation *CrmController::sellDevices(const QStringList &serials, const QString &customerId,
                                           const QString &customerName)
{
    auto *op = new BatchOperation(tr("Selling to %1").arg(customerName), this);
    for (const QString &serial : serials) {
        op->addStep(serial, [this, serial, customerId] {
            return m_api->post(QStringLiteral("devices/") + ApiClient::segment(serial) + QStringLiteral("/sell"),
                               QJsonObject{{QStringLiteral("customerId"), customerId}});
        });
    }
    qCInfo(lcCrmUi) << "selling" << serials.size() << "device(s) to" << customerId;
    return launch(op,
                  (serials.size() == 1 ? tr("Sold %1 of %2 device to %3.") : tr("Sold %1 of %2 devices to %3."))
                      .arg(QStringLiteral("%1"), QStringLiteral("%2"), customerName),
                  Inventory);
}

BatchOperation *CrmController::returnDevices(const QStringList &serials)
{
    auto *op = new BatchOperation(tr("Returning devices"), this);
    for (const QString &serial : serials) {
        op->addStep(serial, [this, serial] {
            return m_api->post(QStringLiteral("devices/") + ApiClient::segment(serial) + QStringLiteral("/return"),
                               QJsonObject());
        });
    }
    return launch(
        op, serials.size() == 1 ? tr("Returned %1 of %2 device to stock.") : tr("Returned %1 of %2 devices to stock."),
        Inventory);
}

BatchOperation *CrmController::saveDevice(const QJsonObject &device, const QByteArray &etag, bool creating)
{
    const QString serial = device.value(QStringLiteral("serial")).toString();
    auto *op = new BatchOperation(creating ? tr("Adding device") : tr("Saving device"), this);
    op->addStep(serial, [this, device, etag, creating, serial] {
        if (creating)
            return m_api->post(QStringLiteral("devices"), device);
        QJsonObject body = device;
        body.remove(QStringLiteral("serial"));
        return m_api->patch(QStringLiteral("devices/") + ApiClient::segment(serial), body, etag);
    });
    return launch(op, creating ? tr("Device %1 added.").arg(serial) : tr("Device %1 saved.").arg(serial), Inventory);
}

BatchOperation *CrmController::retireDevice(const QString &serial, const QByteArray &etag,
                                            const QString &registrationId)
{
    auto *op = new BatchOperation(tr("Retiring device"), this);
    op->addStep(serial, [this, serial, etag] {
        return m_api->patch(QStringLiteral("devices/") + ApiClient::segment(serial),
                            QJsonObject{{QStringLiteral("status"), QStringLiteral("retired")}}, etag);
    });
    if (!registrationId.isEmpty()) {
        op->addStep(tr("%1: disable its enrollment").arg(serial), [this, registrationId] {
            return m_api->post(QStringLiteral("enrollments/") + ApiClient::segment(registrationId) +
                                   QStringLiteral("/disable"),
                               QJsonObject());
        });
    }
    return launch(op, tr("Device %1 retired.").arg(serial),
                  registrationId.isEmpty() ? Inventory : Inventory | Enrollments);
}

BatchOperation *CrmController::createEnrollments(const QStringList &serials, const QJsonObject &tags,
                                                 const QJsonObject &desired, bool enabled)
{
    auto *op = new BatchOperation(tr("Creating enrollments"), this);
    for (const QString &serial : serials) {
        QString error;
        const QString id = registrationIdForSerial(serial, &error);
        if (id.isEmpty()) {
            op->addFailure(serial, tr("no valid registration id (%1)").arg(error));
            continue;
        }
        Enrollment enrollment;
        enrollment.registrationId = id;
        enrollment.serial = serial;
        enrollment.provisioningStatus = enabled ? ProvisioningStatus::Enabled : ProvisioningStatus::Disabled;
        enrollment.initialTwin.tags = tags;
        enrollment.initialTwin.desiredProperties = desired;
        const QJsonObject body = enrollment.toJson(); // keys left empty: the middleware generates them
        op->addStep(serial, [this, id, body] {
            // If-Match "*" is not sent: an existing enrollment must not be
            // replaced by a create, so the middleware's 409 on a bound
            // serial is what the user sees.
            return m_api->put(QStringLiteral("enrollments/") + ApiClient::segment(id), body);
        });
    }
    return launch(op, serials.size() == 1 ? tr("Created %1 of %2 enrollment.") : tr("Created %1 of %2 enrollments."),
                  Enrollments | Inventory);
}

BatchOperation *CrmController::setEnrollmentsEnabled(const QStringList &registrationIds, bool enabled)
{
    auto *op = new BatchOperation(enabled ? tr("Enabling enrollments") : tr("Disabling enrollments"), this);
    const QString action = enabled ? QStringLiteral("/enable") : QStringLiteral("/disable");
    for (const QString &id : registrationIds) {
        op->addStep(id, [this, id, action] {
            return m_api->post(QStringLiteral("enrollments/") + ApiClient::segment(id) + action, QJsonObject());
        });
    }
    const bool one = registrationIds.size() == 1;
    return launch(op,
                  enabled ? (one ? tr("Enabled %1 of %2 enrollment.") : tr("Enabled %1 of %2 enrollments."))
                          : (one ? tr("Disabled %1 of %2 enrollment.") : tr("Disabled %1 of %2 enrollments.")),
                  Enrollments | Inventory);
}

BatchOperation *CrmController::regenerateKeys(const QStringList &registrationIds, const QString &which)
{
    auto *op = new BatchOperation(tr("Regenerating keys"), this);
    for (const QString &id : registrationIds) {
        op->addStep(id, [this, id, which] {
            return m_api->post(QStringLiteral("enrollments/") + ApiClient::segment(id) +
                                   QStringLiteral("/regenerate-keys"),
                               QJsonObject{{QStringLiteral("key"), which}});
        });
    }
    return launch(op,
                  registrationIds.size() == 1 ? tr("New keys for %1 of %2 enrollment.")
                                              : tr("New keys for %1 of %2 enrollments."),
                  Enrollments);
}

BatchOperation *CrmController::deleteEnrollments(const QStringList &registrationIds)
{
    auto *op = new BatchOperation(tr("Deleting enrollments"), this);
    for (const QString &id : registrationIds) {
        op->addStep(id, [this, id] { return m_api->remove(QStringLiteral("enrollments/") + ApiClient::segment(id)); });
    }
    return launch(
        op, registrationIds.size() == 1 ? tr("Deleted %1 of %2 enrollment.") : tr("Deleted %1 of %2 enrollments."),
        Enrollments | Inventory);
}

BatchOperation *CrmController::mailActivationCards(const QStringList &serials)
{
    auto *op = new BatchOperation(tr("E-mailing activation cards"), this);
    for (const QString &serial : serials) {
        QString error;
        const QString id = registrationIdForSerial(serial, &error);
        if (id.isEmpty()) {
            op->addFailure(serial, tr("no valid registration id (%1)").arg(error));
            continue;
        }
        op->addStep(serial, [this, id] {
            return m_api->post(QStringLiteral("enrollments/") + ApiClient::segment(id) +
                                   QStringLiteral("/activation-email"),
                               QJsonObject());
        });
    }
    return launch(op,
                  serials.size() == 1 ? tr("Queued %1 of %2 activation e-mail; the device view shows its delivery.")
                                      : tr("Queued %1 of %2 activation e-mails; the device view shows their delivery."),
                  Enrollments);
}

BatchOperation *CrmController::saveCustomer(const QJsonObject &customer, const QByteArray &etag)
{
    const QString id = customer.value(QStringLiteral("id")).toString();
    const QString name = customer.value(QStringLiteral("name")).toString();
    auto *op = new BatchOperation(id.isEmpty() ? tr("Creating customer") : tr("Saving customer"), this);
    QJsonObject body = customer;
    body.remove(QStringLiteral("id"));
    body.remove(QStringLiteral("etag"));
    body.remove(QStringLiteral("createdDateTimeUtc"));
    body.remove(QStringLiteral("lastUpdatedDateTimeUtc"));
    op->addStep(
        name,
        [this, id, body, etag] {
            if (id.isEmpty())
                return m_api->post(QStringLiteral("customers"), body);
            return m_api->patch(QStringLiteral("customers/") + ApiClient::segment(id), body, etag);
        },
        [this](const QJsonDocument &answer, const QByteArray &) { Q_EMIT customerSaved(answer.object()); });
    return launch(op, id.isEmpty() ? tr("Customer %1 created.").arg(name) : tr("Customer %1 saved.").arg(name),
                  Customers | Inventory);
}

BatchOperation *CrmController::deleteCustomer(const QString &id, const QString &name)
{
    auto *op = new BatchOperation(tr("Deleting customer"), this);
    op->addStep(name, [this, id] { return m_api->remove(QStringLiteral("customers/") + ApiClient::segment(id)); });
    return launch(op, tr("Customer %1 deleted.").arg(name), Customers);
}

BatchOperation *CrmController::saveHub(const QString &name, const QJsonObject &hub, const QByteArray &etag,
                                       bool creating)
{
    auto *op = new BatchOperation(creating ? tr("Linking hub") : tr("Saving hub"), this);
    op->addStep(
        name,
        [this, name, hub, etag] { return m_api->put(QStringLiteral("hubs/") + ApiClient::segment(name), hub, etag); },
        [this, name](const QJsonDocument &answer, const QByteArray &) {
            const QString key = answer.object().value(QStringLiteral("signingKey")).toString();
            if (!key.isEmpty())
                Q_EMIT signingKeyIssued(name, key);
        });
    return launch(op, creating ? tr("Hub %1 linked.").arg(name) : tr("Hub %1 saved.").arg(name), Hubs);
}

BatchOperation *CrmController::rotateHubKey(const QString &name, qint64 overlapSeconds)
{
    auto *op = new BatchOperation(tr("Rotating hub key"), this);
    op->addStep(
        name,
        [this, name, overlapSeconds] {
            return m_api->post(QStringLiteral("hubs/") + ApiClient::segment(name) + QStringLiteral("/rotate-key"),
                               QJsonObject{{QStringLiteral("overlapSeconds"), overlapSeconds}});
        },
        [this, name](const QJsonDocument &answer, const QByteArray &) {
            const QString key = answer.object().value(QStringLiteral("signingKey")).toString();
            if (!key.isEmpty())
                Q_EMIT signingKeyIssued(name, key);
        });
    return launch(op, tr("Hub %1 has a new signing key.").arg(name), Hubs);
}

BatchOperation *CrmController::createAccessPolicy(const QString &name, const QString &hub)
{
    auto *op = new BatchOperation(tr("Creating access policy"), this);
    QJsonObject body{{QStringLiteral("name"), name}};
    if (!hub.isEmpty())
        body.insert(QStringLiteral("hub"), hub);
    op->addStep(
        name, [this, body] { return m_api->post(QStringLiteral("access-policies"), body); },
        [this, name](const QJsonDocument &answer, const QByteArray &) {
            const QString connectionString = answer.object().value(QStringLiteral("connectionString")).toString();
            if (!connectionString.isEmpty())
                Q_EMIT accessPolicyCreated(name, connectionString);
        });
    return launch(op, tr("Access policy %1 created.").arg(name), AccessPolicies);
}

BatchOperation *CrmController::revokeAccessPolicy(const QString &id, const QString &name)
{
    auto *op = new BatchOperation(tr("Revoking access policy"), this);
    op->addStep(name,
                [this, id] { return m_api->remove(QStringLiteral("access-policies/") + ApiClient::segment(id)); });
    return launch(op, tr("Access policy %1 revoked.").arg(name), AccessPolicies);
}

BatchOperation *CrmController::setAllocationPolicy(const QJsonObject &policy, const QByteArray &etag)
{
    auto *op = new BatchOperation(tr("Saving allocation policy"), this);
    op->addStep(tr("allocation policy"),
                [this, policy, etag] { return m_api->put(QStringLiteral("allocation-policy"), policy, etag); });
    return launch(op, tr("Allocation policy saved."), Policy);
}

void CrmController::loadAllocationPolicy()
{
    ApiCall *call = m_api->get(QStringLiteral("allocation-policy"));
    connect(call, &ApiCall::finished, this, [this](const QJsonDocument &body, const QByteArray &etag) {
        QJsonObject policy = body.object();
        if (!policy.contains(QStringLiteral("etag")) && !etag.isEmpty())
            policy.insert(QStringLiteral("etag"), QString::fromUtf8(etag));
        Q_EMIT allocationPolicyLoaded(policy);
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &failure) {
        if (!failure.aborted)
            Q_EMIT loadFailed(tr("Could not read the allocation policy: %1").arg(failure.message));
    });
}

} // namespace Provisio::Crm
