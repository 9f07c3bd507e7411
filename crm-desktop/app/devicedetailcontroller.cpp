// SPDX-License-Identifier: Apache-2.0
#include "devicedetailcontroller.h"

#include "apicall.h"
#include "apiclient.h"
#include "applogging.h"
#include "eventfeed.h"

#include <QJsonArray>
#include <QUrlQuery>

namespace Provisio::Crm {

DeviceDetailController::DeviceDetailController(ApiClient *api, EventFeed *feed, QObject *parent)
    : QObject(parent), m_api(api), m_feed(feed)
{
    if (feed)
        connect(feed, &EventFeed::eventReceived, this, &DeviceDetailController::onEvent);
}

QString DeviceDetailController::deviceId() const
{
    const QString fromRegistration = m_registration.value(QStringLiteral("deviceId")).toString();
    if (!fromRegistration.isEmpty())
        return fromRegistration;
    return m_enrollment ? m_enrollment->deviceId : QString();
}

bool DeviceDetailController::setEnrollment(const QJsonObject &json)
{
    m_enrollment.reset();
    if (!json.isEmpty()) {
        auto enrollment = Enrollment::fromJson(json);
        if (!enrollment) {
            Q_EMIT enrollmentLoaded({});
            Q_EMIT failed(tr("Enrollment of %1: the middleware's answer is unreadable: %2")
                              .arg(m_serial, enrollment.error().message));
            return false;
        }
        m_enrollment = std::move(*enrollment);
    }
    Q_EMIT enrollmentLoaded(json);
    return true;
}

void DeviceDetailController::setSerial(const QString &serial)
{
    if (serial == m_serial && !m_device.isEmpty())
        return;
    m_serial = serial;
    reload();
}

void DeviceDetailController::setPending(int delta)
{
    const bool before = m_pending > 0;
    m_pending = qMax(0, m_pending + delta);
    if (before != (m_pending > 0))
        Q_EMIT loadingChanged(m_pending > 0);
}

void DeviceDetailController::track(ApiCall *call)
{
    setPending(1);
    connect(call, &QObject::destroyed, this, [this] { setPending(-1); });
}

void DeviceDetailController::onCurrentAnswer(ApiCall *call, quint64 generation, const AnswerHandler &handle)
{
    // An answer for a device the view has since left is dropped.
    connect(call, &ApiCall::finished, this,
            [this, generation, handle](const QJsonDocument &body, const QByteArray &etag) {
                if (generation == m_generation)
                    handle(body, etag);
            });
}

void DeviceDetailController::reportFailure(ApiCall *call, quint64 generation, const QString &message, ErrorCode ignored)
{
    connect(call, &ApiCall::failed, this, [this, generation, message, ignored](const ApiFailure &f) {
        if (generation == m_generation && !f.aborted && (ignored == ErrorCode::None || f.code != ignored))
            Q_EMIT failed(message.arg(m_serial, f.message));
    });
}

void DeviceDetailController::reload()
{
    const quint64 generation = ++m_generation;
    m_device = {};
    m_enrollment.reset();
    m_registration = {};
    m_twin = {};
    m_twinEtag.clear();
    m_activationFailures = {};
    m_cloudMessages = {};
    if (m_serial.isEmpty())
        return;
    ApiCall *call = m_api->get(QStringLiteral("devices/") + ApiClient::segment(m_serial));
    track(call);
    onCurrentAnswer(call, generation, [this, generation](const QJsonDocument &body, const QByteArray &) {
        m_device = body.object();
        Q_EMIT deviceLoaded(m_device);
        loadEnrollment(generation);
        loadActivationFailures(generation);
    });
    reportFailure(call, generation, tr("Device %1: %2"));
}

void DeviceDetailController::loadEnrollment(quint64 generation)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("serial"), m_serial);
    ApiCall *call = m_api->get(QStringLiteral("enrollments"), query);
    track(call);
    onCurrentAnswer(call, generation, [this, generation](const QJsonDocument &body, const QByteArray &) {
        const QJsonArray items = body.object().value(QStringLiteral("items")).toArray();
        if (setEnrollment(items.isEmpty() ? QJsonObject() : items.first().toObject()) && m_enrollment) {
            loadRegistration(generation);
            loadActivationMails(generation);
        } else {
            Q_EMIT registrationLoaded({});
            Q_EMIT activationMailsLoaded({});
        }
    });
    reportFailure(call, generation, tr("Enrollment of %1: %2"));
}

