// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Provisio::Crm {

class ApiClient;
class DeviceDetailController;

// A device's life in one list, oldest first: delivered, sold, enrolled,
// activation codes issued, every activation attempt (failed ones with
// their client address and reason, from the failure log; never a code),
// registered, online/offline, twin changes and the other audited changes of
// the device, its enrollment and its twin. Reads what the detail's
// controller loaded plus the device's audit entries (GET audit by entity
// id, newest 200 of each), and offers the two ways out of a failed
// activation: unlock (clear the failures) and issue a new card.
class DeviceTimeline : public QWidget
{
    Q_OBJECT
public:
    DeviceTimeline(ApiClient *api, DeviceDetailController *controller, QWidget *parent = nullptr);

    struct Entry
    {
        QDateTime at;
        QString kind; // delivered, sold, enrolled, codeIssued, activationFailed, …
        QString title;
        QString detail;
        bool dateOnly = false; // a day (delivered, sold), not a moment
    };
    QList<Entry> entries() const { return m_entries; }
    QTreeWidget *list() const { return m_list; }
    void setCanOperate(bool canOperate);

    // The audit entries of the shown device are read again.
    void reload();

Q_SIGNALS:
    void unlockRequested();
    void newCardRequested();

private:
    void loadAudit(const QString &entityType, const QString &entityId, quint64 generation);
    void rebuild();

    ApiClient *m_api;
    DeviceDetailController *m_controller;
    QTreeWidget *m_list;
    QLabel *m_summary;
    QPushButton *m_unlock;
    QPushButton *m_newCard;
    QList<Entry> m_entries;
    QJsonArray m_audit; // the entries every query of this generation brought
    quint64 m_generation = 0;
    bool m_canOperate = false;
};

} // namespace Provisio::Crm
