// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "enrollmentsmodel.h"
#include "recordlistpage.h"

class QComboBox;
class QLineEdit;
class QTimer;

namespace Provisio::Crm {

// Individual enrollments with their provisioning status and registration,
// filtered by status and serial; the window's actions enable, disable,
// regenerate keys and delete the selected ones.
class EnrollmentsPage : public RecordListPage
{
    Q_OBJECT
public:
    explicit EnrollmentsPage(EnrollmentsModel *model, QWidget *parent = nullptr);
    QStringList selectedRegistrationIds() const;

private:
    void applyFilter();

    EnrollmentsModel *m_enrollments;
    QComboBox *m_status;
    QLineEdit *m_serial;
    QTimer *m_debounce;
};

} // namespace Provisio::Crm
