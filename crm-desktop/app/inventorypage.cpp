// SPDX-License-Identifier: Apache-2.0
#include "inventorypage.h"

#include "applogging.h"
#include "protocol/wirenames.h"

#include <QComboBox>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

#include <utility>

namespace Provisio::Crm {

namespace {

const QString kViewsGroup = QStringLiteral("inventory/views");

// What a saved view (and the page's state in QSettings) holds: the filter
// and the server-side sort, the sort by its API field name so that a view
// stays valid when columns move.
struct ViewState
{
    InventoryModel::Filter filter;
    int sortColumn = InventoryModel::SerialColumn;
    Qt::SortOrder sortOrder = Qt::AscendingOrder;
    bool operator==(const ViewState &o) const
    {
        return filter == o.filter && sortColumn == o.sortColumn && sortOrder == o.sortOrder;
    }
};

QVariantMap toMap(const ViewState &v)
{
    const InventoryModel::Filter &f = v.filter;
    return {
        {QStringLiteral("status"), f.status},
        {QStringLiteral("model"), f.model},
        {QStringLiteral("manufacturer"), f.manufacturer},
        {QStringLiteral("batch"), f.batch},
        {QStringLiteral("customerId"), f.customerId},
        {QStringLiteral("q"), f.q},
        {QStringLiteral("sort"), InventoryModel::sortFieldOf(v.sortColumn)},
        {QStringLiteral("order"), v.sortOrder == Qt::DescendingOrder ? QStringLiteral("desc") : QStringLiteral("asc")}};
}

// Views saved before the inventory sorted have no sort: they open in
// serial order, as they were saved.
ViewState fromMap(const QVariantMap &m)
{
    ViewState v;
    InventoryModel::Filter &f = v.filter;
    f.status = m.value(QStringLiteral("status")).toString();
    f.model = m.value(QStringLiteral("model")).toString();
    f.manufacturer = m.value(QStringLiteral("manufacturer")).toString();
    f.batch = m.value(QStringLiteral("batch")).toString();
    f.customerId = m.value(QStringLiteral("customerId")).toString();
    f.q = m.value(QStringLiteral("q")).toString();
    const int column = InventoryModel::columnOfSortField(m.value(QStringLiteral("sort")).toString());
    if (column >= 0) {
        v.sortColumn = column;
        v.sortOrder = m.value(QStringLiteral("order")).toString() == QLatin1String("desc") ? Qt::DescendingOrder
                                                                                           : Qt::AscendingOrder;
    }
    return v;
}

} // namespace

InventoryPage::InventoryPage(InventoryModel *model, QWidget *parent)
    : RecordListPage(QStringLiteral("inventory"), model, parent), m_inventory(model), m_status(new QComboBox(this)),
      m_presence(new QComboBox(this)), m_selectAll(new QToolButton(this)), m_modelFilter(new QLineEdit(this)),
      m_search(new QLineEdit(this)), m_views(new QToolButton(this)), m_debounce(new QTimer(this))
{
    setTitle(tr("Inventory"));
    m_status->setObjectName(QStringLiteral("inventoryStatusFilter"));
    m_modelFilter->setObjectName(QStringLiteral("inventoryModelFilter"));
    m_search->setObjectName(QStringLiteral("inventorySearch"));
    m_views->setObjectName(QStringLiteral("inventorySavedViews"));

    m_status->addItem(tr("Any status"), QString());
    m_status->addItem(tr("In stock"), InventoryStatus::InStock);
    m_status->addItem(tr("Sold"), InventoryStatus::Sold);
    m_status->addItem(tr("Provisioned"), InventoryStatus::Provisioned);
    m_status->addItem(tr("Retired"), InventoryStatus::Retired);
    m_modelFilter->setPlaceholderText(tr("Any model"));
    m_modelFilter->setClearButtonEnabled(true);
    m_search->setPlaceholderText(tr("Search serial, model, batch, customer, notes…"));
    m_search->setClearButtonEnabled(true);
    m_views->setText(tr("&Views"));
    m_views->setToolTip(tr("Saved views (named filters with their sort) and the sort order"));
    m_views->setPopupMode(QToolButton::InstantPopup);
    m_views->setMenu(new QMenu(m_views));
    connect(m_views->menu(), &QMenu::aboutToShow, this, &InventoryPage::rebuildViewsMenu);

    m_presence->setObjectName(QStringLiteral("inventoryPresenceFilter"));
    m_presence->addItem(tr("All devices"), AllDevices);
    m_presence->addItem(tr("Online"), OnlineOnly);
    m_presence->addItem(tr("Offline"), OfflineOnly);
    m_presence->addItem(tr("Activation failed"), ActivationFailed);
    m_presence->setToolTip(tr("Online, offline or with failed activation attempts that still count. Loads every "
                              "device the other filters match (up to %L1) and shows those.")
                               .arg(kLoadAllLimit));
    m_selectAll->setObjectName(QStringLiteral("inventorySelectAll"));
    connect(m_presence, &QComboBox::currentIndexChanged, this, &InventoryPage::presenceChanged);
    connect(m_selectAll, &QToolButton::clicked, this, [this] {
        if (m_allMatching)
            table()->clearSelection();
        else
            selectAllMatching();
    });
    // Any other selection ends "all matching" (a new filter resets the
    // model, which clears the selection too).
    connect(this, &RecordListPage::selectionChanged, this, [this] {
        if (!m_selectingAll)
            m_selectAllWhenCounted = false; // a pick while counting wins
        if (m_allMatching && !m_selectingAll) {
            m_allMatching = false;
            updateSelectAll();
        }
    });
    table()->installEventFilter(this);
    connect(model, &PagedTableModel::totalChanged, this, [this] {
        // A load of all matches asked for while the count was under way
        // goes on now that the total says whether it fits.
        if (m_loadAllWhenCounted && m_inventory->total() >= 0) {
            m_loadAllWhenCounted = false;
            m_selectAllWhenCounted = false;
            if (!loadAllMatches())
                m_selectWhenLoaded = false;
        }
        if (m_selectAllWhenCounted && m_inventory->total() >= 0) {
            m_selectAllWhenCounted = false;
            selectAllMatching();
        }
        updateSelectAll();
    });
    connect(model, &PagedTableModel::countingChanged, this, &InventoryPage::updateSelectAll);
    connect(model, &QAbstractItemModel::rowsInserted, this, &InventoryPage::updateSelectAll);
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        m_selectWhenLoaded = false;
        m_loadAllWhenCounted = false;
        m_selectAllWhenCounted = false;
        updateSelectAll();
    });
    connect(model, &PagedTableModel::allLoaded, this, [this] {
        if (m_selectWhenLoaded) {
            m_selectWhenLoaded = false;
            table()->selectAll();
        }
        updateSelectAll();
    });
    // A new filter loads the first page again; the presence filters need
    // all the matches of the new filter.
    connect(model, &PagedTableModel::pageLoaded, this, [this] {
        if ((presenceFilter() != AllDevices || m_inventory->sortColumn() == InventoryModel::CustomerColumn) &&
            m_inventory->hasMore() && !m_inventory->isLoading())
            loadAllMatches();
    });
    connect(model, &InventoryModel::activationFailuresChanged, this, [this] {
        if (presenceFilter() == ActivationFailed)
            presenceChanged();
    });

    addFilterLabel(tr("&Status:"), m_status);
    addFilterLabel(tr("&Model:"), m_modelFilter);
    addFilterLabel(tr("S&how:"), m_presence);
    addFilterWidget(m_search, 1);
    addFilterWidget(m_views);
    // Under the table, by the count it acts on; the filter bar stays as
    // narrow as before, so the device panel still fits beside the table.
    addCountWidget(m_selectAll);
    updateSelectAll();

    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &InventoryPage::applyFilterNow);
    connect(m_status, &QComboBox::currentIndexChanged, this, &InventoryPage::applyFilterNow);
    connect(m_modelFilter, &QLineEdit::textEdited, this, &InventoryPage::filterEdited);
    connect(m_search, &QLineEdit::textEdited, this, &InventoryPage::filterEdited);
    // The clear buttons change the text without textEdited.
    connect(m_modelFilter, &QLineEdit::textChanged, this, [this](const QString &t) {
        if (t.isEmpty())
            filterEdited();
    });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &t) {
        if (t.isEmpty())
            filterEdited();
    });
    m_search->setMinimumWidth(140);
    // provisio.crm.ui.debug=true shows how long each page of devices took.
    connect(model, &PagedTableModel::pageLoaded, this, [this](int rows, qint64 ms) {
        qCDebug(lcCrmUi) << "inventory page:" << rows << "rows in" << ms << "ms," << m_inventory->rowCount()
                         << "loaded";
    });
    const QList<QPair<int, int>> widths{
        {InventoryModel::SerialColumn, 110},       {InventoryModel::ModelColumn, 105},
        {InventoryModel::ManufacturerColumn, 105}, {InventoryModel::BatchColumn, 55},
        {InventoryModel::DeliveryDateColumn, 90},  {InventoryModel::CustomerColumn, 135},
        {InventoryModel::EnrollmentColumn, 85},    {InventoryModel::RegistrationColumn, 150},
        {InventoryModel::HubColumn, 140},          {InventoryModel::OnlineColumn, 60}};
    for (const auto &[column, width] : widths)
        table()->setColumnWidth(column, width);

    // The server sorts: a header click restarts paging in that order. The
    // view's own sorting stays off, since it would sort the page's proxy,
    // that is only the rows loaded so far, and rows of later pages would
    // land in the wrong place.
    table()->setSortingEnabled(false);
    QHeaderView *header = table()->horizontalHeader();
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    connect(header, &QHeaderView::sortIndicatorChanged, this, &InventoryPage::headerSortClicked);
    connect(m_inventory, &InventoryModel::sortChanged, this, [this] {
        applyLocalSort();
        showSort();
        updateViewName();
    });
    showSort();
}

