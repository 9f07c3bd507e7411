// SPDX-License-Identifier: Apache-2.0
#include "deliveryidentity.h"

#include "crypto/keys.h"

namespace Provisio {

quint64 deliveryIdentity(std::string_view topic, std::string_view payload)
{
    // A topic never holds a NUL, so (topic, payload) pairs cannot run into
    // each other.
    static const char nul = 0;
    unsigned char digest[32];
    Crypto::sha256Of({{topic.data(), topic.size()}, {&nul, 1}, {payload.data(), payload.size()}}, digest);
    quint64 id = 0;
    for (int i = 0; i < 8; ++i)
        id = (id << 8) | digest[i];
    return id;
}

QByteArray encodeDeliveryIdentities(const quint64 *identities, int count)
{
    QByteArray raw;
    raw.reserve(count * 8);
    for (int i = 0; i < count; ++i) {
        for (int shift = 56; shift >= 0; shift -= 8)
            raw.append(char((identities[i] >> shift) & 0xff));
    }
    return raw.toBase64();
}

std::optional<std::vector<quint64>> decodeDeliveryIdentities(const QByteArray &base64)
{
    const auto decoded = QByteArray::fromBase64Encoding(base64, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty() || decoded.decoded.size() % 8 != 0 ||
        decoded.decoded.size() > kMaxGrantDeliveries * 8 || decoded.decoded.toBase64() != base64)
        return std::nullopt;
    std::vector<quint64> out;
    out.reserve(size_t(decoded.decoded.size() / 8));
    for (qsizetype at = 0; at < decoded.decoded.size(); at += 8) {
        quint64 id = 0;
        for (qsizetype i = 0; i < 8; ++i)
            id = (id << 8) | uint8_t(decoded.decoded.at(at + i));
        out.push_back(id);
    }
    return out;
}

} // namespace Provisio
