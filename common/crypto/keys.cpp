// SPDX-License-Identifier: Apache-2.0
#include "keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>
#include <initializer_list>
#include <utility>

namespace Provisio::Crypto {

namespace {

// OpenSSL 3 treats a null pointer with zero length inconsistently across
// functions; an empty QByteArray may hand us null, so point at a real byte.
const unsigned char *bytesOf(const QByteArray &data)
{
    static const unsigned char empty = 0;
    return data.isEmpty() ? &empty : reinterpret_cast<const unsigned char *>(data.constData());
}

} // namespace

QByteArray randomBytes(int count)
{
    if (count <= 0)
        return {};
    QByteArray out(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), count) != 1)
        qFatal("Provisio: the OpenSSL random number generator failed; refusing to continue");
    return out;
}

QString generateSymmetricKey(int byteCount)
{
    return QString::fromLatin1(randomBytes(byteCount).toBase64());
}

namespace {

// SHA-256 fetched from the provider once. OpenSSL 3's one-shot HMAC() and
// EVP_Digest() look the algorithm up on every call, which made them cost
// about twice the hashing itself; every registration computes two or three
// MACs (SAS verification, the hub key) and every device connection one.
const EVP_MD *fetchedSha256()
{
    static EVP_MD *const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md)
        qFatal("Provisio: OpenSSL has no SHA-256");
    return md;
}

struct DigestContext
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

void digestInto(EVP_MD_CTX *ctx, std::initializer_list<std::pair<const void *, size_t>> parts, unsigned char *out)
{
    unsigned int length = 0;
    bool ok = ctx && EVP_DigestInit_ex2(ctx, fetchedSha256(), nullptr) == 1;
    for (const auto &[data, size] : parts)
        ok = ok && EVP_DigestUpdate(ctx, data, size) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, out, &length) == 1 && length == 32;
    if (!ok) {
        // Only an out-of-memory or a broken libcrypto gets here; a MAC that
        // silently came back empty would compare equal to other empty MACs.
        qFatal("Provisio: SHA-256 failed in OpenSSL");
    }
}

} // namespace

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data)
{
    // HMAC as RFC 2104 defines it, over the fetched digest:
    // H((K' ^ opad) || H((K' ^ ipad) || data)), K' the key padded to the
    // 64-byte block (hashed first when longer). tst_keys checks it against
    // the RFC 4231 vectors and OpenSSL's own HMAC().
    constexpr int kBlock = 64;
    DigestContext c;
    unsigned char padded[kBlock] = {};
    if (key.size() > kBlock)
        digestInto(c.ctx, {{bytesOf(key), size_t(key.size())}}, padded);
    else if (!key.isEmpty())
        memcpy(padded, key.constData(), size_t(key.size()));
    unsigned char ipad[kBlock], opad[kBlock];
    for (int i = 0; i < kBlock; ++i) {
        ipad[i] = padded[i] ^ 0x36;
        opad[i] = padded[i] ^ 0x5c;
    }
    unsigned char inner[32];
    digestInto(c.ctx, {{ipad, kBlock}, {bytesOf(data), size_t(data.size())}}, inner);
    QByteArray mac(32, Qt::Uninitialized);
    digestInto(c.ctx, {{opad, kBlock}, {inner, sizeof inner}}, reinterpret_cast<unsigned char *>(mac.data()));
    OPENSSL_cleanse(padded, sizeof padded);
    OPENSSL_cleanse(ipad, sizeof ipad);
    OPENSSL_cleanse(opad, sizeof opad);
    return mac;
}

QByteArray sha256(const QByteArray &data)
{
    // The algorithm fetched once, as for the MACs: EVP_Digest() with
    // EVP_sha256() looks it up again on every call, and the ingest digests
    // every telemetry message.
    DigestContext c;
    unsigned char digest[32];
    digestInto(c.ctx, {{bytesOf(data), size_t(data.size())}}, digest);
    return QByteArray(reinterpret_cast<const char *>(digest), int(sizeof digest));
}

