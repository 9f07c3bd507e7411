// SPDX-License-Identifier: Apache-2.0
#include "activationcodeinput.h"

#include "crypto/activationcode.h"

#include <QQmlEngine>

namespace Provisio::Kiosk {

namespace {

constexpr int kGroup = 4;

// The character `c` stands for at 0-based position `index`, or a null QChar
// when it cannot occur there. Positions 0-15 take data characters only; the
// check character may also be one of Crockford's five check-only symbols.
QChar significant(QChar c, int index)
{
    const QChar upper = c.toUpper();
    const char16_t u = upper.unicode();
    if (u == u'I' || u == u'L')
        return QLatin1Char('1');
    if (u == u'O')
        return QLatin1Char('0');
    static const QString data = QStringLiteral("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    static const QString checkOnly = QStringLiteral("*~$=U");
    if (data.contains(upper))
        return upper;
    if (index == ActivationCode::DataLength && checkOnly.contains(upper))
        return upper;
    return {};
}

} // namespace

ActivationCodeInput *ActivationCodeInput::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(jsEngine)
    // Stateless: each engine gets its own, owned by the engine.
    return new ActivationCodeInput(qmlEngine);
}

int ActivationCodeInput::length() const
{
    return ActivationCode::CanonicalLength;
}

QString ActivationCodeInput::normalize(const QString &text) const
{
    QString out;
    out.reserve(ActivationCode::CanonicalLength);
    for (const QChar c : text) {
        if (out.size() == ActivationCode::CanonicalLength)
            break;
        const QChar s = significant(c, int(out.size()));
        if (!s.isNull())
            out += s;
    }
    return out;
}

QString ActivationCodeInput::format(const QString &text) const
{
    const QString code = normalize(text);
    QString out;
    out.reserve(code.size() + 4);
    for (int i = 0; i < code.size(); ++i) {
        if (i > 0 && i % kGroup == 0)
            out += QLatin1Char('-');
        out += code.at(i);
    }
    return out;
}

int ActivationCodeInput::formattedCursor(const QString &text, int cursor) const
{
    const int n = int(normalize(text.left(qBound(0, cursor, int(text.size())))).size());
    if (n == 0)
        return 0;
    return n + (n - 1) / kGroup;
}

bool ActivationCodeInput::isComplete(const QString &text) const
{
    return normalize(text).size() == ActivationCode::CanonicalLength;
}

bool ActivationCodeInput::isValid(const QString &text) const
{
    const QString code = normalize(text);
    return code.size() == ActivationCode::CanonicalLength && ActivationCode::parse(code).ok();
}

QString ActivationCodeInput::problem(const QString &text) const
{
    const QString code = normalize(text);
    if (code.size() < ActivationCode::CanonicalLength)
        return {};
    if (ActivationCode::parse(code).ok())
        return {};
    return tr("This code does not check out: a character was probably mistyped. "
              "Compare it with your activation card.");
}

} // namespace Provisio::Kiosk
