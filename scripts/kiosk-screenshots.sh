#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Screenshots of every kiosk screen at 800×480, in English and German, as
# docs/screenshots/kiosk-*.png (German: kiosk-*-de.png).
#
# They come from the kiosk's end-to-end test (tests/kiosk/tst_kiosk_e2e.cpp),
# so each picture shows the real QML window in a real state: the test starts
# a middleware and a hub (Mosquitto with Provisio's plugin), enrolls a device
# through the CRM API, and taps and types through the kiosk while this script
# runs it on an 800×480 Xvfb display; at each screen the test captures the
# display with ImageMagick's `import -window root`. The settings PIN pad and
# the scan view (kiosk-settings-pin.png, kiosk-scan.png) come from the
# kiosk's Qt Quick tests (tests/qml/tst_settingspin.qml, tst_scanview.qml),
# which grab the window themselves; the scan view shows its "no camera"
# placeholder, since the display has no camera.
#
#   scripts/kiosk-screenshots.sh [BUILD_DIR]      (default: build/dev)
#
# Needs xvfb-run, ImageMagick and mosquitto (scripts/deps.sh installs them).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-${PROVISIO_BUILD_DIR:-$root/build/dev}}
out=$root/docs/screenshots

for tool in xvfb-run import; do
    command -v "$tool" >/dev/null || { echo "kiosk-screenshots: $tool is not installed" >&2; exit 1; }
done
[[ -f $build_dir/build.ninja || -f $build_dir/Makefile ]] || {
    echo "kiosk-screenshots: $build_dir is not a configured build directory" >&2; exit 1; }

cmake --build "$build_dir" --target tst_kiosk_e2e tst_kioskqml
mkdir -p "$out"
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT

# A display exactly the touchscreen's size, so the root window is the kiosk.
# Once per language: English as kiosk-NAME.png, German as kiosk-NAME-de.png.
for language in en de; do
    xvfb-run -a -s '-screen 0 800x480x24' \
        env QT_QPA_PLATFORM=xcb QT_LOGGING_RULES='*.debug=false' PROVISIO_KIOSK_SCREENSHOTS="$shots" \
        PROVISIO_KIOSK_TEST_LANGUAGE="$language" \
        "$build_dir/tests/kiosk/tst_kiosk_e2e"
    # The PIN pad and the scan view come from Qt Quick tests that check
    # English words: English only.
    [[ $language == en ]] || continue
    for qml_test in tst_settingspin tst_scanview; do
        xvfb-run -a -s '-screen 0 800x480x24' \
            env QT_QPA_PLATFORM=xcb QT_LOGGING_RULES='*.debug=false' QT_QUICK_CONTROLS_STYLE=Basic \
            PROVISIO_KIOSK_SCREENSHOTS="$shots" PROVISIO_KIOSK_TEST_LANGUAGE="$language" \
            "$build_dir/tests/qml/tst_kioskqml" -input "$root/tests/qml/$qml_test.qml"
    done
done

for png in "$shots"/kiosk-*.png; do
    cp "$png" "$out/"
    echo "$out/$(basename "$png")"
done
