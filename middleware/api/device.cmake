# SPDX-License-Identifier: Apache-2.0
target_sources(middleware_core PRIVATE
    api/devicemodules.cpp
    api/activationapi.h api/activationapi.cpp
    api/allocator.h api/allocator.cpp
    api/deviceapi.h api/deviceapi.cpp
    api/enrollmentapi.h api/enrollmentapi.cpp
    api/enrollmentgroupapi.h api/enrollmentgroupapi.cpp
    api/enrollmentutil.h api/enrollmentutil.cpp
    api/ratelimiter.h api/ratelimiter.cpp
    api/registrar.h api/registrar.cpp
    api/registrationapi.h api/registrationapi.cpp
    storage/activationcodestore.h storage/activationcodestore.cpp
    storage/activationfailurestore.h storage/activationfailurestore.cpp
    storage/enrollmentstore.h storage/enrollmentstore.cpp
    storage/registrationstore.h storage/registrationstore.cpp
)
