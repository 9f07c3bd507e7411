#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Refreshes the translation sources from the code: the kiosk's
# (qml/i18n/provisio_kiosk_*.ts) from every qsTr() in its screens and every
# tr() in the device code it shows (qml/*.cpp, device-kiosk/core,
# device-kiosk/app), and the CRM's (crm-desktop/i18n/provisio_crm_*.ts) from
# every tr() in crm-desktop. New strings arrive
# unfinished; translate them in the .ts file (Qt Linguist or any editor), then
# build: the .qm files are made from the .ts files at build time.
#
#   scripts/update-translations.sh
#
# Needs lupdate (Debian: qt6-l10n-tools; scripts/deps.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lupdate=$(command -v lupdate || echo /usr/lib/qt6/bin/lupdate)
[[ -x $lupdate ]] || { echo "update-translations: lupdate is not installed (qt6-l10n-tools)" >&2; exit 1; }
cd "$root"
# English is the source language: its file holds plural forms only.
"$lupdate" -locations relative -no-obsolete qml device-kiosk/core device-kiosk/app \
    -ts qml/i18n/provisio_kiosk_de.ts
"$lupdate" -locations relative -no-obsolete -pluralonly qml device-kiosk/core device-kiosk/app \
    -ts qml/i18n/provisio_kiosk_en.ts
"$lupdate" -locations relative -no-obsolete crm-desktop -ts crm-desktop/i18n/provisio_crm_de.ts
"$lupdate" -locations relative -no-obsolete -pluralonly crm-desktop -ts crm-desktop/i18n/provisio_crm_en.ts
