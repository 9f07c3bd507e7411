// SPDX-License-Identifier: Apache-2.0
#include "activationcardrenderer.h"
#include "qr/qrcode.h"

#include <QFontDatabase>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QPrinter>
#include <QSaveFile>

namespace Provisio::Crm {

namespace {

constexpr qreal kGapMm = 10.0;    // between stacked cards, room for the cut marks
constexpr qreal kMarginMm = 6.0;  // inside the card
constexpr qreal kQrSideMm = 60.0; // with its quiet zone
constexpr qreal kCutMarkMm = 4.0;
constexpr qreal kCutMarkOffsetMm = 1.5;

const QColor kInk(0x20, 0x20, 0x20);
const QColor kMuted(0x60, 0x60, 0x60);
const QColor kFrame(0xb0, 0xb0, 0xb0);

QFont sansFont(qreal pixels, bool bold = false)
{
    QFont font = QGuiApplication::font();
    font.setPixelSize(qMax(1, qRound(pixels)));
    font.setBold(bold);
    return font;
}

QFont monoFont(qreal pixels)
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::Monospace);
    font.setFixedPitch(true);
    font.setPixelSize(qMax(1, qRound(pixels)));
    font.setBold(true);
    return font;
}

// One line of text, elided to the width so a long customer name never runs
// into the QR code.
void drawLine(QPainter *p, const QRectF &box, const QString &text, const QFont &font, const QColor &color)
{
    p->setFont(font);
    p->setPen(color);
    const QString shown = QFontMetricsF(font).elidedText(text, Qt::ElideRight, box.width());
    p->drawText(box, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, shown);
}

// The QR modules as horizontal runs in one path: fewer, larger rectangles
// than one per module, filled at once so no seams show between modules.
void drawQr(QPainter *p, const QRectF &box, const QrCode &code)
{
    const int quiet = 4;
    const qreal module = box.width() / (code.size() + 2 * quiet);
    p->fillRect(box, Qt::white);
    QPainterPath path;
    for (int y = 0; y < code.size(); ++y) {
        int x = 0;
        while (x < code.size()) {
            if (!code.isDark(x, y)) {
                ++x;
                continue;
            }
            const int start = x;
            while (x < code.size() && code.isDark(x, y))
                ++x;
            path.addRect(QRectF(box.left() + (start + quiet) * module, box.top() + (y + quiet) * module,
                                (x - start) * module, module));
        }
    }
    p->save();
    // Antialiased edges between touching rows show as pale seams on screen.
    p->setRenderHint(QPainter::Antialiasing, false);
    p->setPen(Qt::NoPen);
    p->setBrush(Qt::black);
    p->drawPath(path);
    p->restore();
}

} // namespace

