// SPDX-License-Identifier: Apache-2.0
#include "activationqr.h"

#include "crypto/activationcode.h"

#include <QCoreApplication>
#include <QUrl>

namespace Provisio::Kiosk {

namespace {

// The payload's fixed head. A URI scheme is case-insensitive (RFC 3986), and
// the CRM's QR is ASCII, so comparing case-insensitively loses nothing.
constexpr QLatin1String kPrefix("provisio:activate?");

QString tr(const char *text)
{
    return QCoreApplication::translate("Provisio::Kiosk::ActivationQr", text);
}

Error invalid(const QString &message)
{
    return Error(ErrorCode::InvalidInput, message);
}

} // namespace

bool ActivationQr::sameSerial(const QString &a, const QString &b)
{
    return a.trimmed().compare(b.trimmed(), Qt::CaseInsensitive) == 0;
}

Result<ActivationQr> ActivationQr::parse(const QString &text, const QString &deviceSerial)
{
    const QString notACard = tr("This QR code is not a Provisio activation card.");
    const QString payload = text.trimmed();
    if (!payload.startsWith(kPrefix, Qt::CaseInsensitive))
        return invalid(notACard);

    // Members split on '&' and their first '='; each value percent-decoded.
    // Members this version does not know are skipped (later cards may carry
    // more); a member given twice is ambiguous, so the card is refused.
    QString serial;
    QString code;
    QString url;
    bool haveSerial = false;
    bool haveCode = false;
    bool haveUrl = false;
    const QString query = payload.mid(kPrefix.size());
    for (const QString &member : query.split(QLatin1Char('&'), Qt::SkipEmptyParts)) {
        const qsizetype eq = member.indexOf(QLatin1Char('='));
        const QString name = member.left(eq < 0 ? member.size() : eq);
        const QString value = eq < 0 ? QString() : QUrl::fromPercentEncoding(member.mid(eq + 1).toUtf8()).trimmed();
        auto take = [&value](QString &into, bool &seen) -> bool {
            if (seen)
                return false;
            seen = true;
            into = value;
            return true;
        };
        bool fresh = true;
        if (name == QLatin1String("serial"))
            fresh = take(serial, haveSerial);
        else if (name == QLatin1String("code"))
            fresh = take(code, haveCode);
        else if (name == QLatin1String("url"))
            fresh = take(url, haveUrl);
        if (!fresh)
            return invalid(notACard);
    }

    if (serial.isEmpty())
        return invalid(tr("This card's QR code does not say which device it is for. "
                          "Type the code printed on the card instead."));
    if (code.isEmpty())
        return invalid(tr("This card's QR code holds no activation code. "
                          "Type the code printed on the card instead."));

    // The serial first: a card for another device is the likeliest mix-up
    // and the one the person can do something about (find the right card).
    if (!deviceSerial.trimmed().isEmpty() && !sameSerial(serial, deviceSerial))
        return invalid(tr("This card is for device %1; this device is %2.").arg(serial, deviceSerial.trimmed()));

    const auto canonical = ActivationCode::parse(code);
    if (!canonical)
        return invalid(tr("The activation code in this QR code does not check out. "
                          "Type the code printed on the card instead."));

    ActivationQr card;
    card.serial = serial;
    card.code = *canonical;
    if (!url.isEmpty()) {
        const QUrl parsed(url, QUrl::StrictMode);
        const bool wellFormed = parsed.isValid() && parsed.scheme() == QLatin1String("https") &&
                                !parsed.host().isEmpty() && parsed.userInfo().isEmpty() &&
                                (parsed.path().isEmpty() || parsed.path() == QLatin1String("/")) &&
                                !parsed.hasQuery() && !parsed.hasFragment();
        if (!wellFormed)
            return invalid(tr("The service address in this QR code is not valid. "
                              "Type the code printed on the card instead."));
        QUrl clean;
        clean.setScheme(parsed.scheme());
        clean.setHost(parsed.host());
        clean.setPort(parsed.port());
        card.url = clean.toString();
    }
    return card;
}

} // namespace Provisio::Kiosk
