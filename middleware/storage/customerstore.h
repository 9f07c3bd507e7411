// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "protocol/customer.h"
#include "recordchange.h"
#include "recordpage.h"
#include "recordutil.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>

namespace Provisio {

class Database;

// The customers devices are sold to, in SQL. Updates are conditional on the
// etag the change was based on, so two middleware instances editing one
// customer cannot lose an edit. The transaction, audit entry and event of a
// change are the Customers service's.
class CustomerStore
{
public:
    explicit CustomerStore(Database &db) : m_db(db) { }

    // Assigns the id ("cus_" + random), etag and timestamps.
    Result<Customer> create(Customer customer);
    Result<std::optional<Customer>> find(const QString &id);
    // Ordered by name, then id. `text` filters on a case-insensitive
    // substring of the name or e-mail.
    Result<RecordPage<Customer>> list(const QString &text, const PageRequest &page);

    // Computes the new record from the current one; may refuse with an error.
    using Mutator = std::function<Result<Customer>(const Customer &current)>;
    // NotFound, PreconditionFailed when `ifMatch` does not match (or another
    // writer changed the record meanwhile), or the mutator's error.
    Result<RecordChange<Customer>> update(const QString &id, const QByteArray &ifMatch, const Mutator &mutate);
    // Conflict while devices still refer to the customer. The removed record.
    Result<Customer> remove(const QString &id, const QByteArray &ifMatch);

private:
    Database &m_db;
};

} // namespace Provisio
