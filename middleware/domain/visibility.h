// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "domainevent.h"

#include "base/principal.h"
#include "storage/auditlog.h"

#include <QJsonObject>
#include <QString>

namespace Provisio {

// What a caller of a given role may see of a changed record, in the audit
// log (`before`/`after`) and in events (`data`): the one place that decides
// it, so the audit API, the live feed and event webhooks cannot disagree.
//
// - Records of webhooks, CRM tokens and access policies are admin-only (the
//   routes that read them are): other roles get the entry or event without
//   its record data.
// - For roles below admin, every URL in a record loses its query, fragment
//   and password (`https://h/p?code=***`): allocation webhooks carry their
//   secrets there.
// - Secret-bearing keys (AuditLog::redactSecrets) are redacted for everyone.
//
// Event webhooks deliver to receivers outside the middleware: they get what
// a viewer sees (`kWebhookReceiverRole`).
namespace Visibility {

constexpr Role kWebhookReceiverRole = Role::Viewer;

// The lowest role that may see the record data of `entityType` (audit entity
// type, or an event's category such as "webhook").
Role dataRoleFor(const QString &entityType);

// `record` as `role` may see it; empty when the role may not see it at all.
QJsonObject record(Role role, const QString &entityType, const QJsonObject &record);

// `url` with the query, fragment and password replaced by "***" (a URL
// without them is returned unchanged).
QString redactUrl(const QString &url);

AuditLog::Entry auditEntry(Role role, const AuditLog::Entry &entry);

DomainEvent event(Role role, const DomainEvent &event);

} // namespace Visibility

} // namespace Provisio
