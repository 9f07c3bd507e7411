// SPDX-License-Identifier: Apache-2.0
#include "inventorymodel.h"

#include "apiclient.h"
#include "crmlogging.h"
#include "customersmodel.h"
#include "displayformat.h"
#include "eventfeed.h"

#include <QJsonArray>

namespace Provisio::Crm {

InventoryModel::InventoryModel(ApiClient *api, QObject *parent)
    : PagedTableModel(api, QStringLiteral("devices"), QStringLiteral("serial"), parent)
{
    setPageSize(500);
    setCountTotal(true);
    m_ownCustomers = new CustomersModel(api, this);
    m_ownCustomers->setPageSize(1000);
    setCustomersModel(m_ownCustomers);
}

InventoryModel::~InventoryModel() = default;

void InventoryModel::setFilter(const Filter &filter)
{
    m_filter = filter;
    applyQuery();
}

QString InventoryModel::sortFieldOf(int column)
{
    switch (column) {
    case SerialColumn:
        return QStringLiteral("serial");
    case ModelColumn:
        return QStringLiteral("model");
    case ManufacturerColumn:
        return QStringLiteral("manufacturer");
    case BatchColumn:
        return QStringLiteral("batch");
    case DeliveryDateColumn:
        return QStringLiteral("deliveryDate");
    // The server knows the device's customer id only: it groups each
    // customer's devices; the inventory page orders the names.
    case CustomerColumn:
        return QStringLiteral("customerId");
    }
    return {};
}

int InventoryModel::columnOfSortField(const QString &field)
{
    if (field.isEmpty())
        return -1;
    for (int column = 0; column < ColumnCount; ++column) {
        if (sortFieldOf(column) == field)
            return column;
    }
    return -1;
}

void InventoryModel::sort(int column, Qt::SortOrder order)
{
    setFilterAndSort(m_filter, column, order);
}

void InventoryModel::setFilterAndSort(const Filter &filter, int column, Qt::SortOrder order)
{
    m_filter = filter;
    const bool sortChanges = isSortable(column) && (column != m_sortColumn || order != m_sortOrder);
    if (sortChanges) {
        m_sortColumn = column;
        m_sortOrder = order;
    }
    applyQuery();
    if (sortChanges)
        Q_EMIT sortChanged(m_sortColumn, m_sortOrder);
}

QUrlQuery InventoryModel::filterQuery(const Filter &filter)
{
    QUrlQuery query;
    auto add = [&query](const char *key, const QString &value) {
        if (!value.trimmed().isEmpty())
            query.addQueryItem(QLatin1String(key), value.trimmed());
    };
    add("status", filter.status);
    add("model", filter.model);
    add("manufacturer", filter.manufacturer);
    add("batch", filter.batch);
    add("customerId", filter.customerId);
    add("q", filter.q);
    return query;
}

void InventoryModel::applyQuery()
{
    QUrlQuery query = filterQuery(m_filter);
    // The server's default order (serial, ascending) goes without
    // parameters, so the query says "sorted" only when it is.
    if (m_sortColumn != SerialColumn || m_sortOrder != Qt::AscendingOrder) {
        query.addQueryItem(QStringLiteral("sort"), sortFieldOf(m_sortColumn));
        if (m_sortOrder == Qt::DescendingOrder)
            query.addQueryItem(QStringLiteral("order"), QStringLiteral("desc"));
    }
    setQuery(query);
}

void InventoryModel::setCustomersModel(CustomersModel *customers)
{
    if (m_customers)
        m_customers->disconnect(this);
    m_customers = customers ? customers : m_ownCustomers;
    auto changed = [this] { customersChanged(); };
    connect(m_customers, &QAbstractItemModel::rowsInserted, this, changed);
    connect(m_customers, &QAbstractItemModel::rowsRemoved, this, changed);
    connect(m_customers, &QAbstractItemModel::dataChanged, this, changed);
    connect(m_customers, &QAbstractItemModel::modelReset, this, changed);
    customersChanged();
}

void InventoryModel::setEventFeed(EventFeed *feed)
{
    if (m_feed)
        m_feed->disconnect(this);
    m_feed = feed;
    if (!feed)
        return;
    connect(feed, &EventFeed::eventReceived, this, &InventoryModel::applyEvent);
    // Events missed while the feed was down are picked up by reloading the
    // joined lists when it comes back.
    connect(feed, &EventFeed::connectedChanged, this, [this](bool connected) {
        if (connected && m_joinsLoaded)
            loadJoins();
    });
}

void InventoryModel::setJoinEnrollments(bool join)
{
    m_joinEnrollments = join;
}

void InventoryModel::recordsAdded(int first, int last)
{
    Q_UNUSED(first)
    Q_UNUSED(last)
    // The joined lists load once, in the background, when the first rows
    // are there; the first page does not wait for them.
    if (!m_joinsLoaded) {
        m_joinsLoaded = true;
        if (m_customers == m_ownCustomers && m_ownCustomers->rowCount() == 0)
            m_ownCustomers->fetchAll();
        loadJoins();
    }
}

void InventoryModel::loadJoins()
{
    if (!m_joinEnrollments || !api())
        return;
    const quint64 generation = ++m_joinGeneration;
    loadAll(QStringLiteral("enrollments"), generation, QString());
    loadAll(QStringLiteral("registrations"), generation, QString());
}

void InventoryModel::loadAll(const QString &path, quint64 generation, const QString &cursor)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
    if (!cursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), cursor);
    ApiCall *call = api()->get(path, query);
    connect(call, &ApiCall::finished, this, [this, path, generation](const QJsonDocument &body, const QByteArray &) {
        if (generation != m_joinGeneration)
            return;
        const QJsonObject page = body.object();
        const QJsonArray items = page.value(QLatin1String("items")).toArray();
        const bool enrollments = path == QLatin1String("enrollments");
        for (const QJsonValue &item : items) {
            if (enrollments)
                applyEnrollment(item.toObject());
            else
                applyRegistration(item.toObject());
        }
        const QString next = page.value(QLatin1String("nextCursor")).toString();
        if (!next.isEmpty())
            loadAll(path, generation, next);
    });
    connect(call, &ApiCall::failed, this, [this, path](const ApiFailure &failure) {
        if (!failure.aborted)
            qCWarning(lcCrmModels) << "cannot load" << path << "for the inventory:" << failure.message;
    });
}

