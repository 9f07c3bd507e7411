// SPDX-License-Identifier: Apache-2.0
#include "activationcard.h"

namespace Provisio::Crm {

namespace {
const QByteArray kPrefix = QByteArrayLiteral("provisio:activate?");
}

QByteArray ActivationCard::qrPayload() const
{
    return kPrefix + "serial=" + serial.toUtf8().toPercentEncoding() +
           "&code=" + activationCode.toUtf8().toPercentEncoding() +
           "&url=" + middlewareUrl.toUtf8().toPercentEncoding();
}

ActivationCard ActivationCard::fromQrPayload(const QByteArray &payload)
{
    if (!payload.startsWith(kPrefix))
        return {};
    ActivationCard card;
    const QList<QByteArray> pairs = payload.mid(kPrefix.size()).split('&');
    for (const QByteArray &pair : pairs) {
        const qsizetype eq = pair.indexOf('=');
        if (eq < 0)
            continue;
        const QString value = QString::fromUtf8(QByteArray::fromPercentEncoding(pair.mid(eq + 1)));
        const QByteArray key = pair.left(eq);
        if (key == "serial")
            card.serial = value;
        else if (key == "code")
            card.activationCode = value;
        else if (key == "url")
            card.middlewareUrl = value;
    }
    if (card.serial.isEmpty() || card.activationCode.isEmpty())
        return {};
    return card;
}

} // namespace Provisio::Crm
