// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace Provisio::Crm {

// A small JSON editor for twin tags and desired properties: validates as
// the user types (a red border and a message naming the line and column of
// the first error), so a dialog can keep its OK button off until the text is
// a JSON object. Empty text counts as an empty object.
class JsonObjectEdit : public QWidget
{
    Q_OBJECT
public:
    explicit JsonObjectEdit(QWidget *parent = nullptr);

    void setObject(const QJsonObject &object);
    QJsonObject object() const; // empty when invalid
    bool isValid() const { return m_valid; }
    QString errorText() const;
    QString text() const;
    void setText(const QString &text);
    void setReadOnly(bool readOnly);
    // Names starting with '$' are the server's ($version); reject them when set.
    void setRejectReservedNames(bool reject);

    QPlainTextEdit *editor() const { return m_edit; }

Q_SIGNALS:
    void validityChanged(bool valid);
    void edited(); // the user changed the text (not setObject/setText)

private:
    void validate();

    QPlainTextEdit *m_edit = nullptr;
    QLabel *m_error = nullptr;
    QJsonObject m_object;
    bool m_valid = true;
    bool m_rejectReserved = false;
    bool m_settingText = false; // edited() is for the user's typing only
};

} // namespace Provisio::Crm
