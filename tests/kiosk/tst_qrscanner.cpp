// SPDX-License-Identifier: Apache-2.0
// QrScanner: finds a card's QR code in a picture — straight, small, scaled,
// turned — and in camera frames of the formats cameras send, on a worker
// thread, one frame at a time. The QR codes are made here with libqrencode,
// as the CRM prints them (error correction M, four modules of quiet zone).
#include "activationqr.h"
#include "qrscanner.h"

#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QTransform>
#include <QVideoFrame>
#include <QVideoFrameFormat>
#include <QVideoSink>

#include <qrencode.h>

#include <cstring>

using Provisio::Kiosk::QrScanner;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kCard =
    u"provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G&url=https%3A%2F%2Fprovisio.example%3A8443"_s;

// `text` as a QR code, `modulePx` pixels a module, black on white with the
// standard quiet zone.
QImage renderQr(const QString &text, int modulePx)
{
    const QByteArray data = text.toUtf8();
    QRcode *code =
        QRcode_encodeData(int(data.size()), reinterpret_cast<const unsigned char *>(data.constData()), 0, QR_ECLEVEL_M);
    if (!code)
        return {};
    const int quiet = 4;
    const int side = (code->width + 2 * quiet) * modulePx;
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    for (int y = 0; y < code->width; ++y) {
        for (int x = 0; x < code->width; ++x) {
            if (code->data[y * code->width + x] & 1)
                painter.fillRect((x + quiet) * modulePx, (y + quiet) * modulePx, modulePx, modulePx, Qt::black);
        }
    }
    painter.end();
    QRcode_free(code);
    return image;
}

// The card as a camera sees it: a grey, unevenly lit 1280×720 scene with the
// code somewhere in it, turned and scaled smoothly.
QImage scene(const QImage &qr, qreal angle, qreal scale, QPoint centre = QPoint(640, 360))
{
    QImage picture(1280, 720, QImage::Format_RGB32);
    QPainter painter(&picture);
    QLinearGradient light(0, 0, 1280, 720);
    light.setColorAt(0, QColor(90, 90, 90));
    light.setColorAt(1, QColor(170, 170, 160));
    painter.fillRect(picture.rect(), light);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.translate(centre);
    painter.rotate(angle);
    painter.scale(scale, scale);
    painter.drawImage(QPointF(-qr.width() / 2.0, -qr.height() / 2.0), qr);
    painter.end();
    return picture;
}

// `image` as a video frame of `format`, filled the way a camera fills it.
QVideoFrame toFrame(const QImage &image, QVideoFrameFormat::PixelFormat format)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    QVideoFrame frame(QVideoFrameFormat(image.size(), format));
    if (!frame.map(QVideoFrame::WriteOnly))
        return {};
    const int w = image.width();
    const int h = image.height();
    for (int y = 0; y < h; ++y) {
        const uchar *luma = grey.constScanLine(y);
        const auto *pixels = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        uchar *line = frame.bits(0) + y * frame.bytesPerLine(0);
        for (int x = 0; x < w; ++x) {
            const QRgb p = pixels[x];
            switch (format) {
            case QVideoFrameFormat::Format_NV12:
            case QVideoFrameFormat::Format_YUV420P:
                line[x] = luma[x];
                break;
            case QVideoFrameFormat::Format_YUYV:
                line[2 * x] = luma[x];
                line[2 * x + 1] = 128;
                break;
            case QVideoFrameFormat::Format_UYVY:
                line[2 * x] = 128;
                line[2 * x + 1] = luma[x];
                break;
            case QVideoFrameFormat::Format_ARGB8888: {
                const uchar bytes[4] = {255, uchar(qRed(p)), uchar(qGreen(p)), uchar(qBlue(p))};
                std::memcpy(line + 4 * x, bytes, 4);
                break;
            }
            case QVideoFrameFormat::Format_BGRA8888: {
                const uchar bytes[4] = {uchar(qBlue(p)), uchar(qGreen(p)), uchar(qRed(p)), 255};
                std::memcpy(line + 4 * x, bytes, 4);
                break;
            }
            default:
                return {};
            }
        }
    }
    // Chroma planes: neutral grey.
    for (int plane = 1; plane < frame.planeCount(); ++plane)
        std::memset(frame.bits(plane), 128, size_t(frame.mappedBytes(plane)));
    frame.unmap();
    return frame;
}

} // namespace

