// SPDX-License-Identifier: Apache-2.0
#include "inventory.h"

#include "base/servicecontext.h"
#include "storage/database.h"
#include "storage/databasewriter.h"

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("device");
const QString kSold = QStringLiteral("sold");
} // namespace

Inventory::Inventory(ServiceContext &ctx)
    : m_db(ctx.db), m_store(ctx.db), m_customers(ctx.db), m_changes(ctx.db, ctx.audit, ctx.events)
{ }

Result<DeviceRecord> Inventory::create(const DeviceRecord &device, const QString &actor)
{
    return insert(device, actor, QStringLiteral("create"), EventKind::DeviceCreated);
}

Result<void> Inventory::importMany(const QList<DeviceRecord> &devices, const QString &actor)
{
    if (devices.isEmpty())
        return {};
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    // In batches, so the search index gets one statement per batch and a
    // batch's records are all that is held at once.
    constexpr qsizetype kBatch = 5000;
    for (qsizetype from = 0; from < devices.size(); from += kBatch) {
        QStringList documents;
        auto created = m_store.createMany(devices.mid(from, kBatch), &documents);
        if (!created)
            return created.error();
        // The audit entries and the events from the stored text: each
        // device serialized once.
        QList<AuditLog::Change> changes;
        changes.reserve(created->size());
        for (qsizetype i = 0; i < created->size(); ++i)
            changes.append({created->at(i).serial, QString(), documents.at(i)});
        if (auto r = m_changes.recordMany(EventKind::DeviceImported, actor, QStringLiteral("import"), kEntity, changes);
            !r)
            return r.error();
    }
    if (!tx.commit())
        return commitFailed();
    return {};
}

Inventory::~Inventory() = default;

// What the writer's jobs share with the session: touched by one job at a
// time, and by the session only between jobs (DatabaseWriter::wait).
struct Inventory::ImportSession::State
{
    QString actor;
    bool begun = false; // the writer's transaction is open
    Error error;        // the first failure; nothing is written after it
    InventoryStore::PendingSearchRows search;
    QStringList serials; // what each written entry holds, for the events
    QStringList texts;

    void fail(Database &db, const Error &e)
    {
        if (begun)
            db.rollback();
        begun = false;
        error = e;
    }
};

std::unique_ptr<Inventory::ImportSession> Inventory::beginImport(const QString &actor)
{
    if (!m_importWriter) {
        // A million-device import writes into the devices' seven indexes
        // and the audit log's ten b-trees: the main connection's 32 MiB
        // page cache, not a registration writer's 8 MiB.
        m_importWriter = DatabaseWriter::create(m_db, 32768);
        if (!m_importWriter)
            return nullptr;
    }
    return std::unique_ptr<ImportSession>(new ImportSession(*this, *m_importWriter, actor));
}

Inventory::ImportSession::ImportSession(Inventory &inventory, DatabaseWriter &writer, const QString &actor)
    : m_inventory(inventory), m_writer(writer), m_state(std::make_shared<State>())
{
    m_state->actor = actor;
}

Inventory::ImportSession::~ImportSession()
{
    if (m_finished)
        return;
    m_writer.wait();
    if (!m_state->begun)
        return;
    m_writer.start(
        [state = m_state](Database *db) {
            if (db && state->begun)
                db->rollback();
            state->begun = false;
        },
        nullptr, {});
    m_writer.wait();
}

Result<void> Inventory::ImportSession::add(QList<DeviceRecord> devices)
{
    if (devices.isEmpty()) {
        m_writer.wait();
        return m_state->error.isError() ? Result<void>(m_state->error) : Result<void>();
    }
    // The part's values (stored documents, search texts) are computed here,
    // only their statements run on the writer: the writer's share is the
    // larger one, so what moves off it shortens the import.
    auto prepared = m_inventory.m_store.prepareMany(std::move(devices));
    if (!prepared)
        return prepared.error();
    m_writer.wait();
    if (m_state->error.isError())
        return m_state->error;
    m_writer.start([state = m_state,
                    part = std::move(*prepared)](Database *db) mutable { writePart(*state, db, std::move(part)); },
                   nullptr, {});
    return {};
}

// On the writer's thread: one part's rows and audit entries, in the
// transaction the first part begins.
void Inventory::ImportSession::writePart(State &state, Database *db, InventoryStore::PreparedDevices part)
{
    if (state.error.isError())
        return;
    if (!db) {
        state.error = Error(ErrorCode::Unavailable, QStringLiteral("database error"));
        return;
    }
    if (!state.begun) {
        // The WAL is checkpointed by the database's checkpointer thread
        // (WalCheckpointer), as the main connection's is: not inside the
        // COMMIT, where a 5,000-device request always crossed SQLite's
        // 1,000 pages and copied them into the database while the client
        // waited, and not between requests on this thread either, where the
        // next request's first part waited for it (about 15 ms a request).
        db->setBulkWriter();
        if (!db->beginTransaction()) {
            state.error = commitFailed();
            return;
        }
        state.begun = true;
    }
    InventoryStore store(*db);
    const QStringList documents = part.documents;
    auto created = store.createMany(std::move(part), &state.search);
    if (!created) {
        state.fail(*db, created.error());
        return;
    }
    // The audit entries from the stored text, as importMany writes them;
    // the events follow the commit, on the session's thread.
    QList<AuditLog::Change> changes;
    changes.reserve(created->size());
    for (qsizetype i = 0; i < created->size(); ++i)
        changes.append({created->at(i).serial, QString(), documents.at(i)});
    AuditLog audit(*db);
    QStringList texts;
    if (auto r = audit.recordMany(state.actor, QStringLiteral("import"), kEntity, changes, &texts); !r) {
        state.fail(*db, r.error());
        return;
    }
    for (const AuditLog::Change &c : std::as_const(changes))
        state.serials.append(c.entityId);
    state.texts += texts;
}

