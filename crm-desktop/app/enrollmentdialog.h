// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>
#include <QJsonObject>
#include <QStringList>

class QCheckBox;
class QDialogButtonBox;
class QLabel;

namespace Provisio::Crm {

class JsonObjectEdit;

// Create enrollments for one or many selected devices: the initial twin's
// tags and desired properties as JSON (validated as typed) and whether the
// enrollment starts enabled. Each device gets its own enrollment and keys;
// the registration id is the serial in lower case.
class EnrollmentDialog : public QDialog
{
    Q_OBJECT
public:
    explicit EnrollmentDialog(const QStringList &serials, QWidget *parent = nullptr);

    QStringList serials() const { return m_serials; }
    // Enrollments for every device the inventory filter matches (`count`,
    // as shown), created on the server.
    void describeAllMatching(const QString &count);
    QJsonObject tags() const;
    QJsonObject desired() const;
    bool startEnabled() const;

private:
    void updateOk();

    QStringList m_serials;
    JsonObjectEdit *m_tags;
    JsonObjectEdit *m_desired;
    QCheckBox *m_enabled;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace Provisio::Crm
