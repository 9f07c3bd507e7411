# SPDX-License-Identifier: Apache-2.0
# Sources of the API modules, added to middleware_core: the CRM records API
# (crm.cmake) and the enrollment / device registration API (device.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/crm.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/device.cmake)
