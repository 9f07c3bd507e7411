// SPDX-License-Identifier: Apache-2.0
#include "qrscanner.h"

#include <QLoggingCategory>
#include <QScopeGuard>
#include <QVideoFrame>
#include <QVideoFrameFormat>
#include <QtConcurrent/QtConcurrentRun>

#include <ZXing/ReadBarcode.h>

Q_DECLARE_LOGGING_CATEGORY(lcKioskScan)

namespace Provisio::Kiosk {

namespace {

QString decodeView(const ZXing::ImageView &view)
{
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    // A card held up to a camera is rarely square to it: look harder and at
    // every quarter turn. A 720p frame still decodes in tens of milliseconds.
    hints.setTryHarder(true);
    hints.setTryRotate(true);
    hints.setTryDownscale(true);
    const ZXing::Result result = ZXing::ReadBarcode(view, hints);
    if (!result.isValid())
        return {};
    return QString::fromStdString(result.text());
}

// Where the luminance (or something ZXing turns into it) sits in a mapped
// frame's first plane: its ZXing format, the byte offset of the first
// sample and the distance between samples. Format None: not readable here.
struct PlaneLayout
{
    ZXing::ImageFormat format = ZXing::ImageFormat::None;
    int offset = 0;
    int pixStride = 0;
};

PlaneLayout layoutOf(QVideoFrameFormat::PixelFormat format)
{
    using F = QVideoFrameFormat;
    using Z = ZXing::ImageFormat;
    switch (format) {
    // Planar and semi-planar YUV: plane 0 is the Y plane, one byte a sample.
    case F::Format_YUV420P:
    case F::Format_YUV422P:
    case F::Format_YV12:
    case F::Format_NV12:
    case F::Format_NV21:
    case F::Format_IMC1:
    case F::Format_IMC2:
    case F::Format_IMC3:
    case F::Format_IMC4:
    case F::Format_Y8:
        return {Z::Lum, 0, 1};
    // 16-bit luminance, little endian: the high byte is enough.
    case F::Format_P010:
    case F::Format_P016:
    case F::Format_Y16:
        return {Z::Lum, 1, 2};
    // Packed 4:2:2, what most USB webcams send uncompressed.
    case F::Format_YUYV:
        return {Z::Lum, 0, 2};
    case F::Format_UYVY:
        return {Z::Lum, 1, 2};
    case F::Format_AYUV:
    case F::Format_AYUV_Premultiplied:
        return {Z::Lum, 1, 4};
    // RGB: the names give the byte order in memory.
    case F::Format_ARGB8888:
    case F::Format_ARGB8888_Premultiplied:
    case F::Format_XRGB8888:
        return {Z::XRGB, 0, 4};
    case F::Format_BGRA8888:
    case F::Format_BGRA8888_Premultiplied:
    case F::Format_BGRX8888:
        return {Z::BGRX, 0, 4};
    case F::Format_ABGR8888:
    case F::Format_XBGR8888:
        return {Z::XBGR, 0, 4};
    case F::Format_RGBA8888:
    case F::Format_RGBX8888:
        return {Z::RGBX, 0, 4};
    default:
        return {};
    }
}

} // namespace

QrScanner::QrScanner(QObject *parent) : QObject(parent), m_watcher(new QFutureWatcher<QString>(this))
{
    connect(m_watcher, &QFutureWatcher<QString>::finished, this, &QrScanner::onDecodeFinished);
}

// A decode still running finishes on its own thread with its own copy of the
// frame; its result is dropped with the watcher.
QrScanner::~QrScanner() = default;

void QrScanner::setVideoSink(QVideoSink *sink)
{
    if (m_sink == sink)
        return;
    disconnect(m_sinkConnection);
    m_sink = sink;
    if (sink)
        m_sinkConnection = connect(sink, &QVideoSink::videoFrameChanged, this, &QrScanner::onFrame);
    Q_EMIT videoSinkChanged();
}

void QrScanner::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    Q_EMIT activeChanged();
}

void QrScanner::setIntervalMs(int ms)
{
    ms = qBound(50, ms, 5000);
    if (m_intervalMs == ms)
        return;
    m_intervalMs = ms;
    Q_EMIT intervalMsChanged();
}

QString QrScanner::decodeImage(const QImage &image)
{
    if (image.isNull())
        return {};
    const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    return decodeView(ZXing::ImageView(grey.constBits(), grey.width(), grey.height(), ZXing::ImageFormat::Lum,
                                       int(grey.bytesPerLine())));
}

QString QrScanner::decodeFrame(const QVideoFrame &frame)
{
    QVideoFrame copy(frame);
    if (!copy.isValid())
        return {};
    const PlaneLayout layout = layoutOf(copy.pixelFormat());
    if (layout.format != ZXing::ImageFormat::None && copy.map(QVideoFrame::ReadOnly)) {
        const auto unmap = qScopeGuard([&copy] { copy.unmap(); });
        if (copy.bits(0)) {
            return decodeView(ZXing::ImageView(copy.bits(0) + layout.offset, copy.width(), copy.height(), layout.format,
                                               copy.bytesPerLine(0), layout.pixStride));
        }
    }
    // Compressed (MJPEG) or GPU-side frames: let Qt convert them.
    return decodeImage(copy.toImage());
}

void QrScanner::onFrame(const QVideoFrame &frame)
{
    if (!m_active || m_inFlight || !frame.isValid())
        return;
    if (m_sinceLastFrame.isValid() && m_sinceLastFrame.elapsed() < m_intervalMs)
        return;
    m_sinceLastFrame.start();
    m_inFlight = true;
    ++m_framesScanned;
    Q_EMIT framesScannedChanged();
    m_watcher->setFuture(QtConcurrent::run(&QrScanner::decodeFrame, frame));
}

void QrScanner::onDecodeFinished()
{
    m_inFlight = false;
    const QString text = m_watcher->result();
    if (text.isEmpty() || !m_active)
        return;
    // The text is an activation code: it stays out of the log.
    qCDebug(lcKioskScan) << "QR code found in frame" << m_framesScanned << "," << text.size() << "characters";
    Q_EMIT decoded(text);
}

} // namespace Provisio::Kiosk