QStringList InventoryPage::selectedSerials() const
{
    QStringList out;
    for (const QJsonObject &record : selectedRecords())
        out.append(record.value(QStringLiteral("serial")).toString());
    return out;
}

InventoryPage::Presence InventoryPage::presenceFilter() const
{
    return Presence(m_presence->currentData().toInt());
}

QString InventoryPage::presenceFilterText() const
{
    return m_presence->currentText();
}

void InventoryPage::setPresenceFilter(Presence presence)
{
    m_presence->setCurrentIndex(qMax(0, m_presence->findData(presence)));
}

void InventoryPage::presenceChanged()
{
    const Presence presence = presenceFilter();
    InventoryModel *inventory = m_inventory;
    switch (presence) {
    case AllDevices:
        setRowFilter(nullptr);
        break;
    case OnlineOnly:
    case OfflineOnly:
        setRowFilter([inventory, online = presence == OnlineOnly](int row) {
            const QVariant state = inventory->index(row, 0).data(InventoryModel::OnlineRole);
            return state.isValid() && state.toBool() == online;
        });
        break;
    case ActivationFailed:
        if (!inventory->activationFailuresLoaded()) {
            setRowFilter([](int) { return false; }); // nothing until the list is in
            inventory->loadActivationFailures();
            return;
        }
        setRowFilter([inventory](int row) {
            return inventory->activationFailuresOf(
                       inventory->index(row, 0).data(InventoryModel::SerialRole).toString()) > 0;
        });
        break;
    }
    if (presence != AllDevices)
        loadAllMatches();
    updateSelectAll();
}

