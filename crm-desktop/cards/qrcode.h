// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QImage>
#include <QVector>

namespace Provisio::Crm {

// A QR code symbol made with libqrencode at error correction level M (15 %
// of the symbol may be smudged or torn and it still reads, which a printed
// card in a box needs). Kept as a module matrix so the card renderer can draw
// it as vector squares in a PDF, and as an image for screens.
class QrCode
{
public:
    // The symbol for `text` (8-bit mode, the smallest version that fits).
    // InvalidInput for empty text or text over the QR capacity.
    static Result<QrCode> make(const QByteArray &text);

    // A black-on-white image: `moduleSizePx` pixels per module and a quiet
    // zone of `quietZoneModules` white modules around it (the standard asks
    // for 4; scanners struggle with less).
    static Result<QImage> encode(const QByteArray &text, int moduleSizePx, int quietZoneModules = 4);

    int size() const { return m_size; } // modules per side, without the quiet zone
    bool isDark(int x, int y) const { return m_modules.at(y * m_size + x) != 0; }
    QImage toImage(int moduleSizePx, int quietZoneModules = 4) const;

private:
    int m_size = 0;
    QVector<char> m_modules;
};

} // namespace Provisio::Crm
