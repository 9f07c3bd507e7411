// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QVector>

namespace Provisio {

// A QR code symbol made with libqrencode at error correction level M (15 %
// of the symbol may be smudged or torn and it still reads, which a printed
// card in a box needs). Kept as a module matrix: the CRM draws it as vector
// squares on a card, the middleware mails it as a PNG.
class QrCode
{
public:
    // The symbol for `text` (8-bit mode, the smallest version that fits).
    // InvalidInput for empty text or text over the QR capacity.
    static Result<QrCode> make(const QByteArray &text);

    int size() const { return m_size; } // modules per side, without the quiet zone
    bool isDark(int x, int y) const { return m_modules.at(y * m_size + x) != 0; }

    // A black-on-white 8-bit greyscale PNG: `moduleSizePx` pixels per module
    // (1..64) and a quiet zone of `quietZoneModules` (0..16) white modules
    // around it (the standard asks for 4; scanners struggle with less).
    // Written without Qt GUI, so a headless service can send it.
    Result<QByteArray> toPng(int moduleSizePx, int quietZoneModules = 4) const;

private:
    int m_size = 0;
    QVector<char> m_modules;
};

} // namespace Provisio
