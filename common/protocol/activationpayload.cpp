// SPDX-License-Identifier: Apache-2.0
#include "activationpayload.h"

#include <QList>

namespace Provisio {

namespace {
const QByteArray kPrefix = QByteArrayLiteral("provisio:activate?");
}

QByteArray ActivationPayload::encode() const
{
    return kPrefix + "serial=" + serial.toUtf8().toPercentEncoding() + "&code=" + code.toUtf8().toPercentEncoding() +
           "&url=" + serviceUrl.toUtf8().toPercentEncoding();
}

ActivationPayload ActivationPayload::decode(const QByteArray &text)
{
    if (!text.startsWith(kPrefix))
        return {};
    ActivationPayload out;
    const QList<QByteArray> pairs = text.mid(kPrefix.size()).split('&');
    for (const QByteArray &pair : pairs) {
        const qsizetype eq = pair.indexOf('=');
        if (eq < 0)
            continue;
        const QString value = QString::fromUtf8(QByteArray::fromPercentEncoding(pair.mid(eq + 1)));
        const QByteArray key = pair.left(eq);
        if (key == "serial")
            out.serial = value;
        else if (key == "code")
            out.code = value;
        else if (key == "url")
            out.serviceUrl = value;
    }
    if (out.serial.isEmpty() || out.code.isEmpty())
        return {};
    return out;
}

} // namespace Provisio