void DeviceDetailController::loadActivationMails(quint64 generation)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("registrationId"), m_enrollment->registrationId);
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("5"));
    ApiCall *call = m_api->get(QStringLiteral("mails"), query);
    track(call);
    onCurrentAnswer(call, generation, [this](const QJsonDocument &body, const QByteArray &) {
        Q_EMIT activationMailsLoaded(body.object().value(QStringLiteral("items")).toArray());
    });
    reportFailure(call, generation, tr("Activation e-mails of %1: %2"));
}

void DeviceDetailController::loadActivationFailures(quint64 generation)
{
    ApiCall *call =
        m_api->get(QStringLiteral("devices/") + ApiClient::segment(m_serial) + QStringLiteral("/activation-failures"));
    track(call);
    onCurrentAnswer(call, generation, [this](const QJsonDocument &body, const QByteArray &) {
        m_activationFailures = body.object();
        Q_EMIT activationFailuresLoaded(m_activationFailures);
    });
    reportFailure(call, generation, tr("Activation failures of %1: %2"));
}

void DeviceDetailController::unlockActivation()
{
    if (m_serial.isEmpty())
        return;
    ApiCall *call =
        m_api->post(QStringLiteral("devices/") + ApiClient::segment(m_serial) + QStringLiteral("/activation-unlock"),
                    QJsonObject());
    track(call);
    const quint64 generation = m_generation;
    connect(call, &ApiCall::finished, this, [this, generation](const QJsonDocument &body, const QByteArray &) {
        if (generation != m_generation)
            return;
        Q_EMIT changed(tr("Activation of %1 unlocked: %n failed attempt(s) cleared.", nullptr,
                          body.object().value(QStringLiteral("clearedFailures")).toInt())
                           .arg(m_serial));
        loadActivationFailures(generation);
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &f) {
        if (!f.aborted)
            Q_EMIT failed(tr("Unlocking failed: %1").arg(f.message));
    });
}

void DeviceDetailController::loadRegistration(quint64 generation)
{
    ApiCall *call = m_api->get(QStringLiteral("registrations/") + ApiClient::segment(registrationId()));
    track(call);
    onCurrentAnswer(call, generation, [this, generation](const QJsonDocument &body, const QByteArray &) {
        m_registration = body.object();
        Q_EMIT registrationLoaded(m_registration);
        loadTwin(generation);
        loadCloudMessages(generation);
    });
    connect(call, &ApiCall::failed, this, [this, generation](const ApiFailure &f) {
        if (generation != m_generation || f.aborted)
            return;
        if (f.code == ErrorCode::NotFound) { // enrolled but never registered: not an error
            m_registration = {};
            Q_EMIT registrationLoaded({});
            return;
        }
        Q_EMIT failed(tr("Registration of %1: %2").arg(m_serial, f.message));
    });
}

void DeviceDetailController::loadCloudMessages(quint64 generation)
{
    const QString id = deviceId();
    if (id.isEmpty())
        return;
    ApiCall *call = m_api->get(QStringLiteral("devices/") + ApiClient::segment(id) + QStringLiteral("/messages"));
    track(call);
    onCurrentAnswer(call, generation, [this](const QJsonDocument &body, const QByteArray &) {
        m_cloudMessages = body.object().value(QStringLiteral("items")).toArray();
        Q_EMIT cloudMessagesLoaded(m_cloudMessages);
    });
    reportFailure(call, generation, tr("Cloud-to-device messages of %1: %2"), ErrorCode::NotFound);
}

void DeviceDetailController::sendCloudMessage(const QJsonObject &payload, int ttlSeconds)
{
    const QString id = deviceId();
    if (id.isEmpty()) {
        Q_EMIT failed(tr("The device has not registered yet."));
        return;
    }
    ApiCall *call =
        m_api->post(QStringLiteral("devices/") + ApiClient::segment(id) + QStringLiteral("/messages"),
                    QJsonObject{{QStringLiteral("payload"), payload}, {QStringLiteral("ttlSeconds"), ttlSeconds}});
    track(call);
    const quint64 generation = m_generation;
    connect(call, &ApiCall::finished, this, [this, generation](const QJsonDocument &answer, const QByteArray &) {
        Q_EMIT changed(
            tr("Message %1 queued for the device.").arg(answer.object().value(QStringLiteral("messageId")).toString()));
        loadCloudMessages(generation);
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &f) {
        if (f.aborted)
            return;
        if (f.code == ErrorCode::TooManyRequests)
            Q_EMIT failed(tr("The device already has 50 messages waiting; they leave the queue when its hub "
                             "takes them or they expire."));
        else
            Q_EMIT failed(tr("Sending the message failed: %1").arg(f.message));
    });
}

