// SPDX-License-Identifier: Apache-2.0
#include "customerdialog.h"

#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>

namespace Provisio::Crm {

CustomerDialog::CustomerDialog(QWidget *parent)
    : RecordDialog(QStringLiteral("customer"), parent), m_name(new QLineEdit(this)), m_email(new QLineEdit(this)),
      m_phone(new QLineEdit(this)), m_address(new QPlainTextEdit(this)), m_notes(new QPlainTextEdit(this))
{
    m_name->setObjectName(QStringLiteral("customerName"));
    m_email->setObjectName(QStringLiteral("customerEmail"));
    m_phone->setObjectName(QStringLiteral("customerPhone"));
    m_address->setObjectName(QStringLiteral("customerAddress"));
    m_notes->setObjectName(QStringLiteral("customerNotes"));
    m_name->setMaxLength(256);
    m_email->setMaxLength(254);
    m_phone->setMaxLength(64);
    m_address->setTabChangesFocus(true);
    m_notes->setTabChangesFocus(true);
    m_address->setMaximumHeight(70);

    form()->addRow(tr("&Name:"), m_name);
    form()->addRow(tr("&E-mail:"), m_email);
    form()->addRow(tr("&Phone:"), m_phone);
    form()->addRow(tr("&Address:"), m_address);
    form()->addRow(tr("N&otes:"), m_notes);

    connect(m_name, &QLineEdit::textChanged, this, &CustomerDialog::validate);
    connect(m_email, &QLineEdit::textChanged, this, &CustomerDialog::validate);
    setCustomer({});
}

void CustomerDialog::setCustomer(const QJsonObject &customer)
{
    setOriginal(customer);
    setWindowTitle(customer.isEmpty() ? tr("New customer") : tr("Edit customer"));
    m_name->setText(customer.value(QStringLiteral("name")).toString());
    m_email->setText(customer.value(QStringLiteral("email")).toString());
    m_phone->setText(customer.value(QStringLiteral("phone")).toString());
    m_address->setPlainText(customer.value(QStringLiteral("address")).toString());
    m_notes->setPlainText(customer.value(QStringLiteral("notes")).toString());
    validate();
}

QJsonObject CustomerDialog::customer() const
{
    QJsonObject out;
    const QString id = original().value(QStringLiteral("id")).toString();
    if (!id.isEmpty())
        out.insert(QStringLiteral("id"), id);
    out.insert(QStringLiteral("name"), m_name->text().trimmed());
    out.insert(QStringLiteral("email"), m_email->text().trimmed());
    out.insert(QStringLiteral("phone"), m_phone->text().trimmed());
    out.insert(QStringLiteral("address"), m_address->toPlainText().trimmed());
    out.insert(QStringLiteral("notes"), m_notes->toPlainText().trimmed());
    return out;
}

void CustomerDialog::validate()
{
    QString problem;
    const QString email = m_email->text().trimmed();
    if (m_name->text().trimmed().isEmpty())
        problem = tr("A customer needs a name.");
    else if (!email.isEmpty() && (email.count(QLatin1Char('@')) != 1 || email.contains(QLatin1Char(' '))))
        problem = tr("The e-mail address needs exactly one '@' and no spaces.");
    setProblem(problem);
}

} // namespace Provisio::Crm
