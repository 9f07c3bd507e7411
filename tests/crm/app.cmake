# SPDX-License-Identifier: Apache-2.0
# provisio-crm's widgets (crm_app), clicked and typed into offscreen against
# a real middleware over real HTTPS.
if(TARGET crm_app)
    foreach(_t flow widgets connection views devices)
        provisio_add_test(tst_crm_app_${_t}
            SOURCES tst_crm_app_${_t}.cpp
            LIBS crm_app provisio_testsupport Qt6::Sql
            POSTGRES TIMEOUT 300)
        target_include_directories(tst_crm_app_${_t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
            ${PROJECT_SOURCE_DIR}/tests/middleware)
    endforeach()
    # PlainTextDelegate against the style, pixel by pixel (no middleware).
    provisio_add_test(tst_crm_app_delegate SOURCES tst_crm_app_delegate.cpp LIBS crm_app TIMEOUT 120)
    find_package(Qt6 6.4 REQUIRED COMPONENTS LinguistTools)
    # The German window and the translation files (lupdate checks that every
    # tr() in crm-desktop has its translation).
    provisio_add_test(tst_crm_app_language SOURCES tst_crm_app_language.cpp
        LIBS crm_app provisio_testsupport Qt6::Sql TIMEOUT 300)
    target_include_directories(tst_crm_app_language PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
        ${PROJECT_SOURCE_DIR}/tests/middleware)
    target_compile_definitions(tst_crm_app_language PRIVATE PROVISIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        PROVISIO_LUPDATE="$<TARGET_FILE:Qt6::lupdate>")
    # The provisio-crm program itself, started offscreen against a middleware.
    provisio_add_test(tst_crm_binary SOURCES tst_crm_binary.cpp LIBS provisio_testsupport Qt6::Gui POSTGRES TIMEOUT 120)
    target_compile_definitions(tst_crm_binary PRIVATE PROVISIO_CRM_BIN="$<TARGET_FILE:provisio-crm>")
    add_dependencies(tst_crm_binary provisio-crm)
endif()
