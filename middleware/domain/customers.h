// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/customerstore.h"

namespace Provisio {

struct ServiceContext;

// Changes to customers: each in its own transaction with its audit entry,
// and a customer.* event once it has committed. Reads go to the store.
class Customers
{
public:
    explicit Customers(ServiceContext &ctx);

    CustomerStore &store() { return m_store; }

    Result<Customer> create(const Customer &customer, const QString &actor);
    Result<Customer> update(const QString &id, const QByteArray &ifMatch, const QString &actor,
                            const CustomerStore::Mutator &mutate);
    Result<void> remove(const QString &id, const QByteArray &ifMatch, const QString &actor);

private:
    Database &m_db;
    CustomerStore m_store;
    ChangeRecorder m_changes;
};

} // namespace Provisio
