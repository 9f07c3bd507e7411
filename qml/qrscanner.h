// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QVideoSink>
#include <QtQml/qqmlregistration.h>

class QVideoFrame;

namespace Provisio::Kiosk {

// Finds QR codes in a camera's picture: QML puts it behind a VideoOutput's
// videoSink, it takes a frame now and then and emits decoded() with the
// text of any QR code in it. Decoding (ZXing) runs on a worker thread so the
// preview never stutters; at most one frame is being decoded at a time and a
// new one is taken at most every intervalMs, which keeps a Raspberry Pi's
// cores for the rest of the kiosk. Frames that arrive meanwhile are dropped:
// the camera sends the same card again a moment later.
class QrScanner : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QVideoSink *videoSink READ videoSink WRITE setVideoSink NOTIFY videoSinkChanged)
    Q_PROPERTY(bool active READ isActive WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(int intervalMs READ intervalMs WRITE setIntervalMs NOTIFY intervalMsChanged)
    Q_PROPERTY(int framesScanned READ framesScanned NOTIFY framesScannedChanged)
public:
    explicit QrScanner(QObject *parent = nullptr);
    ~QrScanner() override;

    QVideoSink *videoSink() const { return m_sink; }
    void setVideoSink(QVideoSink *sink);
    bool isActive() const { return m_active; }
    void setActive(bool active);
    int intervalMs() const { return m_intervalMs; }
    // Clamped to 50..5000 ms.
    void setIntervalMs(int ms);
    // Frames handed to the decoder so far (for diagnostics and tests).
    int framesScanned() const { return m_framesScanned; }

    // The text of the first QR code found in `image`, or an empty string. It
    // may be rotated, mirrored by the camera's orientation or small in the
    // picture. Synchronous; safe on any thread.
    static QString decodeImage(const QImage &image);
    // The same for one video frame: luminance is read straight from the
    // frame's planes when its format allows (YUV, grey, RGB), so the common
    // camera formats need no conversion. Safe on any thread.
    static QString decodeFrame(const QVideoFrame &frame);

Q_SIGNALS:
    void videoSinkChanged();
    void activeChanged();
    void intervalMsChanged();
    void framesScannedChanged();
    void decoded(const QString &text);

private:
    void onFrame(const QVideoFrame &frame);
    void onDecodeFinished();

    QPointer<QVideoSink> m_sink;
    QMetaObject::Connection m_sinkConnection;
    QFutureWatcher<QString> *m_watcher;
    QElapsedTimer m_sinceLastFrame;
    bool m_active = true;
    bool m_inFlight = false;
    int m_intervalMs = 250;
    int m_framesScanned = 0;
};

} // namespace Provisio::Kiosk
