// SPDX-License-Identifier: Apache-2.0
// The activation code field as a person types into it: grouping, case,
// Crockford's look-alikes, stray characters, caret position, check character.
import QtQuick
import QtTest
import Provisio.Kiosk

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        id: testCase
        name: "ActivationCodeField"
        when: windowShown

        Component {
            id: fieldComponent
            ActivationCodeField { width: 700 }
        }

        function createField() {
            const field = createTemporaryObject(fieldComponent, scene);
            verify(field);
            field.forceActiveFocus();
            verify(field.activeFocus);
            return field;
        }

        function type(text) {
            for (let i = 0; i < text.length; ++i)
                keyClick(text[i]);
        }

        function test_groupsAsTyped_data() {
            return [
                { tag: "first group", typed: "98ES", shown: "98ES" },
                { tag: "dash after four", typed: "98ES6", shown: "98ES-6" },
                { tag: "complete", typed: "98ES67WCEWATZJSGG", shown: "98ES-67WC-EWAT-ZJSG-G" },
                { tag: "lower case", typed: "98es67wcewatzjsgg", shown: "98ES-67WC-EWAT-ZJSG-G" },
                { tag: "typed dashes", typed: "98ES-67WC-", shown: "98ES-67WC" },
                { tag: "spaces and symbols dropped", typed: "98 ES.67", shown: "98ES-67" },
                { tag: "I and L read as 1, O as 0", typed: "iLoO", shown: "1100" },
                { tag: "U is not a data character", typed: "AUB", shown: "AB" },
                { tag: "at most 17 characters", typed: "98ES67WCEWATZJSGGXYZ", shown: "98ES-67WC-EWAT-ZJSG-G" },
                { tag: "check-only symbol last", typed: "00000000000000AA$", shown: "0000-0000-0000-00AA-$" },
            ];
        }

        function test_groupsAsTyped(data) {
            const field = createField();
            type(data.typed);
            compare(field.text, data.shown);
            compare(field.cursorPosition, field.text.length, "the caret stays at the end");
            compare(field.code, data.shown.replace(/-/g, ""));
        }

        function test_validation_data() {
            return [
                { tag: "empty", typed: "", complete: false, valid: false, problem: false },
                { tag: "partial", typed: "98ES67", complete: false, valid: false, problem: false },
                { tag: "valid", typed: "98ES67WCEWATZJSGG", complete: true, valid: true, problem: false },
                { tag: "valid with aliases", typed: "iiLL222233334444g", complete: true, valid: true, problem: false },
                { tag: "wrong check character", typed: "98ES67WCEWATZJSGH", complete: true, valid: false, problem: true },
                { tag: "swapped characters", typed: "89ES67WCEWATZJSGG", complete: true, valid: false, problem: true },
            ];
        }

        function test_validation(data) {
            const field = createField();
            type(data.typed);
            compare(field.complete, data.complete);
            compare(field.valid, data.valid);
            compare(field.problem.length > 0, data.problem);
        }

        function test_insertInTheMiddleKeepsCaret() {
            const field = createField();
            type("98ES67WC");
            compare(field.text, "98ES-67WC");
            // Caret after "98": insert "X" -> 98XE S67W C
            field.cursorPosition = 2;
            keyClick("x");
            compare(field.text, "98XE-S67W-C");
            compare(field.cursorPosition, 3);
            // Backspace removes it again and the groups close up.
            keyClick(Qt.Key_Backspace);
            compare(field.text, "98ES-67WC");
            compare(field.cursorPosition, 2);
        }

        function test_backspaceOverDash() {
            const field = createField();
            type("98ES6");
            compare(field.text, "98ES-6");
            keyClick(Qt.Key_Backspace);
            compare(field.text, "98ES");
            compare(field.cursorPosition, 4);
        }

        function test_pasteIsCleanedUp() {
            const field = createField();
            field.insert(0, " 98es-67wc ewat zjsg g (from the card)");
            // insert() is not an edit by the user; the field formats on edits,
            // so reformat() is what a paste through the keyboard ends in.
            field.reformat();
            compare(field.text, "98ES-67WC-EWAT-ZJSG-G");
            verify(field.valid);
        }
    }
}
