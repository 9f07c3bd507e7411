// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>

// The widgets app's own logging area. Tokens, keys and activation codes
// never appear in it.
Q_DECLARE_LOGGING_CATEGORY(lcCrmUi) // provisio.crm.ui
