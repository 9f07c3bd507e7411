# SPDX-License-Identifier: Apache-2.0
# crm_core: the CRM desktop's API client, connections, event feed and
# models, each against a real middleware over real HTTPS.
set(_crm_core_test_includes ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests/middleware)
foreach(_t api connections models)
    provisio_add_test(tst_crm_core_${_t}
        SOURCES tst_crm_core_${_t}.cpp core/crmcoretestutil.h
        LIBS crm_core provisio_testsupport Qt6::Sql
        POSTGRES TIMEOUT 300)
    target_include_directories(tst_crm_core_${_t} PRIVATE ${_crm_core_test_includes})
endforeach()
# The telemetry model against a real hub: Mosquitto with our plugin, a
# device publishing over MQTT (mosquitto is required at the top level).
provisio_add_test(tst_crm_core_telemetry
    SOURCES tst_crm_core_telemetry.cpp core/crmcoretestutil.h
    LIBS crm_core provisio_testsupport
    POSTGRES TIMEOUT 300)
target_include_directories(tst_crm_core_telemetry PRIVATE ${_crm_core_test_includes})
target_compile_definitions(tst_crm_core_telemetry PRIVATE PROVISIO_MOSQUITTO_BIN="${PROVISIO_MOSQUITTO_BIN}")
add_dependencies(tst_crm_core_telemetry provisio-mosquitto-plugin provisio-middleware)