void DeviceDetailController::loadTwin(quint64 generation)
{
    const QString id = deviceId();
    if (id.isEmpty())
        return;
    ApiCall *call = m_api->get(QStringLiteral("devices/") + ApiClient::segment(id) + QStringLiteral("/twin"));
    track(call);
    onCurrentAnswer(call, generation, [this](const QJsonDocument &body, const QByteArray &etag) {
        m_twin = body.object();
        m_twinEtag = etag.isEmpty() ? m_twin.value(QStringLiteral("etag")).toString().toUtf8() : etag;
        Q_EMIT twinLoaded(m_twin);
    });
    // No twin yet (404) is how a device looks before it first connects.
    reportFailure(call, generation, tr("Twin of %1: %2"), ErrorCode::NotFound);
}

QJsonObject DeviceDetailController::mergePatchBetween(const QJsonObject &before, const QJsonObject &after)
{
    QJsonObject patch;
    for (auto it = before.constBegin(); it != before.constEnd(); ++it) {
        if (it.key().startsWith(QLatin1Char('$')))
            continue; // $version and friends are the server's
        if (!after.contains(it.key()))
            patch.insert(it.key(), QJsonValue::Null);
    }
    for (auto it = after.constBegin(); it != after.constEnd(); ++it) {
        const QJsonValue old = before.value(it.key());
        if (old == it.value())
            continue;
        if (old.isObject() && it.value().isObject())
            patch.insert(it.key(), mergePatchBetween(old.toObject(), it.value().toObject()));
        else
            patch.insert(it.key(), it.value());
    }
    return patch;
}

void DeviceDetailController::saveTwin(const QJsonObject &tags, const QJsonObject &desired)
{
    const QString id = deviceId();
    if (id.isEmpty()) {
        Q_EMIT failed(tr("The device has not registered yet; change the enrollment's initial twin instead."));
        return;
    }
    const QJsonObject oldTags = m_twin.value(QStringLiteral("tags")).toObject();
    const QJsonObject oldDesired =
        m_twin.value(QStringLiteral("properties")).toObject().value(QStringLiteral("desired")).toObject();
    QJsonObject patch;
    const QJsonObject tagsPatch = mergePatchBetween(oldTags, tags);
    const QJsonObject desiredPatch = mergePatchBetween(oldDesired, desired);
    if (!tagsPatch.isEmpty())
        patch.insert(QStringLiteral("tags"), tagsPatch);
    if (!desiredPatch.isEmpty())
        patch.insert(QStringLiteral("desired"), desiredPatch);
    if (patch.isEmpty()) {
        Q_EMIT changed(tr("Nothing changed in the twin."));
        return;
    }
    const quint64 generation = m_generation;
    ApiCall *call =
        m_api->patch(QStringLiteral("devices/") + ApiClient::segment(id) + QStringLiteral("/twin"), patch, m_twinEtag);
    track(call);
    onCurrentAnswer(call, generation, [this](const QJsonDocument &body, const QByteArray &etag) {
        m_twin = body.object();
        m_twinEtag = etag.isEmpty() ? m_twin.value(QStringLiteral("etag")).toString().toUtf8() : etag;
        Q_EMIT twinSaved();
        Q_EMIT twinLoaded(m_twin);
        Q_EMIT changed(tr("Twin of %1 saved; desired version %2.")
                           .arg(m_serial)
                           .arg(m_twin.value(QStringLiteral("properties"))
                                    .toObject()
                                    .value(QStringLiteral("desired"))
                                    .toObject()
                                    .value(QStringLiteral("$version"))
                                    .toInt()));
    });
    connect(call, &ApiCall::failed, this, [this, generation](const ApiFailure &f) {
        if (generation != m_generation || f.aborted)
            return;
        if (f.code == ErrorCode::PreconditionFailed) {
            Q_EMIT failed(tr("The twin changed meanwhile (the device reported, or someone else saved). "
                             "The latest version is loaded under your edit; check it and save again."));
            loadTwin(generation);
            return;
        }
        Q_EMIT failed(tr("Saving the twin failed: %1").arg(f.message));
    });
}