void InventoryModel::applyEnrollment(const QJsonObject &enrollment)
{
    const QString serial = enrollment.value(QLatin1String("serial")).toString();
    const QString registrationId = enrollment.value(QLatin1String("registrationId")).toString();
    if (serial.isEmpty())
        return;
    Enrollment e{registrationId, enrollment.value(QLatin1String("provisioningStatus")).toString()};
    m_enrollments.insert(serial, e);
    if (!registrationId.isEmpty())
        m_serialByRegistration.insert(registrationId, serial);
    touchSerial(serial);
}

void InventoryModel::applyRegistration(const QJsonObject &registration)
{
    const QString registrationId = registration.value(QLatin1String("registrationId")).toString();
    if (registrationId.isEmpty())
        return;
    Registration r = m_registrations.value(registrationId);
    r.status = registration.value(QLatin1String("status")).toString();
    // The hub as devices know it (assignedHub, the hub's host): the list and
    // the registration events both carry it, so the column never flips
    // between the hub's link name and its host.
    r.hub = registration.value(QLatin1String("assignedHub")).toString();
    if (r.hub.isEmpty())
        r.hub = registration.value(QLatin1String("hub")).toObject().value(QLatin1String("host")).toString();
    r.deviceId = registration.value(QLatin1String("deviceId")).toString();
    if (registration.contains(QLatin1String("deviceStatus")))
        r.deviceStatus = registration.value(QLatin1String("deviceStatus")).toString();
    m_registrations.insert(registrationId, r);
    if (!r.deviceId.isEmpty())
        m_registrationByDevice.insert(r.deviceId, registrationId);
    // The registrations list carries presence; events keep it current after.
    const QString connection = registration.value(QLatin1String("connectionState")).toString();
    if (!connection.isEmpty())
        m_online.insert(registrationId, connection == QLatin1String("Connected"));
    touchRegistration(registrationId);
}

void InventoryModel::loadActivationFailures()
{
    if (!api())
        return;
    ApiCall *call = api()->get(QStringLiteral("activation-failures"));
    connect(call, &ApiCall::finished, this, [this](const QJsonDocument &body, const QByteArray &) {
        m_activationFailures.clear();
        const QJsonArray items = body.object().value(QLatin1String("items")).toArray();
        for (const QJsonValue &item : items) {
            const QJsonObject o = item.toObject();
            m_activationFailures.insert(o.value(QLatin1String("serial")).toString(),
                                        o.value(QLatin1String("counting")).toInt());
        }
        m_failuresLoaded = true;
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {ActivationFailuresRole});
        Q_EMIT activationFailuresChanged();
    });
    connect(call, &ApiCall::failed, this, [](const ApiFailure &failure) {
        if (!failure.aborted)
            qCWarning(lcCrmModels) << "cannot load the failed activations:" << failure.message;
    });
}