// On the writer's thread: the search index of every part, then the commit.
void Inventory::ImportSession::writeEnd(State &state, Database *db)
{
    if (state.error.isError() || !state.begun || !db)
        return;
    InventoryStore store(*db);
    if (auto r = store.indexSearchRows(state.search); !r) {
        state.fail(*db, r.error());
        return;
    }
    state.begun = false;
    if (!db->commit())
        state.error = commitFailed();
}

Result<void> Inventory::ImportSession::finish(const std::function<void()> &meanwhile)
{
    m_writer.wait();
    m_finished = true;
    if (m_state->error.isError() || !m_state->begun)
        return m_state->error.isError() ? Result<void>(m_state->error) : Result<void>();
    m_writer.start([state = m_state](Database *db) { writeEnd(*state, db); }, nullptr, {});
    if (meanwhile)
        meanwhile();
    m_writer.wait();
    if (m_state->error.isError())
        return m_state->error;
    // Committed: the answer need not wait for every listener to see them.
    m_inventory.m_changes.publishManyLater(EventKind::DeviceImported, m_state->serials, m_state->texts);
    return {};
}

Result<DeviceRecord> Inventory::update(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                       const InventoryStore::Mutator &mutate)
{
    return change(serial, ifMatch, actor, QStringLiteral("update"), EventKind::DeviceUpdated, mutate);
}

Result<DeviceRecord> Inventory::importOver(const QString &serial, const QString &actor,
                                           const InventoryStore::Mutator &mutate)
{
    return change(serial, QByteArray(), actor, QStringLiteral("import"), EventKind::DeviceImported, mutate);
}

Result<DeviceRecord> Inventory::sell(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                     const QString &customerId, const QDate &soldDate, bool force)
{
    return change(
        serial, ifMatch, actor, QStringLiteral("sell"), EventKind::DeviceSold,
        [&](const DeviceRecord &current) -> Result<DeviceRecord> {
            // Checked inside the transaction, so a customer deleted meanwhile
            // cannot be sold to.
            auto customer = m_customers.find(customerId);
            if (!customer)
                return customer.error();
            if (!customer->has_value())
                // The device in the URL exists; the body is what is wrong.
                return Error(ErrorCode::InvalidInput,
                             QStringLiteral("field 'customerId' names no customer: '%1'").arg(customerId));
            if (!force && !current.customerId.isEmpty() && current.customerId != customerId)
                return Error(ErrorCode::Conflict, QStringLiteral("device '%1' is already sold to customer '%2'; "
                                                                 "return it first or send \"force\": true")
                                                      .arg(serial, current.customerId));
            if (!force && current.status == QLatin1String("retired"))
                return Error(
                    ErrorCode::Conflict,
                    QStringLiteral("device '%1' is retired; send \"force\": true to sell it anyway").arg(serial));
            DeviceRecord next = current;
            next.customerId = customerId;
            next.soldDate = soldDate;
            next.status = kSold;
            return next;
        });
}

Result<DeviceRecord> Inventory::takeBack(const QString &serial, const QByteArray &ifMatch, const QString &actor)
{
    return change(serial, ifMatch, actor, QStringLiteral("return"), EventKind::DeviceReturned,
                  [&](const DeviceRecord &current) -> Result<DeviceRecord> {
                      if (current.customerId.isEmpty() && current.status != kSold)
                          return Error(ErrorCode::Conflict, QStringLiteral("device '%1' is not sold").arg(serial));
                      DeviceRecord next = current;
                      next.customerId.clear();
                      next.soldDate = QDate();
                      next.status = QStringLiteral("inStock");
                      return next;
                  });
}

Result<bool> Inventory::markProvisioned(const QString &serial, const QString &actor)
{
    auto device = m_store.find(serial);
    if (!device)
        return device.error();
    // Retired devices stay retired.
    if (!*device || ((*device)->status != QLatin1String("inStock") && (*device)->status != kSold))
        return false;
    auto updated = change(serial, QByteArray(), actor, QStringLiteral("provisioned"), EventKind::DeviceProvisioned,
                          [](const DeviceRecord &current) -> Result<DeviceRecord> {
                              DeviceRecord next = current;
                              next.status = QStringLiteral("provisioned");
                              return next;
                          });
    if (!updated)
        return updated.error();
    return true;
}

Result<void> Inventory::remove(const QString &serial, const QByteArray &ifMatch, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto removed = m_store.remove(serial, ifMatch);
    if (!removed)
        return removed.error();
    if (auto r = m_changes.record(EventKind::DeviceDeleted,
                                  {actor, QStringLiteral("delete"), kEntity, serial, removed->toJson(), {}});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return {};
}

Result<DeviceRecord> Inventory::insert(const DeviceRecord &device, const QString &actor, const QString &action,
                                       EventKind kind)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto created = m_store.create(device);
    if (!created)
        return created.error();
    if (auto r = m_changes.record(kind, {actor, action, kEntity, created->serial, {}, created->toJson()}); !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return created;
}

Result<DeviceRecord> Inventory::change(const QString &serial, const QByteArray &ifMatch, const QString &actor,
                                       const QString &action, EventKind kind, const InventoryStore::Mutator &mutate)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto changed = m_store.update(serial, ifMatch, mutate);
    if (!changed)
        return changed.error();
    if (auto r =
            m_changes.record(kind, {actor, action, kEntity, serial, changed->before.toJson(), changed->after.toJson()});
        !r)
        return r.error();
    if (!tx.commit())
        return commitFailed();
    return changed->after;
}

} // namespace Provisio
