// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>

namespace Provisio {

// The `provisio-middleware` command line: serve, token create|list|revoke.
// Returns the process exit code.
int runMiddlewareCli(const QStringList &arguments);

// Installs the log handler (text or JSON lines) for the service.
void installLogHandler(bool json);

} // namespace Provisio
