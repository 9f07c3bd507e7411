// SPDX-License-Identifier: Apache-2.0
#include "enrollmentdialog.h"

#include "crmcontroller.h"
#include "jsonobjectedit.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace Provisio::Crm {

EnrollmentDialog::EnrollmentDialog(const QStringList &serials, QWidget *parent)
    : QDialog(parent), m_serials(serials), m_tags(new JsonObjectEdit(this)), m_desired(new JsonObjectEdit(this)),
      m_enabled(new QCheckBox(tr("Enabled: the device may register at once"), this)), m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("enrollmentDialog"));
    setWindowTitle(serials.size() == 1 ? tr("Create enrollment") : tr("Create %1 enrollments").arg(serials.size()));
    m_tags->setObjectName(QStringLiteral("enrollmentTags"));
    m_tags->editor()->setObjectName(QStringLiteral("enrollmentTagsText"));
    m_desired->setObjectName(QStringLiteral("enrollmentDesired"));
    m_desired->editor()->setObjectName(QStringLiteral("enrollmentDesiredText"));
    m_desired->setRejectReservedNames(true);
    m_tags->setRejectReservedNames(true);
    m_enabled->setObjectName(QStringLiteral("enrollmentEnabled"));
    m_enabled->setChecked(true);
    m_buttons->setObjectName(QStringLiteral("enrollmentButtons"));
    m_problem->setStyleSheet(QStringLiteral("color: #da4453;"));
    m_problem->setWordWrap(true);

    QStringList shown = serials.mid(0, 8);
    QString devices = shown.join(QStringLiteral(", "));
    if (serials.size() > shown.size())
        devices += QLatin1Char(' ') + tr("and %1 more").arg(serials.size() - shown.size());
    auto *devicesLabel = new QLabel(devices, this);
    devicesLabel->setObjectName(QStringLiteral("enrollmentSerials"));
    devicesLabel->setWordWrap(true);

    // Serials that cannot become a registration id are named up front.
    QStringList bad;
    for (const QString &serial : serials) {
        if (CrmController::registrationIdForSerial(serial).isEmpty())
            bad.append(serial);
    }
    auto *explain = new QLabel(tr("Each device gets its own enrollment with new symmetric keys and a one-time "
                                  "activation code. The registration id is the serial in lower case."),
                               this);
    explain->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Devices:"), devicesLabel);
    form->addRow(tr("&Tags (JSON):"), m_tags);
    form->addRow(tr("&Desired properties (JSON):"), m_desired);
    form->addRow(QString(), m_enabled);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(explain);
    layout->addLayout(form);
    if (!bad.isEmpty()) {
        auto *warning =
            new QLabel(tr("Skipped, not valid as a registration id: %1").arg(bad.join(QStringLiteral(", "))), this);
        warning->setWordWrap(true);
        layout->addWidget(warning);
    }
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    resize(520, 460);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_tags, &JsonObjectEdit::validityChanged, this, &EnrollmentDialog::updateOk);
    connect(m_desired, &JsonObjectEdit::validityChanged, this, &EnrollmentDialog::updateOk);
    updateOk();
}

void EnrollmentDialog::describeAllMatching(const QString &count)
{
    setWindowTitle(tr("Create enrollments for all %1 matching devices").arg(count));
    if (auto *label = findChild<QLabel *>(QStringLiteral("enrollmentSerials")))
        label->setText(tr("All %1 devices the inventory filter matches, loaded or not. A device that has an "
                          "enrollment already, or whose serial cannot be a registration id, is reported and "
                          "skipped.")
                           .arg(count));
}

QJsonObject EnrollmentDialog::tags() const
{
    return m_tags->object();
}

QJsonObject EnrollmentDialog::desired() const
{
    return m_desired->object();
}

bool EnrollmentDialog::startEnabled() const
{
    return m_enabled->isChecked();
}

void EnrollmentDialog::updateOk()
{
    QString problem;
    const bool anyValid = std::any_of(m_serials.cbegin(), m_serials.cend(), [](const QString &serial) {
        return !CrmController::registrationIdForSerial(serial).isEmpty();
    });
    if (m_serials.isEmpty())
        problem = tr("Select at least one device.");
    else if (!anyValid)
        problem = tr("None of the selected serials can be a registration id (letters, digits and - . _ : only), "
                     "so there is nothing to enroll.");
    else if (!m_tags->isValid())
        problem = tr("Tags: %1").arg(m_tags->errorText());
    else if (!m_desired->isValid())
        problem = tr("Desired properties: %1").arg(m_desired->errorText());
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace Provisio::Crm
