// SPDX-License-Identifier: Apache-2.0
#include "pagedtablemodel.h"

#include "displayformat.h"

#include "apiclient.h"
#include "crmlogging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>

#include <utility>

namespace Provisio::Crm {

PagedTableModel::PagedTableModel(ApiClient *api, const QString &path, const QString &keyField, QObject *parent)
    : QAbstractTableModel(parent), m_api(api), m_path(path), m_keyField(keyField)
{ }

PagedTableModel::~PagedTableModel()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
    }
    if (m_countCall) {
        m_countCall->disconnect(this);
        m_countCall->abort();
    }
}

int PagedTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int PagedTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : columns();
}

QVariant PagedTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject &record = m_records.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(record, index.column());
    case Qt::ToolTipRole:
        return toolTip(record, index.column());
    case RecordRole:
        return record;
    case KeyRole:
        return record.value(m_keyField).toString();
    default:
        return extraData(record, index.column(), role);
    }
}

QVariant PagedTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columns())
        return QAbstractTableModel::headerData(section, orientation, role);
    return columnTitle(section);
}

QHash<int, QByteArray> PagedTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(RecordRole, "record");
    names.insert(KeyRole, "key");
    return names;
}

QVariant PagedTableModel::toolTip(const QJsonObject &record, int column) const
{
    const QVariant value = display(record, column);
    return value.toString().isEmpty() ? QVariant() : value;
}

QVariant PagedTableModel::extraData(const QJsonObject &, int, int) const
{
    return {};
}

bool PagedTableModel::matchesFilter(const QJsonObject &record) const
{
    // Exact-match filters are checked here; free text ("q") is the
    // server's to judge, so it neither keeps nor drops a record here, and
    // the order ("sort", "order") filters nothing.
    const auto items = m_query.queryItems(QUrl::FullyDecoded);
    for (const auto &item : items) {
        if (item.first == QLatin1String("q") || item.first == QLatin1String("sort") ||
            item.first == QLatin1String("order"))
            continue;
        if (record.value(item.first).toString() != item.second)
            return false;
    }
    return true;
}

void PagedTableModel::recordsAdded(int, int) { }

QString PagedTableModel::text(const QJsonObject &record, const char *key)
{
    return record.value(QLatin1String(key)).toString();
}

QString PagedTableModel::localTime(const QString &iso)
{
    return formatApiDateTime(iso);
}

bool PagedTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !isLoading() && hasMore() && m_api;
}

void PagedTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    QUrlQuery query = m_query;
    query.addQueryItem(QStringLiteral("limit"), QString::number(m_pageSize));
    if (!m_nextCursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), m_nextCursor);
    const quint64 generation = m_generation;
    ApiCall *call = m_api->get(m_path, query);
    m_pageTimer.start();
    connect(call, &ApiCall::finished, this, [this, generation](const QJsonDocument &body, const QByteArray &) {
        if (generation != m_generation)
            return;
        setCall(nullptr);
        onPage(body.object(), generation);
    });
    connect(call, &ApiCall::failed, this, [this, generation](const ApiFailure &failure) {
        if (generation != m_generation)
            return;
        setCall(nullptr);
        m_fetchAll = false;
        if (failure.aborted)
            return;
        m_lastError = failure.message;
        // Stop asking for this list until refresh(): a view would otherwise
        // call fetchMore() again at once and hammer a failing server.
        m_loaded = true;
        m_nextCursor.clear();
        Q_EMIT errorOccurred(failure.message);
    });
    setCall(call);
}

