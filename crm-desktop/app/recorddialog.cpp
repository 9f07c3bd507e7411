// SPDX-License-Identifier: Apache-2.0
#include "recorddialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace Provisio::Crm {

RecordDialog::RecordDialog(const QString &name, QWidget *parent)
    : QDialog(parent), m_form(new QFormLayout), m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(name + QStringLiteral("Dialog"));
    m_buttons->setObjectName(name + QStringLiteral("Buttons"));
    m_problem->setObjectName(name + QStringLiteral("Problem"));
    m_problem->setStyleSheet(QStringLiteral("color: #da4453;"));
    m_problem->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void RecordDialog::setOriginal(const QJsonObject &record)
{
    m_original = record;
    m_etag = record.value(QStringLiteral("etag")).toString().toUtf8();
}

void RecordDialog::setProblem(const QString &problem)
{
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace Provisio::Crm