void InventoryModel::applyEvent(const QString &type, const QJsonObject &event)
{
    // An unlock or a new code clears the serial's failures.
    if (type == QLatin1String("activation.unlocked") || type == QLatin1String("activation.issued")) {
        QString serial = event.value(QLatin1String("data")).toObject().value(QLatin1String("serial")).toString();
        if (serial.isEmpty() && type == QLatin1String("activation.unlocked"))
            serial = event.value(QLatin1String("entityId")).toString(); // an unlock's record is the device
        if (m_activationFailures.remove(serial) > 0) {
            const int row = rowOf(serial);
            if (row >= 0)
                Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1), {ActivationFailuresRole});
            Q_EMIT activationFailuresChanged();
        }
        return;
    }
    const QJsonObject data = event.value(QLatin1String("data")).toObject();
    const QString registrationId = event.value(QLatin1String("registrationId")).toString();

    if (type == QLatin1String("device.online") || type == QLatin1String("device.offline")) {
        QString id = registrationId;
        if (id.isEmpty())
            id = m_registrationByDevice.value(event.value(QLatin1String("deviceId")).toString());
        if (id.isEmpty())
            return;
        m_online.insert(id, type == QLatin1String("device.online"));
        touchRegistration(id);
        return;
    }
    if (type == QLatin1String("device.statusReported")) {
        if (registrationId.isEmpty())
            return;
        m_registrations[registrationId].deviceStatus = data.value(QLatin1String("deviceStatus")).toString();
        touchRegistration(registrationId);
        return;
    }
    if (type.startsWith(QLatin1String("device."))) {
        const QString serial = data.value(QLatin1String("serial")).toString();
        if (serial.isEmpty())
            return;
        if (type == QLatin1String("device.deleted"))
            removeRecord(serial);
        else
            upsertRecord(data);
        return;
    }
    if (type.startsWith(QLatin1String("enrollment."))) {
        if (type == QLatin1String("enrollment.deleted")) {
            const QString serial = data.value(QLatin1String("serial")).toString();
            m_enrollments.remove(serial);
            m_serialByRegistration.remove(data.value(QLatin1String("registrationId")).toString());
            touchSerial(serial);
        } else {
            applyEnrollment(data);
        }
        return;
    }
    if (type.startsWith(QLatin1String("registration."))) {
        const QString id =
            registrationId.isEmpty() ? data.value(QLatin1String("registrationId")).toString() : registrationId;
        if (type == QLatin1String("registration.deleted")) {
            m_registrations.remove(id);
            m_online.remove(id);
            touchRegistration(id);
        } else {
            QJsonObject registration = data;
            if (!registration.contains(QLatin1String("registrationId")))
                registration.insert(QStringLiteral("registrationId"), id);
            applyRegistration(registration);
        }
        return;
    }
    if (type.startsWith(QLatin1String("customer.")) && m_customers == m_ownCustomers)
        m_ownCustomers->applyEvent(type, event);
}

void InventoryModel::touchSerial(const QString &serial)
{
    const int row = rowOf(serial);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, EnrollmentColumn), index(row, OnlineColumn));
}

void InventoryModel::touchRegistration(const QString &registrationId)
{
    touchSerial(serialForRegistration(registrationId));
}

QString InventoryModel::serialForRegistration(const QString &registrationId) const
{
    return m_serialByRegistration.value(registrationId);
}

void InventoryModel::customersChanged()
{
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, CustomerColumn), index(rowCount() - 1, CustomerColumn), {Qt::DisplayRole});
}

QString InventoryModel::columnTitle(int column) const
{
    switch (column) {
    case SerialColumn:
        return tr("Serial");
    case ModelColumn:
        return tr("Model");
    case ManufacturerColumn:
        return tr("Manufacturer");
    case BatchColumn:
        return tr("Batch");
    case DeliveryDateColumn:
        return tr("Delivered");
    case CustomerColumn:
        return tr("Customer");
    case EnrollmentColumn:
        return tr("Enrollment");
    case RegistrationColumn:
        return tr("Registration");
    case HubColumn:
        return tr("Hub");
    case OnlineColumn:
        return tr("Online");
    }
    return {};
}