void DeviceDetailController::invokeMethod(const QString &name, const QJsonValue &payload, int timeoutSeconds)
{
    const QString id = deviceId();
    if (id.isEmpty()) {
        Q_EMIT failed(tr("The device has not registered yet."));
        return;
    }
    QJsonObject body{{QStringLiteral("responseTimeoutInSeconds"), timeoutSeconds}};
    if (!payload.isUndefined())
        body.insert(QStringLiteral("payload"), payload);
    // The middleware holds the request until the device answers.
    ApiCall *call = m_api->post(QStringLiteral("devices/") + ApiClient::segment(id) + QStringLiteral("/methods/") +
                                    ApiClient::segment(name),
                                body);
    call->setTimeout((timeoutSeconds + 15) * 1000);
    track(call);
    connect(call, &ApiCall::finished, this, [this, name](const QJsonDocument &answer, const QByteArray &) {
        const QJsonObject o = answer.object();
        Q_EMIT methodAnswered(name, o.value(QStringLiteral("status")).toInt(), o.value(QStringLiteral("payload")));
    });
    connect(call, &ApiCall::failed, this, [this, name](const ApiFailure &f) {
        if (f.aborted)
            return;
        if (f.httpStatus == 504)
            Q_EMIT failed(tr("%1: the device did not answer in time (offline, busy or not listening).").arg(name));
        else if (f.code == ErrorCode::Conflict)
            Q_EMIT failed(
                tr("%1: the middleware is not connected to the device's hub right now; try again.").arg(name));
        else
            Q_EMIT failed(tr("%1 failed: %2").arg(name, f.message));
    });
}

void DeviceDetailController::disableEnrollment()
{
    setEnrollmentEnabled(false);
}

void DeviceDetailController::enableEnrollment()
{
    setEnrollmentEnabled(true);
}

void DeviceDetailController::setEnrollmentEnabled(bool enabled)
{
    const QString id = registrationId();
    if (id.isEmpty())
        return;
    ApiCall *call = m_api->post(QStringLiteral("enrollments/") + ApiClient::segment(id) +
                                    (enabled ? QStringLiteral("/enable") : QStringLiteral("/disable")),
                                QJsonObject());
    track(call);
    connect(call, &ApiCall::finished, this, [this, enabled](const QJsonDocument &body, const QByteArray &) {
        if (!body.object().isEmpty())
            setEnrollment(body.object());
        else
            Q_EMIT enrollmentLoaded(m_enrollment ? m_enrollment->toJson() : QJsonObject());
        Q_EMIT changed(
            enabled ? tr("Enrollment of %1 enabled.").arg(m_serial)
                    : tr("Enrollment of %1 disabled: the device cannot register and is disconnected.").arg(m_serial));
    });
    connect(call, &ApiCall::failed, this, [this, enabled](const ApiFailure &f) {
        if (!f.aborted)
            Q_EMIT failed((enabled ? tr("Enabling failed: %1") : tr("Disabling failed: %1")).arg(f.message));
    });
}

void DeviceDetailController::rotateGroupHubKeys()
{
    const QString group = enrollmentGroupId();
    if (group.isEmpty())
        return;
    ApiCall *call = m_api->post(QStringLiteral("enrollment-groups/") + ApiClient::segment(group) +
                                    QStringLiteral("/rotate-hub-keys"),
                                QJsonObject());
    track(call);
    connect(call, &ApiCall::finished, this, [this, group](const QJsonDocument &, const QByteArray &) {
        Q_EMIT changed(tr("Hub keys of group %1 rotated: the old keys are refused; its devices register again for "
                          "new ones.")
                           .arg(group));
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &f) {
        if (!f.aborted)
            Q_EMIT failed(tr("Rotating the group's hub keys failed: %1").arg(f.message));
    });
}

