// SPDX-License-Identifier: Apache-2.0
#include "hubdialog.h"

#include <QFormLayout>
#include <QLineEdit>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSpinBox>

namespace Provisio::Crm {

HubDialog::HubDialog(QWidget *parent)
    : RecordDialog(QStringLiteral("hub"), parent), m_name(new QLineEdit(this)), m_host(new QLineEdit(this)),
      m_port(new QSpinBox(this)), m_endpoint(new QLineEdit(this)), m_region(new QLineEdit(this)),
      m_weight(new QSpinBox(this))
{
    m_name->setObjectName(QStringLiteral("hubName"));
    m_host->setObjectName(QStringLiteral("hubHost"));
    m_port->setObjectName(QStringLiteral("hubPort"));
    m_endpoint->setObjectName(QStringLiteral("hubEndpoint"));
    m_region->setObjectName(QStringLiteral("hubRegion"));
    m_weight->setObjectName(QStringLiteral("hubWeight"));
    m_name->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9._-]{1,64}")), this));
    m_port->setRange(1, 65535);
    m_weight->setRange(0, 1000);
    m_weight->setToolTip(tr("Share of new devices under hashed allocation; 0 takes none."));
    m_endpoint->setPlaceholderText(tr("host:port, only when devices dial another address"));
    m_region->setMaxLength(64);

    form()->addRow(tr("&Name:"), m_name);
    form()->addRow(tr("&Host:"), m_host);
    form()->addRow(tr("&Port:"), m_port);
    form()->addRow(tr("&Endpoint:"), m_endpoint);
    form()->addRow(tr("&Region:"), m_region);
    form()->addRow(tr("Allocation &weight:"), m_weight);

    connect(m_name, &QLineEdit::textChanged, this, &HubDialog::validate);
    connect(m_host, &QLineEdit::textChanged, this, &HubDialog::validate);
    connect(m_endpoint, &QLineEdit::textChanged, this, &HubDialog::validate);
    setHub({});
}

void HubDialog::setHub(const QJsonObject &hub)
{
    setOriginal(hub);
    setWindowTitle(hub.isEmpty() ? tr("Link a hub")
                                 : tr("Edit hub %1").arg(hub.value(QStringLiteral("name")).toString()));
    m_name->setText(hub.value(QStringLiteral("name")).toString());
    m_name->setReadOnly(!hub.isEmpty()); // the name is the record's key
    m_host->setText(hub.value(QStringLiteral("host")).toString());
    m_port->setValue(hub.value(QStringLiteral("port")).toInt(8883));
    m_endpoint->setText(hub.value(QStringLiteral("endpoint")).toString());
    m_region->setText(hub.value(QStringLiteral("region")).toString());
    m_weight->setValue(hub.value(QStringLiteral("allocationWeight")).toInt(1));
    validate();
}

QString HubDialog::name() const
{
    return m_name->text().trimmed();
}

QJsonObject HubDialog::hub() const
{
    QJsonObject out{{QStringLiteral("host"), m_host->text().trimmed()},
                    {QStringLiteral("port"), m_port->value()},
                    {QStringLiteral("allocationWeight"), m_weight->value()}};
    if (!m_endpoint->text().trimmed().isEmpty())
        out.insert(QStringLiteral("endpoint"), m_endpoint->text().trimmed());
    if (!m_region->text().trimmed().isEmpty())
        out.insert(QStringLiteral("region"), m_region->text().trimmed());
    return out;
}

void HubDialog::validate()
{
    QString problem;
    if (name().isEmpty())
        problem = tr("A hub needs a name (letters, digits, . _ -).");
    else if (m_host->text().trimmed().isEmpty() || m_host->text().contains(QLatin1Char(' ')))
        problem = tr("The host is the hub's name as devices see it, e.g. hub1.example.com.");
    else if (!m_endpoint->text().trimmed().isEmpty() &&
             !QRegularExpression(QStringLiteral("^[^\\s:]+:\\d{1,5}$")).match(m_endpoint->text().trimmed()).hasMatch())
        problem = tr("The endpoint must be host:port.");
    setProblem(problem);
}

} // namespace Provisio::Crm
