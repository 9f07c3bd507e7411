// SPDX-License-Identifier: Apache-2.0
// Activation cards without a middleware: the QR code a device camera reads
// (decoded back with zbarimg), the payload format, and the PDF an operator
// prints (its text read back with pdftotext, its pages counted).
#include "activationcard.h"
#include "activationcardrenderer.h"
#include "qr/qrcode.h"

#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Crm;

namespace {

QString tool(const char *name)
{
    return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

QByteArray run(const QString &program, const QStringList &args, int *exitCode = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000))
        return {};
    if (exitCode)
        *exitCode = p.exitCode();
    return p.readAllStandardOutput();
}

ActivationCard sampleCard(const QString &serial)
{
    ActivationCard card;
    card.serial = serial;
    card.model = QStringLiteral("Sensor 2");
    card.customerName = QStringLiteral("Contoso Ltd");
    card.activationCode = QStringLiteral("98ES-67WC-EWAT-ZJSG-G");
    card.idScope = QStringLiteral("0neF500BDB9");
    card.middlewareUrl = QStringLiteral("https://provisio.example.com:8443");
    card.registrationId = serial.toLower();
    card.expiresUtc = QDateTime(QDate(2026, 12, 26), QTime(9, 0), Qt::UTC);
    return card;
}

} // namespace