void sha256Of(std::initializer_list<std::pair<const void *, size_t>> parts, unsigned char out[32])
{
    // One context per thread, kept: the hub hashes every delivery to the
    // middleware on its single thread, the middleware every message it reads.
    thread_local DigestContext c;
    digestInto(c.ctx, parts, out);
}

Result<QByteArray> decodeKey(const QString &base64Key)
{
    if (base64Key.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("key is empty"));
    for (const QChar c : base64Key) {
        const char16_t u = c.unicode();
        const bool alphabet = (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') ||
                              u == u'+' || u == u'/' || u == u'=';
        if (!alphabet) {
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("key is not valid base64: it contains a character outside "
                                        "the base64 alphabet"));
        }
    }
    if (base64Key.size() % 4 != 0) {
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("key is not valid base64: its length is not a multiple of 4 "
                                    "(missing padding?)"));
    }
    // Decoded here rather than by QByteArray::fromBase64Encoding and checked
    // by encoding the result again (three conversions, a tenth of a key
    // check): '=' only as the last one or two characters, and the bits the
    // padding leaves over all zero. A key has exactly one spelling, so two
    // differing strings can never turn out to be the same key.
    const Error nonCanonical(ErrorCode::InvalidInput, QStringLiteral("key is not valid base64: misplaced padding or "
                                                                     "non-canonical encoding"));
    const char16_t *text = reinterpret_cast<const char16_t *>(base64Key.constData());
    const qsizetype size = base64Key.size();
    qsizetype padding = 0;
    while (padding < 2 && text[size - 1 - padding] == u'=')
        ++padding;
    for (qsizetype i = 0; i < size - padding; ++i) {
        if (text[i] == u'=')
            return nonCanonical;
    }
    auto value = [](char16_t u) -> quint32 {
        if (u >= u'A' && u <= u'Z')
            return u - u'A';
        if (u >= u'a' && u <= u'z')
            return u - u'a' + 26;
        if (u >= u'0' && u <= u'9')
            return u - u'0' + 52;
        if (u == u'+')
            return 62;
        return u == u'/' ? 63 : 0; // '=': padding, checked above
    };
    QByteArray out(size / 4 * 3 - padding, Qt::Uninitialized);
    char *to = out.data();
    for (qsizetype i = 0; i < size; i += 4) {
        const quint32 bits =
            value(text[i]) << 18 | value(text[i + 1]) << 12 | value(text[i + 2]) << 6 | value(text[i + 3]);
        const bool last = i + 4 == size;
        *to++ = char(bits >> 16);
        if (last && padding == 2) {
            if (bits & 0xffff)
                return nonCanonical;
            break;
        }
        *to++ = char(bits >> 8);
        if (last && padding == 1) {
            if (bits & 0xff)
                return nonCanonical;
            break;
        }
        *to++ = char(bits);
    }
    if (out.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("key is empty"));
    return out;
}

QString hubDeviceKeyDerivationId(const QString &deviceId, quint32 generation)
{
    return generation == 0 ? deviceId : deviceId + QLatin1Char('/') + QString::number(generation);
}

Result<QString> deriveKey(const QString &parentKeyBase64, const QString &id)
{
    if (id.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("cannot derive a key for an empty id"));
    const auto parent = decodeKey(parentKeyBase64);
    if (!parent)
        return Error(ErrorCode::InvalidInput, QStringLiteral("parent key: ") + parent.error().message);
    return QString::fromLatin1(hmacSha256(parent.value(), id.toUtf8()).toBase64());
}

// The SHA-256 contexts after the padded key's inner and outer block, and
// one to work in (derive() is const: the state is a cache, not a value).
struct KeyDeriver::State
{
    DigestContext inner;
    DigestContext outer;
    DigestContext work;
};