bool InventoryPage::loadAllMatches()
{
    if (!m_inventory->hasMore())
        return true;
    const qint64 total = m_inventory->total();
    if (total < 0 && m_inventory->isCounting()) {
        // The total comes in its own request after the first page: load
        // once it says the matches fit (totalChanged goes on from here).
        m_loadAllWhenCounted = true;
        return true;
    }
    if (total > kLoadAllLimit || m_inventory->totalIsLowerBound()) {
        Q_EMIT errorOccurred(tr("%L1 or more devices match: more than the %L2 that can be loaded at once. Narrow the "
                                "filter (status, model, search) first.")
                                 .arg(total)
                                 .arg(kLoadAllLimit));
        return false;
    }
    m_inventory->fetchAll();
    return true;
}

bool InventoryPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == table() && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent *>(event)->matches(QKeySequence::SelectAll)) {
        selectAllMatching();
        return true;
    }
    return RecordListPage::eventFilter(watched, event);
}

bool InventoryPage::selectAllMatching()
{
    if (!m_inventory->hasMore()) {
        table()->selectAll();
        return true;
    }
    // "All N matching" needs the N: the count is still on its way, so the
    // selection follows when it arrives (totalChanged).
    if (m_inventory->total() < 0 && m_inventory->isCounting()) {
        m_selectAllWhenCounted = true;
        return true;
    }
    if (!hasRowFilter()) {
        // The rest stays on the server: the actions run there by filter.
        m_selectingAll = true;
        table()->selectAll();
        m_allMatching = true;
        updateSelectAll();
        Q_EMIT selectionChanged(); // the actions see the new mode
        m_selectingAll = false;
        return true;
    }
    if (!loadAllMatches())
        return false;
    m_selectWhenLoaded = true;
    updateSelectAll();
    return true;
}

