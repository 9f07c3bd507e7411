// SPDX-License-Identifier: Apache-2.0
// Languages: the German translation loads and every screen speaks it, the
// picker switches back, a language without a translation changes nothing.
import QtQuick
import QtTest
import Provisio.Kiosk

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        name: "Language"
        when: windowShown

        Component {
            id: welcomeComponent
            WelcomeScreen { width: 800; height: 428; serial: "SN-1" }
        }
        Component {
            id: progressComponent
            ProgressScreen { width: 800; height: 428; failed: true; errorKind: "lockout"; serial: "SN-1" }
        }

        function cleanup() {
            Language.setLanguage("en");
        }

        function test_germanLoadsAndThePickerSwitchesBack() {
            compare(Language.available, ["en", "de"]);
            const screen = createTemporaryObject(welcomeComponent, scene);
            compare(screen.title, "Welcome");
            const german = findChild(screen, "language_de");
            compare(german.text, "Deutsch");
            mouseClick(german);
            compare(Language.current, "de");
            compare(Language.keyboardLocale, "de_DE");
            compare(screen.title, "Willkommen");
            compare(findChild(screen, "startButton").text, "Aktivierungscode eingeben");
            verify(findChild(screen, "language_de").primary, "the current language is marked");
            mouseClick(findChild(screen, "language_en"));
            compare(Language.current, "en");
            compare(screen.title, "Welcome");
        }

        function test_germanPluralsAndCountdowns() {
            Language.setLanguage("de");
            const screen = createTemporaryObject(progressComponent, scene, { retryAfterSeconds: 75 });
            screen.armNextStep();
            compare(findChild(screen, "editButton").text, "Code erneut eingeben");
            compare(findChild(screen, "nextStepMessage").text,
                    "Sie können den Aktivierungscode in 1:15 erneut eingeben.");
        }

        function test_unknownLanguageChangesNothing() {
            ignoreWarning(/no translation for language/);
            verify(!Language.setLanguage("xx"));
            compare(Language.current, "en");
        }
    }
}
