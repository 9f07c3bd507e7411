// SPDX-License-Identifier: Apache-2.0
#include "principal.h"

namespace Provisio {

QString roleName(Role role)
{
    switch (role) {
    case Role::Viewer:
        return QStringLiteral("viewer");
    case Role::Operator:
        return QStringLiteral("operator");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return QStringLiteral("viewer");
}

std::optional<Role> parseRole(const QString &name)
{
    if (name == QLatin1String("viewer"))
        return Role::Viewer;
    if (name == QLatin1String("operator"))
        return Role::Operator;
    if (name == QLatin1String("admin"))
        return Role::Admin;
    return std::nullopt;
}

} // namespace Provisio
