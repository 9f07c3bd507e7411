// SPDX-License-Identifier: Apache-2.0
// Sizes and colours of the kiosk, in one place. Everything is laid out for
// the 800×480 touchscreen read at arm's length and grows with `scale`, which
// the window sets from its size, so a larger screen gets larger type rather
// than more empty space.
pragma Singleton
import QtQuick

QtObject {
    property real scale: 1.0

    readonly property int touch: Math.round(56 * scale)      // smallest touch target: over 48 px
    readonly property int margin: Math.round(16 * scale)
    readonly property int spacing: Math.round(12 * scale)
    readonly property int headerHeight: Math.round(52 * scale)
    readonly property int radius: Math.round(8 * scale)

    // Secondary text at 22 px is about 3 mm on the 7" 800×480 panel: the
    // smallest that reads at arm's length.
    readonly property int fontSmall: Math.round(22 * scale)
    readonly property int fontBody: Math.round(22 * scale)
    readonly property int fontLarge: Math.round(25 * scale)
    readonly property int fontTitle: Math.round(30 * scale)
    readonly property int fontCode: Math.round(32 * scale)
    readonly property int fontHuge: Math.round(40 * scale)

    readonly property color background: "#f4f6f8"
    readonly property color surface: "#ffffff"
    readonly property color border: "#c5ccd3"
    readonly property color text: "#1b2733"
    readonly property color mutedText: "#4f5d6b"
    readonly property color accent: "#1565c0"
    readonly property color accentText: "#ffffff"
    readonly property color header: "#0d3b66"
    readonly property color good: "#2e7d32"
    readonly property color bad: "#c62828"
    readonly property color warning: "#b26a00"
}
