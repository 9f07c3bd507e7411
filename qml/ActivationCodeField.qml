// SPDX-License-Identifier: Apache-2.0
// The activation code as the person types it: upper case, grouped as
// XXXX-XXXX-XXXX-XXXX-C while typing, characters that cannot be part of a
// code dropped, Crockford's look-alikes (I, L, O) read as 1 and 0. The caret
// stays after the character just typed, wherever it was typed.
import QtQuick
import Provisio.Kiosk

KioskTextField {
    id: root

    // The canonical code (no dashes), as far as typed.
    readonly property string code: ActivationCode.normalize(text)
    readonly property bool complete: code.length === ActivationCode.length
    readonly property bool valid: complete && ActivationCode.isValid(code)
    // Empty unless the complete code fails its check.
    readonly property string problem: ActivationCode.problem(code)

    font.pixelSize: Theme.fontCode
    font.family: "monospace"
    font.letterSpacing: Math.round(2 * Theme.scale)
    horizontalAlignment: TextInput.AlignHCenter
    placeholderText: "XXXX-XXXX-XXXX-XXXX-X"
    inputMethodHints: Qt.ImhPreferUppercase | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                      | Qt.ImhSensitiveData
    // 17 characters and 4 dashes; a longer paste is trimmed by reformat().
    maximumLength: 64

    onTextEdited: reformat()

    function reformat() {
        const formatted = ActivationCode.format(text);
        if (formatted === text)
            return;
        const caret = ActivationCode.formattedCursor(text, cursorPosition);
        text = formatted;
        cursorPosition = Math.min(caret, formatted.length);
    }
}
