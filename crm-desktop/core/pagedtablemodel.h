// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apiclient.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QUrlQuery>
#include <QVector>

namespace Provisio::Crm {

// The shared part of the CRM's list models: pages one /api/v1 list
// ({"items":[…],"nextCursor"}) through canFetchMore()/fetchMore(), so a view
// asks for rows only as it scrolls; keeps a key→row index so an event can
// update its row in O(1); restarts paging when the server-side filter
// changes, dropping answers to the old filter.
class PagedTableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_PROPERTY(bool loading READ isLoading NOTIFY loadingChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY errorOccurred)
public:
    enum Roles { RecordRole = Qt::UserRole + 1, KeyRole };

    // path: the list under /api/v1 ("devices"); keyField: the member that
    // identifies a record ("serial").
    PagedTableModel(ApiClient *api, const QString &path, const QString &keyField, QObject *parent = nullptr);
    ~PagedTableModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QHash<int, QByteArray> roleNames() const override;

    // Drops the rows and loads the first page again (with the current filter).
    void refresh();
    // Keeps fetching pages until the list is complete (small lists:
    // customers, hubs); emits allLoaded() at the end.
    void fetchAll();

    bool isLoading() const { return m_call != nullptr; }
    bool hasMore() const { return !m_loaded || !m_nextCursor.isEmpty(); }
    QString lastError() const { return m_lastError; }
    int pageSize() const { return m_pageSize; }
    void setPageSize(int size) { m_pageSize = qBound(1, size, 1000); }

    // Lists that can count (GET devices?count=true) ask for the number of
    // matches once their first page is in, in a request of its own
    // (limit=1&count=true): the rows show at once, and a count that takes
    // longer than the page (a broad text search) never holds them back.
    // -1 while unknown (isCounting()) or not asked.
    void setCountTotal(bool count) { m_countTotal = count; }
    qint64 total() const { return m_total; }
    bool isCounting() const { return m_countCall != nullptr; }
    // The server counts up to a cap: past it, total() is the cap and this
    // is true ("50,000+ match").
    bool totalIsLowerBound() const { return m_totalIsLowerBound; }

    int rowOf(const QString &key) const { return m_index.value(key, -1); }
    QJsonObject record(int row) const { return m_records.value(row); }
    QJsonObject recordFor(const QString &key) const;
    QString keyField() const { return m_keyField; }
    QUrlQuery query() const { return m_query; }

    // Applies a record from an event: updates its row (in place, also under
    // a sort), or appends it when the whole list is loaded (a new record
    // would otherwise appear in a later page anyway), it matches the filter
    // and the list is in its default order (no "q" or "sort" query item).
    void upsertRecord(const QJsonObject &record);
    void removeRecord(const QString &key);

Q_SIGNALS:
    void loadingChanged(bool loading);
    void errorOccurred(const QString &message);
    // A page arrived: how many rows it added and how long it took.
    void pageLoaded(int rows, qint64 milliseconds);
    void allLoaded();
    void totalChanged(qint64 total);
    void countingChanged(bool counting);

protected:
    // Sets the server-side filter and order (query items besides limit and
    // cursor; "sort" and "order" set the order, as GET /api/v1/devices
    // takes them) and restarts paging when it changed. A change of the
    // order alone keeps the total (and a count on its way): the same
    // records match in any order.
    void setQuery(const QUrlQuery &query);

    // Subclasses describe their columns.
    virtual int columns() const = 0;
    virtual QString columnTitle(int column) const = 0;
    virtual QVariant display(const QJsonObject &record, int column) const = 0;
    virtual QVariant toolTip(const QJsonObject &record, int column) const;
    virtual QVariant extraData(const QJsonObject &record, int column, int role) const;
    // Whether a record from an event belongs under the current filter.
    virtual bool matchesFilter(const QJsonObject &record) const;
    // Hook for subclasses that join other data when rows arrive.
    virtual void recordsAdded(int first, int last);

    // A string member of a record, and an ISO-8601 time as the user's
    // locale writes it (the raw form where it is not a time); shared by the
    // subclasses' display().
    static QString text(const QJsonObject &record, const char *key);
    static QString localTime(const QString &iso);

    void notifyRowChanged(int row);
    ApiClient *api() const { return m_api; }
    const QVector<QJsonObject> &records() const { return m_records; }

private:
    void onPage(const QJsonObject &page, quint64 generation);
    // refresh(), keeping the total when the matches stay the same.
    void restart(bool keepTotal);
    // The query without its order ("sort", "order"): what decides the matches.
    static QString matchesPart(const QUrlQuery &query);
    void startCount();
    void setCountCall(ApiCall *call);
    void abortCount();
    void setCall(ApiCall *call);
    void reindexFrom(int row);

    QPointer<ApiClient> m_api;
    QString m_path;
    QString m_keyField;
    QUrlQuery m_query;
    QVector<QJsonObject> m_records;
    QHash<QString, int> m_index;
    QString m_nextCursor;
    QString m_lastError;
    QPointer<ApiCall> m_call;
    QPointer<ApiCall> m_countCall;
    QElapsedTimer m_pageTimer;
    quint64 m_generation = 0;
    quint64 m_countGeneration = 0; // moves when the matches may change
    int m_pageSize = 500;
    bool m_loaded = false; // at least the first page arrived
    bool m_fetchAll = false;
    bool m_countTotal = false;
    qint64 m_total = -1;
    bool m_totalIsLowerBound = false;
};

} // namespace Provisio::Crm
