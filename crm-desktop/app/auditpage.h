// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "enrollmentsmodel.h"
#include "recordlistpage.h"

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLineEdit;
class QPlainTextEdit;
class QTimer;

class QTableView;

namespace Provisio::Crm {

// Sizes a table over an AuditModel to what its columns can show (every
// action and record type in the window's language, a timestamp), here and
// in the device details' audit trail.
void fitAuditColumns(QTableView *table);

// The audit log, newest first, filtered on the server by actor, action,
// entity type and id and a time window; the selected entry's before/after
// records are shown below the table.
class AuditPage : public RecordListPage
{
    Q_OBJECT
public:
    explicit AuditPage(AuditModel *model, QWidget *parent = nullptr);
    // Narrows the log to one record (the device detail's "audit trail").
    void showEntity(const QString &entityType, const QString &entityId);
    // A saved layout keeps its widths, but never narrower than the texts
    // of the window's language need (a layout saved in English is opened
    // in German after a language switch).
    void restoreState(QSettings &settings) override;

private:
    void applyFilter();
    QString actionFilterValue() const;
    void showSelected();

    AuditModel *m_audit;
    QLineEdit *m_actor;
    QComboBox *m_action;
    QComboBox *m_entityType;
    QLineEdit *m_entityId;
    QCheckBox *m_sinceEnabled;
    QDateTimeEdit *m_since;
    QCheckBox *m_untilEnabled;
    QDateTimeEdit *m_until;
    QPlainTextEdit *m_details;
    QTimer *m_debounce;
};

} // namespace Provisio::Crm
