// SPDX-License-Identifier: Apache-2.0
// provisio-bench-qrdecode: how long QrScanner takes to look at one camera
// frame, with an activation card's QR code in it and without one (what the
// camera sees most of the time). The kiosk decodes at most one frame at a
// time, every 250 ms by default, on a worker thread: a frame must take well
// under that on the device, or the scan lags behind the card. Frames are
// NV12 (what V4L2 and libcamera commonly deliver), drawn here: a grey,
// unevenly lit scene with the card's code turned a little. Exit 1 when the
// card is not found in a run (the figures would mean nothing then).
//
//   provisio-bench-qrdecode [--runs N]
#include "qrscanner.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QPainter>
#include <QVideoFrame>
#include <QVideoFrameFormat>

#include <qrencode.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

using Provisio::Kiosk::QrScanner;

namespace {

QImage renderQr(const QByteArray &text, int modulePx)
{
    QRcode *code =
        QRcode_encodeData(int(text.size()), reinterpret_cast<const unsigned char *>(text.constData()), 0, QR_ECLEVEL_M);
    if (!code)
        return {};
    const int side = (code->width + 8) * modulePx;
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    for (int y = 0; y < code->width; ++y) {
        for (int x = 0; x < code->width; ++x) {
            if (code->data[y * code->width + x] & 1)
                painter.fillRect((x + 4) * modulePx, (y + 4) * modulePx, modulePx, modulePx, Qt::black);
        }
    }
    painter.end();
    QRcode_free(code);
    return image;
}

// An NV12 frame of `size` showing `qr` (if any) at a third of the height,
// turned by 12 degrees.
QVideoFrame frame(QSize size, const QImage &qr)
{
    QImage picture(size, QImage::Format_RGB32);
    QPainter painter(&picture);
    QLinearGradient light(0, 0, size.width(), size.height());
    light.setColorAt(0, QColor(90, 90, 90));
    light.setColorAt(1, QColor(170, 170, 160));
    painter.fillRect(picture.rect(), light);
    if (!qr.isNull()) {
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        painter.translate(size.width() / 2.0, size.height() / 2.0);
        painter.rotate(12);
        const qreal scale = size.height() / 3.0 / qr.height();
        painter.scale(scale, scale);
        painter.drawImage(QPointF(-qr.width() / 2.0, -qr.height() / 2.0), qr);
    }
    painter.end();
    const QImage grey = picture.convertToFormat(QImage::Format_Grayscale8);
    QVideoFrame nv12(QVideoFrameFormat(size, QVideoFrameFormat::Format_NV12));
    if (!nv12.map(QVideoFrame::WriteOnly))
        return {};
    for (int y = 0; y < size.height(); ++y)
        std::memcpy(nv12.bits(0) + y * nv12.bytesPerLine(0), grey.constScanLine(y), size_t(size.width()));
    std::memset(nv12.bits(1), 128, size_t(nv12.mappedBytes(1)));
    nv12.unmap();
    return nv12;
}

struct Figures
{
    double medianMs = 0;
    double p95Ms = 0;
    double maxMs = 0;
    bool allFound = true;
};

Figures measure(const QVideoFrame &input, int runs, const QString &expected)
{
    std::vector<double> ms;
    Figures figures;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        const QString text = QrScanner::decodeFrame(input);
        ms.push_back(timer.nsecsElapsed() / 1e6);
        if (text != expected)
            figures.allFound = false;
    }
    std::sort(ms.begin(), ms.end());
    figures.medianMs = ms[ms.size() / 2];
    figures.p95Ms = ms[std::min(ms.size() - 1, size_t(ms.size() * 0.95))];
    figures.maxMs = ms.back();
    return figures;
}

} // namespace

int main(int argc, char *argv[])
{
    // QPainter on QImage needs no display; a GUI application for the fonts
    // and image plugins Qt may load, on the offscreen platform.
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Time QrScanner's decoding of one camera frame."));
    parser.addHelpOption();
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Frames decoded per case (default 40)."),
                                        QStringLiteral("N"), QStringLiteral("40"));
    parser.addOption(runsOption);
    parser.process(app);
    bool ok = false;
    const int runs = parser.value(runsOption).toInt(&ok);
    if (!ok || runs < 1 || runs > 100000) {
        std::fprintf(stderr, "provisio-bench-qrdecode: --runs must be a number from 1 to 100000\n");
        return 2;
    }

    const QByteArray card = "provisio:activate?serial=BENCH-0001&code=98ES-67WC-EWAT-ZJSG-G"
                            "&url=https%3A%2F%2Fprovisio.example%3A8443";
    const QImage qr = renderQr(card, 8);
    bool allFound = true;
    std::printf("%-10s %-8s %10s %10s %10s\n", "frame", "content", "median-ms", "p95-ms", "max-ms");
    for (const QSize size : {QSize(640, 480), QSize(1280, 720), QSize(1920, 1080)}) {
        for (const bool withCard : {true, false}) {
            const Figures f =
                measure(frame(size, withCard ? qr : QImage()), runs, withCard ? QString::fromLatin1(card) : QString());
            allFound = allFound && f.allFound;
            std::printf("%-10s %-8s %10.1f %10.1f %10.1f%s\n",
                        qPrintable(QStringLiteral("%1x%2").arg(size.width()).arg(size.height())),
                        withCard ? "card" : "nothing", f.medianMs, f.p95Ms, f.maxMs,
                        f.allFound ? "" : "  (WRONG RESULT)");
        }
    }
    return allFound ? 0 : 1;
}
