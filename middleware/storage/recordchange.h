// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace Provisio {

// What a store's update did: the record as it was and as it is now, so the
// domain service that owns the change can audit it and name its event.
template<typename T>
struct RecordChange
{
    T before;
    T after;
};

} // namespace Provisio
