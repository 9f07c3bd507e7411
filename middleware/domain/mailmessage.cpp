// SPDX-License-Identifier: Apache-2.0
#include "mailmessage.h"

#include <QLocale>
#include <QRegularExpression>
#include <QUuid>

namespace Provisio {

namespace {

QByteArray base64Lines(const QByteArray &data)
{
    const QByteArray encoded = data.toBase64();
    QByteArray out;
    out.reserve(encoded.size() + encoded.size() / 76 * 2 + 2);
    for (qsizetype i = 0; i < encoded.size(); i += 76)
        out += encoded.mid(i, 76) + "\r\n";
    return out;
}

bool isAscii(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() >= 0x80)
            return false;
    }
    return true;
}

// A header value on one line: line breaks become spaces; non-ASCII text as
// RFC 2047 encoded words (base64), each under the 75-character limit.
QByteArray headerValue(const QString &value)
{
    QString flat = value;
    flat.replace(QLatin1Char('\r'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
    if (isAscii(flat))
        return flat.toLatin1();
    QByteArray out;
    QByteArray chunk;
    const auto flush = [&] {
        if (chunk.isEmpty())
            return;
        if (!out.isEmpty())
            out += "\r\n ";
        out += "=?UTF-8?B?" + chunk.toBase64() + "?=";
        chunk.clear();
    };
    // Whole characters per encoded word: 45 bytes give 60 base64 characters.
    for (int i = 0; i < flat.size(); ++i) {
        int len = flat.at(i).isHighSurrogate() && i + 1 < flat.size() ? 2 : 1;
        const QByteArray bytes = flat.mid(i, len).toUtf8();
        if (chunk.size() + bytes.size() > 45)
            flush();
        chunk += bytes;
        i += len - 1;
    }
    flush();
    return out;
}

QByteArray boundary()
{
    return "=_provisio_" + QUuid::createUuid().toByteArray(QUuid::Id128);
}

} // namespace

bool MailMessage::isMailableAddress(const QString &address)
{
    static const QRegularExpression pattern(QStringLiteral(
        "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
        "@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"));
    const qsizetype at = address.indexOf(QLatin1Char('@'));
    return address.size() <= 254 && at > 0 && at <= 64 && address.size() - at - 1 <= 253 &&
           pattern.match(address).hasMatch();
}

QByteArray MailMessage::render() const
{
    const QByteArray related = boundary();
    const QByteArray alternative = boundary();
    QByteArray out;
    out += "From: " + headerValue(from) + "\r\n";
    out += "To: " + headerValue(to) + "\r\n";
    out += "Subject: " + headerValue(subject) + "\r\n";
    out += "Date: " + QLocale::c().toString(date.toUTC(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss")).toLatin1() +
           " +0000\r\n";
    out += "Message-ID: <" + headerValue(messageId) + ">\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: multipart/related; boundary=\"" + related + "\"; type=\"multipart/alternative\"\r\n";
    out += "\r\n";
    out += "--" + related + "\r\n";
    out += "Content-Type: multipart/alternative; boundary=\"" + alternative + "\"\r\n\r\n";
    out += "--" + alternative + "\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    out += base64Lines(text.toUtf8());
    if (!html.isEmpty()) {
        out += "--" + alternative + "\r\n";
        out += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        out += base64Lines(html.toUtf8());
    }
    out += "--" + alternative + "--\r\n";
    for (const InlineImage &image : images) {
        out += "--" + related + "\r\n";
        out += "Content-Type: image/png; name=\"" + headerValue(image.fileName) + "\"\r\n";
        out += "Content-Transfer-Encoding: base64\r\n";
        out += "Content-ID: <" + headerValue(image.contentId) + ">\r\n";
        out += "Content-Disposition: inline; filename=\"" + headerValue(image.fileName) + "\"\r\n\r\n";
        out += base64Lines(image.png);
    }
    out += "--" + related + "--\r\n";
    return out;
}

} // namespace Provisio
