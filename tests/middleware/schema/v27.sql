-- Provisio database at schema version 27: migrations 1..27 as they shipped, and the records of a working installation. Written by provisio-schema-fixtures; never edit.
-- meta: {"adminToken":"pvs_Wlvx8fOGjNgJOgBJHMKDnIyTWZymoimMRhZpaUW6rN4","customerId":"cus_ONYowxidz-VJ","deviceKey":"rsI1EB8VHU8j3UyishQNnqsKOXLTDC3kjih2LeDFi8rKCSh2/W9/om0QmMQOPf0FK73btzZAxGIpIA/DzFfTxg==","hub":"hub1","hubHost":"hub1.fixture.test","idScope":"0ne1BA41517","registrationId":"sn-fx-0001","serial":"SN-FX-0001"}
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)
CREATE TABLE api_tokens ( id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL, revoked_at TEXT)
CREATE TABLE customers ( id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, doc TEXT NOT NULL)
CREATE INDEX customers_name ON customers (name)
CREATE TABLE devices ( serial TEXT PRIMARY KEY, model TEXT, manufacturer TEXT, batch TEXT, customer_id TEXT REFERENCES customers (id), status TEXT NOT NULL, delivery_date TEXT, etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, doc TEXT NOT NULL)
CREATE INDEX devices_customer ON devices (customer_id)
CREATE INDEX devices_status ON devices (status)
CREATE TABLE hubs ( name TEXT PRIMARY KEY, host TEXT NOT NULL, port INTEGER NOT NULL, endpoint TEXT, region TEXT, allocation_weight INTEGER NOT NULL, signing_key TEXT NOT NULL, etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)
CREATE TABLE enrollment_groups ( group_id TEXT PRIMARY KEY, provisioning_status TEXT NOT NULL, etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, doc TEXT NOT NULL)
CREATE TABLE enrollments ( registration_id TEXT PRIMARY KEY, device_id TEXT, serial TEXT, provisioning_status TEXT NOT NULL, etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, doc TEXT NOT NULL)
CREATE INDEX enrollments_serial ON enrollments (serial)
CREATE TABLE activation_codes ( code_hash TEXT PRIMARY KEY, serial TEXT NOT NULL, registration_id TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL, used_at TEXT)
CREATE INDEX activation_codes_serial ON activation_codes (serial)
CREATE TABLE registrations ( registration_id TEXT PRIMARY KEY, group_id TEXT, device_id TEXT, assigned_hub TEXT, status TEXT NOT NULL, substatus TEXT, operation_id TEXT, etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, doc TEXT NOT NULL)
CREATE INDEX registrations_hub ON registrations (assigned_hub)
CREATE INDEX registrations_device ON registrations (device_id)
CREATE TABLE operations ( operation_id TEXT PRIMARY KEY, registration_id TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)
CREATE INDEX operations_registration ON operations (registration_id)
CREATE TABLE audit_log ( id {{AUTOID}}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, before_doc TEXT, after_doc TEXT)
CREATE INDEX audit_entity ON audit_log (entity_type, entity_id)
ALTER TABLE operations ADD COLUMN doc TEXT
CREATE TABLE webhooks ( id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL, enabled INTEGER NOT NULL, description TEXT, etag TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)
CREATE TABLE webhook_deliveries ( id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE, event_id TEXT NOT NULL, event_type TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_status INTEGER, last_error TEXT, next_attempt_at TEXT, delivered_at TEXT, lease_owner TEXT, lease_until TEXT, created TEXT NOT NULL, updated TEXT NOT NULL)
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created)
ALTER TABLE registrations ADD COLUMN desired_published_version INTEGER
ALTER TABLE registrations ADD COLUMN desired_published_hub TEXT
CREATE TABLE device_activity ( device_id TEXT PRIMARY KEY, hub_host TEXT, online INTEGER NOT NULL DEFAULT 0, last_seen TEXT, presence_changed TEXT, telemetry_count BIGINT NOT NULL DEFAULT 0, last_telemetry TEXT)
CREATE TABLE hub_revocations ( hub_host TEXT NOT NULL, device_id TEXT NOT NULL, op TEXT NOT NULL, request_id TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, answer TEXT, created TEXT NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (hub_host, device_id))
CREATE INDEX hub_revocations_request ON hub_revocations (request_id)
CREATE INDEX registrations_group ON registrations (group_id)
CREATE INDEX devices_model ON devices (model)
CREATE INDEX devices_batch ON devices (batch)
CREATE TABLE telemetry ( id {{AUTOID}}, device_id TEXT NOT NULL, hub_host TEXT NOT NULL, received TEXT NOT NULL, properties TEXT NOT NULL, body {{BLOB}} NOT NULL)
CREATE INDEX telemetry_device ON telemetry (device_id, received, id)
CREATE INDEX telemetry_received ON telemetry (received)
CREATE TABLE activation_failures ( serial TEXT PRIMARY KEY, window_start BIGINT NOT NULL, failures INTEGER NOT NULL)
CREATE INDEX activation_failures_window ON activation_failures (window_start)
CREATE INDEX devices_sort_model ON devices (COALESCE(model, ''), serial)
CREATE INDEX devices_sort_manufacturer ON devices (COALESCE(manufacturer, ''), serial)
CREATE INDEX devices_sort_batch ON devices (COALESCE(batch, ''), serial)
CREATE INDEX devices_sort_delivery ON devices (COALESCE(delivery_date, ''), serial)
CREATE INDEX devices_sort_status ON devices (COALESCE(status, ''), serial)
CREATE INDEX devices_sort_customer ON devices (COALESCE(customer_id, ''), serial)
DROP TABLE activation_failures
CREATE TABLE activation_failure_log ( id {{AUTOID}}, serial TEXT NOT NULL, at_ms BIGINT NOT NULL, client_address TEXT NOT NULL, client_key TEXT NOT NULL, reason TEXT NOT NULL, cleared_at BIGINT)
CREATE INDEX activation_failure_log_serial ON activation_failure_log (serial, at_ms)
CREATE INDEX activation_failure_log_at ON activation_failure_log (at_ms)
CREATE TABLE hub_credentials ( hub_host TEXT NOT NULL, device_id TEXT NOT NULL, generation INTEGER NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (hub_host, device_id))
ALTER TABLE telemetry ADD COLUMN message_id TEXT
CREATE UNIQUE INDEX telemetry_message ON telemetry (device_id, message_id)
CREATE TABLE telemetry_deliveries ( delivery_key TEXT PRIMARY KEY, digest TEXT NOT NULL, stored TEXT NOT NULL)
CREATE TABLE hub_link_leases ( client_id TEXT PRIMARY KEY, expires_ms BIGINT NOT NULL, holder TEXT)
ALTER TABLE hubs ADD COLUMN previous_signing_key TEXT
ALTER TABLE hubs ADD COLUMN previous_key_until TEXT
CREATE TABLE access_policies ( id TEXT PRIMARY KEY, name TEXT NOT NULL, hub TEXT NOT NULL, rights TEXT NOT NULL, policy_key TEXT NOT NULL, created TEXT NOT NULL, revoked_at TEXT)
CREATE INDEX access_policies_name ON access_policies (hub, name)
CREATE TABLE cloud_messages ( message_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, hub_host TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL, properties TEXT NOT NULL, content_type TEXT NOT NULL, body {{BLOB}} NOT NULL, state TEXT NOT NULL, finished TEXT)
CREATE INDEX cloud_messages_device ON cloud_messages (device_id, state, created)
CREATE INDEX cloud_messages_hub ON cloud_messages (hub_host, state, created)
CREATE INDEX cloud_messages_expiry ON cloud_messages (state, expires)
CREATE TABLE outgoing_mail ( mail_id TEXT PRIMARY KEY, kind TEXT NOT NULL, registration_id TEXT NOT NULL, serial TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, message {{BLOB}}, state TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, next_attempt_ms BIGINT NOT NULL, transport TEXT, actor TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, sent TEXT)
CREATE INDEX outgoing_mail_due ON outgoing_mail (state, next_attempt_ms)
CREATE INDEX outgoing_mail_enrollment ON outgoing_mail (registration_id, created)
ALTER TABLE devices ADD COLUMN search_text TEXT
{{SQLITE}}UPDATE devices SET search_text = lower(serial || char(31) || COALESCE(model, '') || char(31) || COALESCE(manufacturer, '') || char(31) || COALESCE(batch, '') || char(31) || COALESCE(customer_id, '') || char(31) || COALESCE(json_extract(doc, '$.notes'), ''))
{{POSTGRES}}UPDATE devices SET search_text = lower(serial || chr(31) || COALESCE(model, '') || chr(31) || COALESCE(manufacturer, '') || chr(31) || COALESCE(batch, '') || chr(31) || COALESCE(customer_id, '') || chr(31) || COALESCE(doc::json->>'notes', ''))
{{SQLITE}}CREATE VIRTUAL TABLE devices_search USING fts5(search_text, content='devices', content_rowid='rowid', tokenize='trigram', detail='none', columnsize=0)
{{SQLITE}}INSERT INTO devices_search (devices_search) VALUES ('rebuild')
{{POSTGRES}}CREATE EXTENSION IF NOT EXISTS pg_trgm
{{POSTGRES}}CREATE INDEX devices_search_trgm ON devices USING gin (search_text gin_trgm_ops)
DROP INDEX devices_status
DROP INDEX devices_model
DROP INDEX devices_batch
CREATE TABLE batch_jobs (id TEXT PRIMARY KEY, action TEXT NOT NULL, state TEXT NOT NULL, actor TEXT NOT NULL, request TEXT NOT NULL, total BIGINT NOT NULL, done BIGINT NOT NULL DEFAULT 0, succeeded BIGINT NOT NULL DEFAULT 0, failed BIGINT NOT NULL DEFAULT 0, cursor TEXT NOT NULL DEFAULT '', runner TEXT NOT NULL, cancel_requested INTEGER NOT NULL DEFAULT 0, error TEXT, created TEXT NOT NULL, updated TEXT NOT NULL, heartbeat TEXT NOT NULL, finished TEXT)
CREATE INDEX batch_jobs_state ON batch_jobs (state, heartbeat)
CREATE INDEX batch_jobs_created ON batch_jobs (created)
CREATE TABLE batch_job_failures (job_id TEXT NOT NULL, serial TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY (job_id, serial))
ALTER TABLE batch_jobs ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0
CREATE TABLE batch_job_admission (slot INTEGER PRIMARY KEY, admitted BIGINT NOT NULL)
DROP INDEX telemetry_message
CREATE UNIQUE INDEX telemetry_message ON telemetry (device_id, message_id) WHERE message_id IS NOT NULL
{{SQLITE}}CREATE TABLE telemetry_deliveries_keyed ( delivery_key TEXT PRIMARY KEY, digest TEXT NOT NULL, stored TEXT NOT NULL) WITHOUT ROWID
{{SQLITE}}INSERT INTO telemetry_deliveries_keyed (delivery_key, digest, stored) SELECT delivery_key, digest, stored FROM telemetry_deliveries
{{SQLITE}}DROP TABLE telemetry_deliveries
{{SQLITE}}ALTER TABLE telemetry_deliveries_keyed RENAME TO telemetry_deliveries
DROP INDEX audit_entity
{{SQLITE}}CREATE INDEX audit_at ON audit_log (at)
{{SQLITE}}CREATE INDEX audit_actor ON audit_log (actor, at)
{{SQLITE}}CREATE INDEX audit_action ON audit_log (action, at)
{{SQLITE}}CREATE INDEX audit_type ON audit_log (entity_type, at)
{{SQLITE}}CREATE INDEX audit_entity_id ON audit_log (entity_id, at)
{{POSTGRES}}CREATE INDEX audit_at ON audit_log (at, id)
{{POSTGRES}}CREATE INDEX audit_actor ON audit_log (actor, at, id)
{{POSTGRES}}CREATE INDEX audit_action ON audit_log (action, at, id)
{{POSTGRES}}CREATE INDEX audit_type ON audit_log (entity_type, at, id)
{{POSTGRES}}CREATE INDEX audit_entity_id ON audit_log (entity_id, at, id)
{{SQLITE}}INSERT INTO devices_search (devices_search, rowid, search_text) SELECT 'delete', rowid, search_text FROM devices WHERE search_text IS NOT NULL AND EXISTS (SELECT 1 FROM customers c WHERE c.id = devices.customer_id AND c.name <> '')
{{SQLITE}}UPDATE devices SET search_text = search_text || char(31) || lower((SELECT c.name FROM customers c WHERE c.id = devices.customer_id)) WHERE search_text IS NOT NULL AND EXISTS (SELECT 1 FROM customers c WHERE c.id = devices.customer_id AND c.name <> '')
{{SQLITE}}INSERT INTO devices_search (rowid, search_text) SELECT rowid, search_text FROM devices WHERE search_text IS NOT NULL AND EXISTS (SELECT 1 FROM customers c WHERE c.id = devices.customer_id AND c.name <> '')
{{POSTGRES}}UPDATE devices d SET search_text = d.search_text || chr(31) || lower(c.name) FROM customers c WHERE c.id = d.customer_id AND c.name <> '' AND d.search_text IS NOT NULL
{{SQLITE}}CREATE INDEX audit_actor_action ON audit_log (actor, action, at)
{{SQLITE}}CREATE INDEX audit_actor_type ON audit_log (actor, entity_type, at)
{{SQLITE}}CREATE INDEX audit_type_action ON audit_log (entity_type, action, at)
{{SQLITE}}CREATE INDEX audit_actor_action_type ON audit_log (actor, action, entity_type, at)
{{POSTGRES}}CREATE INDEX audit_actor_action ON audit_log ((actor || chr(31) || action), at, id)
{{POSTGRES}}CREATE INDEX audit_actor_type ON audit_log ((actor || chr(31) || entity_type), at, id)
{{POSTGRES}}CREATE INDEX audit_type_action ON audit_log ((entity_type || chr(31) || action), at, id)
{{POSTGRES}}CREATE INDEX audit_actor_action_type ON audit_log ((actor || chr(31) || action || chr(31) || entity_type), at, id)
ALTER TABLE enrollments ADD COLUMN registration_columns INTEGER
ALTER TABLE enrollments ADD COLUMN primary_key TEXT
ALTER TABLE enrollments ADD COLUMN secondary_key TEXT
ALTER TABLE enrollments ADD COLUMN update_hub_assignment INTEGER
ALTER TABLE enrollments ADD COLUMN migrate_device_data INTEGER
ALTER TABLE enrollments ADD COLUMN allocation_policy TEXT
ALTER TABLE enrollments ADD COLUMN iot_hubs TEXT
ALTER TABLE enrollments ADD COLUMN initial_twin TEXT
CREATE TABLE telemetry_delivery_log ( session TEXT NOT NULL, through BIGINT NOT NULL, deliveries {{BLOB}} NOT NULL, PRIMARY KEY (session, through))
{{SQLITE}}DROP INDEX audit_at
{{SQLITE}}DROP INDEX audit_actor
{{SQLITE}}DROP INDEX audit_action
{{SQLITE}}DROP INDEX audit_type
{{SQLITE}}DROP INDEX audit_actor_action
{{SQLITE}}DROP INDEX audit_actor_type
{{SQLITE}}DROP INDEX audit_type_action
{{SQLITE}}DROP INDEX audit_actor_action_type
{{SQLITE}}CREATE INDEX audit_at ON audit_log (at) WHERE NOT (action = 'import' AND entity_type = 'device')
{{SQLITE}}CREATE INDEX audit_actor ON audit_log (actor, at) WHERE NOT (action = 'import' AND entity_type = 'device')
{{SQLITE}}CREATE INDEX audit_action ON audit_log (action, at) WHERE NOT (action = 'import' AND entity_type = 'device')
{{SQLITE}}CREATE INDEX audit_type ON audit_log (entity_type, at) WHERE NOT (action = 'import' AND entity_type = 'device')
{{SQLITE}}CREATE INDEX audit_actor_action ON audit_log (actor, action, at) WHERE NOT (action = 'import' AND entity_type = 'device')
{{SQLITE}}CREATE INDEX audit_actor_type ON audit_log (actor, entity_type, at) WHERE NOT (action = 'import' AND entity_type = 'device')
{{SQLITE}}CREATE INDEX audit_type_action ON audit_log (entity_type, action, at) WHERE NOT (action = 'import' AND entity_type = 'device')
{{SQLITE}}CREATE INDEX audit_actor_action_type ON audit_log (actor, action, entity_type, at) WHERE NOT (action = 'import' AND entity_type = 'device')
{{SQLITE}}CREATE INDEX audit_import_at ON audit_log (at) WHERE action = 'import' AND entity_type = 'device'
{{SQLITE}}CREATE INDEX audit_import_actor ON audit_log (actor, at) WHERE action = 'import' AND entity_type = 'device'
{{POSTGRES}}DROP INDEX audit_at
{{POSTGRES}}DROP INDEX audit_actor
{{POSTGRES}}DROP INDEX audit_action
{{POSTGRES}}DROP INDEX audit_type
{{POSTGRES}}DROP INDEX audit_actor_action
{{POSTGRES}}DROP INDEX audit_actor_type
{{POSTGRES}}DROP INDEX audit_type_action
{{POSTGRES}}DROP INDEX audit_actor_action_type
{{POSTGRES}}CREATE INDEX audit_at ON audit_log (at, id) WHERE NOT (action = 'import' AND entity_type = 'device')
{{POSTGRES}}CREATE INDEX audit_actor ON audit_log (actor, at, id) WHERE NOT (action = 'import' AND entity_type = 'device')
{{POSTGRES}}CREATE INDEX audit_action ON audit_log (action, at, id) WHERE NOT (action = 'import' AND entity_type = 'device')
{{POSTGRES}}CREATE INDEX audit_type ON audit_log (entity_type, at, id) WHERE NOT (action = 'import' AND entity_type = 'device')
{{POSTGRES}}CREATE INDEX audit_actor_action ON audit_log ((actor || chr(31) || action), at, id) WHERE NOT (action = 'import' AND entity_type = 'device')
{{POSTGRES}}CREATE INDEX audit_actor_type ON audit_log ((actor || chr(31) || entity_type), at, id) WHERE NOT (action = 'import' AND entity_type = 'device')
{{POSTGRES}}CREATE INDEX audit_type_action ON audit_log ((entity_type || chr(31) || action), at, id) WHERE NOT (action = 'import' AND entity_type = 'device')
{{POSTGRES}}CREATE INDEX audit_actor_action_type ON audit_log ((actor || chr(31) || action || chr(31) || entity_type), at, id) WHERE NOT (action = 'import' AND entity_type = 'device')
{{POSTGRES}}CREATE INDEX audit_import_at ON audit_log (at, id) WHERE action = 'import' AND entity_type = 'device'
{{POSTGRES}}CREATE INDEX audit_import_actor ON audit_log ((actor || chr(31) || action), at, id) WHERE action = 'import' AND entity_type = 'device'
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'initial schema', '2026-12-07T14:00:28.099Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (2, 'operation documents', '2026-12-07T14:00:28.099Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (3, 'webhooks', '2026-12-07T14:00:28.099Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (4, 'hub link', '2026-12-07T14:00:28.100Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (5, 'lookup indexes', '2026-12-07T14:00:28.100Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (6, 'telemetry history', '2026-12-07T14:00:28.100Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (7, 'activation failures', '2026-12-07T14:00:28.100Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (8, 'inventory sort indexes', '2026-12-07T14:00:28.101Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (9, 'activation failure log', '2026-12-07T14:00:28.101Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (10, 'hub credential generations', '2026-12-07T14:00:28.101Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (11, 'telemetry message identity', '2026-12-07T14:00:28.101Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (12, 'hub link leases', '2026-12-07T14:00:28.101Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (13, 'hub signing-key overlap', '2026-12-07T14:00:28.102Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (14, 'service access policies', '2026-12-07T14:00:28.102Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (15, 'cloud-to-device messages', '2026-12-07T14:00:28.102Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (16, 'outgoing mail', '2026-12-07T14:00:28.102Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (17, 'inventory search', '2026-12-07T14:00:28.103Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (18, 'device batch jobs', '2026-12-07T14:00:28.103Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (19, 'device batch jobs resume; atomic admission', '2026-12-07T14:00:28.104Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (20, 'leaner telemetry ingest indexes', '2026-12-07T14:00:28.105Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (21, 'audit log at scale', '2026-12-07T14:00:28.105Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (22, 'inventory search by customer name', '2026-12-07T14:00:28.106Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (23, 'audit filter combinations', '2026-12-07T14:00:28.106Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (24, 'enrollment columns for registrations', '2026-12-07T14:00:28.108Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (25, 'telemetry delivery log', '2026-12-07T14:00:28.108Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (26, 'audit indexes without the import''s entries', '2026-12-07T14:00:28.108Z')
INSERT INTO schema_migrations (version, name, applied_at) VALUES (27, 'audit indexes without the import''s entries on PostgreSQL', '2026-12-07T14:00:28.108Z')
INSERT INTO settings (key, value) VALUES ('idScope', '0ne1BA41517')
INSERT INTO api_tokens (id, name, role, token_hash, created, revoked_at) VALUES ('19qfYyAfGdk', 'admin', 'admin', '285cbe3d703137003eb150ad6e7fca39e6fbf7b72201a43d97bfb19f12812d4f', '2026-12-07T14:00:28.114Z', NULL)
INSERT INTO api_tokens (id, name, role, token_hash, created, revoked_at) VALUES ('Au5PYiGDOlQ', 'op', 'operator', 'ca3f126cf4bcfb4896d9869e4af24854a4d48b76118ec960f582e0b6af33f45c', '2026-12-07T14:00:28.155Z', NULL)
INSERT INTO api_tokens (id, name, role, token_hash, created, revoked_at) VALUES ('rLlTDUSvUHs', 'view', 'viewer', 'b350717be8dfa2400fb1bfeff775e35b92ed98ab5a1c047453357aab441d50d2', '2026-12-07T14:00:28.196Z', NULL)
INSERT INTO customers (id, name, email, etag, created, updated, doc) VALUES ('cus_ONYowxidz-VJ', 'Fixture Customer O''Hara', 'ops@customer.example', 'GpQDYHMWqowd', '2026-12-07T14:00:28.400Z', '2026-12-07T14:00:28.400Z', '{"address":"","createdDateTimeUtc":"2026-12-07T14:00:28.400Z","email":"ops@customer.example","etag":"GpQDYHMWqowd","id":"cus_ONYowxidz-VJ","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.400Z","name":"Fixture Customer O''Hara","notes":"","phone":""}')
INSERT INTO devices (serial, model, manufacturer, batch, customer_id, status, delivery_date, etag, created, updated, doc, search_text) VALUES ('SN-FX-0001', 'Sensor 2', 'Acme', 'B7', 'cus_ONYowxidz-VJ', 'sold', '2026-11-20', 'ofNKmMR2-LAo', '2026-12-07T14:00:28.402Z', '2026-12-07T14:00:28.404Z', '{"batch":"B7","createdDateTimeUtc":"2026-12-07T14:00:28.402Z","customerId":"cus_ONYowxidz-VJ","deliveryDate":"2026-11-20","etag":"ofNKmMR2-LAo","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.404Z","manufacturer":"Acme","model":"Sensor 2","notes":"","serial":"SN-FX-0001","soldDate":"2026-12-07","status":"sold"}', 'sn-fx-0001sensor 2acmeb7cus_onyowxidz-vjfixture customer o''hara')
INSERT INTO hubs (name, host, port, endpoint, region, allocation_weight, signing_key, etag, created, updated, previous_signing_key, previous_key_until) VALUES ('hub1', 'hub1.fixture.test', 8883, NULL, NULL, 1, 'c2lnbmluZy1rZXktb2YtdGhlLWZpeHR1cmUtaHViLTAx', 'd2B8snTQRHMW', '2026-12-07T14:00:28.390Z', '2026-12-07T14:00:28.390Z', NULL, NULL)
INSERT INTO enrollments (registration_id, device_id, serial, provisioning_status, etag, created, updated, doc, registration_columns, primary_key, secondary_key, update_hub_assignment, migrate_device_data, allocation_policy, iot_hubs, initial_twin) VALUES ('sn-fx-0001', 'sn-fx-0001', 'SN-FX-0001', 'enabled', 'VlRp6OzpggWO', '2026-12-07T14:00:28.405Z', '2026-12-07T14:00:28.405Z', '{"attestation":{"symmetricKey":{"primaryKey":"rsI1EB8VHU8j3UyishQNnqsKOXLTDC3kjih2LeDFi8rKCSh2/W9/om0QmMQOPf0FK73btzZAxGIpIA/DzFfTxg==","secondaryKey":"f38wAnZu+pG+hR4Vh6WjehNyskvZ4VgUxrcYo5qP233LCH1LrLyxeJFjkUTUimDg+/i4s081WWytp+UfTLWJOw=="},"type":"symmetricKey"},"capabilities":{"iotEdge":false},"createdDateTimeUtc":"2026-12-07T14:00:28.405Z","deviceId":"sn-fx-0001","etag":"VlRp6OzpggWO","initialTwin":{"properties":{"desired":{}},"tags":{}},"iotHubs":[],"lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.405Z","provisioningStatus":"enabled","registrationId":"sn-fx-0001","reprovisionPolicy":{"migrateDeviceData":true,"updateHubAssignment":true},"serial":"SN-FX-0001"}', 1, 'rsI1EB8VHU8j3UyishQNnqsKOXLTDC3kjih2LeDFi8rKCSh2/W9/om0QmMQOPf0FK73btzZAxGIpIA/DzFfTxg==', 'f38wAnZu+pG+hR4Vh6WjehNyskvZ4VgUxrcYo5qP233LCH1LrLyxeJFjkUTUimDg+/i4s081WWytp+UfTLWJOw==', 1, 1, NULL, NULL, NULL)
INSERT INTO activation_codes (code_hash, serial, registration_id, created, expires, used_at) VALUES ('8598c7b5f0bed55fea902e054bf16ab5aa7a8e259f4cce2d1184b580d2c06c31', 'SN-FX-0001', 'sn-fx-0001', '2026-12-07T14:00:28.405Z', '2027-01-06T14:00:28.405Z', NULL)
INSERT INTO registrations (registration_id, group_id, device_id, assigned_hub, status, substatus, operation_id, etag, created, updated, doc, desired_published_version, desired_published_hub) VALUES ('sn-fx-0001', NULL, 'sn-fx-0001', 'hub1.fixture.test', 'assigned', 'initialAssignment', '5.01a250ce51fe0000.4f60d047e7a77e47908a0996b53a6642', 'uP9vyDgX0EZ-', '2026-12-07T14:00:28.415Z', '2026-12-07T14:00:28.415Z', '{"operationId":"5.01a250ce51fe0000.4f60d047e7a77e47908a0996b53a6642","registrationState":{"assignedHub":"hub1.fixture.test","createdDateTimeUtc":"2026-12-07T14:00:28.415Z","deviceId":"sn-fx-0001","etag":"uP9vyDgX0EZ-","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.415Z","registrationId":"sn-fx-0001","status":"assigned","substatus":"initialAssignment"},"twin":{"properties":{"desired":{"$version":1}},"tags":{}}}', NULL, NULL)
INSERT INTO operations (operation_id, registration_id, status, created, updated, doc) VALUES ('5.01a250ce51fe0000.4f60d047e7a77e47908a0996b53a6642', 'sn-fx-0001', 'assigned', '2026-12-07T14:00:28.414Z', '2026-12-07T14:00:28.415Z', '{"operationId":"5.01a250ce51fe0000.4f60d047e7a77e47908a0996b53a6642","registrationState":{"assignedHub":"hub1.fixture.test","createdDateTimeUtc":"2026-12-07T14:00:28.415Z","deviceId":"sn-fx-0001","etag":"uP9vyDgX0EZ-","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.415Z","registrationId":"sn-fx-0001","status":"assigned","substatus":"initialAssignment"},"status":"assigned"}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.114Z', 'cli:root', 'create', 'token', '19qfYyAfGdk', NULL, '{"created":"2026-12-07T14:00:28.114Z","id":"19qfYyAfGdk","name":"admin","role":"admin"}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.155Z', 'cli:root', 'create', 'token', 'Au5PYiGDOlQ', NULL, '{"created":"2026-12-07T14:00:28.155Z","id":"Au5PYiGDOlQ","name":"op","role":"operator"}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.197Z', 'cli:root', 'create', 'token', 'rLlTDUSvUHs', NULL, '{"created":"2026-12-07T14:00:28.196Z","id":"rLlTDUSvUHs","name":"view","role":"viewer"}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.390Z', 'token:admin', 'create', 'hub', 'hub1', NULL, '{"allocationWeight":1,"createdDateTimeUtc":"2026-12-07T14:00:28.390Z","etag":"d2B8snTQRHMW","host":"hub1.fixture.test","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.390Z","name":"hub1","port":8883}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.400Z', 'token:op', 'create', 'customer', 'cus_ONYowxidz-VJ', NULL, '{"address":"","createdDateTimeUtc":"2026-12-07T14:00:28.400Z","email":"ops@customer.example","etag":"GpQDYHMWqowd","id":"cus_ONYowxidz-VJ","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.400Z","name":"Fixture Customer O''Hara","notes":"","phone":""}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.402Z', 'token:op', 'create', 'device', 'SN-FX-0001', NULL, '{"batch":"B7","createdDateTimeUtc":"2026-12-07T14:00:28.402Z","deliveryDate":"2026-11-20","etag":"zTuSRwfC3hkb","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.402Z","manufacturer":"Acme","model":"Sensor 2","notes":"","serial":"SN-FX-0001","status":"inStock"}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.404Z', 'token:op', 'sell', 'device', 'SN-FX-0001', '{"batch":"B7","createdDateTimeUtc":"2026-12-07T14:00:28.402Z","deliveryDate":"2026-11-20","etag":"zTuSRwfC3hkb","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.402Z","manufacturer":"Acme","model":"Sensor 2","notes":"","serial":"SN-FX-0001","status":"inStock"}', '{"batch":"B7","createdDateTimeUtc":"2026-12-07T14:00:28.402Z","customerId":"cus_ONYowxidz-VJ","deliveryDate":"2026-11-20","etag":"ofNKmMR2-LAo","lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.404Z","manufacturer":"Acme","model":"Sensor 2","notes":"","serial":"SN-FX-0001","soldDate":"2026-12-07","status":"sold"}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.405Z', 'token:op', 'create', 'enrollment', 'sn-fx-0001', NULL, '{"attestation":{"symmetricKey":{},"type":"symmetricKey"},"capabilities":{"iotEdge":false},"createdDateTimeUtc":"2026-12-07T14:00:28.405Z","deviceId":"sn-fx-0001","etag":"VlRp6OzpggWO","initialTwin":{"properties":{"desired":{}},"tags":{}},"iotHubs":[],"lastUpdatedDateTimeUtc":"2026-12-07T14:00:28.405Z","provisioningStatus":"enabled","registrationId":"sn-fx-0001","reprovisionPolicy":{"migrateDeviceData":true,"updateHubAssignment":true},"serial":"SN-FX-0001"}')
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before_doc, after_doc) VALUES ('2026-12-07T14:00:28.406Z', 'token:op', 'issueActivationCode', 'enrollment', 'sn-fx-0001', NULL, '{"expiresDateTimeUtc":"2027-01-06T14:00:28.405Z","serial":"SN-FX-0001"}')
INSERT INTO hub_link_leases (client_id, expires_ms, holder) VALUES ('provisio-mw-cbe1a4109a24b9cc', 1796652058368, NULL)
{{SQLITE}}INSERT INTO devices_search (devices_search) VALUES ('rebuild')
