// SPDX-License-Identifier: Apache-2.0
#include "router.h"

#include <QUrl>
#include <QVarLengthArray>

namespace Provisio {

namespace {
bool isCapture(const QString &s)
{
    return s.size() > 2 && s.startsWith(QLatin1Char('{')) && s.endsWith(QLatin1Char('}'));
}
} // namespace

void Router::add(QHttpServerRequest::Method method, const QString &pattern, Access access, Handler handler,
                 qint64 maxBodyBytes)
{
    Route route{method, splitPath(pattern), access, maxBodyBytes, std::move(handler), pattern, {}, {}, 0};
    for (const QString &segment : std::as_const(route.segments)) {
        const bool capture = isCapture(segment);
        route.captures.append(capture);
        route.names.append(capture ? segment.mid(1, segment.size() - 2) : QString());
        route.specificity = route.specificity * 2 + (capture ? 0 : 1);
    }
    m_bySegmentCount[route.segments.size()].append(m_routes.size());
    m_routes.append(std::move(route));
}

QStringList Router::splitPath(const QString &path)
{
    QStringList out;
    const auto parts = QStringView(path).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    out.reserve(parts.size());
    for (const QStringView p : parts) {
        // Only a segment with an escape needs decoding; the others are
        // themselves (paths arrive percent-encoded, so ASCII).
        if (p.contains(QLatin1Char('%')))
            out << QUrl::fromPercentEncoding(p.toUtf8());
        else
            out << p.toString();
    }
    return out;
}

qint64 Router::bodyLimitFor(const QByteArray &method, const QByteArray &path, qint64 fallback) const
{
    using M = QHttpServerRequest::Method;
    static const QHash<QByteArray, M> methods = {
        {"GET", M::Get},   {"PUT", M::Put},         {"DELETE", M::Delete}, {"POST", M::Post},
        {"HEAD", M::Head}, {"OPTIONS", M::Options}, {"PATCH", M::Patch},   {"CONNECT", M::Connect},
    };
    const auto it = methods.constFind(method);
    if (it == methods.constEnd())
        return fallback;
    const Match m = match(*it, QString::fromUtf8(path));
    return m.route ? m.route->maxBodyBytes : fallback;
}

qint64 Router::smallestBodyLimit(qint64 fallback) const
{
    qint64 smallest = fallback;
    for (const Route &route : m_routes)
        smallest = qMin(smallest, route.maxBodyBytes);
    return smallest;
}

Router::Match Router::match(QHttpServerRequest::Method method, const QString &path) const
{
    // The segments as views of `path`: only one with an escape is decoded
    // into a string of its own (splitPath's rules, without its copies).
    QVarLengthArray<QStringView, 16> parts;
    QVarLengthArray<QString, 4> decoded;
    for (const QStringView p : QStringView(path).split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (p.contains(QLatin1Char('%'))) {
            decoded.append(QUrl::fromPercentEncoding(p.toUtf8()));
            // Its characters stay put when the array moves the string.
            parts.append(decoded.last());
        } else {
            parts.append(p);
        }
    }
    Match best;
    const auto candidates = m_bySegmentCount.constFind(parts.size());
    if (candidates == m_bySegmentCount.constEnd())
        return best;
    int bestScore = -1;
    for (const qsizetype index : *candidates) {
        const Route &route = m_routes.at(index);
        bool ok = true;
        for (qsizetype i = 0; i < parts.size() && ok; ++i)
            ok = route.captures.at(i) || route.segments.at(i) == parts.at(i);
        if (!ok)
            continue;
        best.pathMatched = true;
        if (route.method != method || route.specificity <= bestScore)
            continue;
        bestScore = route.specificity;
        best.route = &route;
    }
    // The parameters of the one route chosen, not of every candidate.
    if (best.route) {
        for (qsizetype i = 0; i < parts.size(); ++i) {
            if (best.route->captures.at(i))
                best.params.insert(best.route->names.at(i), parts.at(i).toString());
        }
    }
    return best;
}

} // namespace Provisio
