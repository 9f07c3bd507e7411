// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <optional>

namespace Provisio {

// Roles of CRM API tokens, ordered: each role may do what the ones below it may.
enum class Role { Viewer = 1, Operator = 2, Admin = 3 };
QString roleName(Role role);
std::optional<Role> parseRole(const QString &name);

// Who made a CRM API request (resolved from its bearer token).
struct Principal
{
    QString tokenId;
    QString name;
    Role role = Role::Viewer;

    // How the audit log names this caller.
    QString actor() const { return QStringLiteral("token:") + name; }
};

} // namespace Provisio
