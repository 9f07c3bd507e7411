// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "customersmodel.h"
#include "eventfeed.h"
#include "pagedtablemodel.h"

#include <QHash>
#include <QPointer>
#include <QUrlQuery>

namespace Provisio::Crm {

// The inventory table: the devices the manufacturer delivered (GET devices,
// 500 a page, filtered and sorted server-side by status/model/customerId/q
// and sort/order, so the order holds across pages at any size), joined
// with the customer's name, the device's enrollment, its registration
// (status, hub) and presence, and kept live from the EventFeed. Rows are
// fetched only as the view scrolls, so 100,000 devices cost what is shown.
class InventoryModel : public PagedTableModel
{
    Q_OBJECT
public:
    enum Column {
        SerialColumn,
        ModelColumn,
        ManufacturerColumn,
        BatchColumn,
        DeliveryDateColumn,
        CustomerColumn,
        EnrollmentColumn,
        RegistrationColumn,
        HubColumn,
        OnlineColumn,
        ColumnCount
    };
    static constexpr int SerialRole = KeyRole;
    // RecordRole (from PagedTableModel) is the device's QJsonObject.
    enum ExtraRoles { RegistrationIdRole = Qt::UserRole + 10, OnlineRole, CustomerIdRole, ActivationFailuresRole };

    struct Filter
    {
        QString status; // inStock | sold | provisioned | retired
        QString model;
        QString manufacturer;
        QString batch;
        QString customerId;
        QString q; // free text (serial, model, …) as the server searches
        bool operator==(const Filter &o) const
        {
            return status == o.status && model == o.model && manufacturer == o.manufacturer && batch == o.batch &&
                   customerId == o.customerId && q == o.q;
        }
    };

    explicit InventoryModel(ApiClient *api, QObject *parent = nullptr);
    ~InventoryModel() override;

    // Restarts paging with the filter (no request when it did not change).
    void setFilter(const Filter &filter);
    Filter filter() const { return m_filter; }
    // The filter as the middleware's query parameters (the listing's, the
    // export's and a batch job's).
    static QUrlQuery filterQuery(const Filter &filter);

    // The server sorts: the columns it can order by map to its sort fields
    // (serial, model, manufacturer, batch, deliveryDate, customerId); the
    // others have none (an empty field, column -1).
    static QString sortFieldOf(int column);
    static int columnOfSortField(const QString &field);
    static bool isSortable(int column) { return !sortFieldOf(column).isEmpty(); }
    // Restarts paging in the order of a sortable column; any other column
    // changes nothing. Sorting only the loaded rows would put rows of later
    // pages in the wrong place, so there is no local sort.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    // Filter and order in one step (one request), as a saved view applies
    // them; an unsortable column keeps the current order.
    void setFilterAndSort(const Filter &filter, int column, Qt::SortOrder order);

    // Customer names come from this model (the app's customers view);
    // without one the inventory loads the customer list itself.
    void setCustomersModel(CustomersModel *customers);
    // Follow live events: device changes, enrollments, registrations, presence.
    void setEventFeed(EventFeed *feed);
    // Whether to load the enrollment and registration lists for the
    // enrollment/registration/hub columns (on by default).
    void setJoinEnrollments(bool join);

    // The serials whose failed activation attempts count now (GET
    // activation-failures, at most 500): ActivationFailuresRole gives their
    // number (0 for the others) once activationFailuresLoaded() came.
    void loadActivationFailures();
    bool activationFailuresLoaded() const { return m_failuresLoaded; }
    int activationFailuresOf(const QString &serial) const { return m_activationFailures.value(serial); }

    void applyEvent(const QString &type, const QJsonObject &event);
    QHash<int, QByteArray> roleNames() const override;
    // The header's tool tip says which columns sort and which cannot.
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void sortChanged(int column, Qt::SortOrder order);
    void activationFailuresChanged();

protected:
    int columns() const override { return ColumnCount; }
    QString columnTitle(int column) const override;
    QVariant display(const QJsonObject &record, int column) const override;
    QVariant toolTip(const QJsonObject &record, int column) const override;
    QVariant extraData(const QJsonObject &record, int column, int role) const override;
    void recordsAdded(int first, int last) override;

private:
    struct Enrollment
    {
        QString registrationId;
        QString provisioningStatus;
    };
    struct Registration
    {
        QString status;
        QString hub;
        QString deviceId;
        QString deviceStatus;
        QString serial;
    };

    // The query of the current filter and sort; restarts paging on change.
    void applyQuery();
    void loadJoins();
    void loadAll(const QString &path, quint64 generation, const QString &cursor);
    void applyEnrollment(const QJsonObject &enrollment);
    void applyRegistration(const QJsonObject &registration);
    void touchSerial(const QString &serial);
    void touchRegistration(const QString &registrationId);
    void customersChanged();
    QString serialForRegistration(const QString &registrationId) const;

    Filter m_filter;
    int m_sortColumn = SerialColumn;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    QPointer<CustomersModel> m_customers;
    CustomersModel *m_ownCustomers = nullptr;
    QPointer<EventFeed> m_feed;
    QHash<QString, Enrollment> m_enrollments;       // serial -> enrollment
    QHash<QString, QString> m_serialByRegistration; // registrationId -> serial
    QHash<QString, Registration> m_registrations;   // registrationId -> registration
    QHash<QString, QString> m_registrationByDevice; // deviceId -> registrationId
    QHash<QString, bool> m_online;                  // registrationId -> online
    QHash<QString, int> m_activationFailures;       // serial -> failures that count
    bool m_failuresLoaded = false;
    quint64 m_joinGeneration = 0;
    bool m_joinEnrollments = true;
    bool m_joinsLoaded = false;
};

} // namespace Provisio::Crm
