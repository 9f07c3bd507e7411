// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"

namespace Provisio {

// The plain-HTTP side of the live event feed (the feed itself is the
// WebSocket EventsFeed serves on the same path):
//   GET /api/v1/events        without a WebSocket upgrade -> 426, saying how to connect
//   GET /api/v1/events/types  {"types": [...]}: what can be subscribed to
class EventsApi : public ApiModule
{
public:
    void registerRoutes(Router &router) override;
};

} // namespace Provisio
