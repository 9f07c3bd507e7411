// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/error.h"
#include "protocol/enrollment.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace Provisio::Crm {

class ApiCall;
class ApiClient;
class EventFeed;

// Everything the device detail shows about one device, and the changes it
// can make: the inventory record, its enrollment (found by serial), its
// registration and twin (by registration id / hub device id). Loads them
// one after the other (each needs the previous one's ids), follows the
// event feed for this device only, and reports each part as it arrives so
// the view fills in progressively.
class DeviceDetailController : public QObject
{
    Q_OBJECT
public:
    DeviceDetailController(ApiClient *api, EventFeed *feed, QObject *parent = nullptr);

    void setSerial(const QString &serial);
    void reload();

    QString serial() const { return m_serial; }
    QString registrationId() const { return m_enrollment ? m_enrollment->registrationId : QString(); }
    QString deviceId() const;
    QJsonObject device() const { return m_device; }
    // Empty while the device is not enrolled.
    std::optional<Enrollment> enrollment() const { return m_enrollment; }
    QJsonObject registration() const { return m_registration; }
    // The enrollment group the device registered through, if any.
    QString enrollmentGroupId() const { return m_registration.value(QLatin1String("enrollmentGroupId")).toString(); }
    QJsonObject twin() const { return m_twin; }
    QByteArray twinEtag() const { return m_twinEtag; }
    // The serial's failed activation attempts as the middleware lists them
    // ({"counting", "items": [{"at", "clientAddress", "reason", "clearedAt"}]}).
    QJsonObject activationFailures() const { return m_activationFailures; }
    // The device's cloud-to-device messages, newest first, as the
    // middleware lists them ({messageId, state, createdDateTimeUtc, ...}).
    QJsonArray cloudMessages() const { return m_cloudMessages; }
    bool isLoading() const { return m_pending > 0; }

    // The merge patch that turns `before` into `after` (removed members null).
    static QJsonObject mergePatchBetween(const QJsonObject &before, const QJsonObject &after);

    // PATCH devices/{deviceId}/twin guarded by the twin's etag.
    void saveTwin(const QJsonObject &tags, const QJsonObject &desired);
    void invokeMethod(const QString &name, const QJsonValue &payload, int timeoutSeconds);
    // POST devices/{deviceId}/messages: a JSON payload, queued for the device.
    void sendCloudMessage(const QJsonObject &payload, int ttlSeconds);
    void disableEnrollment();
    void enableEnrollment();
    // Disables the enrollment, then forgets the registration (the device
    // leaves its hub; a later registration starts from scratch).
    void deprovision();
    // Clears the serial's failed activation attempts (operator; audited).
    void unlockActivation();
    // Retires the device's hub key (POST registrations/{id}/rotate-hub-key).
    void rotateHubKey();
    // Every device of the registration's enrollment group (none: nothing).
    void rotateGroupHubKeys();

Q_SIGNALS:
    void loadingChanged(bool loading);
    void deviceLoaded(const QJsonObject &device);
    void enrollmentLoaded(const QJsonObject &enrollment);     // empty: not enrolled
    void registrationLoaded(const QJsonObject &registration); // empty: never registered
    void twinLoaded(const QJsonObject &twin);
    void activationFailuresLoaded(const QJsonObject &failures);
    void cloudMessagesLoaded(const QJsonArray &messages);
    void activationMailsLoaded(const QJsonArray &mails); // newest first; empty: none sent
    void twinSaved();                                    // before the saved twin arrives through twinLoaded
    void methodAnswered(const QString &name, int status, const QJsonValue &payload);
    void failed(const QString &message);
    void changed(const QString &message); // a change succeeded

private:
    void track(ApiCall *call);
    void setEnrollmentEnabled(bool enabled);
    // Reads the middleware's enrollment (empty: not enrolled) and emits
    // enrollmentLoaded; false, with failed() emitted, when it is unreadable.
    bool setEnrollment(const QJsonObject &json);
    // Emits failed(message with the serial and the reason) when a load for
    // this generation fails, unless aborted or answered with `ignored`.
    using AnswerHandler = std::function<void(const QJsonDocument &body, const QByteArray &etag)>;
    // Calls `handle` with the call's answer while `generation` is current.
    void onCurrentAnswer(ApiCall *call, quint64 generation, const AnswerHandler &handle);
    void reportFailure(ApiCall *call, quint64 generation, const QString &message, ErrorCode ignored = ErrorCode::None);
    void loadEnrollment(quint64 generation);
    void loadRegistration(quint64 generation);
    void loadTwin(quint64 generation);
    void loadActivationFailures(quint64 generation);
    void loadCloudMessages(quint64 generation);
    void loadActivationMails(quint64 generation);
    void onEvent(const QString &type, const QJsonObject &event);
    bool concernsThisDevice(const QJsonObject &event) const;
    void setPending(int delta);

    ApiClient *m_api;
    QPointer<EventFeed> m_feed;
    QString m_serial;
    QJsonObject m_device;
    std::optional<Enrollment> m_enrollment;
    QJsonObject m_registration;
    QJsonObject m_twin;
    QByteArray m_twinEtag;
    QJsonObject m_activationFailures;
    QJsonArray m_cloudMessages;
    quint64 m_generation = 0;
    int m_pending = 0;
};

} // namespace Provisio::Crm
