// SPDX-License-Identifier: Apache-2.0
#include "crmlogging.h"

Q_LOGGING_CATEGORY(lcCrmApi, "provisio.crm.api", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCrmConnection, "provisio.crm.connection", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCrmEvents, "provisio.crm.events", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCrmModels, "provisio.crm.models", QtInfoMsg)
