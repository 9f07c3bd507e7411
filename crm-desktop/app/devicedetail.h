// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;
class QTableWidget;

namespace Provisio::Crm {

class ApiClient;
class AuditModel;
class CustomersModel;
class DeviceDetailController;
class DeviceTimeline;
class EventFeed;
class JsonObjectEdit;
class TelemetryChart;
class TelemetryModel;

// Everything about one device, in the main window's dock: identity and
// customer, the enrollment with its keys hidden until revealed, the
// registration and hub, the twin (tags and desired editable, reported
// read-only), a live telemetry chart over the latest messages, the device's
// audit trail, and actions (direct methods, disable, deprovision). Stays
// live from the event feed.
class DeviceDetail : public QWidget
{
    Q_OBJECT
public:
    DeviceDetail(ApiClient *api, EventFeed *feed, QWidget *parent = nullptr);

    void setDevice(const QString &serial);
    QString serial() const;
    void applyRole(bool canOperate);
    // Names customers instead of showing their ids.
    void setCustomersModel(CustomersModel *customers) { m_customers = customers; }

    DeviceDetailController *controller() const { return m_controller; }
    TelemetryModel *telemetryModel() const { return m_telemetry; }
    AuditModel *auditModel() const { return m_audit; }
    TelemetryChart *chart() const { return m_chart; }
    DeviceTimeline *timeline() const { return m_timeline; }

Q_SIGNALS:
    void errorOccurred(const QString &message);
    void messageShown(const QString &message);
    void deviceChanged();
    void auditTrailRequested(const QString &entityType, const QString &entityId);

private:
    QWidget *buildOverview();
    QWidget *buildTwin();
    QWidget *scrollable(QWidget *page);
    QWidget *buildTelemetry();
    QWidget *buildAudit();
    QWidget *buildActions();
    void showDevice(const QJsonObject &device);
    void showEnrollment();
    void showRegistration(const QJsonObject &registration);
    void showTwin(const QJsonObject &twin);
    void showActivationFailures(const QJsonObject &failures);
    void showCloudMessages(const QJsonArray &messages);
    void showActivationMails(const QJsonArray &mails);
    void sendCloudMessage();
    void confirmUnlock();
    void openNewCard();
    void setKeysRevealed(bool revealed);
    void copyKey(bool primary);
    void invoke();
    void confirmDisable();
    void confirmDeprovision();
    void confirmRotateHubKey();
    void confirmRotateGroupHubKeys();
    void updateActions();

    ApiClient *m_api;
    DeviceDetailController *m_controller;
    TelemetryModel *m_telemetry;
    AuditModel *m_audit;
    CustomersModel *m_customers = nullptr;
    bool m_canOperate = false;
    bool m_keysRevealed = false;
    bool m_twinDirty = false;

    QLabel *m_title;
    QProgressBar *m_busy;
    QTabWidget *m_tabs;
    DeviceTimeline *m_timeline;
    // overview
    QLabel *m_identity;
    QLabel *m_customer;
    QLabel *m_enrollmentInfo;
    QLabel *m_activationMail;
    QLabel *m_primaryKey;
    QLabel *m_secondaryKey;
    QPushButton *m_reveal;
    QPushButton *m_copyPrimary;
    QPushButton *m_copySecondary;
    QLabel *m_registrationInfo;
    // twin
    JsonObjectEdit *m_tags;
    JsonObjectEdit *m_desired;
    QPlainTextEdit *m_reported;
    QLabel *m_versions;
    QPushButton *m_saveTwin;
    QPushButton *m_reloadTwin;
    // telemetry
    TelemetryChart *m_chart;
    QTableView *m_telemetryTable;
    QLabel *m_telemetryCount;
    // audit
    QTableView *m_auditTable;
    // actions
    QComboBox *m_method;
    JsonObjectEdit *m_methodPayload;
    QSpinBox *m_methodTimeout;
    QPushButton *m_invoke;
    QPlainTextEdit *m_methodAnswer;
    QPushButton *m_enable;
    QPushButton *m_disable;
    QPushButton *m_deprovision;
    QLabel *m_activationSummary;
    QTableWidget *m_activationFailures;
    QPushButton *m_unlock;
    QPushButton *m_rotateHubKey;
    QPushButton *m_rotateGroupHubKeys;
    // cloud-to-device messages
    JsonObjectEdit *m_c2dPayload;
    QSpinBox *m_c2dTtl;
    QPushButton *m_c2dSend;
    QTableWidget *m_c2dMessages;
};

} // namespace Provisio::Crm
