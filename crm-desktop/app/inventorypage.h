// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventorymodel.h"
#include "recordlistpage.h"

#include <QStringList>

class QComboBox;
class QLineEdit;
class QTimer;
class QToolButton;

namespace Provisio::Crm {

// The inventory: every delivered device with its customer, enrollment,
// registration, hub and presence, filtered server-side by status, model and
// a free-text search (typed text waits 300 ms so each keystroke is not a
// request) and sorted server-side by a click on a sortable column's header.
// Saved views are named filter sets with their sort, kept in QSettings.
class InventoryPage : public RecordListPage
{
    Q_OBJECT
public:
    explicit InventoryPage(InventoryModel *model, QWidget *parent = nullptr);

    // Loading every match (for "select all" and the presence/activation
    // filters, which the server cannot apply) stops at this many devices.
    static constexpr int kLoadAllLimit = 50000;

    // What the "Show" filter keeps of the server's matches.
    enum Presence { AllDevices, OnlineOnly, OfflineOnly, ActivationFailed };

    InventoryModel *inventory() const { return m_inventory; }
    void setPresenceFilter(Presence presence);
    Presence presenceFilter() const;
    // The Show filter as the page names it ("Online").
    QString presenceFilterText() const;
    // Selects every device the filters match. When more match than are
    // loaded, nothing more is loaded: the loaded rows are selected and the
    // page is in "all matching" mode, in which the toolbar's actions run on
    // the middleware over the filter (a batch job). Only with the
    // Show filter (online, offline, activation failed), which the server
    // cannot apply, are the matches loaded first (at most kLoadAllLimit);
    // false when there are more.
    bool selectAllMatching();
    // "All N matching" is selected; cleared by any other selection, a new
    // filter or a reload. Ctrl+A in the table selects the same way.
    bool allMatchingSelected() const { return m_allMatching; }
    // The filter the loaded rows (and "all matching") stand for: the one
    // applied, not what is being typed.
    InventoryModel::Filter appliedFilter() const { return m_inventory->filter(); }
    QStringList selectedSerials() const;

    InventoryModel::Filter currentFilter() const;
    void setFilter(const InventoryModel::Filter &filter);
    void setCustomerFilter(const QString &customerId, const QString &name);

    // The server-side sort: a sortable column of InventoryModel and the
    // order (an unsortable column changes nothing).
    void setSort(int column, Qt::SortOrder order);

    // Saved views: name -> filter and sort, stored under "inventory/views".
    QStringList savedViewNames() const;
    void saveView(const QString &name);
    bool applyView(const QString &name);
    void removeView(const QString &name);

    void saveState(QSettings &settings) const override;
    void restoreState(QSettings &settings) override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void filterEdited();
    void presenceChanged();
    void updateSelectAll();
    bool loadAllMatches();
    // Shows a filter in the filter bar without applying it.
    void showFilter(const InventoryModel::Filter &filter);
    void headerSortClicked(int column, Qt::SortOrder order);
    void showSort();
    void applyLocalSort();
    void updateViewName();
    void applyFilterNow();
    void rebuildViewsMenu();
    void askViewName();

    InventoryModel *m_inventory;
    QComboBox *m_status;
    QComboBox *m_presence;
    QToolButton *m_selectAll;
    bool m_selectWhenLoaded = false;
    bool m_loadAllWhenCounted = false;   // loadAllMatches() waits for the count
    bool m_selectAllWhenCounted = false; // so does selectAllMatching()
    bool m_allMatching = false;
    bool m_selectingAll = false; // our own selectAll(), which must not clear m_allMatching
    QLineEdit *m_modelFilter;
    QLineEdit *m_search;
    QToolButton *m_views; // menu: saved views, save, delete
    QTimer *m_debounce;
    QString m_customerId;
    QString m_customerName;
    QString m_currentView; // name of the saved view shown, while unchanged
    bool m_applyingView = false;
};

} // namespace Provisio::Crm