class TestQrScanner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodeImage_data()
    {
        QTest::addColumn<QImage>("image");
        QTest::addColumn<QString>("text");

        const QImage card = renderQr(kCard, 6);
        QVERIFY(!card.isNull());
        QTest::newRow("straight, as printed") << card << kCard;
        QTest::newRow("in a camera's picture") << scene(card, 0, 1.0) << kCard;
        QTest::newRow("small, off centre") << scene(renderQr(kCard, 3), 0, 1.0, QPoint(300, 200)) << kCard;
        QTest::newRow("scaled by 0.7") << scene(card, 0, 0.7) << kCard;
        QTest::newRow("scaled by 1.9") << scene(renderQr(kCard, 2), 0, 1.9) << kCard;
        QTest::newRow("a quarter turn") << scene(card, 90, 1.0) << kCard;
        QTest::newRow("upside down") << scene(card, 180, 1.0) << kCard;
        QTest::newRow("turned 17 degrees and scaled") << scene(card, 17, 0.85) << kCard;
        QTest::newRow("turned -30 degrees") << scene(card, -30, 1.0) << kCard;
        QTest::newRow("not a card: still read") << scene(renderQr(u"Hello, world"_s, 8), 10, 1.0) << u"Hello, world"_s;
        QImage blank(640, 480, QImage::Format_RGB32);
        blank.fill(QColor(120, 120, 120));
        QTest::newRow("no code") << blank << QString();
        QTest::newRow("null image") << QImage() << QString();
    }

    void decodeImage()
    {
        QFETCH(QImage, image);
        QFETCH(QString, text);
        QCOMPARE(QrScanner::decodeImage(image), text);
    }

    // What is read back is what ActivationQr understands.
    void decodedCardParses()
    {
        const auto card = Provisio::Kiosk::ActivationQr::parse(
            QrScanner::decodeImage(scene(renderQr(kCard, 4), 25, 1.0)), u"SN-0001"_s);
        QVERIFY2(card, qPrintable(card.error().message));
        QCOMPARE(card->code, u"98ES67WCEWATZJSGG"_s);
        QCOMPARE(card->url, u"https://provisio.example:8443"_s);
    }

    void decodeFrame_data()
    {
        QTest::addColumn<int>("format");
        QTest::newRow("NV12") << int(QVideoFrameFormat::Format_NV12);
        QTest::newRow("YUV420P") << int(QVideoFrameFormat::Format_YUV420P);
        QTest::newRow("YUYV") << int(QVideoFrameFormat::Format_YUYV);
        QTest::newRow("UYVY") << int(QVideoFrameFormat::Format_UYVY);
        QTest::newRow("ARGB8888") << int(QVideoFrameFormat::Format_ARGB8888);
        QTest::newRow("BGRA8888") << int(QVideoFrameFormat::Format_BGRA8888);
    }

    void decodeFrame()
    {
        QFETCH(int, format);
        const QVideoFrame frame = toFrame(scene(renderQr(kCard, 4), 12, 1.0), QVideoFrameFormat::PixelFormat(format));
        QVERIFY(frame.isValid());
        QCOMPARE(QrScanner::decodeFrame(frame), kCard);

        // The same frame without the code: nothing is found.
        QImage blank(1280, 720, QImage::Format_RGB32);
        blank.fill(QColor(100, 110, 120));
        QCOMPARE(QrScanner::decodeFrame(toFrame(blank, QVideoFrameFormat::PixelFormat(format))), QString());
    }

    // Frames through a video sink, as the camera delivers them: decoded on
    // a worker thread, and frames arriving while one is decoded or sooner
    // than intervalMs are skipped.
    void framesFromASink()
    {
        QVideoSink sink;
        QrScanner scanner;
        scanner.setVideoSink(&sink);
        scanner.setIntervalMs(5000);
        QSignalSpy decoded(&scanner, &QrScanner::decoded);

        // Two frames taken in turns: a sink announces only a frame that
        // differs from the one it holds.
        const QVideoFrame frames[2] = {toFrame(scene(renderQr(kCard, 4), 5, 1.0), QVideoFrameFormat::Format_NV12),
                                       toFrame(scene(renderQr(kCard, 4), 8, 1.0), QVideoFrameFormat::Format_NV12)};
        QSignalSpy announced(&sink, &QVideoSink::videoFrameChanged);
        for (int i = 0; i < 30; ++i)
            sink.setVideoFrame(frames[i % 2]);
        QCOMPARE(announced.count(), 30);
        QCOMPARE(scanner.framesScanned(), 1);
        QVERIFY(decoded.wait(10000));
        QCOMPARE(decoded.count(), 1);
        QCOMPARE(decoded.at(0).at(0).toString(), kCard);

        // Inactive: frames are not even looked at.
        scanner.setIntervalMs(50);
        scanner.setActive(false);
        QTest::qWait(60); // past the interval, so only `active` can hold the frame back
        sink.setVideoFrame(frames[1]);
        QCOMPARE(scanner.framesScanned(), 1);

        scanner.setActive(true);
        sink.setVideoFrame(frames[0]);
        QCOMPARE(scanner.framesScanned(), 2);
        QVERIFY(decoded.wait(10000));
        QCOMPARE(decoded.count(), 2);

        // Past the interval, one frame at a time: while a frame is decoded
        // (its result comes back through the event loop), the rest wait.
        QTest::qWait(60);
        for (int i = 1; i <= 10; ++i)
            sink.setVideoFrame(frames[i % 2]);
        QCOMPARE(scanner.framesScanned(), 3);
        QVERIFY(decoded.wait(10000));
        QCOMPARE(decoded.count(), 3);
    }

    // A scanner going away while its frame is decoded must not crash.
    void destroyedWhileDecoding()
    {
        QVideoSink sink;
        auto *scanner = new QrScanner;
        scanner->setVideoSink(&sink);
        sink.setVideoFrame(toFrame(scene(renderQr(kCard, 4), 33, 1.0), QVideoFrameFormat::Format_NV12));
        QCOMPARE(scanner->framesScanned(), 1);
        delete scanner;
        sink.setVideoFrame(toFrame(scene(renderQr(kCard, 4), 0, 1.0), QVideoFrameFormat::Format_NV12));
    }
};

QTEST_MAIN(TestQrScanner)
#include "tst_qrscanner.moc"
