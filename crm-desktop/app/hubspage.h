// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "enrollmentsmodel.h"
#include "recordlistpage.h"

#include <QByteArray>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace Provisio::Crm {

// Linked hubs and the instance's allocation policy. Each hub's weight is
// its share of new devices under hashed allocation (edited with the hub);
// the policy box picks hashed, geoLatency, static (one hub) or custom (a
// webhook). Only admins may change either; others see them read-only.
class HubsPage : public RecordListPage
{
    Q_OBJECT
public:
    explicit HubsPage(HubsModel *model, QWidget *parent = nullptr);

    void setPolicy(const QJsonObject &policy); // as GET allocation-policy answers
    void setEditable(bool editable);
    QJsonObject editedPolicy() const;

Q_SIGNALS:
    void savePolicyRequested(const QJsonObject &policy, const QByteArray &etag);

private:
    void updatePolicyFields();
    void reloadHubNames();

    HubsModel *m_hubs;
    QGroupBox *m_policyBox;
    QComboBox *m_policy;
    QComboBox *m_staticHub;
    QLineEdit *m_webhookUrl;
    QLineEdit *m_webhookApiVersion;
    QLabel *m_policyHelp;
    QLabel *m_weights;
    QPushButton *m_savePolicy;
    QByteArray m_policyEtag;
    QString m_staticHubName;
    bool m_editable = false;
};

} // namespace Provisio::Crm
