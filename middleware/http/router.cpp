// SPDX-License-Identifier: Apache-2.0
#include "router.h"

#include <QUrl>

namespace Provisio {

void Router::add(QHttpServerRequest::Method method, const QString &pattern, Access access, Handler handler,
                 qint64 maxBodyBytes)
{
    m_routes.append({method, splitPath(pattern), access, maxBodyBytes, std::move(handler), pattern});
}

QStringList Router::splitPath(const QString &path)
{
    QStringList out;
    const auto parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    out.reserve(parts.size());
    for (const QString &p : parts)
        out << QUrl::fromPercentEncoding(p.toUtf8());
    return out;
}

namespace {
bool isCapture(const QString &s)
{
    return s.size() > 2 && s.startsWith(QLatin1Char('{')) && s.endsWith(QLatin1Char('}'));
}

// Higher is more specific: literal segments count more than captures.
int specificity(const QStringList &segments)
{
    int score = 0;
    for (const QString &s : segments)
        score = score * 2 + (isCapture(s) ? 0 : 1);
    return score;
}
} // namespace

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
    const QStringList parts = splitPath(path);
    Match best;
    int bestScore = -1;
    for (const Route &route : m_routes) {
        if (route.segments.size() != parts.size())
            continue;
        QHash<QString, QString> params;
        bool ok = true;
        for (int i = 0; i < parts.size() && ok; ++i) {
            const QString &seg = route.segments.at(i);
            if (isCapture(seg))
                params.insert(seg.mid(1, seg.size() - 2), parts.at(i));
            else
                ok = seg == parts.at(i);
        }
        if (!ok)
            continue;
        best.pathMatched = true;
        if (route.method != method)
            continue;
        const int score = specificity(route.segments);
        if (score > bestScore) {
            bestScore = score;
            best.route = &route;
            best.params = params;
        }
    }
    return best;
}

} // namespace Provisio