void ActivationCardRenderer::paint(QPainter *p, const QRectF &rect, const ActivationCard &card)
{
    p->save();
    p->setRenderHint(QPainter::Antialiasing, true);
    p->setRenderHint(QPainter::TextAntialiasing, true);
    const qreal mm = rect.height() / CardHeightMm;
    const auto at = [&](qreal xMm, qreal yMm, qreal wMm, qreal hMm) {
        return QRectF(rect.left() + xMm * mm, rect.top() + yMm * mm, wMm * mm, hMm * mm);
    };

    p->setPen(QPen(kFrame, 0.3 * mm));
    p->setBrush(Qt::white);
    p->drawRoundedRect(rect.adjusted(0.15 * mm, 0.15 * mm, -0.15 * mm, -0.15 * mm), 2.5 * mm, 2.5 * mm);

    const qreal qrLeft = CardWidthMm - kQrSideMm - 3.0;
    const qreal qrTop = (CardHeightMm - kQrSideMm) / 2.0 - 2.0;
    const qreal textWidth = qrLeft - kMarginMm - 2.0;

    drawLine(p, at(kMarginMm, 5.0, textWidth, 7.0), tr("Activate your device"), sansFont(5.0 * mm, true), kInk);

    QString device = card.model.isEmpty() ? card.serial : card.model + QStringLiteral(" \u00b7 ") + card.serial;
    drawLine(p, at(kMarginMm, 13.0, 20.0, 5.0), tr("Device"), sansFont(2.8 * mm), kMuted);
    drawLine(p, at(kMarginMm + 20.0, 13.0, textWidth - 20.0, 5.0), device, sansFont(3.6 * mm, true), kInk);
    drawLine(p, at(kMarginMm, 18.5, 20.0, 5.0), tr("Customer"), sansFont(2.8 * mm), kMuted);
    drawLine(p, at(kMarginMm + 20.0, 18.5, textWidth - 20.0, 5.0),
             card.customerName.isEmpty() ? QStringLiteral("\u2014") : card.customerName, sansFont(3.6 * mm), kInk);

    drawLine(p, at(kMarginMm, 26.0, textWidth, 4.5), tr("Activation code"), sansFont(2.8 * mm), kMuted);
    // The code in the largest monospace type that fits: every character the
    // same width keeps the groups aligned and tells 0 from O at a glance.
    QFont code = monoFont(8.5 * mm);
    const qreal codeWidth = textWidth * mm;
    while (code.pixelSize() > 4 && QFontMetricsF(code).horizontalAdvance(card.activationCode) > codeWidth)
        code.setPixelSize(code.pixelSize() - 1);
    p->setFont(code);
    p->setPen(Qt::black);
    p->drawText(at(kMarginMm, 30.0, textWidth, 12.0), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine,
                card.activationCode);

    QString validity = tr("Works once.");
    if (card.expiresUtc.isValid())
        validity = tr("Works once, until %1 (UTC).").arg(card.expiresUtc.toUTC().date().toString(Qt::ISODate));
    drawLine(p, at(kMarginMm, 42.0, textWidth, 4.5), validity, sansFont(2.8 * mm), kMuted);

    p->setFont(sansFont(3.2 * mm));
    p->setPen(kInk);
    p->drawText(at(kMarginMm, 48.5, textWidth, 20.0), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                tr("On the device's screen tap Enter activation code, type the 17 characters of "
                   "this activation code (the dashes come by themselves) and tap Activate, or scan "
                   "the QR code with the device's camera. Keep this card private until the device "
                   "is activated."));

    QString where = tr("Service ") + card.middlewareUrl;
    if (!card.idScope.isEmpty())
        where += tr("  \u00b7  ID scope ") + card.idScope;
    drawLine(p, at(kMarginMm, CardHeightMm - 10.0, textWidth, 4.0), where, sansFont(2.3 * mm), kMuted);
    if (!card.registrationId.isEmpty())
        drawLine(p, at(kMarginMm, CardHeightMm - 6.5, textWidth, 4.0), tr("Registration ID ") + card.registrationId,
                 sansFont(2.3 * mm), kMuted);

    const QRectF qrBox = at(qrLeft, qrTop, kQrSideMm, kQrSideMm);
    if (auto qr = QrCode::make(card.qrPayload())) {
        drawQr(p, qrBox, *qr);
    } else {
        p->setPen(QPen(kMuted, 0.3 * mm, Qt::DashLine));
        p->setBrush(Qt::NoBrush);
        p->drawRect(qrBox);
        drawLine(p, qrBox, tr("no QR code"), sansFont(3.0 * mm), kMuted);
    }
    p->setFont(sansFont(2.3 * mm));
    p->setPen(kMuted);
    p->drawText(at(qrLeft, qrTop + kQrSideMm - 1.0, kQrSideMm, 4.0), Qt::AlignHCenter | Qt::AlignTop,
                tr("Scan on the device"));
    p->restore();
}

Result<void> ActivationCardRenderer::check(const QList<ActivationCard> &cards, const PageOptions &options)
{
    if (cards.isEmpty())
        return Error(ErrorCode::InvalidInput, tr("there are no activation cards to print"));
    if (options.cardsPerPage < 1 || options.cardsPerPage > MaxCardsPerPage)
        return Error(ErrorCode::InvalidInput, tr("cards per page must be 1 to %1").arg(MaxCardsPerPage));
    for (const ActivationCard &card : cards) {
        if (card.serial.isEmpty() || card.activationCode.isEmpty())
            return Error(ErrorCode::InvalidInput, tr("the card for '%1' has no activation code").arg(card.serial));
    }
    return {};
}

int ActivationCardRenderer::pageCount(int cards, const PageOptions &options)
{
    const int perPage = qBound(1, options.cardsPerPage, int(MaxCardsPerPage));
    return (qMax(0, cards) + perPage - 1) / perPage;
}

