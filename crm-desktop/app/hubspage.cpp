// SPDX-License-Identifier: Apache-2.0
#include "hubspage.h"

#include "columnfit.h"
#include "displayformat.h"
#include "protocol/allocation.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

namespace Provisio::Crm {

HubsPage::HubsPage(HubsModel *model, QWidget *parent)
    : RecordListPage(QStringLiteral("hubs"), model, parent), m_hubs(model),
      m_policyBox(new QGroupBox(tr("Allocation policy"), this)), m_policy(new QComboBox(this)),
      m_staticHub(new QComboBox(this)), m_webhookUrl(new QLineEdit(this)), m_webhookApiVersion(new QLineEdit(this)),
      m_policyHelp(new QLabel(this)), m_weights(new QLabel(this)),
      m_savePolicy(new QPushButton(tr("Save &policy"), this))
{
    setTitle(tr("Hubs & allocation"));
    m_policyBox->setObjectName(QStringLiteral("policyBox"));
    m_policy->setObjectName(QStringLiteral("policyName"));
    m_staticHub->setObjectName(QStringLiteral("policyStaticHub"));
    m_webhookUrl->setObjectName(QStringLiteral("policyWebhookUrl"));
    m_webhookApiVersion->setObjectName(QStringLiteral("policyWebhookApiVersion"));
    m_savePolicy->setObjectName(QStringLiteral("policySave"));
    m_weights->setObjectName(QStringLiteral("policyWeights"));
    m_policy->addItem(tr("Hashed (weighted)"), allocationPolicyName(AllocationPolicy::Hashed));
    m_policy->addItem(tr("Lowest latency (region)"), allocationPolicyName(AllocationPolicy::GeoLatency));
    m_policy->addItem(tr("Static (one hub)"), allocationPolicyName(AllocationPolicy::Static));
    m_policy->addItem(tr("Custom (webhook)"), allocationPolicyName(AllocationPolicy::Custom));
    m_webhookUrl->setPlaceholderText(QStringLiteral("https://alloc.example.com/api/allocate"));
    m_webhookApiVersion->setText(QStringLiteral("2021-10-01"));
    m_policyHelp->setWordWrap(true);
    m_weights->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Po&licy:"), m_policy);
    form->addRow(tr("Static &hub:"), m_staticHub);
    form->addRow(tr("&Webhook URL:"), m_webhookUrl);
    form->addRow(tr("Webhook API &version:"), m_webhookApiVersion);
    auto *boxLayout = new QHBoxLayout(m_policyBox);
    boxLayout->addLayout(form, 1);
    auto *side = new QVBoxLayout;
    side->addWidget(m_policyHelp);
    side->addWidget(m_weights);
    side->addStretch();
    side->addWidget(m_savePolicy, 0, Qt::AlignRight);
    boxLayout->addLayout(side, 1);
    pageLayout()->addWidget(m_policyBox);

    connect(m_policy, &QComboBox::currentIndexChanged, this, &HubsPage::updatePolicyFields);
    connect(m_savePolicy, &QPushButton::clicked, this,
            [this] { Q_EMIT savePolicyRequested(editedPolicy(), m_policyEtag); });
    connect(model, &QAbstractItemModel::modelReset, this, &HubsPage::reloadHubNames);
    connect(model, &QAbstractItemModel::rowsInserted, this, &HubsPage::reloadHubNames);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &HubsPage::reloadHubNames);
    connect(model, &QAbstractItemModel::dataChanged, this, &HubsPage::reloadHubNames);
    table()->setColumnWidth(HubsModel::NameColumn, 120);
    fitColumn(table(), HubsModel::HostColumn, {QStringLiteral("hub-eu-1.provisio.example")});
    fitColumn(table(), HubsModel::PortColumn, {QStringLiteral("65535")});
    fitColumn(table(), HubsModel::EndpointColumn, {QStringLiteral("203.0.113.250:8883")});
    fitColumn(table(), HubsModel::RegionColumn, {QStringLiteral("eu-west")});
    fitColumn(table(), HubsModel::WeightColumn, {QStringLiteral("1000")});
    // The replaced key's column says until when it works, or nothing; the
    // middleware link's state (with the error that keeps it down) takes the
    // rest of the width.
    fitColumn(
        table(), HubsModel::KeyOverlapColumn,
        {HubsModel::tr("accepted until %1").arg(formatDateTime(QDateTime(QDate(2026, 12, 28), QTime(23, 58, 58))))});
    setStretchColumn(HubsModel::LinkColumn);
    setEditable(false);
    updatePolicyFields();
}

