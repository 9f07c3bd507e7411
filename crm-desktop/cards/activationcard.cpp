// SPDX-License-Identifier: Apache-2.0
#include "activationcard.h"

#include "protocol/activationpayload.h"

namespace Provisio::Crm {

QByteArray ActivationCard::qrPayload() const
{
    return ActivationPayload{serial, activationCode, middlewareUrl}.encode();
}

ActivationCard ActivationCard::fromQrPayload(const QByteArray &payload)
{
    const ActivationPayload read = ActivationPayload::decode(payload);
    if (read.serial.isEmpty())
        return {};
    ActivationCard card;
    card.serial = read.serial;
    card.activationCode = read.code;
    card.middlewareUrl = read.serviceUrl;
    return card;
}

} // namespace Provisio::Crm
