// SPDX-License-Identifier: Apache-2.0
#include "cardscan.h"

#include "activationqr.h"
#include "crypto/activationcode.h"

#include <QLoggingCategory>

#ifdef PROVISIO_KIOSK_SCANNING
#include <QCameraDevice>
#include <QMediaDevices>
#endif

Q_LOGGING_CATEGORY(lcKioskScan, "provisio.kiosk.scan")

namespace Provisio::Kiosk {

CardScan::CardScan(QObject *parent) : QObject(parent) { }

// Asking Qt Multimedia for cameras loads its whole backend (GStreamer,
// about 17 MiB resident): do it only once someone is about to type a key,
// so a provisioned kiosk, which starts straight into its dashboard, never
// pays for it.
void CardScan::watch()
{
#ifdef PROVISIO_KIOSK_SCANNING
    if (m_devices)
        return;
    m_devices = new QMediaDevices(this);
    connect(m_devices, &QMediaDevices::videoInputsChanged, this, &CardScan::refresh);
    refresh();
#endif
}

CardScan::~CardScan() = default;

bool CardScan::isSupported() const
{
#ifdef PROVISIO_KIOSK_SCANNING
    return true;
#else
    return false;
#endif
}

void CardScan::refresh()
{
    bool available = false;
#ifdef PROVISIO_KIOSK_SCANNING
    available = m_devices && !QMediaDevices::videoInputs().isEmpty();
#endif
    if (available == m_available)
        return;
    m_available = available;
    Q_EMIT availableChanged();
}

ScannedCard CardScan::read(const QString &text, const QString &deviceSerial) const
{
    ScannedCard scanned;
    const auto card = ActivationQr::parse(text, deviceSerial);
    if (!card) {
        // The message may name the card's serial, never its code.
        qCDebug(lcKioskScan).noquote() << "QR code refused:" << card.error().message;
        scanned.error = card.error().message;
        return scanned;
    }
    scanned.serial = card->serial;
    scanned.code = ActivationCode::format(card->code);
    scanned.url = card->url;
    return scanned;
}

void CardScan::reportDecoded(const QString &text)
{
    Q_EMIT decoded(text);
}

} // namespace Provisio::Kiosk
