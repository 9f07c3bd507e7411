// SPDX-License-Identifier: Apache-2.0
// InventoryStore::documentOf: a device's stored JSON document written
// directly, byte for byte what QJsonDocument makes of DeviceRecord::toJson()
// (keys in order, the same escapes), without building a QJsonObject per
// device: the import writes hundreds of thousands of them. And
// InventoryStore::isDocumentOf: whether a stored document already is that
// text, so a listing can copy it instead of parsing and writing it again.
#include "inventorystore.h"

#include "jsontext.h"

#include "protocol/timeutil.h"

#include <QDate>

#include <iterator>

namespace Provisio {

QString InventoryStore::documentOf(const DeviceRecord &device)
{
    // The members of DeviceRecord::toJson() in QJsonObject's order (by
    // key), the optional ones only when set.
    QString out;
    out.reserve(256 + device.notes.size());
    out += QLatin1Char('{');
    appendJsonMember(out, QLatin1String("batch"), device.batch);
    if (device.createdDateTimeUtc.isValid())
        appendJsonMember(out, QLatin1String("createdDateTimeUtc"), toIsoUtc(device.createdDateTimeUtc));
    if (!device.customerId.isEmpty())
        appendJsonMember(out, QLatin1String("customerId"), device.customerId);
    if (device.deliveryDate.isValid())
        appendJsonMember(out, QLatin1String("deliveryDate"), toIsoDate(device.deliveryDate));
    if (!device.etag.isEmpty())
        appendJsonMember(out, QLatin1String("etag"), device.etag);
    if (device.lastUpdatedDateTimeUtc.isValid())
        appendJsonMember(out, QLatin1String("lastUpdatedDateTimeUtc"), toIsoUtc(device.lastUpdatedDateTimeUtc));
    appendJsonMember(out, QLatin1String("manufacturer"), device.manufacturer);
    appendJsonMember(out, QLatin1String("model"), device.model);
    appendJsonMember(out, QLatin1String("notes"), device.notes);
    appendJsonMember(out, QLatin1String("serial"), device.serial);
    if (device.soldDate.isValid())
        appendJsonMember(out, QLatin1String("soldDate"), toIsoDate(device.soldDate));
    appendJsonMember(out, QLatin1String("status"), device.status);
    out += QLatin1Char('}');
    return out;
}

namespace {

// The members documentOf writes, in its order; `always` when it writes the
// member whatever the record holds.
enum class Member {
    Batch,
    Created,
    CustomerId,
    DeliveryDate,
    Etag,
    Updated,
    Manufacturer,
    Model,
    Notes,
    Serial,
    SoldDate,
    Status
};
struct MemberName
{
    QLatin1String key;
    bool always;
};
const MemberName kMembers[] = {
    {QLatin1String("batch"), true},        {QLatin1String("createdDateTimeUtc"), false},
    {QLatin1String("customerId"), false},  {QLatin1String("deliveryDate"), false},
    {QLatin1String("etag"), false},        {QLatin1String("lastUpdatedDateTimeUtc"), false},
    {QLatin1String("manufacturer"), true}, {QLatin1String("model"), true},
    {QLatin1String("notes"), true},        {QLatin1String("serial"), true},
    {QLatin1String("soldDate"), false},    {QLatin1String("status"), true},
};
static_assert(std::size(kMembers) == int(Member::Status) + 1);

bool isHex(char16_t c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
}

int hexValue(char16_t c)
{
    return c <= u'9' ? c - u'0' : c - u'a' + 10;
}

// Reads the JSON string starting at `at` (its opening quote) when it is
// written exactly as appendJsonString writes its value: the escapes it
// uses and no others, no raw control character, no lone surrogate. `raw`
// is the text between the quotes, `escaped` whether it holds an escape
// (then `raw` is not the value). False for anything else.
bool canonicalString(QStringView doc, qsizetype &at, QStringView &raw, bool &escaped)
{
    if (at >= doc.size() || doc[at] != u'"')
        return false;
    const qsizetype begin = ++at;
    escaped = false;
    while (at < doc.size()) {
        const char16_t c = doc[at].unicode();
        if (c == u'"') {
            raw = doc.mid(begin, at - begin);
            ++at;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == u'\\') {
            escaped = true;
            if (at + 1 >= doc.size())
                return false;
            const char16_t e = doc[at + 1].unicode();
            if (e == u'"' || e == u'\\' || e == u'b' || e == u'f' || e == u'n' || e == u'r' || e == u't') {
                at += 2;
                continue;
            }
            // A six-character escape (backslash, 'u', four lower-case hex
            // digits), only for the control characters without a short one.
            if (e != u'u' || at + 5 >= doc.size() || doc[at + 2] != u'0' || doc[at + 3] != u'0' ||
                !isHex(doc[at + 4].unicode()) || !isHex(doc[at + 5].unicode()))
                return false;
            const int value = hexValue(doc[at + 4].unicode()) * 16 + hexValue(doc[at + 5].unicode());
            if (value >= 0x20 || value == '\b' || value == '\f' || value == '\n' || value == '\r' || value == '\t')
                return false;
            at += 6;
            continue;
        }
        if (QChar::isHighSurrogate(c)) {
            if (at + 1 >= doc.size() || !QChar::isLowSurrogate(doc[at + 1].unicode()))
                return false;
            at += 2;
            continue;
        }
        if (QChar::isLowSurrogate(c))
            return false;
        ++at;
    }
    return false;
}

// A date as documentOf writes it (yyyy-MM-dd, a valid date).
bool canonicalDate(QStringView text)
{
    if (text.size() != 10 || text[4] != u'-' || text[7] != u'-')
        return false;
    int parts[3] = {0, 0, 0};
    const int starts[3] = {0, 5, 8};
    const int lengths[3] = {4, 2, 2};
    for (int p = 0; p < 3; ++p) {
        for (int i = starts[p]; i < starts[p] + lengths[p]; ++i) {
            const char16_t c = text[i].unicode();
            if (c < u'0' || c > u'9')
                return false;
            parts[p] = parts[p] * 10 + (c - u'0');
        }
    }
    return parts[0] >= 1 && QDate(parts[0], parts[1], parts[2]).isValid();
}

// A timestamp column as the listing writes it (toIsoUtc of the parsed
// column), or nothing when it does not parse.
bool canonicalTimestamp(QStringView column, bool &present)
{
    const auto parsed = fromIsoUtc(column.toString());
    present = parsed && parsed->isValid();
    return !present || toIsoUtc(*parsed) == column;
}

} // namespace

bool InventoryStore::isDocumentOf(QStringView document, QStringView serial, QStringView etag, QStringView created,
                                  QStringView updated)
{
    // A listing writes the record read from the document with the columns
    // written over it (serial, etag, the two timestamps): the document is
    // that text when its members are those documentOf writes, in its
    // order, each a canonically written string, the columns' members equal
    // to the columns and the dates valid. Anything else (another writer's
    // document, an unknown member, a number where a string belongs) is
    // read and written again.
    bool hasCreated = false;
    bool hasUpdated = false;
    if (!canonicalTimestamp(created, hasCreated) || !canonicalTimestamp(updated, hasUpdated))
        return false;
    if (document.size() < 2 || document.front() != u'{' || document.back() != u'}')
        return false;
    qsizetype at = 1;
    int next = 0; // the first member that may come next
    bool seen[std::size(kMembers)] = {};
    while (at < document.size() - 1) {
        if (next > 0) {
            if (document[at] != u',')
                return false;
            ++at;
        }
        QStringView key;
        bool keyEscaped = false;
        if (!canonicalString(document, at, key, keyEscaped) || keyEscaped)
            return false;
        if (at >= document.size() || document[at] != u':')
            return false;
        ++at;
        int member = next;
        while (member < int(std::size(kMembers)) && kMembers[member].key != key)
            ++member;
        if (member == int(std::size(kMembers)))
            return false; // unknown, repeated or out of order
        QStringView value;
        bool escaped = false;
        if (!canonicalString(document, at, value, escaped))
            return false;
        switch (Member(member)) {
        case Member::Created:
            if (!hasCreated || escaped || value != created)
                return false;
            break;
        case Member::Updated:
            if (!hasUpdated || escaped || value != updated)
                return false;
            break;
        case Member::Etag:
            if (escaped || value.isEmpty() || value != etag)
                return false;
            break;
        case Member::Serial:
            if (escaped || value != serial)
                return false;
            break;
        case Member::CustomerId:
            if (value.isEmpty())
                return false;
            break;
        case Member::DeliveryDate:
        case Member::SoldDate:
            if (escaped || !canonicalDate(value))
                return false;
            break;
        default:
            break;
        }
        seen[member] = true;
        next = member + 1;
    }
    if (at != document.size() - 1)
        return false;
    for (int member = 0; member < int(std::size(kMembers)); ++member) {
        if (kMembers[member].always && !seen[member])
            return false;
    }
    // The columns' members are there exactly when the listing writes them.
    return seen[int(Member::Created)] == hasCreated && seen[int(Member::Updated)] == hasUpdated &&
           seen[int(Member::Etag)] == !etag.isEmpty();
}

} // namespace Provisio