void InventoryPage::updateSelectAll()
{
    const qint64 total = m_inventory->total();
    const int loaded = m_inventory->rowCount();
    if (m_allMatching) {
        m_selectAll->setText(
            m_inventory->totalIsLowerBound()
                ? tr("All %L1+ matching devices selected; actions run on the server · Clear").arg(total)
                : tr("All %L1 matching devices selected; actions run on the server · Clear").arg(total));
        m_selectAll->setToolTip(tr("The toolbar's actions apply to every device the filter matches, loaded or not. "
                                   "Click to clear the selection."));
        m_selectAll->setEnabled(true);
        return;
    }
    m_selectAll->setToolTip(tr("Select every device the filters match; actions then run on the server"));
    if (m_inventory->hasMore() && total < 0 && m_inventory->isCounting()) {
        // The actions by filter confirm with the number: wait for it.
        m_selectAll->setText(tr("Select all matching (counting…)"));
        m_selectAll->setEnabled(false);
        return;
    }
    if (m_inventory->hasMore() && !hasRowFilter() && total != 0) {
        m_selectAll->setText(m_inventory->totalIsLowerBound() ? tr("Select all %L1+ matching").arg(total)
                                                              : tr("Select all %L1 matching").arg(total));
        m_selectAll->setEnabled(true);
        return;
    }
    if (m_selectWhenLoaded && total > 0)
        m_selectAll->setText(tr("Loading %L1 of %L2…").arg(loaded).arg(total));
    else if (hasRowFilter() || total < 0)
        m_selectAll->setText(tr("Select all shown"));
    else
        m_selectAll->setText(tr("Select all %L1 matching").arg(total));
    if (!m_selectWhenLoaded && m_inventory->totalIsLowerBound())
        m_selectAll->setText(tr("More than %L1 match: narrow the filter to select them all").arg(total));
    m_selectAll->setEnabled(!m_selectWhenLoaded && total != 0 && total <= kLoadAllLimit &&
                            !m_inventory->totalIsLowerBound());
}

InventoryModel::Filter InventoryPage::currentFilter() const
{
    InventoryModel::Filter f;
    f.status = m_status->currentData().toString();
    f.model = m_modelFilter->text().trimmed();
    f.q = m_search->text().trimmed();
    f.customerId = m_customerId;
    return f;
}

void InventoryPage::setFilter(const InventoryModel::Filter &filter)
{
    showFilter(filter);
    applyFilterNow();
}

void InventoryPage::showFilter(const InventoryModel::Filter &filter)
{
    m_applyingView = true;
    m_status->setCurrentIndex(qMax(0, m_status->findData(filter.status)));
    m_modelFilter->setText(filter.model);
    m_search->setText(filter.q);
    m_customerId = filter.customerId;
    m_applyingView = false;
}

void InventoryPage::setSort(int column, Qt::SortOrder order)
{
    m_inventory->sort(column, order);
    showSort();
}

void InventoryPage::headerSortClicked(int column, Qt::SortOrder order)
{
    // A column the server cannot sort keeps the indicator where it was.
    if (InventoryModel::isSortable(column))
        m_inventory->sort(column, order);
    showSort();
}

void InventoryPage::applyLocalSort()
{
    // The middleware knows a device's customer id, not its name: it groups
    // by id, and the names are put in order here, over every match (loaded
    // up to kLoadAllLimit). Any other column is the server's order alone.
    auto *proxy = qobject_cast<QSortFilterProxyModel *>(table()->model());
    if (!proxy)
        return;
    if (m_inventory->sortColumn() == InventoryModel::CustomerColumn) {
        proxy->sort(InventoryModel::CustomerColumn, m_inventory->sortOrder());
        loadAllMatches();
    } else {
        proxy->sort(-1);
    }
}

void InventoryPage::showSort()
{
    QHeaderView *header = table()->horizontalHeader();
    const QSignalBlocker blocker(header);
    header->setSortIndicator(m_inventory->sortColumn(), m_inventory->sortOrder());
}

void InventoryPage::setCustomerFilter(const QString &customerId, const QString &name)
{
    m_customerName = name;
    InventoryModel::Filter f = currentFilter();
    f.customerId = customerId;
    setFilter(f);
}

void InventoryPage::filterEdited()
{
    if (!m_applyingView)
        m_debounce->start();
}

void InventoryPage::applyFilterNow()
{
    if (m_applyingView)
        return;
    m_debounce->stop();
    m_inventory->setFilter(currentFilter());
    updateViewName();
}

void InventoryPage::updateViewName()
{
    // The saved view is "current" only while its filter and sort are unchanged.
    if (!m_currentView.isEmpty()) {
        QSettings settings;
        const ViewState current{currentFilter(), m_inventory->sortColumn(), m_inventory->sortOrder()};
        if (!(fromMap(settings.value(kViewsGroup + QLatin1Char('/') + m_currentView).toMap()) == current))
            m_currentView.clear();
    }
    m_views->setText(m_currentView.isEmpty() ? tr("&Views") : tr("View: %1").arg(m_currentView));
}