class TestCardsRender : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void qrImageDecodes_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("payload") << sampleCard(QStringLiteral("SN-0001")).qrPayload();
        QTest::newRow("short") << QByteArray("provisio");
        // Non-ASCII travels percent-encoded: scanners guess the character set
        // of raw 8-bit QR data (zbar reads UTF-8 as Shift JIS), so the
        // payload must stay ASCII.
        ActivationCard idn = sampleCard(QStringLiteral("SN-\u00dc1"));
        idn.middlewareUrl = QStringLiteral("https://ger\u00e4t.example:8443");
        QTest::newRow("non-ascii values") << idn.qrPayload();
    }
    void qrImageDecodes()
    {
        QFETCH(QByteArray, text);
        for (const char c : text)
            QVERIFY2(uchar(c) < 0x80, "the payload must be ASCII");
        const QString zbar = tool("zbarimg");
        if (zbar.isEmpty())
            QSKIP("zbarimg (zbar-tools) is not installed");
        // The PNG the middleware mails, read back as any image viewer would.
        auto symbol = QrCode::make(text);
        QVERIFY2(symbol.ok(), qPrintable(symbol.error().message));
        auto bytes = symbol->toPng(6);
        QVERIFY2(bytes.ok(), qPrintable(bytes.error().message));
        const QImage image = QImage::fromData(*bytes, "PNG");
        QVERIFY(!image.isNull());
        QCOMPARE(image.width(), (symbol->size() + 8) * 6);
        QCOMPARE(image.width(), image.height());
        // The quiet zone is white: the top-left pixel and the whole first row.
        QCOMPARE(qGray(image.pixel(0, 0)), 255);
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("qr.png"));
        QVERIFY(image.save(png));
        int code = -1;
        const QByteArray decoded = run(zbar, {QStringLiteral("--raw"), QStringLiteral("-q"), png}, &code);
        QCOMPARE(code, 0);
        QCOMPARE(decoded.trimmed(), text);
    }

    void qrRejectsBadInput()
    {
        QVERIFY(!QrCode::make({}).ok());
        QVERIFY(!QrCode::make("x")->toPng(0).ok());
        QVERIFY(!QrCode::make("x")->toPng(65).ok());
        QVERIFY(!QrCode::make("x")->toPng(4, -1).ok());
        // Over the capacity of the largest symbol at level M (2331 bytes).
        const auto tooLong = QrCode::make(QByteArray(3000, 'a'));
        QVERIFY(!tooLong.ok());
        QCOMPARE(tooLong.error().code, ErrorCode::InvalidInput);
        QVERIFY(QrCode::make(QByteArray(2000, 'a')).ok());
    }

    void payloadFormat()
    {
        ActivationCard card = sampleCard(QStringLiteral("SN:0001/x"));
        const QByteArray payload = card.qrPayload();
        QCOMPARE(payload, QByteArray("provisio:activate?serial=SN%3A0001%2Fx&code=98ES-67WC-EWAT-ZJSG-G"
                                     "&url=https%3A%2F%2Fprovisio.example.com%3A8443"));
        const ActivationCard back = ActivationCard::fromQrPayload(payload);
        QCOMPARE(back.serial, card.serial);
        QCOMPARE(back.activationCode, card.activationCode);
        QCOMPARE(back.middlewareUrl, card.middlewareUrl);
        QVERIFY(ActivationCard::fromQrPayload("https://example.com/?serial=a&code=b").serial.isEmpty());
        QVERIFY(ActivationCard::fromQrPayload("provisio:activate?serial=a").serial.isEmpty());
    }

    void pdfHoldsTheCardText()
    {
        const QString pdftotext = tool("pdftotext");
        if (pdftotext.isEmpty())
            QSKIP("pdftotext (poppler-utils) is not installed");
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("card.pdf"));
        QVERIFY(ActivationCardRenderer::writePdf(pdf, {sampleCard(QStringLiteral("SN-0001"))}).ok());
        QVERIFY(QFile::permissions(pdf) & QFileDevice::ReadOwner);
        QVERIFY(!(QFile::permissions(pdf) & QFileDevice::ReadOther));
        const QString text = QString::fromUtf8(run(pdftotext, {QStringLiteral("-layout"), pdf, QStringLiteral("-")}));
        QVERIFY2(text.contains(QStringLiteral("98ES-67WC-EWAT-ZJSG-G")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("SN-0001")));
        QVERIFY(text.contains(QStringLiteral("Sensor 2")));
        QVERIFY(text.contains(QStringLiteral("Contoso Ltd")));
        QVERIFY(text.contains(QStringLiteral("0neF500BDB9")));
        QVERIFY(text.contains(QStringLiteral("tap Activate")));
        QVERIFY(text.contains(QStringLiteral("2026-12-26")));
        QCOMPARE(text.count(u'\f'), 1); // one page
    }

    void batchLaysOutPages_data()
    {
        QTest::addColumn<int>("cards");
        QTest::addColumn<int>("perPage");
        QTest::addColumn<int>("pages");
        QTest::newRow("7 at 3 per page") << 7 << 3 << 3;
        QTest::newRow("3 at 3 per page") << 3 << 3 << 1;
        QTest::newRow("3 at 1 per page") << 3 << 1 << 3;
        QTest::newRow("4 at 2 per page") << 4 << 2 << 2;
    }
    void batchLaysOutPages()
    {
        QFETCH(int, cards);
        QFETCH(int, perPage);
        QFETCH(int, pages);
        const QString pdftotext = tool("pdftotext");
        if (pdftotext.isEmpty())
            QSKIP("pdftotext (poppler-utils) is not installed");
        QList<ActivationCard> list;
        for (int i = 0; i < cards; ++i)
            list << sampleCard(QStringLiteral("SN-%1").arg(100 + i));
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("batch.pdf"));
        CardPageOptions options;
        options.cardsPerPage = perPage;
        QCOMPARE(ActivationCardRenderer::pageCount(cards, options), pages);
        QVERIFY(ActivationCardRenderer::writePdf(pdf, list, options).ok());
        const QString text = QString::fromUtf8(run(pdftotext, {pdf, QStringLiteral("-")}));
        QCOMPARE(text.count(u'\f'), pages);
        for (int i = 0; i < cards; ++i)
            QVERIFY2(text.contains(QStringLiteral("SN-%1").arg(100 + i)), qPrintable(text));
        // Cards stay in order: the first page starts with the first serial.
        const QString firstPage = text.section(u'\f', 0, 0);
        QVERIFY(firstPage.contains(QStringLiteral("SN-100")));
        QCOMPARE(firstPage.count(QStringLiteral("Activation code")), qMin(perPage, cards));
    }

    // How long a hundred cards take to render to PDF: the dialog's reason
    // for doing it off the GUI thread (docs/activation-cards.md).
    void hundredCardsTiming()
    {
        QList<ActivationCard> list;
        for (int i = 0; i < 100; ++i)
            list << sampleCard(QStringLiteral("SN-%1").arg(1000 + i));
        QTemporaryDir dir;
        QElapsedTimer timer;
        timer.start();
        QVERIFY(ActivationCardRenderer::writePdf(dir.filePath(QStringLiteral("hundred.pdf")), list).ok());
        qInfo("100 cards to PDF: %lld ms", timer.elapsed());
    }

    void badExportChangesNothing()
    {
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("none.pdf"));
        auto empty = ActivationCardRenderer::writePdf(pdf, {});
        QVERIFY(!empty.ok());
        QVERIFY(!QFile::exists(pdf));
        ActivationCard noCode = sampleCard(QStringLiteral("SN-1"));
        noCode.activationCode.clear();
        auto missing = ActivationCardRenderer::writePdf(pdf, {noCode});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.contains(QStringLiteral("SN-1")));
        QVERIFY(!QFile::exists(pdf));
        CardPageOptions tooMany;
        tooMany.cardsPerPage = 9;
        QVERIFY(!ActivationCardRenderer::writePdf(pdf, {sampleCard(QStringLiteral("SN-1"))}, tooMany).ok());
        QVERIFY(!QFile::exists(pdf));
        auto unwritable = ActivationCardRenderer::writePdf(dir.filePath(QStringLiteral("no/such/dir/x.pdf")),
                                                           {sampleCard(QStringLiteral("SN-1"))});
        QVERIFY(!unwritable.ok());
        // An existing file is replaced only by a complete PDF.
        QFile existing(pdf);
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("keep");
        existing.close();
        QVERIFY(!ActivationCardRenderer::writePdf(pdf, {noCode}).ok());
        QVERIFY(existing.open(QIODevice::ReadOnly));
        QCOMPARE(existing.readAll(), QByteArray("keep"));
    }

    void previewMatchesPrintLayout()
    {
        // The same drawing at screen size: the QR in the preview still reads.
        const QString zbar = tool("zbarimg");
        if (zbar.isEmpty())
            QSKIP("zbarimg (zbar-tools) is not installed");
        const ActivationCard card = sampleCard(QStringLiteral("SN-0042"));
        QImage image(1080, 510, QImage::Format_RGB32);
        image.fill(Qt::white);
        {
            QPainter painter(&image);
            ActivationCardRenderer::paint(&painter, QRectF(0, 0, 1080, 510), card);
        }
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("preview.png"));
        QVERIFY(image.save(png));
        QCOMPARE(run(zbar, {QStringLiteral("--raw"), QStringLiteral("-q"), png}).trimmed(), card.qrPayload());
    }
};

QTEST_MAIN(TestCardsRender)
#include "tst_crm_cards_render.moc"