void HubsPage::setPolicy(const QJsonObject &policy)
{
    m_policyEtag = policy.value(QStringLiteral("etag")).toString().toUtf8();
    m_policy->setCurrentIndex(qMax(0, m_policy->findData(policy.value(QStringLiteral("allocationPolicy")).toString())));
    m_staticHubName = policy.value(QStringLiteral("staticHub")).toString();
    const QJsonObject custom = policy.value(QStringLiteral("customAllocationDefinition")).toObject();
    m_webhookUrl->setText(custom.value(QStringLiteral("webhookUrl")).toString());
    if (custom.contains(QStringLiteral("apiVersion")))
        m_webhookApiVersion->setText(custom.value(QStringLiteral("apiVersion")).toString());
    reloadHubNames();
    updatePolicyFields();
}

void HubsPage::setEditable(bool editable)
{
    m_editable = editable;
    m_savePolicy->setVisible(editable);
    m_policy->setEnabled(editable);
    updatePolicyFields();
}

QJsonObject HubsPage::editedPolicy() const
{
    const QString name = m_policy->currentData().toString();
    const auto policy = parseAllocationPolicy(name);
    QJsonObject out{{QStringLiteral("allocationPolicy"), name}};
    if (policy == AllocationPolicy::Static)
        out.insert(QStringLiteral("staticHub"), m_staticHub->currentData().toString());
    if (policy == AllocationPolicy::Custom)
        out.insert(QStringLiteral("customAllocationDefinition"),
                   QJsonObject{{QStringLiteral("webhookUrl"), m_webhookUrl->text().trimmed()},
                               {QStringLiteral("apiVersion"), m_webhookApiVersion->text().trimmed()}});
    return out;
}

void HubsPage::updatePolicyFields()
{
    const auto policy = parseAllocationPolicy(m_policy->currentData().toString());
    const bool isStatic = policy == AllocationPolicy::Static;
    const bool isCustom = policy == AllocationPolicy::Custom;
    m_staticHub->setEnabled(m_editable && isStatic);
    m_webhookUrl->setEnabled(m_editable && isCustom);
    m_webhookApiVersion->setEnabled(m_editable && isCustom);
    if (policy == AllocationPolicy::Hashed)
        m_policyHelp->setText(tr("Each device lands on a hub chosen by hashing its registration id, in proportion "
                                 "to the hubs' weights. Adding a hub moves only its share."));
    else if (policy == AllocationPolicy::GeoLatency)
        m_policyHelp->setText(tr("Devices go to a hub in the region they declare when registering; without a match, "
                                 "hashed over all hubs."));
    else if (isStatic)
        m_policyHelp->setText(tr("Every device goes to one hub."));
    else
        m_policyHelp->setText(tr("A webhook you run picks the hub (Azure DPS custom allocation functions work "
                                 "unchanged)."));

    QString problem;
    if (isStatic && m_staticHub->currentData().toString().isEmpty())
        problem = tr("Link a hub first.");
    if (isCustom) {
        const QUrl url(m_webhookUrl->text().trimmed(), QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty())
            problem = tr("The webhook URL must be https://.");
    }
    m_savePolicy->setEnabled(m_editable && problem.isEmpty());
    m_savePolicy->setToolTip(problem);
}

void HubsPage::reloadHubNames()
{
    const QString keep =
        m_staticHub->currentData().toString().isEmpty() ? m_staticHubName : m_staticHub->currentData().toString();
    m_staticHub->clear();
    QStringList weights;
    int total = 0;
    for (int row = 0; row < m_hubs->rowCount(); ++row)
        total += m_hubs->record(row).value(QStringLiteral("allocationWeight")).toInt(1);
    for (int row = 0; row < m_hubs->rowCount(); ++row) {
        const QJsonObject hub = m_hubs->record(row);
        const QString name = hub.value(QStringLiteral("name")).toString();
        m_staticHub->addItem(name, name);
        const int weight = hub.value(QStringLiteral("allocationWeight")).toInt(1);
        weights.append(tr("%1: weight %2 (%3 %)")
                           .arg(name)
                           .arg(weight)
                           .arg(total > 0 ? QLocale().toString(100.0 * weight / total, 'f', 0) : QStringLiteral("0")));
    }
    m_staticHub->setCurrentIndex(qMax(0, m_staticHub->findData(keep)));
    m_weights->setText(
        weights.isEmpty()
            ? tr("No hub is linked yet.")
            : tr("Share of new devices under hashed allocation: %1").arg(weights.join(QStringLiteral(", "))));
    updatePolicyFields();
}

} // namespace Provisio::Crm
