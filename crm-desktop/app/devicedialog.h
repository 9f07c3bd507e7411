// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "recorddialog.h"

class QLineEdit;
class QPlainTextEdit;

namespace Provisio::Crm {

// Add or edit one inventory device. Checks what the middleware would
// reject while the user types (a serial of 1 to 64 letters, digits and
// "- _ . :", a delivery date in the form yyyy-MM-dd), so OK is only offered
// for a record that can be saved. The serial cannot change once saved.
class DeviceDialog : public RecordDialog
{
    Q_OBJECT
public:
    explicit DeviceDialog(QWidget *parent = nullptr);
    // Empty record: a new device.
    void setDevice(const QJsonObject &device);
    // The fields the user edits (serial, model, manufacturer, batch,
    // deliveryDate, notes); empty ones are left out of a new device.
    QJsonObject device() const;

    static bool isValidSerial(const QString &serial);

private:
    void validate();

    QLineEdit *m_serial;
    QLineEdit *m_model;
    QLineEdit *m_manufacturer;
    QLineEdit *m_batch;
    QLineEdit *m_deliveryDate;
    QPlainTextEdit *m_notes;
};

} // namespace Provisio::Crm
