// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

#include <initializer_list>
#include <memory>
#include <utility>

// Key material and the primitives built on it: random keys, HMAC-SHA256 key
// derivation as DPS does it for group enrollments, hashing of API tokens.
// Everything goes through OpenSSL's libcrypto so there is one audited source
// of randomness and one HMAC implementation in the whole product.
namespace Provisio::Crypto {

// Cryptographically secure random bytes. Aborts the process (qFatal) when the
// RNG fails: continuing with weak keys would be worse than stopping.
QByteArray randomBytes(int count);

// A new symmetric key as base64 of byteCount random bytes. DESIGN.md allows
// 32 or 64 bytes; Azure portal keys are 64.
QString generateSymmetricKey(int byteCount = 64);

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);
QByteArray sha256(const QByteArray &data);
// SHA-256 over the parts in order, without joining them first (32 bytes into
// `out`).
void sha256Of(std::initializer_list<std::pair<const void *, size_t>> parts, unsigned char out[32]);

// Strict base64 decoding of a key: rejects empty input, characters outside the
// standard alphabet (including whitespace and URL-safe '-'/'_'), missing or
// misplaced padding and non-canonical trailing bits. Fails with InvalidInput;
// the message never repeats the key.
Result<QByteArray> decodeKey(const QString &base64Key);

// DPS group-enrollment derivation:
// base64(HMAC-SHA256(base64decode(parentKey), id as UTF-8)). Fails with
// InvalidInput when the parent key is not valid base64 or the id is empty.
Result<QString> deriveKey(const QString &parentKeyBase64, const QString &id);

// deriveKey() for many ids under one parent key: the key decoded, checked
// and its HMAC pads hashed once, where deriveKey() does all of that again
// for every id; each id then costs the two SHA-256 blocks that depend on
// it. For the registrations' hub keys, a hub's signing key derives every
// answer's. Copies share the (read-only) state; one thread at a time.
class KeyDeriver
{
public:
    // Fails as deriveKey() does for a parent key that is not valid base64.
    static Result<KeyDeriver> create(const QString &parentKeyBase64);
    // deriveKey(parentKeyBase64, id), the same text.
    Result<QString> derive(const QString &id) const;

    struct State;

private:
    explicit KeyDeriver(std::shared_ptr<State> state) : m_state(std::move(state)) { }
    std::shared_ptr<State> m_state;
};

// What a device's hub key is derived from, deriveKey(hub signing key, this):
// the device id at credential generation 0 (the keys devices always had),
// deviceId + "/" + generation after. '/' never occurs in a device id, so no
// two (id, generation) pairs give the same input.
QString hubDeviceKeyDerivationId(const QString &deviceId, quint32 generation);

// Compares secrets without an early exit (CRYPTO_memcmp). Different lengths
// return false at once; the length of a MAC or token hash is no secret.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

// Lower-case hex SHA-256 of the UTF-8 secret, so API tokens are stored hashed
// and a database leak does not leak usable tokens.
QString hashToken(const QString &secret);

// URL-safe base64 (RFC 4648 section 5) of `bytes` random bytes, without
// padding: fits in URLs, headers and ids without escaping.
QString randomToken(int bytes = 32);

// Random bytes for identifiers that are unique but protect nothing (etags,
// operation, event and tracking ids): the same generator, drawn a block at
// a time per thread, because a draw costs a lock and a DRBG run, several
// times per request. Never for keys, tokens or anything secret.
QByteArray randomIdentifierBytes(int count);
// randomToken()'s shape from randomIdentifierBytes().
QString randomIdentifier(int bytes);

} // namespace Provisio::Crypto
