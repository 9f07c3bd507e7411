// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Provisio::Kiosk {

// Answers the `reboot` direct method on the host the same way in every device
// program: runs `command` (--reboot-command) through /bin/sh, so that one like
// "sudo systemctl reboot" works as written, and does not wait for it, so the
// program's own clean stop can still follow. False when it could not start.
bool startRebootCommand(const QString &command);

} // namespace Provisio::Kiosk
