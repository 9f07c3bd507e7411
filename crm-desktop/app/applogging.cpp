// SPDX-License-Identifier: Apache-2.0
#include "applogging.h"

Q_LOGGING_CATEGORY(lcCrmUi, "provisio.crm.ui")
