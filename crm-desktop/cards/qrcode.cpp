// SPDX-License-Identifier: Apache-2.0
#include "qrcode.h"

#include <qrencode.h>

#include <memory>

namespace Provisio::Crm {

Result<QrCode> QrCode::make(const QByteArray &text)
{
    if (text.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("a QR code needs some text to encode"));
    // Version 0 lets libqrencode pick the smallest symbol that holds the data.
    std::unique_ptr<QRcode, decltype(&QRcode_free)> symbol(
        QRcode_encodeData(int(text.size()), reinterpret_cast<const unsigned char *>(text.constData()), 0, QR_ECLEVEL_M),
        &QRcode_free);
    if (!symbol)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("the text (%1 bytes) does not fit in a QR code").arg(text.size()));
    QrCode code;
    code.m_size = symbol->width;
    code.m_modules.resize(qsizetype(symbol->width) * symbol->width);
    // Bit 0 of each byte is the module's colour; the other bits describe the
    // module's role and do not matter for drawing.
    for (qsizetype i = 0; i < code.m_modules.size(); ++i)
        code.m_modules[i] = char(symbol->data[i] & 1);
    return code;
}

QImage QrCode::toImage(int moduleSizePx, int quietZoneModules) const
{
    const int module = qMax(1, moduleSizePx);
    const int quiet = qMax(0, quietZoneModules);
    const int side = (m_size + 2 * quiet) * module;
    QImage image(side, side, QImage::Format_Grayscale8);
    image.fill(255);
    for (int y = 0; y < m_size; ++y) {
        for (int x = 0; x < m_size; ++x) {
            if (!isDark(x, y))
                continue;
            for (int py = 0; py < module; ++py) {
                uchar *line = image.scanLine((y + quiet) * module + py);
                std::fill_n(line + (x + quiet) * module, module, uchar(0));
            }
        }
    }
    return image;
}

Result<QImage> QrCode::encode(const QByteArray &text, int moduleSizePx, int quietZoneModules)
{
    if (moduleSizePx < 1 || moduleSizePx > 64)
        return Error(ErrorCode::InvalidInput, QStringLiteral("module size must be 1 to 64 pixels"));
    if (quietZoneModules < 0 || quietZoneModules > 16)
        return Error(ErrorCode::InvalidInput, QStringLiteral("quiet zone must be 0 to 16 modules"));
    auto code = make(text);
    if (!code)
        return code.error();
    return code->toImage(moduleSizePx, quietZoneModules);
}

} // namespace Provisio::Crm
