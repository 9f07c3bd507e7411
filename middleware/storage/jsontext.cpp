// SPDX-License-Identifier: Apache-2.0
#include "jsontext.h"

namespace Provisio {

void appendJsonString(QString &out, QStringView text)
{
    out += QLatin1Char('"');
    // Characters that need no escape are appended a run at a time: one
    // character at a time cost about twenty instructions each, and a CA
    // certificate in an answer is a couple of thousand characters.
    qsizetype run = 0;
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
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
    if (!out.endsWith(QLatin1Char('{')))
        out += QLatin1Char(',');
    out += QLatin1Char('"');
    out += key;
    out += QLatin1String("\":");
}

void appendJsonMember(QString &out, QLatin1String key, QStringView value)
{
    appendJsonKey(out, key);
    appendJsonString(out, value);
}

} // namespace Provisio
