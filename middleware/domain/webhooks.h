// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/webhookstore.h"

namespace Provisio {

struct ServiceContext;

// Changes to webhook subscriptions: each in its own transaction with its
// audit entry (never the secret) and a webhook.* event once committed.
// The store is the instance's one (the dispatcher reads its cache).
class Webhooks
{
public:
    Webhooks(ServiceContext &ctx, WebhookStore &store);

    WebhookStore &store() { return m_store; }

    // A webhook without a secret gets a random one.
    Result<Webhook> create(Webhook webhook, const QString &actor);
    Result<Webhook> update(const QString &id, const QByteArray &ifMatch, const QString &actor,
                           const WebhookStore::Mutator &mutate);
    Result<void> remove(const QString &id, const QByteArray &ifMatch, const QString &actor);

private:
    Database &m_db;
    WebhookStore &m_store;
    ChangeRecorder m_changes;
};

} // namespace Provisio
