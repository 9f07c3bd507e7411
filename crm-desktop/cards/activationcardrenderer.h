// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "activationcard.h"
#include "core/result.h"

#include <QCoreApplication>
#include <QList>
#include <QRectF>
#include <QSizeF>

class QPagedPaintDevice;
class QPainter;
class QPrinter;

namespace Provisio::Crm {

// How cards sit on a printed page. (Outside the renderer class so it can
// be a default argument of the renderer's own functions.)
struct CardPageOptions
{
    int cardsPerPage = 3; // 1..ActivationCardRenderer::MaxCardsPerPage, stacked on an A4 page
    bool cutMarks = true;
};

// Draws activation cards: one card into any rectangle (the dialog's preview,
// a printer, a PDF page), and whole A4 sheets of them with cut marks. All
// sizes derive from the card's height, so the screen preview and the print
// are the same picture at different scales.
class ActivationCardRenderer
{
    Q_DECLARE_TR_FUNCTIONS(Provisio::Crm::ActivationCardRenderer)

public:
    // A card's printed size: wide enough for the code in large type next to a
    // QR code a phone or a device camera reads from arm's length.
    static constexpr qreal CardWidthMm = 180.0;
    static constexpr qreal CardHeightMm = 85.0;
    static constexpr int MaxCardsPerPage = 3;

    using PageOptions = CardPageOptions;

    // One card filling `rect` (keep the aspect ratio of CardWidthMm:CardHeightMm).
    static void paint(QPainter *painter, const QRectF &rect, const ActivationCard &card);

    // Lays the cards out on the device's pages (A4, no margins): used for
    // both PDF export and printing. The device must not be painted on yet.
    static Result<void> paintPages(QPagedPaintDevice *device, const QList<ActivationCard> &cards,
                                   const PageOptions &options = {});
    // Prints on a printer the user chose (QPrintDialog / QPrintPreviewDialog).
    static Result<void> print(QPrinter *printer, const QList<ActivationCard> &cards, const PageOptions &options = {});

    // One PDF with all cards; written to a temporary file and renamed, so a
    // failed export never leaves a half-written PDF at `path`.
    static Result<void> writePdf(const QString &path, const QList<ActivationCard> &cards);
    static Result<void> writePdf(const QString &path, const QList<ActivationCard> &cards, const PageOptions &options);

    // How many pages writePdf/print produce.
    static int pageCount(int cards, const PageOptions &options = {});

private:
    static Result<void> check(const QList<ActivationCard> &cards, const PageOptions &options);
};

} // namespace Provisio::Crm
