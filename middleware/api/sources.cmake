# SPDX-License-Identifier: Apache-2.0
# Sources of the API modules, added to middleware_core.
target_sources(middleware_core PRIVATE
)