QVariant InventoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section >= 0 && section < ColumnCount) {
        if (section == CustomerColumn)
            return tr("Click to sort by customer name (loads every matching device, up to 50,000)");
        return isSortable(section) ? tr("Click to sort (the middleware sorts all devices)")
                                   : tr("Not sortable: this column is joined from other lists");
    }
    return PagedTableModel::headerData(section, orientation, role);
}

QVariant InventoryModel::display(const QJsonObject &record, int column) const
{
    switch (column) {
    case SerialColumn:
        return record.value(QLatin1String("serial")).toString();
    case ModelColumn:
        return record.value(QLatin1String("model")).toString();
    case ManufacturerColumn:
        return record.value(QLatin1String("manufacturer")).toString();
    case BatchColumn:
        return record.value(QLatin1String("batch")).toString();
    case DeliveryDateColumn:
        return formatApiDate(record.value(QLatin1String("deliveryDate")).toString());
    case CustomerColumn: {
        const QString id = record.value(QLatin1String("customerId")).toString();
        if (id.isEmpty())
            return QString();
        const QString name = m_customers ? m_customers->nameFor(id) : QString();
        return name.isEmpty() ? id : name;
    }
    default:
        break;
    }
    const QString serial = record.value(QLatin1String("serial")).toString();
    const auto enrollment = m_enrollments.constFind(serial);
    if (column == EnrollmentColumn)
        return enrollment == m_enrollments.constEnd() ? QString() : apiWord(enrollment->provisioningStatus);
    if (enrollment == m_enrollments.constEnd())
        return QString();
    const auto registration = m_registrations.constFind(enrollment->registrationId);
    switch (column) {
    case RegistrationColumn:
        if (registration == m_registrations.constEnd())
            return QString();
        // What the device itself last reported says more than "assigned".
        return registration->deviceStatus.isEmpty()
                   ? apiWord(registration->status)
                   : apiWord(registration->status) + QStringLiteral(" · ") + apiWord(registration->deviceStatus);
    case HubColumn:
        return registration == m_registrations.constEnd() ? QString() : registration->hub;
    case OnlineColumn: {
        const auto online = m_online.constFind(enrollment->registrationId);
        if (online == m_online.constEnd())
            return QString();
        return *online ? tr("online") : tr("offline");
    }
    }
    return {};
}

QVariant InventoryModel::toolTip(const QJsonObject &record, int column) const
{
    if (column == SerialColumn) {
        const QString notes = record.value(QLatin1String("notes")).toString();
        return QStringLiteral("%1 (%2)%3")
            .arg(record.value(QLatin1String("serial")).toString(), record.value(QLatin1String("status")).toString(),
                 notes.isEmpty() ? QString() : QStringLiteral("\n") + notes);
    }
    if (column == EnrollmentColumn) {
        const auto enrollment = m_enrollments.constFind(record.value(QLatin1String("serial")).toString());
        if (enrollment != m_enrollments.constEnd())
            return tr("Registration id %1").arg(enrollment->registrationId);
    }
    return PagedTableModel::toolTip(record, column);
}

QVariant InventoryModel::extraData(const QJsonObject &record, int column, int role) const
{
    Q_UNUSED(column)
    // A view asks every cell it paints for a dozen roles (font, colours,
    // alignment, ...): those that are not ours cost no lookup.
    if (role != RegistrationIdRole && role != OnlineRole && role != CustomerIdRole && role != ActivationFailuresRole)
        return {};
    const QString serial = record.value(QLatin1String("serial")).toString();
    switch (role) {
    case RegistrationIdRole:
        return m_enrollments.value(serial).registrationId;
    case OnlineRole: {
        const auto online = m_online.constFind(m_enrollments.value(serial).registrationId);
        return online == m_online.constEnd() ? QVariant() : QVariant(*online);
    }
    case CustomerIdRole:
        return record.value(QLatin1String("customerId")).toString();
    case ActivationFailuresRole:
        return m_activationFailures.value(serial);
    }
    return {};
}

QHash<int, QByteArray> InventoryModel::roleNames() const
{
    QHash<int, QByteArray> names = PagedTableModel::roleNames();
    names.insert(SerialRole, "serial");
    names.insert(RegistrationIdRole, "registrationId");
    names.insert(OnlineRole, "online");
    names.insert(CustomerIdRole, "customerId");
    names.insert(ActivationFailuresRole, "activationFailures");
    return names;
}

} // namespace Provisio::Crm
