// SPDX-License-Identifier: Apache-2.0
#include "jsontext.h"

#include <QJsonArray>
#include <QVariant>

#include <cstring>

namespace Provisio {

void appendJsonString(QString &out, QStringView text)
{
    // Most texts need no escape at all: written with one resize and one
    // copy, where the appends below cost a check and a copy each.
    const qsizetype n = text.size();
    qsizetype plain = 0;
    while (plain < n) {
        const char16_t u = text[plain].unicode();
        if (u < 0x20 || u == u'"' || u == u'\\')
            break;
        ++plain;
    }
    if (plain == n) {
        const qsizetype at = out.size();
        out.resize(at + n + 2);
        QChar *d = out.data() + at;
        *d++ = QLatin1Char('"');
        if (n > 0)
            memcpy(d, text.data(), size_t(n) * sizeof(QChar));
        d[n] = QLatin1Char('"');
        return;
    }
    out += QLatin1Char('"');
    // Characters that need no escape are appended a run at a time: one
    // character at a time cost about twenty instructions each, and a CA
    // certificate in an answer is a couple of thousand characters.
    out += text.first(plain);
    qsizetype run = plain;
    for (qsizetype i = plain; i < n; ++i) {
        const char16_t u = text[i].unicode();
        if (u >= 0x20 && u != u'"' && u != u'\\')
            continue;
        out += text.mid(run, i - run);
        run = i + 1;
        switch (u) {
        case u'"':
            out += QLatin1String("\\\"");
            break;
        case u'\\':
            out += QLatin1String("\\\\");
            break;
        case u'\b':
            out += QLatin1String("\\b");
            break;
        case u'\f':
            out += QLatin1String("\\f");
            break;
        case u'\n':
            out += QLatin1String("\\n");
            break;
        case u'\r':
            out += QLatin1String("\\r");
            break;
        case u'\t':
            out += QLatin1String("\\t");
            break;
        default: {
            static const char hex[] = "0123456789abcdef";
            const char escaped[] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 0xf]};
            out += QLatin1String(escaped, 6);
        }
        }
    }
    out += text.mid(run);
    out += QLatin1Char('"');
}

void appendJsonKey(QString &out, QLatin1String key)
{
    // One resize rather than four appends: every member of every answer
    // and document written as text passes here.
    const bool first = out.endsWith(QLatin1Char('{'));
    const qsizetype at = out.size();
    out.resize(at + key.size() + (first ? 3 : 4));
    QChar *d = out.data() + at;
    if (!first)
        *d++ = QLatin1Char(',');
    *d++ = QLatin1Char('"');
    for (const char c : key)
        *d++ = QLatin1Char(c);
    *d++ = QLatin1Char('"');
    *d = QLatin1Char(':');
}

void appendJsonMember(QString &out, QLatin1String key, QStringView value)
{
    appendJsonKey(out, key);
    appendJsonString(out, value);
}

namespace {

bool appendValue(QString &out, const QJsonValue &value);

bool appendObject(QString &out, const QJsonObject &object)
{
    out += QLatin1Char('{');
    bool first = true;
    // QJsonObject iterates its keys in the order QJsonDocument writes them.
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!first)
            out += QLatin1Char(',');
        first = false;
        appendJsonString(out, it.key());
        out += QLatin1Char(':');
        if (!appendValue(out, it.value()))
            return false;
    }
    out += QLatin1Char('}');
    return true;
}

bool appendValue(QString &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        out += QLatin1String("null");
        return true;
    case QJsonValue::Bool:
        out += value.toBool() ? QLatin1String("true") : QLatin1String("false");
        return true;
    case QJsonValue::String:
        appendJsonString(out, value.toString());
        return true;
    case QJsonValue::Double: {
        // An integer is written as its digits; a double's shortest form,
        // exponents and non-finite values are left to QJsonDocument.
        const QVariant number = value.toVariant();
        if (number.typeId() != QMetaType::LongLong)
            return false;
        out += QString::number(number.toLongLong());
        return true;
    }
    case QJsonValue::Array: {
        out += QLatin1Char('[');
        bool first = true;
        for (const QJsonValue &item : value.toArray()) {
            if (!first)
                out += QLatin1Char(',');
            first = false;
            if (!appendValue(out, item))
                return false;
        }
        out += QLatin1Char(']');
        return true;
    }
    case QJsonValue::Object:
        return appendObject(out, value.toObject());
    case QJsonValue::Undefined:
        break;
    }
    return false;
}

} // namespace

bool appendJsonObject(QString &out, const QJsonObject &object)
{
    const qsizetype at = out.size();
    if (appendObject(out, object))
        return true;
    out.truncate(at);
    return false;
}

} // namespace Provisio
