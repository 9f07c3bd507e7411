// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QWidget>

#include <functional>

class QHBoxLayout;
class QLabel;
class QSettings;
class QSortFilterProxyModel;
class QTableView;
class QToolBar;
class QVBoxLayout;

namespace Provisio::Crm {

class PagedTableModel;

// One page of the main window: a tool bar, a filter bar, a table over one
// of crm_core's paging models, and a line saying how much is loaded. The
// table pages as it scrolls (the model's fetchMore); sorting a column sorts
// what is loaded. Subclasses add their filters and actions; the page only
// presents, the window's controller makes the changes.
class RecordListPage : public QWidget
{
    Q_OBJECT
public:
    RecordListPage(const QString &name, PagedTableModel *model, QWidget *parent = nullptr);

    QString name() const { return objectName(); }
    QString title() const { return m_title; }
    void setTitle(const QString &title) { m_title = title; }
    PagedTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // The column that takes the width the others leave (the last one by
    // default); kept after restoreState(), whose saved layout may predate it.
    void setStretchColumn(int column);
    QToolBar *toolBar() const { return m_toolBar; }

    QList<QJsonObject> selectedRecords() const;
    QJsonObject currentRecord() const;
    // A filter over the loaded rows, besides the server's (null: none):
    // rows it refuses are hidden, leave the selection and are never acted
    // on. Takes the source model's row.
    using RowFilter = std::function<bool(int sourceRow)>;
    void setRowFilter(RowFilter filter);
    bool hasRowFilter() const;
    // Rows shown (loaded and passing the row filter).
    int shownRowCount() const;
    // Selected keys waiting for their rows after a reload (not yet acted on).
    int keptSelectionCount() const;
    // Selects the row whose key is `key` (tests and "show in inventory").
    bool selectKey(const QString &key);

    // Header layout (widths, order, sort) in QSettings under the page's name.
    virtual void saveState(QSettings &settings) const;
    virtual void restoreState(QSettings &settings);

Q_SIGNALS:
    void recordActivated(const QJsonObject &record);
    void selectionChanged();
    void errorOccurred(const QString &message);

protected:
    void addFilterWidget(QWidget *widget, int stretch = 0);
    // A widget on the line under the table, right of the count.
    void addCountWidget(QWidget *widget);
    void addFilterLabel(const QString &text, QWidget *buddy);
    // Puts the filters added from now on in a row of their own, so a page
    // with many filters still fits a narrow window.
    void startFilterRow();
    QHBoxLayout *filterBar() const { return m_filterBar; }
    QVBoxLayout *pageLayout() const { return m_layout; }
    void updateCount();

private:
    // The selection is kept by key across a reload of the model (a batch
    // refreshes it): the keys selected when the rows went away select their
    // rows again as they come back; keys that do not come back (the row
    // left the view under the filter) are dropped once the list is complete.
    void rememberSelection();
    // Asks for the next page while half a page of loaded rows is still below
    // the last one shown, so a user scrolling down finds the rows there
    // instead of waiting for the network at the end (the view itself asks
    // only once its scroll bar is at the end).
    void fetchAhead();
    void restoreSelection(int first, int last);
    void forgetMissingSelection();

    QString m_title;
    PagedTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QVBoxLayout *m_layout;
    QToolBar *m_toolBar;
    QHBoxLayout *m_filterBar;
    void applyStretchColumn();

    QTableView *m_table;
    int m_stretchColumn = -1;
    QLabel *m_count;
    QHBoxLayout *m_countBar;
    QSet<QString> m_keptKeys;
    bool m_restoringSelection = false;
};

} // namespace Provisio::Crm
