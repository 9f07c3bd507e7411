#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The Debian 12 packages Provisio needs to build, test and run.
#
#   scripts/deps.sh            # install the missing ones (same as `install`)
#   scripts/deps.sh list       # every package, one a line
#   scripts/deps.sh missing    # the ones not installed, one a line
#   scripts/deps.sh install    # apt-get update once, then install the missing ones
#
# Sourcing it (`. scripts/deps.sh`) defines the functions without running
# anything, for CI scripts that want provisio_missing_packages etc.; the
# strict shell options are then left to the caller.

provisio_packages() {
    local packages=(
        # toolchain
        build-essential cmake ninja-build ccache pkg-config git clang-format
        # libraries
        libssl-dev
        # middleware: activation cards by e-mail (SMTP with STARTTLS) and their QR code
        libcurl4-openssl-dev libqrencode-dev
        qt6-base-dev qt6-httpserver-dev qt6-websockets-dev
        libqt6sql6-sqlite libqt6sql6-psql libsqlite3-dev libpq-dev
        qt6-declarative-dev qt6-tools-dev
        # translations: lupdate and lrelease (Qt6 LinguistTools), the kiosk's and the CRM's .ts files -> .qm;
        # Qt's own translations (the CRM's standard dialog buttons in German)
        qt6-l10n-tools qt6-translations-l10n
        # QML runtime modules the kiosk and its Qt Quick tests import
        qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
        qml6-module-qtqml-models qml6-module-qtquick-window qml6-module-qttest
        qml6-module-qtqml-workerscript qml6-module-qtquick-templates qml6-module-qtqml
        qml6-module-qt-labs-folderlistmodel
        # kiosk: on-screen keyboard for every text field
        qml6-module-qtquick-virtualkeyboard qt6-virtualkeyboard-dev qt6-virtualkeyboard-plugin
        # CRM desktop: keychain for the token, QR codes on activation cards, charts
        qtkeychain-qt6-dev libqrencode-dev qt6-charts-dev
        # kiosk: QR scanning of the activation card where a camera is present
        qt6-multimedia-dev qml6-module-qtmultimedia libzxing-dev
        # hub (mosquitto-dev: the broker plugin headers mosquitto_plugin.h / mosquitto_broker.h)
        libmosquitto-dev mosquitto mosquitto-dev mosquitto-clients
        # fuzzing (hub/fuzz: clang with libFuzzer)
        clang libclang-rt-14-dev
        # scale-out storage (tests start a throwaway cluster: scripts/pg-test-cluster.sh)
        postgresql
        # Azure service SDK tests (tests/azure-sdk: npm ci of the pinned SDKs)
        nodejs npm
        # headless GUI tests and screenshots
        xvfb xauth imagemagick
        # tools the scripts and tests call
        curl openssl jq xxd util-linux
        # activation card tests read the PDF text and decode its QR code
        poppler-utils zbar-tools
        # activation e-mail tests receive the mails on a real SMTP server
        python3-aiosmtpd
    )
    printf '%s\n' "${packages[@]}"
}

provisio_is_installed() {
    local status
    # npm ships inside other Node.js builds (e.g. NodeSource's nodejs, whose
    # package conflicts with Debian's npm): a working npm next to node is
    # what the SDK tests need, whichever package brought it.
    if [[ "$1" == npm ]] && command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
        return 0
    fi
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [[ "$status" == "install ok installed" ]]
}

provisio_missing_packages() {
    local package
    while read -r package; do
        provisio_is_installed "$package" || echo "$package"
    done < <(provisio_packages)
}

provisio_install_packages() {
    local missing
    mapfile -t missing < <(provisio_missing_packages)
    if [[ ${#missing[@]} -eq 0 ]]; then
        echo "deps: all $(provisio_packages | wc -l) packages are installed"
        return 0
    fi

    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "deps: error: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
            return 1
        }
        sudo=(sudo)
    fi

    echo "deps: installing ${#missing[@]} package(s): ${missing[*]}"
    # Wait for another apt/dpkg run (e.g. unattended-upgrades) instead of failing.
    local apt_options=(-o DPkg::Lock::Timeout=300)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install -y \
        "${missing[@]}"

    mapfile -t missing < <(provisio_missing_packages)
    if [[ ${#missing[@]} -ne 0 ]]; then
        echo "deps: error: still missing after install: ${missing[*]}" >&2
        return 1
    fi
    echo "deps: done"
}

provisio_deps_main() {
    case "${1:-install}" in
    list) provisio_packages ;;
    missing) provisio_missing_packages ;;
    install) provisio_install_packages ;;
    -h | --help | help)
        # The comment block at the top, up to `set`/the first code line.
        awk 'NR > 3 && /^#/ { sub(/^# ?/, ""); print; next } NR > 3 { exit }' "${BASH_SOURCE[0]}"
        ;;
    *)
        echo "usage: $0 [list|missing|install]" >&2
        return 2
        ;;
    esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    provisio_deps_main "$@"
fi
