# SPDX-License-Identifier: Apache-2.0
target_sources(middleware_core PRIVATE
    api/devicemodules.cpp
)
