// SPDX-License-Identifier: Apache-2.0
#include "app/modules.h"

namespace Provisio {

void createCrmModules(ServiceContext &ctx, ApiModules &modules)
{
    Q_UNUSED(ctx);
    Q_UNUSED(modules);
}

} // namespace Provisio
