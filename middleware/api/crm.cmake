# SPDX-License-Identifier: Apache-2.0
target_sources(middleware_core PRIVATE
    api/crmmodules.cpp
    api/crmrequest.h api/crmrequest.cpp
    api/customerapi.h api/customerapi.cpp
    api/inventoryapi.h api/inventoryapi.cpp
    api/inventoryimport.h api/inventoryimport.cpp
    api/hubapi.h api/hubapi.cpp
    api/policyapi.h api/policyapi.cpp
    api/auditapi.h api/auditapi.cpp
    api/tokenapi.h api/tokenapi.cpp
    storage/recordpage.h
    storage/customerstore.h storage/customerstore.cpp
    storage/inventorystore.h storage/inventorystore.cpp
)