Result<KeyDeriver> KeyDeriver::create(const QString &parentKeyBase64)
{
    const auto parent = decodeKey(parentKeyBase64);
    if (!parent)
        return Error(ErrorCode::InvalidInput, QStringLiteral("parent key: ") + parent.error().message);
    // As hmacSha256(): the key padded to the block (hashed first when
    // longer), then each pad's block absorbed, which every MAC under this
    // key starts with.
    constexpr int kBlock = 64;
    auto state = std::make_shared<State>();
    unsigned char padded[kBlock] = {};
    if (parent->size() > kBlock)
        digestInto(state->work.ctx, {{bytesOf(*parent), size_t(parent->size())}}, padded);
    else
        memcpy(padded, parent->constData(), size_t(parent->size()));
    unsigned char ipad[kBlock], opad[kBlock];
    for (int i = 0; i < kBlock; ++i) {
        ipad[i] = padded[i] ^ 0x36;
        opad[i] = padded[i] ^ 0x5c;
    }
    const bool ok = state->inner.ctx && state->outer.ctx && state->work.ctx &&
                    EVP_DigestInit_ex2(state->inner.ctx, fetchedSha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(state->inner.ctx, ipad, kBlock) == 1 &&
                    EVP_DigestInit_ex2(state->outer.ctx, fetchedSha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(state->outer.ctx, opad, kBlock) == 1;
    OPENSSL_cleanse(padded, sizeof padded);
    OPENSSL_cleanse(ipad, sizeof ipad);
    OPENSSL_cleanse(opad, sizeof opad);
    if (!ok)
        qFatal("Provisio: SHA-256 failed in OpenSSL");
    return KeyDeriver(std::move(state));
}

Result<QString> KeyDeriver::derive(const QString &id) const
{
    if (id.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("cannot derive a key for an empty id"));
    const QByteArray data = id.toUtf8();
    EVP_MD_CTX *work = m_state->work.ctx;
    unsigned char inner[32];
    unsigned char mac[32];
    unsigned int length = 0;
    bool ok = EVP_MD_CTX_copy_ex(work, m_state->inner.ctx) == 1 &&
              EVP_DigestUpdate(work, bytesOf(data), size_t(data.size())) == 1 &&
              EVP_DigestFinal_ex(work, inner, &length) == 1 && length == 32;
    ok = ok && EVP_MD_CTX_copy_ex(work, m_state->outer.ctx) == 1 && EVP_DigestUpdate(work, inner, sizeof inner) == 1 &&
         EVP_DigestFinal_ex(work, mac, &length) == 1 && length == 32;
    if (!ok)
        qFatal("Provisio: SHA-256 failed in OpenSSL");
    return QString::fromLatin1(QByteArray::fromRawData(reinterpret_cast<const char *>(mac), sizeof mac).toBase64());
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

QString hashToken(const QString &secret)
{
    return QString::fromLatin1(sha256(secret.toUtf8()).toHex());
}

QString randomToken(int bytes)
{
    return QString::fromLatin1(
        randomBytes(bytes).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray randomIdentifierBytes(int count)
{
    constexpr int kBlock = 4096;
    constexpr int kMaxFromBlock = 256;
    if (count <= 0)
        return {};
    if (count > kMaxFromBlock)
        return randomBytes(count);
    struct Block
    {
        unsigned char bytes[kBlock];
        int used = kBlock;
    };
    thread_local Block block;
    if (block.used + count > kBlock) {
        if (RAND_bytes(block.bytes, kBlock) != 1)
            qFatal("Provisio: the OpenSSL random number generator failed; refusing to continue");
        block.used = 0;
    }
    // Each byte is handed out once.
    QByteArray out(reinterpret_cast<const char *>(block.bytes + block.used), count);
    block.used += count;
    return out;
}

QString randomIdentifier(int bytes)
{
    return QString::fromLatin1(
        randomIdentifierBytes(bytes).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace Provisio::Crypto
