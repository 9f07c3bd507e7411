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

    Accessible.name: qsTr("Activation code")
    Accessible.description: qsTr("17 characters; the dashes are added for you")

    onTextEdited: reformat()

    // The code keypad's keys: a character goes in at the caret (replacing a
    // selection), ⌫ takes out the character before it, dashes skipped.
    function typeCharacter(character: string) {
        let start = selectionStart;
        const end = selectionEnd;
        text = text.slice(0, start) + character + text.slice(end);
        cursorPosition = start + character.length;
        reformat();
    }
    function backspace() {
        if (selectionStart !== selectionEnd) {
            const start = selectionStart;
            text = text.slice(0, start) + text.slice(selectionEnd);
            cursorPosition = start;
            reformat();
            return;
        }
        let caret = cursorPosition;
        while (caret > 0 && text[caret - 1] === "-")
            --caret;
        if (caret === 0)
            return;
        text = text.slice(0, caret - 1) + text.slice(caret);
        cursorPosition = caret - 1;
        reformat();
    }

    function reformat() {
        const formatted = ActivationCode.format(text);
        if (formatted === text)
            return;
        const caret = ActivationCode.formattedCursor(text, cursorPosition);
        text = formatted;
        cursorPosition = Math.min(caret, formatted.length);
    }
}