Result<void> ActivationCardRenderer::paintPages(QPagedPaintDevice *device, const QList<ActivationCard> &cards,
                                                const PageOptions &options)
{
    if (auto ok = check(cards, options); !ok)
        return ok;
    QPainter painter;
    if (!painter.begin(device))
        return Error(ErrorCode::Internal, tr("cannot start drawing on the page"));

    // Whatever paper the device has (A4 by default, Letter if a printer says
    // so): the stack of cards is centred on it.
    const qreal dpiX = device->logicalDpiX();
    const qreal dpiY = device->logicalDpiY();
    const qreal pxX = dpiX / 25.4;
    const qreal pxY = dpiY / 25.4;
    const QSizeF page = device->pageLayout().fullRectPoints().size() * (25.4 / 72.0);
    const int perPage = options.cardsPerPage;

    for (qsizetype i = 0; i < cards.size(); ++i) {
        const int slot = int(i % perPage);
        if (i > 0 && slot == 0 && !device->newPage()) {
            painter.end();
            return Error(ErrorCode::Internal, tr("cannot start a new page"));
        }
        const qsizetype onThisPage = qMin<qsizetype>(perPage, cards.size() - (i - slot));
        const qreal stack = onThisPage * CardHeightMm + (onThisPage - 1) * kGapMm;
        const qreal left = (page.width() - CardWidthMm) / 2.0;
        const qreal top = qMax<qreal>(0.0, (page.height() - stack) / 2.0) + slot * (CardHeightMm + kGapMm);
        const QRectF card(left * pxX, top * pxY, CardWidthMm * pxX, CardHeightMm * pxY);
        paint(&painter, card, cards.at(i));

        if (options.cutMarks) {
            painter.save();
            painter.setPen(QPen(Qt::black, 0.2 * pxX));
            const qreal ox = kCutMarkOffsetMm * pxX, oy = kCutMarkOffsetMm * pxY;
            const qreal lx = kCutMarkMm * pxX, ly = kCutMarkMm * pxY;
            for (const QPointF &corner : {card.topLeft(), card.topRight(), card.bottomLeft(), card.bottomRight()}) {
                const qreal sx = corner.x() == card.left() ? -1.0 : 1.0;
                const qreal sy = corner.y() == card.top() ? -1.0 : 1.0;
                // A horizontal mark on the card's top/bottom edge line and a
                // vertical one on its side line, both just outside the card.
                painter.drawLine(QPointF(corner.x() + sx * ox, corner.y()),
                                 QPointF(corner.x() + sx * (ox + lx), corner.y()));
                painter.drawLine(QPointF(corner.x(), corner.y() + sy * oy),
                                 QPointF(corner.x(), corner.y() + sy * (oy + ly)));
            }
            painter.restore();
        }
    }
    if (!painter.end())
        return Error(ErrorCode::Internal, tr("cannot finish the pages"));
    return {};
}

Result<void> ActivationCardRenderer::print(QPrinter *printer, const QList<ActivationCard> &cards,
                                           const PageOptions &options)
{
    // Cards are laid out on the whole sheet; the layout keeps clear of the
    // edges by itself.
    printer->setFullPage(true);
    return paintPages(printer, cards, options);
}

Result<void> ActivationCardRenderer::writePdf(const QString &path, const QList<ActivationCard> &cards)
{
    return writePdf(path, cards, PageOptions{});
}

Result<void> ActivationCardRenderer::writePdf(const QString &path, const QList<ActivationCard> &cards,
                                              const PageOptions &options)
{
    if (auto ok = check(cards, options); !ok)
        return ok;
    if (path.isEmpty())
        return Error(ErrorCode::InvalidInput, tr("no file name for the PDF"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(ErrorCode::InvalidInput, tr("cannot write %1: %2").arg(path, file.errorString()));
    // The codes open devices: keep the file to its owner, like a key file.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    {
        QPdfWriter writer(&file);
        writer.setResolution(600);
        writer.setTitle(tr("Activation cards"));
        writer.setCreator(tr("Provisio CRM"));
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF()));
        if (auto ok = paintPages(&writer, cards, options); !ok) {
            file.cancelWriting();
            return ok;
        }
    }
    if (!file.commit())
        return Error(ErrorCode::Unavailable, tr("cannot save %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace Provisio::Crm
