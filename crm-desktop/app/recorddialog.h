// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QDialog>
#include <QJsonObject>

class QDialogButtonBox;
class QFormLayout;
class QLabel;

namespace Provisio::Crm {

// The frame of the dialogs that create or edit one record (customer, hub):
// a form, a line that names what the middleware would reject, and OK /
// Cancel, OK offered only while there is no problem. Keeps the record as
// it was read and its etag, so the caller can send the edit with If-Match.
class RecordDialog : public QDialog
{
    Q_OBJECT
public:
    // name: what the record is ("customer"); the dialog is "<name>Dialog"
    // and its buttons "<name>Buttons" for tests to find.
    explicit RecordDialog(const QString &name, QWidget *parent = nullptr);

    QByteArray etag() const { return m_etag; }
    bool isNew() const { return m_original.isEmpty(); }

protected:
    QFormLayout *form() const { return m_form; }
    const QJsonObject &original() const { return m_original; }
    // Remembers the record being edited (empty: a new one).
    void setOriginal(const QJsonObject &record);
    // Shows `problem` (empty: none) and offers OK only without one.
    void setProblem(const QString &problem);

private:
    QJsonObject m_original;
    QByteArray m_etag;
    QFormLayout *m_form;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace Provisio::Crm
