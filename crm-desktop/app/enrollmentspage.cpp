// SPDX-License-Identifier: Apache-2.0
#include "enrollmentspage.h"

#include "protocol/wirenames.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>

namespace Provisio::Crm {

EnrollmentsPage::EnrollmentsPage(EnrollmentsModel *model, QWidget *parent)
    : RecordListPage(QStringLiteral("enrollments"), model, parent), m_enrollments(model), m_status(new QComboBox(this)),
      m_serial(new QLineEdit(this)), m_debounce(new QTimer(this))
{
    setTitle(tr("Enrollments"));
    m_status->setObjectName(QStringLiteral("enrollmentsStatusFilter"));
    m_serial->setObjectName(QStringLiteral("enrollmentsSerialFilter"));
    m_status->addItem(tr("Enabled and disabled"), QString());
    m_status->addItem(tr("Enabled"), ProvisioningStatus::Enabled);
    m_status->addItem(tr("Disabled"), ProvisioningStatus::Disabled);
    m_serial->setPlaceholderText(tr("Serial (exact)"));
    m_serial->setClearButtonEnabled(true);
    addFilterLabel(tr("&Status:"), m_status);
    addFilterLabel(tr("S&erial:"), m_serial);
    filterBar()->addStretch(1);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_status, &QComboBox::currentIndexChanged, this, &EnrollmentsPage::applyFilter);
    connect(m_serial, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, &EnrollmentsPage::applyFilter);
    table()->setColumnWidth(EnrollmentsModel::RegistrationIdColumn, 150);
    table()->setColumnWidth(EnrollmentsModel::SerialColumn, 130);
    table()->setColumnWidth(EnrollmentsModel::DeviceIdColumn, 130);
    table()->setColumnWidth(EnrollmentsModel::HubColumn, 170);
}

QStringList EnrollmentsPage::selectedRegistrationIds() const
{
    QStringList out;
    for (const QJsonObject &record : selectedRecords())
        out.append(record.value(QStringLiteral("registrationId")).toString());
    return out;
}

void EnrollmentsPage::applyFilter()
{
    m_debounce->stop();
    m_enrollments->setFilter(m_serial->text().trimmed(), m_status->currentData().toString());
}

} // namespace Provisio::Crm