void DeviceDetailController::rotateHubKey()
{
    const QString id = registrationId();
    if (id.isEmpty())
        return;
    ApiCall *call = m_api->post(
        QStringLiteral("registrations/") + ApiClient::segment(id) + QStringLiteral("/rotate-hub-key"), QJsonObject());
    track(call);
    connect(call, &ApiCall::finished, this, [this](const QJsonDocument &, const QByteArray &) {
        Q_EMIT changed(tr("Hub key of %1 rotated: the old key is refused; the device registers again for a new one.")
                           .arg(m_serial));
    });
    connect(call, &ApiCall::failed, this, [this](const ApiFailure &f) {
        if (!f.aborted)
            Q_EMIT failed(tr("Rotating the hub key failed: %1").arg(f.message));
    });
}

void DeviceDetailController::deprovision()
{
    const QString id = registrationId();
    if (id.isEmpty())
        return;
    const quint64 generation = m_generation;
    ApiCall *disable = m_api->post(QStringLiteral("enrollments/") + ApiClient::segment(id) + QStringLiteral("/disable"),
                                   QJsonObject());
    track(disable);
    connect(disable, &ApiCall::finished, this, [this, id, generation] {
        ApiCall *forget = m_api->remove(QStringLiteral("registrations/") + ApiClient::segment(id));
        track(forget);
        connect(forget, &ApiCall::finished, this, [this, generation] {
            Q_EMIT changed(tr("%1 deprovisioned: enrollment disabled and hub assignment removed.").arg(m_serial));
            if (generation == m_generation)
                reload();
        });
        connect(forget, &ApiCall::failed, this, [this, generation](const ApiFailure &f) {
            if (f.aborted)
                return;
            if (f.code == ErrorCode::NotFound)
                Q_EMIT changed(tr("%1 deprovisioned: enrollment disabled (it had never registered).").arg(m_serial));
            else
                Q_EMIT failed(
                    tr("The enrollment is disabled, but removing the registration failed: %1").arg(f.message));
            if (generation == m_generation)
                reload();
        });
    });
    connect(disable, &ApiCall::failed, this, [this](const ApiFailure &f) {
        if (!f.aborted)
            Q_EMIT failed(tr("Deprovisioning failed, nothing changed: %1").arg(f.message));
    });
}

bool DeviceDetailController::concernsThisDevice(const QJsonObject &event) const
{
    if (m_serial.isEmpty())
        return false;
    const QString entityId = event.value(QStringLiteral("entityId")).toString();
    const QString regId = registrationId();
    const QString devId = deviceId();
    const QString eventReg = event.value(QStringLiteral("registrationId")).toString();
    const QString eventDev = event.value(QStringLiteral("deviceId")).toString();
    return entityId == m_serial || (!regId.isEmpty() && (eventReg == regId || entityId == regId)) ||
           (!devId.isEmpty() && eventDev == devId) ||
           event.value(QStringLiteral("data")).toObject().value(QStringLiteral("serial")).toString() == m_serial;
}

void DeviceDetailController::onEvent(const QString &type, const QJsonObject &event)
{
    if (type == QLatin1String("telemetry") || !concernsThisDevice(event))
        return;
    const QJsonObject data = event.value(QStringLiteral("data")).toObject();
    const quint64 generation = m_generation;
    if (type.startsWith(QLatin1String("device.")) && data.contains(QStringLiteral("serial"))) {
        m_device = data;
        Q_EMIT deviceLoaded(m_device);
    } else if (type.startsWith(QLatin1String("enrollment."))) {
        if (type == QLatin1String("enrollment.deleted")) {
            setEnrollment({});
        } else {
            // Event records are redacted; fetch again for operators' keys.
            loadEnrollment(generation);
        }
    } else if (type.startsWith(QLatin1String("registration."))) {
        loadRegistration(generation);
    } else if (type.startsWith(QLatin1String("cloudMessage."))) {
        loadCloudMessages(generation);
    } else if (type.startsWith(QLatin1String("twin.")) || type == QLatin1String("device.statusReported") ||
               type == QLatin1String("device.online") || type == QLatin1String("device.offline")) {
        if (type.startsWith(QLatin1String("twin."))) {
            if (!m_registration.isEmpty())
                loadTwin(generation);
        } else if (!registrationId().isEmpty()) {
            // The registration carries the status report and the presence;
            // the twin follows it.
            loadRegistration(generation);
        }
    }
}

} // namespace Provisio::Crm
