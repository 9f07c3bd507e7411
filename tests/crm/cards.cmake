# SPDX-License-Identifier: Apache-2.0
# Activation cards: drawing, QR and PDF on their own, then the dialog against
# a real middleware.
if(TARGET crm_cards)
    provisio_add_test(tst_crm_cards_render SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_crm_cards_render.cpp
        LIBS crm_cards TIMEOUT 120)
endif()
if(TARGET crm_cards AND TARGET provisio_testsupport)
    provisio_add_test(tst_crm_cards_dialog SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_crm_cards_dialog.cpp
        LIBS crm_cards crm_core provisio_testsupport TIMEOUT 300)
endif()
