// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>

// The keys a hub accepts: its signing key (device hub keys derive from it)
// and its service key, and during a rotation's overlap the previous pair as
// well, until `previousUntil`. The middleware rotates them over the control
// channel (controlcommand.h, op "rotate-keys"); the hub keeps the result in
// plugin_opt_key_file so a restart does not fall back to the key its
// configuration file still names.
namespace Provisio::HubAuth {

struct SigningKeys
{
    QString signingKey;
    QString serviceKey;
    QString previousSigningKey; // empty: no previous key
    QString previousServiceKey;
    qint64 previousUntil = 0; // unix seconds; the previous pair is accepted while now < previousUntil

    bool previousAccepted(qint64 now) const { return !previousSigningKey.isEmpty() && now < previousUntil; }
    // The expiry to give a login with the previous pair, so that the
    // registry's check (expiry + grace < now) disconnects it as soon as
    // now >= previousUntil.
    qint64 lastSecondFor(qint64 graceSeconds) const { return previousUntil - graceSeconds - 1; }

    // The keys to run with: the configured pair, unless `path` holds the
    // outcome of a rotation that started from the configured signing key
    // (its current or previous key is the configured one). A file naming
    // neither belongs to an older configuration (the hub was linked anew)
    // and is ignored. A file that exists but cannot be read is an error: a
    // hub that silently went back to a retired key would refuse its
    // middleware and let retired device keys in.
    static Result<SigningKeys> load(const QString &path, const QString &configuredSigningKey,
                                    const QString &configuredServiceKey);
    // Writes the keys atomically, readable by the owner only.
    Result<void> save(const QString &path) const;
};

} // namespace Provisio::HubAuth
