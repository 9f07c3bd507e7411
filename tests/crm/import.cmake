# SPDX-License-Identifier: Apache-2.0
# Delivery-file import: the CSV reader and mapping on their own, then the
# wizard against a real middleware.
if(TARGET crm_import)
    provisio_add_test(tst_crm_import_csv SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_crm_import_csv.cpp
        LIBS crm_import TIMEOUT 60)
endif()
if(TARGET crm_import AND TARGET provisio_testsupport)
    provisio_add_test(tst_crm_import_wizard SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_crm_import_wizard.cpp
        LIBS crm_import crm_core provisio_testsupport TIMEOUT 300)
endif()
