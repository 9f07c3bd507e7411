// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

class QMediaDevices;

namespace Provisio::Kiosk {

// What a scanned QR code means for this device, as QML reads it: either a
// card for it (serial, code as printed, XXXX-XXXX-XXXX-XXXX-C, and the
// middleware's address, empty when the card names none) or an error, a
// sentence for the person holding the card.
struct ScannedCard
{
    Q_GADGET
    QML_VALUE_TYPE(scannedCard)
    Q_PROPERTY(bool ok READ isOk CONSTANT)
    Q_PROPERTY(QString error MEMBER error CONSTANT)
    Q_PROPERTY(QString serial MEMBER serial CONSTANT)
    Q_PROPERTY(QString code MEMBER code CONSTANT)
    Q_PROPERTY(QString url MEMBER url CONSTANT)
public:
    bool isOk() const { return error.isEmpty() && !code.isEmpty(); }

    QString error;
    QString serial;
    QString code;
    QString url;
};

// Scanning the activation card, as the kiosk's QML sees it (the singleton
// `CardScan`): whether this kiosk can scan at all (built with Qt Multimedia
// and ZXing, and a camera is plugged in — a USB webcam may come and go), and
// reading what the camera found. The camera and the decoder live in
// CameraFeed.qml and QrScanner, which only exist in a kiosk built with
// scanning; this singleton exists in every build, so the key entry screen
// and the scan view need no second version without a camera.
class CardScan : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(bool supported READ isSupported CONSTANT)
    Q_PROPERTY(bool available READ isAvailable NOTIFY availableChanged)
public:
    explicit CardScan(QObject *parent = nullptr);
    ~CardScan() override;

    // Built with Qt Multimedia and ZXing.
    bool isSupported() const;
    // Supported, watch() was called, and at least one camera is there now.
    bool isAvailable() const { return m_available; }
    // Starts looking for cameras (and following them come and go). Called
    // when the key entry screen shows; before, available is false.
    Q_INVOKABLE void watch();

    // What the QR text `text` means for the device `deviceSerial`.
    Q_INVOKABLE Provisio::Kiosk::ScannedCard read(const QString &text, const QString &deviceSerial) const;

    // The camera feed reports what its scanner decoded; the scan view listens
    // to decoded(). (Through here because the feed is loaded only when a
    // camera exists, so the view cannot name its type.)
    Q_INVOKABLE void reportDecoded(const QString &text);

Q_SIGNALS:
    void availableChanged();
    void decoded(const QString &text);

private:
    void refresh();

    QMediaDevices *m_devices = nullptr;
    bool m_available = false;
};

} // namespace Provisio::Kiosk
