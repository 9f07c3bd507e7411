// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace Provisio {

// One e-mail as RFC 5322 / MIME text, ready for SMTP's DATA or an .eml file:
// a plain-text part, an HTML alternative and inline images the HTML names by
// Content-ID (multipart/related around multipart/alternative). Every part is
// base64 so any server takes it (no 8BITMIME needed); header values are
// RFC 2047-encoded when not ASCII. Addresses are the caller's to check
// (isMailableAddress): nothing here may reach a header with a line break.
class MailMessage
{
public:
    QString from;
    QString to;
    QString subject;
    QString messageId; // without the angle brackets: local@domain
    QDateTime date;
    QString text;
    QString html;

    struct InlineImage
    {
        QString contentId; // what the HTML's src="cid:..." names
        QString fileName;
        QByteArray png;
    };
    QList<InlineImage> images;

    QByteArray render() const;

    // An address we put in a header and hand to SMTP: local@domain, ASCII,
    // the dot-atom characters of RFC 5322 in the local part (at most 64),
    // a domain of letters, digits, hyphens and dots (at most 253); no
    // quoting, comments, spaces or line breaks.
    static bool isMailableAddress(const QString &address);
};

} // namespace Provisio