void PagedTableModel::onPage(const QJsonObject &page, quint64 generation)
{
    const QJsonArray items = page.value(QLatin1String("items")).toArray();
    const bool firstPage = !m_loaded;
    m_nextCursor = page.value(QLatin1String("nextCursor")).toString();
    m_loaded = true;
    m_lastError.clear();
    if (firstPage && m_countTotal && m_nextCursor.isEmpty()) {
        // One page holds every match: that is the total, no count to ask.
        m_total = items.size();
        m_totalIsLowerBound = false;
        Q_EMIT totalChanged(m_total);
    }

    // Each record's key is read once, here.
    QVector<std::pair<QString, QJsonObject>> fresh;
    fresh.reserve(items.size());
    for (const QJsonValue &value : items) {
        QJsonObject record = value.toObject();
        QString key = record.value(m_keyField).toString();
        // A record that an event already appended, or that moved between
        // pages while paging, is updated in place instead of shown twice.
        const int existing = m_index.value(key, -1);
        if (existing >= 0) {
            m_records[existing] = std::move(record);
            notifyRowChanged(existing);
            continue;
        }
        fresh.append({std::move(key), std::move(record)});
    }
    const int added = int(fresh.size());
    if (added > 0) {
        const int first = int(m_records.size());
        beginInsertRows(QModelIndex(), first, first + added - 1);
        // No reserve(first + added) of the list or the index: an exact
        // reserve reallocated (and copied every loaded record, or rehashed
        // every key) on every page, so each page cost as much as all rows
        // loaded so far; appending grows both geometrically.
        for (auto &[key, record] : fresh) {
            m_index.insert(std::move(key), int(m_records.size()));
            m_records.append(std::move(record));
        }
        endInsertRows();
        recordsAdded(first, first + added - 1);
    }
    const qint64 elapsed = m_pageTimer.elapsed();
    qCDebug(lcCrmModels) << m_path << "page:" << added << "rows in" << elapsed << "ms";
    Q_EMIT pageLoaded(added, elapsed);
    if (generation != m_generation)
        return;
    // The rows are painted by now; the count follows in a request of its
    // own.
    if (firstPage && m_countTotal && m_total < 0 && !m_countCall)
        startCount();
    // A page whose rows were all filtered out here adds nothing a view
    // would notice, so it would never ask for more: go on by ourselves.
    if (m_fetchAll || (added == 0 && hasMore())) {
        if (hasMore()) {
            fetchMore(QModelIndex());
        } else {
            m_fetchAll = false;
            Q_EMIT allLoaded();
        }
    }
}

void PagedTableModel::startCount()
{
    if (!m_api)
        return;
    // Without the order, which a count does not need.
    QUrlQuery query(matchesPart(m_query));
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1"));
    query.addQueryItem(QStringLiteral("count"), QStringLiteral("true"));
    const quint64 generation = m_countGeneration;
    QElapsedTimer timer;
    timer.start();
    ApiCall *call = m_api->get(m_path, query);
    // An answer for an older filter is dropped: refresh() aborts the call
    // and moves the count generation on, so neither a late answer nor a
    // late failure can overwrite the newer filter's total. A new order
    // alone lets the count go on.
    connect(call, &ApiCall::finished, this, [this, generation, timer](const QJsonDocument &body, const QByteArray &) {
        if (generation != m_countGeneration)
            return;
        const QJsonObject answer = body.object();
        if (!answer.contains(QLatin1String("total"))) {
            setCountCall(nullptr);
            return;
        }
        // The total is in place before "counting" ends, so the page
        // never shows the count as unknown in between.
        m_total = qint64(answer.value(QLatin1String("total")).toDouble());
        m_totalIsLowerBound = answer.value(QLatin1String("totalIsLowerBound")).toBool();
        setCountCall(nullptr);
        qCDebug(lcCrmModels) << m_path << "count:" << m_total << "in" << timer.elapsed() << "ms";
        Q_EMIT totalChanged(m_total);
    });
    connect(call, &ApiCall::failed, this, [this, generation](const ApiFailure &failure) {
        if (generation != m_countGeneration)
            return;
        setCountCall(nullptr);
        if (failure.aborted)
            return;
        // The rows stay; the total stays unknown ("more as you scroll").
        m_lastError = failure.message;
        Q_EMIT errorOccurred(failure.message);
    });
    setCountCall(call);
}

void PagedTableModel::setCountCall(ApiCall *call)
{
    const bool was = isCounting();
    m_countCall = call;
    if (was != isCounting())
        Q_EMIT countingChanged(isCounting());
}

