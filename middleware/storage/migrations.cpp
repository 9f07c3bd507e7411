// SPDX-License-Identifier: Apache-2.0
#include "migrations.h"

namespace Provisio {

QStringList Migration::statements(Database::Dialect dialect) const
{
    QStringList out;
    out.reserve(sql.size());
    const QLatin1String sqliteOnly("{{SQLITE}}"), postgresOnly("{{POSTGRES}}");
    for (QString s : sql) {
        if (s.startsWith(sqliteOnly) || s.startsWith(postgresOnly)) {
            const bool forSqlite = s.startsWith(sqliteOnly);
            if (forSqlite != (dialect == Database::Dialect::Sqlite))
                continue;
            s.remove(0, forSqlite ? sqliteOnly.size() : postgresOnly.size());
        }
        s.replace(QLatin1String("{{AUTOID}}"), dialect == Database::Dialect::Postgres
                                                   ? QLatin1String("BIGSERIAL PRIMARY KEY")
                                                   : QLatin1String("INTEGER PRIMARY KEY AUTOINCREMENT"));
        s.replace(QLatin1String("{{BLOB}}"),
                  dialect == Database::Dialect::Postgres ? QLatin1String("BYTEA") : QLatin1String("BLOB"));
        out << s;
    }
    return out;
}

const QList<Migration> &migrations()
{
    // Every record table keeps the columns that are queried or filtered on,
    // plus `doc`: the record's full JSON as the protocol type serialises it.
    // That keeps DPS-shaped nested objects (initialTwin, policies) intact
    // without a column per nested field. Timestamps are ISO-8601 UTC text,
    // which sorts correctly in both dialects.
    static const QList<Migration> all = {
        {1,
         QStringLiteral("initial schema"),
         {
             QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE api_tokens ("
                            " id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,"
                            " token_hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL,"
                            " revoked_at TEXT)"),
             QStringLiteral("CREATE TABLE customers ("
                            " id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT,"
                            " etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,"
                            " doc TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX customers_name ON customers (name)"),
             QStringLiteral("CREATE TABLE devices ("
                            " serial TEXT PRIMARY KEY, model TEXT, manufacturer TEXT, batch TEXT,"
                            " customer_id TEXT REFERENCES customers (id),"
                            " status TEXT NOT NULL, delivery_date TEXT,"
                            " etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,"
                            " doc TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX devices_customer ON devices (customer_id)"),
             QStringLiteral("CREATE INDEX devices_status ON devices (status)"),
             QStringLiteral("CREATE TABLE hubs ("
                            " name TEXT PRIMARY KEY, host TEXT NOT NULL, port INTEGER NOT NULL,"
                            " endpoint TEXT, region TEXT, allocation_weight INTEGER NOT NULL,"
                            " signing_key TEXT NOT NULL,"
                            " etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE enrollment_groups ("
                            " group_id TEXT PRIMARY KEY, provisioning_status TEXT NOT NULL,"
                            " etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,"
                            " doc TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE enrollments ("
                            " registration_id TEXT PRIMARY KEY, device_id TEXT, serial TEXT,"
                            " provisioning_status TEXT NOT NULL,"
                            " etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,"
                            " doc TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX enrollments_serial ON enrollments (serial)"),
             QStringLiteral("CREATE TABLE activation_codes ("
                            " code_hash TEXT PRIMARY KEY, serial TEXT NOT NULL,"
                            " registration_id TEXT NOT NULL, created TEXT NOT NULL,"
                            " expires TEXT NOT NULL, used_at TEXT)"),
             QStringLiteral("CREATE INDEX activation_codes_serial ON activation_codes (serial)"),
             QStringLiteral("CREATE TABLE registrations ("
                            " registration_id TEXT PRIMARY KEY, group_id TEXT, device_id TEXT,"
                            " assigned_hub TEXT, status TEXT NOT NULL, substatus TEXT,"
                            " operation_id TEXT, etag TEXT NOT NULL,"
                            " created TEXT NOT NULL, updated TEXT NOT NULL, doc TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX registrations_hub ON registrations (assigned_hub)"),
             QStringLiteral("CREATE INDEX registrations_device ON registrations (device_id)"),
             QStringLiteral("CREATE TABLE operations ("
                            " operation_id TEXT PRIMARY KEY, registration_id TEXT NOT NULL,"
                            " status TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX operations_registration ON operations (registration_id)"),
             QStringLiteral("CREATE TABLE audit_log ("
                            " id {{AUTOID}}, at TEXT NOT NULL, actor TEXT NOT NULL,"
                            " action TEXT NOT NULL, entity_type TEXT NOT NULL,"
                            " entity_id TEXT NOT NULL, before_doc TEXT, after_doc TEXT)"),
             QStringLiteral("CREATE INDEX audit_entity ON audit_log (entity_type, entity_id)"),
         }},
        // A registration operation answers with the registration state as it
        // settled (including a failure's errorCode/errorMessage, which the
        // registration record itself keeps out of the device -> hub mapping),
        // so operations get their own document.
        {2,
         QStringLiteral("operation documents"),
         {
             QStringLiteral("ALTER TABLE operations ADD COLUMN doc TEXT"),
         }},
        // Outgoing webhooks and their delivery log. A delivery is a row from
        // the moment its event is published, so a restart loses nothing
        // pending; lease_owner/lease_until keep two instances from sending
        // the same attempt.
        {3,
         QStringLiteral("webhooks"),
         {
             QStringLiteral("CREATE TABLE webhooks ("
                            " id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL,"
                            " secret TEXT NOT NULL, enabled INTEGER NOT NULL, description TEXT,"
                            " etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE webhook_deliveries ("
                            " id TEXT PRIMARY KEY,"
                            " webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,"
                            " event_id TEXT NOT NULL, event_type TEXT NOT NULL, payload TEXT NOT NULL,"
                            " status TEXT NOT NULL, attempts INTEGER NOT NULL, last_status INTEGER,"
                            " last_error TEXT, next_attempt_at TEXT, delivered_at TEXT,"
                            " lease_owner TEXT, lease_until TEXT,"
                            " created TEXT NOT NULL, updated TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)"),
             QStringLiteral("CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created)"),
         }},
        // The hub link (middleware/hublink). desired_published_* say which
        // desired $version went to which hub as a retained message, so a
        // reconnect republishes only what changed meanwhile. Presence and
        // telemetry counters live apart from the registration record: they
        // change often and must not bump its etag. Revocations wait in
        // hub_revocations until the hub answers, so a restart loses none;
        // one row per device and hub holds the latest wish (revoke/restore).
        {4,
         QStringLiteral("hub link"),
         {
             QStringLiteral("ALTER TABLE registrations ADD COLUMN desired_published_version INTEGER"),
             QStringLiteral("ALTER TABLE registrations ADD COLUMN desired_published_hub TEXT"),
             QStringLiteral("CREATE TABLE device_activity ("
                            " device_id TEXT PRIMARY KEY, hub_host TEXT,"
                            " online INTEGER NOT NULL DEFAULT 0, last_seen TEXT, presence_changed TEXT,"
                            " telemetry_count BIGINT NOT NULL DEFAULT 0, last_telemetry TEXT)"),
             QStringLiteral("CREATE TABLE hub_revocations ("
                            " hub_host TEXT NOT NULL, device_id TEXT NOT NULL, op TEXT NOT NULL,"
                            " request_id TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
                            " answer TEXT, created TEXT NOT NULL, updated TEXT NOT NULL,"
                            " PRIMARY KEY (hub_host, device_id))"),
             QStringLiteral("CREATE INDEX hub_revocations_request ON hub_revocations (request_id)"),
         }},
        // Disabling or deleting an enrollment group revokes its devices: find
        // them without scanning every registration. The CRM lists devices by
        // model and batch; inventory filters on those columns directly.
        {5,
         QStringLiteral("lookup indexes"),
         {
             QStringLiteral("CREATE INDEX registrations_group ON registrations (group_id)"),
             QStringLiteral("CREATE INDEX devices_model ON devices (model)"),
             QStringLiteral("CREATE INDEX devices_batch ON devices (batch)"),
         }},
        // Telemetry history, shared by all instances and kept across
        // restarts. Read per device newest first (device_id, received, id);
        // pruned by age (received). Bodies are bytes as the device sent them,
        // properties the encoded property bag of the topic.
        {6,
         QStringLiteral("telemetry history"),
         {
             QStringLiteral("CREATE TABLE telemetry ("
                            " id {{AUTOID}}, device_id TEXT NOT NULL, hub_host TEXT NOT NULL,"
                            " received TEXT NOT NULL, properties TEXT NOT NULL, body {{BLOB}} NOT NULL)"),
             QStringLiteral("CREATE INDEX telemetry_device ON telemetry (device_id, received, id)"),
             QStringLiteral("CREATE INDEX telemetry_received ON telemetry (received)"),
         }},
        // Failed activation attempts per serial, shared by all instances
        // (ActivationFailureStore): one row per serial with the start of its
        // window (epoch ms) and the failures counted in it.
        {7,
         QStringLiteral("activation failures"),
         {
             QStringLiteral("CREATE TABLE activation_failures ("
                            " serial TEXT PRIMARY KEY, window_start BIGINT NOT NULL, failures INTEGER NOT NULL)"),
             QStringLiteral("CREATE INDEX activation_failures_window ON activation_failures (window_start)"),
         }},
        // The inventory sorts server-side (GET /devices?sort=...): one index
        // per sortable column, on the expression InventoryStore orders by
        // (a missing value as '') and then serial, so the first page and
        // every later page under any sort is a range read of one index.
        {8,
         QStringLiteral("inventory sort indexes"),
         {
             QStringLiteral("CREATE INDEX devices_sort_model ON devices (COALESCE(model, ''), serial)"),
             QStringLiteral("CREATE INDEX devices_sort_manufacturer ON devices (COALESCE(manufacturer, ''), serial)"),
             QStringLiteral("CREATE INDEX devices_sort_batch ON devices (COALESCE(batch, ''), serial)"),
             QStringLiteral("CREATE INDEX devices_sort_delivery ON devices (COALESCE(delivery_date, ''), serial)"),
             QStringLiteral("CREATE INDEX devices_sort_status ON devices (COALESCE(status, ''), serial)"),
             QStringLiteral("CREATE INDEX devices_sort_customer ON devices (COALESCE(customer_id, ''), serial)"),
         }},
        // Failed activation attempts one row each (ActivationFailureStore):
        // the audit of failures and what the per-serial and per-client
        // limits count, replacing migration 7's one counter per serial (a
        // lock anyone could trigger). Read per serial in time order.
        {9,
         QStringLiteral("activation failure log"),
         {
             QStringLiteral("DROP TABLE activation_failures"),
             QStringLiteral("CREATE TABLE activation_failure_log ("
                            " id {{AUTOID}}, serial TEXT NOT NULL, at_ms BIGINT NOT NULL,"
                            " client_address TEXT NOT NULL, client_key TEXT NOT NULL, reason TEXT NOT NULL,"
                            " cleared_at BIGINT)"),
             QStringLiteral("CREATE INDEX activation_failure_log_serial ON activation_failure_log (serial, at_ms)"),
             QStringLiteral("CREATE INDEX activation_failure_log_at ON activation_failure_log (at_ms)"),
         }},
        // Hub credential generations: a device's hub key is derived from the
        // hub's signing key, its device id and this number, so raising it
        // retires every key issued before. Kept apart from the registration
        // record, which a delete removes: a re-created enrollment must not
        // bring generation 0 (and the old key) back. No row = generation 0.
        {10,
         QStringLiteral("hub credential generations"),
         {
             QStringLiteral("CREATE TABLE hub_credentials ("
                            " hub_host TEXT NOT NULL, device_id TEXT NOT NULL, generation INTEGER NOT NULL,"
                            " updated TEXT NOT NULL, PRIMARY KEY (hub_host, device_id))"),
         }},
        // Exactly-once telemetry storage. A hub delivers a message again
        // when the middleware did not acknowledge it (killed between commit
        // and acknowledgement): a message with an identity (the device's
        // `$.mid`) is inserted once per device through the unique index
        // (NULLs never collide); for one without, telemetry_deliveries
        // keeps the last stored delivery per hub session and packet
        // identifier with a digest of topic and body, which the redelivery
        // (DUP set, same identifier) matches.
        {11,
         QStringLiteral("telemetry message identity"),
         {
             QStringLiteral("ALTER TABLE telemetry ADD COLUMN message_id TEXT"),
             QStringLiteral("CREATE UNIQUE INDEX telemetry_message ON telemetry (device_id, message_id)"),
             QStringLiteral("CREATE TABLE telemetry_deliveries ("
                            " delivery_key TEXT PRIMARY KEY, digest TEXT NOT NULL, stored TEXT NOT NULL)"),
         }},
        // Hub-link leases (SessionTakeover): one row per instance's hub
        // client id with the epoch ms it lasts until; `holder` is the
        // survivor that claimed an expired one to drain its hub sessions.
        {12,
         QStringLiteral("hub link leases"),
         {
             QStringLiteral("CREATE TABLE hub_link_leases ("
                            " client_id TEXT PRIMARY KEY, expires_ms BIGINT NOT NULL, holder TEXT)"),
         }},
        // Hub signing-key rotation with an overlap: the replaced key and
        // until when the hub still accepts device keys derived from it (and
        // the service key derived from it, so the middleware's link moves
        // over without a gap). NULL outside an overlap.
        {13,
         QStringLiteral("hub signing-key overlap"),
         {
             QStringLiteral("ALTER TABLE hubs ADD COLUMN previous_signing_key TEXT"),
             QStringLiteral("ALTER TABLE hubs ADD COLUMN previous_key_until TEXT"),
         }},
        // Shared access policies for Azure's service SDKs (AccessPolicyStore):
        // hub '' is the provisioning service's, otherwise a linked hub's name.
        // The key stays readable: a ServiceSAS is checked by recomputing its
        // HMAC. Looked up by (hub, name) on every service request.
        {14,
         QStringLiteral("service access policies"),
         {
             QStringLiteral("CREATE TABLE access_policies ("
                            " id TEXT PRIMARY KEY, name TEXT NOT NULL, hub TEXT NOT NULL, rights TEXT NOT NULL,"
                            " policy_key TEXT NOT NULL, created TEXT NOT NULL, revoked_at TEXT)"),
             QStringLiteral("CREATE INDEX access_policies_name ON access_policies (hub, name)"),
         }},
        // Cloud-to-device messages (CloudMessageStore): queued per device
        // until a hub takes them or their time to live ends. Read per
        // device (count, list), per hub in order, and by expiry.
        {15,
         QStringLiteral("cloud-to-device messages"),
         {
             QStringLiteral("CREATE TABLE cloud_messages ("
                            " message_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, hub_host TEXT NOT NULL,"
                            " created TEXT NOT NULL, expires TEXT NOT NULL, properties TEXT NOT NULL,"
                            " content_type TEXT NOT NULL, body {{BLOB}} NOT NULL, state TEXT NOT NULL,"
                            " finished TEXT)"),
             QStringLiteral("CREATE INDEX cloud_messages_device ON cloud_messages (device_id, state, created)"),
             QStringLiteral("CREATE INDEX cloud_messages_hub ON cloud_messages (hub_host, state, created)"),
             QStringLiteral("CREATE INDEX cloud_messages_expiry ON cloud_messages (state, expires)"),
         }},
        // Outgoing mail (MailStore): activation cards e-mailed to customers,
        // queued durably and sent by whichever instance claims them first.
        // `message` holds the whole MIME message (with its one-time code)
        // only while it may still be sent; it is emptied once the mail is
        // sent or given up. Read by due time (the sender), by enrollment
        // (the CRM's device view) and by state (counting the queue).
        {16,
         QStringLiteral("outgoing mail"),
         {
             QStringLiteral("CREATE TABLE outgoing_mail ("
                            " mail_id TEXT PRIMARY KEY, kind TEXT NOT NULL, registration_id TEXT NOT NULL,"
                            " serial TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL,"
                            " message {{BLOB}}, state TEXT NOT NULL, attempts INTEGER NOT NULL,"
                            " last_error TEXT, next_attempt_ms BIGINT NOT NULL, transport TEXT,"
                            " actor TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, sent TEXT)"),
             QStringLiteral("CREATE INDEX outgoing_mail_due ON outgoing_mail (state, next_attempt_ms)"),
             QStringLiteral("CREATE INDEX outgoing_mail_enrollment ON outgoing_mail (registration_id, created)"),
         }},
        // Inventory search at a million devices. `search_text` is what the
        // listing's `q` searches: serial, model, manufacturer, batch,
        // customer id and notes, lower-cased, apart by U+001F (InventoryStore
        // writes it with every insert and update). It is indexed for
        // substrings: on SQLite by an FTS5 trigram table over the column
        // (external content: the text is not stored twice), which
        // InventoryStore writes beside every insert, update and delete of a
        // device; on PostgreSQL by a pg_trgm GIN index, which LIKE '%...%'
        // uses. The equality filters move onto the sort
        // indexes of migration 8 (the store filters on the same COALESCE
        // expressions), so a filter is a range read already in serial
        // order; the single-column indexes they replace go, one index
        // less to write per imported device each.
        {17,
         QStringLiteral("inventory search"),
         {
             QStringLiteral("ALTER TABLE devices ADD COLUMN search_text TEXT"),
             QStringLiteral("{{SQLITE}}UPDATE devices SET search_text = lower(serial || char(31) ||"
                            " COALESCE(model, '') || char(31) || COALESCE(manufacturer, '') || char(31) ||"
                            " COALESCE(batch, '') || char(31) || COALESCE(customer_id, '') || char(31) ||"
                            " COALESCE(json_extract(doc, '$.notes'), ''))"),
             QStringLiteral("{{POSTGRES}}UPDATE devices SET search_text = lower(serial || chr(31) ||"
                            " COALESCE(model, '') || chr(31) || COALESCE(manufacturer, '') || chr(31) ||"
                            " COALESCE(batch, '') || chr(31) || COALESCE(customer_id, '') || chr(31) ||"
                            " COALESCE(doc::json->>'notes', ''))"),
             QStringLiteral("{{SQLITE}}CREATE VIRTUAL TABLE devices_search USING fts5(search_text,"
                            " content='devices', content_rowid='rowid', tokenize='trigram', detail='none',"
                            " columnsize=0)"),
             QStringLiteral("{{SQLITE}}INSERT INTO devices_search (devices_search) VALUES ('rebuild')"),
             QStringLiteral("{{POSTGRES}}CREATE EXTENSION IF NOT EXISTS pg_trgm"),
             QStringLiteral(
                 "{{POSTGRES}}CREATE INDEX devices_search_trgm ON devices USING gin (search_text gin_trgm_ops)"),
             QStringLiteral("DROP INDEX devices_status"),
             QStringLiteral("DROP INDEX devices_model"),
             QStringLiteral("DROP INDEX devices_batch"),
         }},
        {18,
         QStringLiteral("device batch jobs"),
         {
             // A server-side action over every device a filter matches
             // (DeviceBatchJobs): its request, progress and state; `cursor`
             // is the last serial it handled, `heartbeat` the time its
             // runner last reported, so a job whose instance died is seen
             // as interrupted by any instance.
             QStringLiteral("CREATE TABLE batch_jobs (id TEXT PRIMARY KEY, action TEXT NOT NULL, "
                            "state TEXT NOT NULL, actor TEXT NOT NULL, request TEXT NOT NULL, "
                            "total BIGINT NOT NULL, done BIGINT NOT NULL DEFAULT 0, "
                            "succeeded BIGINT NOT NULL DEFAULT 0, failed BIGINT NOT NULL DEFAULT 0, "
                            "cursor TEXT NOT NULL DEFAULT '', runner TEXT NOT NULL, "
                            "cancel_requested INTEGER NOT NULL DEFAULT 0, error TEXT, created TEXT NOT NULL, "
                            "updated TEXT NOT NULL, heartbeat TEXT NOT NULL, finished TEXT)"),
             QStringLiteral("CREATE INDEX batch_jobs_state ON batch_jobs (state, heartbeat)"),
             QStringLiteral("CREATE INDEX batch_jobs_created ON batch_jobs (created)"),
             QStringLiteral("CREATE TABLE batch_job_failures (job_id TEXT NOT NULL, serial TEXT NOT NULL, "
                            "message TEXT NOT NULL, PRIMARY KEY (job_id, serial))"),
         }},
        {19,
         QStringLiteral("device batch jobs resume; atomic admission"),
         {
             // A job whose runner stopped is taken over (a lease: `runner`
             // and `heartbeat`), and `resumed` counts how often. Admitting a
             // job first upserts the one row of batch_job_admission, which
             // serializes admissions over all instances (a row lock on
             // PostgreSQL, the write lock on SQLite), so the running-job
             // limit is counted and the job inserted by one admission at a
             // time.
             QStringLiteral("ALTER TABLE batch_jobs ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0"),
             QStringLiteral("CREATE TABLE batch_job_admission (slot INTEGER PRIMARY KEY, admitted BIGINT NOT NULL)"),
         }},
        // Cheaper telemetry ingest (every message pays each B-tree it is
        // written to). The message-identity index holds only messages with
        // an identity: a message without `$.mid` never collides (NULLs are
        // distinct) and had an index entry for nothing; ON CONFLICT DO
        // NOTHING still honours the partial unique index in both dialects.
        // On SQLite the delivery records become a WITHOUT ROWID table: the
        // key is the B-tree, so an upsert touches one B-tree instead of the
        // rowid table plus the primary-key index.
        {20,
         QStringLiteral("leaner telemetry ingest indexes"),
         {
             QStringLiteral("DROP INDEX telemetry_message"),
             QStringLiteral("CREATE UNIQUE INDEX telemetry_message ON telemetry (device_id, message_id)"
                            " WHERE message_id IS NOT NULL"),
             QStringLiteral("{{SQLITE}}CREATE TABLE telemetry_deliveries_keyed ("
                            " delivery_key TEXT PRIMARY KEY, digest TEXT NOT NULL, stored TEXT NOT NULL)"
                            " WITHOUT ROWID"),
             QStringLiteral("{{SQLITE}}INSERT INTO telemetry_deliveries_keyed (delivery_key, digest, stored)"
                            " SELECT delivery_key, digest, stored FROM telemetry_deliveries"),
             QStringLiteral("{{SQLITE}}DROP TABLE telemetry_deliveries"),
             QStringLiteral("{{SQLITE}}ALTER TABLE telemetry_deliveries_keyed RENAME TO telemetry_deliveries"),
         }},
        // The audit log at ten million entries. A listing is newest first
        // by (at, id) and filters on any of actor, action, entity type,
        // entity id and a time window (AuditLog::list): one index per
        // filter, each ending in (at, id), so a filter is a range read in
        // the listing's order and a time window narrows the same range.
        // SQLite keeps the rowid (= id) at the end of every index anyway;
        // PostgreSQL gets it written out. The entity index now leads with
        // the id, which is what narrows; retention deletes by audit_at.
        {21,
         QStringLiteral("audit log at scale"),
         {
             QStringLiteral("DROP INDEX audit_entity"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_at ON audit_log (at)"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_actor ON audit_log (actor, at)"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_action ON audit_log (action, at)"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_type ON audit_log (entity_type, at)"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_entity_id ON audit_log (entity_id, at)"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_at ON audit_log (at, id)"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_actor ON audit_log (actor, at, id)"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_action ON audit_log (action, at, id)"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_type ON audit_log (entity_type, at, id)"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_entity_id ON audit_log (entity_id, at, id)"),
         }},
        // The inventory's search finds a device by its customer's name:
        // the name, lower-cased, ends each sold device's search text
        // (InventoryStore::searchTextOf, which writes it from now on, and
        // reindexCustomer when a customer is renamed). On SQLite the FTS5
        // rows of those devices are replaced (forgotten with their old
        // text, added with the new one); PostgreSQL's GIN index follows
        // the column. SQLite's lower() folds ASCII only: a name's other
        // capitals are folded when the device or its customer next
        // changes.
        {22,
         QStringLiteral("inventory search by customer name"),
         {
             QStringLiteral("{{SQLITE}}INSERT INTO devices_search (devices_search, rowid, search_text)"
                            " SELECT 'delete', rowid, search_text FROM devices WHERE search_text IS NOT NULL"
                            " AND EXISTS (SELECT 1 FROM customers c WHERE c.id = devices.customer_id"
                            " AND c.name <> '')"),
             QStringLiteral("{{SQLITE}}UPDATE devices SET search_text = search_text || char(31) ||"
                            " lower((SELECT c.name FROM customers c WHERE c.id = devices.customer_id))"
                            " WHERE search_text IS NOT NULL AND EXISTS (SELECT 1 FROM customers c"
                            " WHERE c.id = devices.customer_id AND c.name <> '')"),
             QStringLiteral("{{SQLITE}}INSERT INTO devices_search (rowid, search_text)"
                            " SELECT rowid, search_text FROM devices WHERE search_text IS NOT NULL"
                            " AND EXISTS (SELECT 1 FROM customers c WHERE c.id = devices.customer_id"
                            " AND c.name <> '')"),
             QStringLiteral("{{POSTGRES}}UPDATE devices d SET search_text = d.search_text || chr(31) ||"
                            " lower(c.name) FROM customers c WHERE c.id = d.customer_id AND c.name <> ''"
                            " AND d.search_text IS NOT NULL"),
         }},
        // Combined audit filters at ten million entries. With one index per
        // filter, a page of actor + action (or any other pair or the three)
        // read one filter's index and checked the others on each row: when
        // the combination matches nothing or very little, that read the
        // whole window of a broad filter (hundreds of thousands of entries)
        // before it could answer. An index per combination, its equality
        // columns then (at, id), makes every combination a range read in
        // the listing's order that holds only matches: a page reads its own
        // rows and no others, and an empty answer reads none. An entity id
        // needs none (a handful of entries each). Audit entries are
        // appended in time order, so each new index takes its entry at the
        // end of its key's range.
        {23,
         QStringLiteral("audit filter combinations"),
         {
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_actor_action ON audit_log (actor, action, at)"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_actor_type ON audit_log (actor, entity_type, at)"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_type_action ON audit_log (entity_type, action, at)"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_actor_action_type ON audit_log"
                            " (actor, action, entity_type, at)"),
             // PostgreSQL chooses among indexes by its statistics, which
             // take the filters as independent: actor + type looked as
             // common as actor times type, and a page read one filter's
             // index hoping to meet the other soon. Keyed by the
             // combination's values joined (an expression no other index
             // holds, with statistics of its own), the combination's index
             // is the only one that serves its filters.
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_actor_action ON audit_log"
                            " ((actor || chr(31) || action), at, id)"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_actor_type ON audit_log"
                            " ((actor || chr(31) || entity_type), at, id)"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_type_action ON audit_log"
                            " ((entity_type || chr(31) || action), at, id)"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_actor_action_type ON audit_log"
                            " ((actor || chr(31) || action || chr(31) || entity_type), at, id)"),
         }},
        // What a registration reads of its individual enrollment, in
        // columns beside the document: the keys the SAS token is checked
        // against, the reprovision policy, the allocation policy and hubs,
        // the initial twin (as its JSON text, NULL when empty). Reading and
        // validating the whole document cost two thirds of a registration's
        // key check. EnrollmentStore writes them with every insert and update
        // of the document; `registration_columns` says which version of them
        // a row holds: NULL for a row written before this migration (and
        // for any row written without them), which a registration reads from
        // its document as before, until its next update fills them.
        {24,
         QStringLiteral("enrollment columns for registrations"),
         {
             QStringLiteral("ALTER TABLE enrollments ADD COLUMN registration_columns INTEGER"),
             QStringLiteral("ALTER TABLE enrollments ADD COLUMN primary_key TEXT"),
             QStringLiteral("ALTER TABLE enrollments ADD COLUMN secondary_key TEXT"),
             QStringLiteral("ALTER TABLE enrollments ADD COLUMN update_hub_assignment INTEGER"),
             QStringLiteral("ALTER TABLE enrollments ADD COLUMN migrate_device_data INTEGER"),
             QStringLiteral("ALTER TABLE enrollments ADD COLUMN allocation_policy TEXT"),
             QStringLiteral("ALTER TABLE enrollments ADD COLUMN iot_hubs TEXT"),
             QStringLiteral("ALTER TABLE enrollments ADD COLUMN initial_twin TEXT"),
         }},
        // The delivery records of telemetry without `$.mid` one row per hub
        // session and batch instead of one per message: a message cost a
        // B-tree upsert of its own (about a fifth of the middleware's ingest
        // time), a batch now costs one insert. A row lists the batch's
        // deliveries of the session (packet identifier and digest each);
        // `through` counts the session's recorded deliveries, so the rows
        // beyond its latest 65,536 are deleted by one range.
        // telemetry_deliveries is no longer written: a redelivery not found
        // here is looked up there (a delivery stored before the upgrade
        // whose acknowledgement was lost).
        {25,
         QStringLiteral("telemetry delivery log"),
         {
             QStringLiteral("CREATE TABLE telemetry_delivery_log ("
                            " session TEXT NOT NULL, through BIGINT NOT NULL, deliveries {{BLOB}} NOT NULL,"
                            " PRIMARY KEY (session, through))"),
         }},
        // The CSV import's audit entries on SQLite. Every entry is written
        // into each index of the log, and an imported device's entry (one
        // per device, a million for a million devices) paid ten b-trees,
        // more than the device's own row and indexes. Those entries all
        // have the action `import` and the type `device`, so of the eight
        // indexes ordered by time (migrations 21 and 23) only two tell
        // them apart: by time alone and by actor. The eight keep every
        // other entry (partial indexes); the import's entries get those
        // two of their own, and the entity's index, which a device's
        // history reads, keeps every entry. A page whose filters an import
        // entry could match reads both kinds, each one index range in the
        // listing's order, and merges them (AuditLog::list); retention
        // deletes from both ranges. PostgreSQL writes its indexes in the
        // server's process and keeps them as they were.
        {26,
         QStringLiteral("audit indexes without the import's entries"),
         {
             QStringLiteral("{{SQLITE}}DROP INDEX audit_at"),
             QStringLiteral("{{SQLITE}}DROP INDEX audit_actor"),
             QStringLiteral("{{SQLITE}}DROP INDEX audit_action"),
             QStringLiteral("{{SQLITE}}DROP INDEX audit_type"),
             QStringLiteral("{{SQLITE}}DROP INDEX audit_actor_action"),
             QStringLiteral("{{SQLITE}}DROP INDEX audit_actor_type"),
             QStringLiteral("{{SQLITE}}DROP INDEX audit_type_action"),
             QStringLiteral("{{SQLITE}}DROP INDEX audit_actor_action_type"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_at ON audit_log (at)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_actor ON audit_log (actor, at)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_action ON audit_log (action, at)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_type ON audit_log (entity_type, at)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_actor_action ON audit_log (actor, action, at)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_actor_type ON audit_log (actor, entity_type, at)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_type_action ON audit_log (entity_type, action, at)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral(
                 "{{SQLITE}}CREATE INDEX audit_actor_action_type ON audit_log"
                 " (actor, action, entity_type, at) WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_import_at ON audit_log (at)"
                            " WHERE action = 'import' AND entity_type = 'device'"),
             QStringLiteral("{{SQLITE}}CREATE INDEX audit_import_actor ON audit_log (actor, at)"
                            " WHERE action = 'import' AND entity_type = 'device'"),
         }},
        // Migration 26 on PostgreSQL. There too an imported device's entry
        // paid ten b-trees, the largest part of the server's work in an
        // import (b-tree inserts were half of its backend's time, the
        // audit log's ten more than the device's own eight). The same split
        // as SQLite's, in PostgreSQL's own index shapes (migrations 21 and
        // 23: every time-ordered index ends in (at, id), and the
        // combinations are keyed by the values joined): the eight keep every
        // other entry, the import's entries get a time index and an actor
        // index of their own, the entity's index keeps every entry. On a
        // large log this rebuilds ten indexes once, at the upgrade.
        {27,
         QStringLiteral("audit indexes without the import's entries on PostgreSQL"),
         {
             QStringLiteral("{{POSTGRES}}DROP INDEX audit_at"),
             QStringLiteral("{{POSTGRES}}DROP INDEX audit_actor"),
             QStringLiteral("{{POSTGRES}}DROP INDEX audit_action"),
             QStringLiteral("{{POSTGRES}}DROP INDEX audit_type"),
             QStringLiteral("{{POSTGRES}}DROP INDEX audit_actor_action"),
             QStringLiteral("{{POSTGRES}}DROP INDEX audit_actor_type"),
             QStringLiteral("{{POSTGRES}}DROP INDEX audit_type_action"),
             QStringLiteral("{{POSTGRES}}DROP INDEX audit_actor_action_type"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_at ON audit_log (at, id)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             // One filter's indexes keyed by its value and the separator: the
             // planner has statistics of the plain column over the whole log,
             // and an importer's token (nine in ten entries, nearly all of
             // them imports) looked as common among the other entries, so a
             // page of those walked the time index through all of them (1.5 s
             // at ten million entries) instead of reading the actor's range.
             // An expression of a partial index has no statistics of its own:
             // the range is read, and it holds exactly the matches.
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_actor ON audit_log ((actor || chr(31)), at, id)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_action ON audit_log ((action || chr(31)), at, id)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_type ON audit_log ((entity_type || chr(31)), at, id)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_actor_action ON audit_log"
                            " ((actor || chr(31) || action), at, id)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_actor_type ON audit_log"
                            " ((actor || chr(31) || entity_type), at, id)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_type_action ON audit_log"
                            " ((entity_type || chr(31) || action), at, id)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_actor_action_type ON audit_log"
                            " ((actor || chr(31) || action || chr(31) || entity_type), at, id)"
                            " WHERE NOT (action = 'import' AND entity_type = 'device')"),
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_import_at ON audit_log (at, id)"
                            " WHERE action = 'import' AND entity_type = 'device'"),
             // Keyed by actor and action joined, as audit_actor_action is:
             // by the plain actor, PostgreSQL took the actor's share of the
             // whole log for its share of the imports and walked the import's
             // time index instead, through every import for an actor who had
             // none.
             QStringLiteral("{{POSTGRES}}CREATE INDEX audit_import_actor ON audit_log"
                            " ((actor || chr(31) || action), at, id)"
                            " WHERE action = 'import' AND entity_type = 'device'"),
         }},
    };
    return all;
}

} // namespace Provisio
