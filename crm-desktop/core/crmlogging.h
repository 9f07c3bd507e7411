// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>

// Logging categories of the CRM desktop's core, one per area. Tokens never
// appear in any of them.
Q_DECLARE_LOGGING_CATEGORY(lcCrmApi)        // provisio.crm.api
Q_DECLARE_LOGGING_CATEGORY(lcCrmConnection) // provisio.crm.connection
Q_DECLARE_LOGGING_CATEGORY(lcCrmEvents)     // provisio.crm.events
Q_DECLARE_LOGGING_CATEGORY(lcCrmModels)     // provisio.crm.models
