// SPDX-License-Identifier: Apache-2.0
#include "qrcode.h"

#include <qrencode.h>

#include <QtEndian>

#include <array>
#include <memory>

namespace Provisio {

namespace {

// CRC-32 as PNG chunks carry it (ISO 3309, polynomial 0xEDB88320).
quint32 crc32(const QByteArray &data)
{
    static const std::array<quint32, 256> table = [] {
        std::array<quint32, 256> t{};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    quint32 c = 0xFFFFFFFFu;
    for (const char byte : data)
        c = table[(c ^ quint8(byte)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

QByteArray bigEndian32(quint32 value)
{
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian(value, out.data());
    return out;
}

QByteArray chunk(const char type[4], const QByteArray &data)
{
    const QByteArray typed = QByteArray(type, 4) + data;
    return bigEndian32(quint32(data.size())) + typed + bigEndian32(crc32(typed));
}

} // namespace

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

Result<QByteArray> QrCode::toPng(int moduleSizePx, int quietZoneModules) const
{
    if (moduleSizePx < 1 || moduleSizePx > 64)
        return Error(ErrorCode::InvalidInput, QStringLiteral("module size must be 1 to 64 pixels"));
    if (quietZoneModules < 0 || quietZoneModules > 16)
        return Error(ErrorCode::InvalidInput, QStringLiteral("quiet zone must be 0 to 16 modules"));
    if (m_size <= 0)
        return Error(ErrorCode::InvalidInput, QStringLiteral("an empty QR code has no image"));
    const int side = (m_size + 2 * quietZoneModules) * moduleSizePx;
    // Raw scanlines: a filter byte (0, none) then one grey byte per pixel.
    QByteArray raw;
    raw.reserve(qsizetype(side + 1) * side);
    QByteArray line(side + 1, char(0xFF));
    for (int py = 0; py < side; ++py) {
        const int y = py / moduleSizePx - quietZoneModules;
        line[0] = 0;
        for (int px = 0; px < side; ++px) {
            const int x = px / moduleSizePx - quietZoneModules;
            const bool dark = x >= 0 && y >= 0 && x < m_size && y < m_size && isDark(x, y);
            line[px + 1] = dark ? char(0) : char(0xFF);
        }
        raw += line;
    }
    QByteArray header = bigEndian32(quint32(side)) + bigEndian32(quint32(side));
    header += char(8); // bit depth
    header += char(0); // colour type: greyscale
    header += char(0); // deflate
    header += char(0); // adaptive filtering
    header += char(0); // no interlace
    // qCompress gives a zlib stream behind a 4-byte length of its own.
    const QByteArray zlib = qCompress(raw, 9).mid(4);
    QByteArray png = QByteArray("\x89PNG\r\n\x1a\n", 8);
    png += chunk("IHDR", header);
    png += chunk("IDAT", zlib);
    png += chunk("IEND", {});
    return png;
}

} // namespace Provisio