void PagedTableModel::abortCount()
{
    if (!m_countCall)
        return;
    ApiCall *old = m_countCall;
    old->disconnect(this);
    setCountCall(nullptr);
    old->abort();
}

void PagedTableModel::setCall(ApiCall *call)
{
    const bool was = isLoading();
    m_call = call;
    if (was != isLoading())
        Q_EMIT loadingChanged(isLoading());
}

void PagedTableModel::refresh()
{
    restart(false);
}

QString PagedTableModel::matchesPart(const QUrlQuery &query)
{
    QUrlQuery out = query;
    out.removeAllQueryItems(QStringLiteral("sort"));
    out.removeAllQueryItems(QStringLiteral("order"));
    return out.query(QUrl::FullyEncoded);
}

void PagedTableModel::restart(bool keepTotal)
{
    ++m_generation;
    if (m_call) {
        ApiCall *old = m_call;
        old->disconnect(this);
        setCall(nullptr);
        old->abort();
    }
    if (!keepTotal) {
        ++m_countGeneration;
        abortCount();
    }
    beginResetModel();
    m_records.clear();
    m_records.squeeze();
    m_index.clear();
    m_nextCursor.clear();
    m_loaded = false;
    m_lastError.clear();
    const bool hadTotal = m_total >= 0;
    if (!keepTotal) {
        m_total = -1;
        m_totalIsLowerBound = false;
    }
    endResetModel();
    if (hadTotal && !keepTotal)
        Q_EMIT totalChanged(-1);
    fetchMore(QModelIndex());
}

void PagedTableModel::fetchAll()
{
    m_fetchAll = true;
    if (isLoading())
        return;
    if (hasMore())
        fetchMore(QModelIndex());
    else {
        m_fetchAll = false;
        Q_EMIT allLoaded();
    }
}

void PagedTableModel::setQuery(const QUrlQuery &query)
{
    if (query.query(QUrl::FullyEncoded) == m_query.query(QUrl::FullyEncoded) && m_loaded)
        return;
    const bool sameMatches = m_loaded && matchesPart(query) == matchesPart(m_query);
    m_query = query;
    restart(sameMatches);
}

QJsonObject PagedTableModel::recordFor(const QString &key) const
{
    const int row = rowOf(key);
    return row >= 0 ? m_records.at(row) : QJsonObject();
}

void PagedTableModel::notifyRowChanged(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, columns() - 1));
}

void PagedTableModel::upsertRecord(const QJsonObject &record)
{
    const QString key = record.value(m_keyField).toString();
    if (key.isEmpty())
        return;
    const int row = rowOf(key);
    if (row >= 0) {
        if (!matchesFilter(record)) {
            removeRecord(key);
            return;
        }
        m_records[row] = record;
        notifyRowChanged(row);
        return;
    }
    // Under a free-text search the server decides what matches, and under
    // a server-side sort where a record goes: a new record shows up on the
    // next refresh instead of at the end or by a guess here.
    if (!m_loaded || hasMore() || !matchesFilter(record) || m_query.hasQueryItem(QStringLiteral("q")) ||
        m_query.hasQueryItem(QStringLiteral("sort")))
        return;
    const int first = int(m_records.size());
    if (m_total >= 0) {
        ++m_total;
        Q_EMIT totalChanged(m_total);
    }
    beginInsertRows(QModelIndex(), first, first);
    m_index.insert(key, first);
    m_records.append(record);
    endInsertRows();
    recordsAdded(first, first);
}

void PagedTableModel::removeRecord(const QString &key)
{
    const int row = rowOf(key);
    if (row < 0)
        return;
    if (m_total > 0) {
        --m_total;
        Q_EMIT totalChanged(m_total);
    }
    beginRemoveRows(QModelIndex(), row, row);
    m_records.remove(row);
    m_index.remove(key);
    reindexFrom(row);
    endRemoveRows();
}

void PagedTableModel::reindexFrom(int row)
{
    for (int i = row; i < m_records.size(); ++i)
        m_index.insert(m_records.at(i).value(m_keyField).toString(), i);
}

} // namespace Provisio::Crm
