// SPDX-License-Identifier: Apache-2.0
#include "rebootcommand.h"

#include <QProcess>

namespace Provisio::Kiosk {

bool startRebootCommand(const QString &command)
{
    return QProcess::startDetached(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), command});
}

} // namespace Provisio::Kiosk
