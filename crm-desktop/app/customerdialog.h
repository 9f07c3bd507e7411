// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "recorddialog.h"

class QLineEdit;
class QPlainTextEdit;

namespace Provisio::Crm {

// Create or edit one customer. Checks what the middleware would reject
// (a name, an e-mail address with one '@' and no spaces) while the user
// types, so OK is only offered for a record that can be saved.
class CustomerDialog : public RecordDialog
{
    Q_OBJECT
public:
    explicit CustomerDialog(QWidget *parent = nullptr);

    // Empty record: a new customer.
    void setCustomer(const QJsonObject &customer);
    QJsonObject customer() const; // the edited record, with "id" when editing

private:
    void validate();

    QLineEdit *m_name;
    QLineEdit *m_email;
    QLineEdit *m_phone;
    QPlainTextEdit *m_address;
    QPlainTextEdit *m_notes;
};

} // namespace Provisio::Crm
