// SPDX-License-Identifier: Apache-2.0
#include "devicedialog.h"

#include <QDate>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>

namespace Provisio::Crm {

namespace {
const QString kSerial = QStringLiteral("serial");
const QString kModel = QStringLiteral("model");
const QString kManufacturer = QStringLiteral("manufacturer");
const QString kBatch = QStringLiteral("batch");
const QString kDeliveryDate = QStringLiteral("deliveryDate");
const QString kNotes = QStringLiteral("notes");
} // namespace

DeviceDialog::DeviceDialog(QWidget *parent)
    : RecordDialog(QStringLiteral("device"), parent), m_serial(new QLineEdit(this)), m_model(new QLineEdit(this)),
      m_manufacturer(new QLineEdit(this)), m_batch(new QLineEdit(this)), m_deliveryDate(new QLineEdit(this)),
      m_notes(new QPlainTextEdit(this))
{
    m_serial->setObjectName(QStringLiteral("deviceSerial"));
    m_model->setObjectName(QStringLiteral("deviceModel"));
    m_manufacturer->setObjectName(QStringLiteral("deviceManufacturer"));
    m_batch->setObjectName(QStringLiteral("deviceBatch"));
    m_deliveryDate->setObjectName(QStringLiteral("deviceDeliveryDate"));
    m_notes->setObjectName(QStringLiteral("deviceNotes"));
    m_serial->setMaxLength(64);
    m_model->setMaxLength(256);
    m_manufacturer->setMaxLength(256);
    m_batch->setMaxLength(256);
    m_deliveryDate->setMaxLength(10);
    m_deliveryDate->setPlaceholderText(tr("yyyy-MM-dd, e.g. %1").arg(QDate::currentDate().toString(Qt::ISODate)));
    m_notes->setTabChangesFocus(true);
    m_notes->setMaximumHeight(70);

    form()->addRow(tr("&Serial:"), m_serial);
    form()->addRow(tr("&Model:"), m_model);
    form()->addRow(tr("Manu&facturer:"), m_manufacturer);
    form()->addRow(tr("&Batch:"), m_batch);
    form()->addRow(tr("&Delivered on:"), m_deliveryDate);
    form()->addRow(tr("N&otes:"), m_notes);

    connect(m_serial, &QLineEdit::textChanged, this, &DeviceDialog::validate);
    connect(m_deliveryDate, &QLineEdit::textChanged, this, &DeviceDialog::validate);
    setDevice({});
}

bool DeviceDialog::isValidSerial(const QString &serial)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_.:-]{1,64}$"));
    return valid.match(serial).hasMatch();
}

void DeviceDialog::setDevice(const QJsonObject &device)
{
    setOriginal(device);
    setWindowTitle(device.isEmpty() ? tr("Add device") : tr("Edit device %1").arg(device.value(kSerial).toString()));
    m_serial->setText(device.value(kSerial).toString());
    m_serial->setReadOnly(!device.isEmpty());
    m_model->setText(device.value(kModel).toString());
    m_manufacturer->setText(device.value(kManufacturer).toString());
    m_batch->setText(device.value(kBatch).toString());
    m_deliveryDate->setText(device.value(kDeliveryDate).toString());
    m_notes->setPlainText(device.value(kNotes).toString());
    validate();
}

QJsonObject DeviceDialog::device() const
{
    QJsonObject out;
    out.insert(kSerial, m_serial->text().trimmed());
    const auto put = [&](const QString &key, const QString &value) {
        // A new device leaves out what is empty; an edit sends null (a
        // merge patch's "remove"), so a cleared field is cleared on the
        // server too.
        if (!value.isEmpty())
            out.insert(key, value);
        else if (!isNew())
            out.insert(key, QJsonValue(QJsonValue::Null));
    };
    put(kModel, m_model->text().trimmed());
    put(kManufacturer, m_manufacturer->text().trimmed());
    put(kBatch, m_batch->text().trimmed());
    put(kDeliveryDate, m_deliveryDate->text().trimmed());
    put(kNotes, m_notes->toPlainText().trimmed());
    return out;
}

void DeviceDialog::validate()
{
    QString problem;
    const QString serial = m_serial->text().trimmed();
    const QString date = m_deliveryDate->text().trimmed();
    if (serial.isEmpty())
        problem = tr("A device needs its serial number.");
    else if (!isValidSerial(serial))
        problem = tr("A serial has 1 to 64 letters, digits and - _ . : only.");
    else if (!date.isEmpty() && !QDate::fromString(date, Qt::ISODate).isValid())
        problem = tr("Write the delivery date as yyyy-MM-dd, e.g. %1.").arg(QDate::currentDate().toString(Qt::ISODate));
    setProblem(problem);
}

} // namespace Provisio::Crm