QStringList InventoryPage::savedViewNames() const
{
    QSettings settings;
    settings.beginGroup(kViewsGroup);
    QStringList names = settings.childKeys();
    names.sort(Qt::CaseInsensitive);
    return names;
}

void InventoryPage::saveView(const QString &name)
{
    const QString clean = name.trimmed();
    if (clean.isEmpty() || clean.contains(QLatin1Char('/')) || clean.contains(QLatin1Char('\\')))
        return;
    QSettings settings;
    settings.setValue(kViewsGroup + QLatin1Char('/') + clean,
                      toMap({currentFilter(), m_inventory->sortColumn(), m_inventory->sortOrder()}));
    m_currentView = clean;
    m_views->setText(tr("View: %1").arg(clean));
}

bool InventoryPage::applyView(const QString &name)
{
    QSettings settings;
    const QString key = kViewsGroup + QLatin1Char('/') + name;
    if (!settings.contains(key))
        return false;
    m_currentView = name;
    const ViewState view = fromMap(settings.value(key).toMap());
    showFilter(view.filter);
    m_debounce->stop();
    // Filter and sort in one step: one request, not one for each.
    m_inventory->setFilterAndSort(view.filter, view.sortColumn, view.sortOrder);
    showSort();
    updateViewName();
    return true;
}

void InventoryPage::removeView(const QString &name)
{
    QSettings settings;
    settings.remove(kViewsGroup + QLatin1Char('/') + name);
    if (m_currentView == name) {
        m_currentView.clear();
        m_views->setText(tr("&Views"));
    }
}

void InventoryPage::rebuildViewsMenu()
{
    QMenu *menu = m_views->menu();
    menu->clear();
    const QStringList names = savedViewNames();
    for (const QString &name : names) {
        QAction *a = menu->addAction(name, this, [this, name] { applyView(name); });
        a->setCheckable(true);
        a->setChecked(name == m_currentView);
    }
    if (names.isEmpty())
        menu->addAction(tr("No saved views yet"))->setEnabled(false);
    menu->addSeparator();
    menu->addAction(tr("Save the current filter as…"), this, &InventoryPage::askViewName);
    QMenu *remove = menu->addMenu(tr("Delete view"));
    remove->setEnabled(!names.isEmpty());
    for (const QString &name : names)
        remove->addAction(name, this, [this, name] { removeView(name); });

    // The header clicks, reachable from the keyboard too.
    menu->addSeparator();
    QMenu *sortBy = menu->addMenu(tr("&Sort by"));
    sortBy->setObjectName(QStringLiteral("inventorySortMenu"));
    for (int column = 0; column < InventoryModel::ColumnCount; ++column) {
        if (!InventoryModel::isSortable(column))
            continue;
        QAction *a = sortBy->addAction(m_inventory->headerData(column, Qt::Horizontal).toString(), this,
                                       [this, column] { setSort(column, m_inventory->sortOrder()); });
        a->setCheckable(true);
        a->setChecked(column == m_inventory->sortColumn());
    }
    sortBy->addSeparator();
    for (const auto &[order, text] :
         {std::make_pair(Qt::AscendingOrder, tr("Ascending")), std::make_pair(Qt::DescendingOrder, tr("Descending"))}) {
        QAction *a =
            sortBy->addAction(text, this, [this, order = order] { setSort(m_inventory->sortColumn(), order); });
        a->setCheckable(true);
        a->setChecked(order == m_inventory->sortOrder());
    }
}

void InventoryPage::askViewName()
{
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("saveViewDialog"));
    dialog->setWindowTitle(tr("Save view"));
    dialog->setLabelText(tr("Name for the current filter:"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QInputDialog::textValueSelected, this, &InventoryPage::saveView);
    dialog->open();
}

void InventoryPage::saveState(QSettings &settings) const
{
    RecordListPage::saveState(settings);
    settings.setValue(QStringLiteral("inventory/filter"),
                      toMap({currentFilter(), m_inventory->sortColumn(), m_inventory->sortOrder()}));
}

void InventoryPage::restoreState(QSettings &settings)
{
    RecordListPage::restoreState(settings);
    ViewState saved = fromMap(settings.value(QStringLiteral("inventory/filter")).toMap());
    saved.filter.customerId.clear(); // a customer filter is a one-off from the customers page
    showFilter(saved.filter);
    m_debounce->stop();
    m_inventory->setFilterAndSort(saved.filter, saved.sortColumn, saved.sortOrder);
    // The header state restored above may carry an indicator of its own.
    table()->horizontalHeader()->setSortIndicatorShown(true);
    showSort();
    updateViewName();
}

} // namespace Provisio::Crm
