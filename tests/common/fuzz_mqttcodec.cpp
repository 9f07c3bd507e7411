// SPDX-License-Identifier: Apache-2.0
//
// Fuzz target of MqttCodec: what a broker sends the hub link and what a
// device sends the DPS-over-MQTT endpoint, as arbitrary
// bytes, split into packets and decoded. Built with ASan/UBSan and the
// standalone mutation driver of hub/fuzz (any libFuzzer-style driver works:
// the entry point is LLVMFuzzerTestOneInput). Every outcome must be a
// packet, "incomplete" or an error, never a read past the input.

#include "mqtt/mqttcodec.h"

#include <cstddef>
#include <cstdint>

using namespace Provisio::MqttCodec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // The first byte picks the reader's limit, so oversize checks are hit
    // at small sizes too.
    if (size == 0)
        return 0;
    PacketReader reader(qsizetype(data[0]) * 16 + 2);
    // Fed in two pieces, as a socket would.
    const size_t half = (size - 1) / 2;
    reader.append(QByteArray(reinterpret_cast<const char *>(data + 1), qsizetype(half)));
    for (int piece = 0; piece < 2; ++piece) {
        for (int n = 0; n < 1024; ++n) {
            auto next = reader.next();
            if (!next || !next->has_value())
                break;
            const Packet &packet = **next;
            if (auto p = decodePublish(packet); p && !isValidTopicName(p->topic))
                __builtin_trap(); // a decoded topic is always valid
            (void)decodeConnack(packet);
            (void)decodeAck(packet);
            (void)decodeSuback(packet);
            (void)decodePingresp(packet);
            // The server side (DPS over MQTT).
            if (auto c = decodeConnect(packet); c && c->protocolLevel == 4 && c->clientId.contains(QChar(0)))
                __builtin_trap(); // strings are checked for U+0000
            (void)decodeSubscribe(packet);
            (void)decodeUnsubscribe(packet);
            (void)decodeEmpty(packet, PacketType::Pingreq);
        }
        if (piece == 0)
            reader.append(QByteArray(reinterpret_cast<const char *>(data + 1 + half), qsizetype(size - 1 - half)));
    }
    return 0;
}
