<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ActivationCodeField</name>
    <message>
        <location filename="../ActivationCodeField.qml" line="+29"/>
        <source>Activation code</source>
        <translation>Aktivierungscode</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>17 characters; the dashes are added for you</source>
        <translation>17 Zeichen; die Bindestriche werden automatisch eingefügt</translation>
    </message>
</context>
<context>
    <name>CameraFeed</name>
    <message>
        <location filename="../CameraFeed.qml" line="+65"/>
        <source>The camera cannot be used: %1</source>
        <translation>Die Kamera kann nicht verwendet werden: %1</translation>
    </message>
</context>
<context>
    <name>CodeKeypad</name>
    <message>
        <location filename="../CodeKeypad.qml" line="+41"/>
        <source>Activation code keypad</source>
        <translation>Tastenfeld für den Aktivierungscode</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Delete the last character</source>
        <translation>Letztes Zeichen löschen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Activate</source>
        <translation>Aktivieren</translation>
    </message>
</context>
<context>
    <name>DashboardScreen</name>
    <message>
        <location filename="../DashboardScreen.qml" line="+34"/>
        <source>Your device</source>
        <translation>Ihr Gerät</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+1"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Humidity</source>
        <translation>Luftfeuchtigkeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Air pressure</source>
        <translation>Luftdruck</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Processor temperature</source>
        <translation>Prozessortemperatur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load (1 min)</source>
        <translation>Last (1 min)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load (5 min)</source>
        <translation>Last (5 min)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load (15 min)</source>
        <translation>Last (15 min)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Free memory</source>
        <translation>Freier Speicher</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measured at</source>
        <translation>Gemessen um</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Reading interval</source>
        <translation>Messintervall</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Working normally, connected to %1.</source>
        <translation>Alles in Ordnung, verbunden mit %1.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connecting to %1… Readings wait on the device meanwhile.</source>
        <translation>Verbindung mit %1 wird hergestellt … Die Messwerte warten so lange auf dem Gerät.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not connected. Readings wait on the device and are sent later.</source>
        <translation>Nicht verbunden. Die Messwerte warten auf dem Gerät und werden später gesendet.</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n reading(s) were lost: the device&apos;s queue was full.</source>
        <translation>
            <numerusform>%n Messwert ging verloren: Die Warteschlange des Geräts war voll.</numerusform>
            <numerusform>%n Messwerte gingen verloren: Die Warteschlange des Geräts war voll.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+142"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location line="-132"/>
        <source>No readings yet. They appear here as soon as the device measures.</source>
        <translation>Noch keine Messwerte. Sie erscheinen hier, sobald das Gerät misst.</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>A new reading every %1.</source>
        <translation>Ein neuer Messwert alle %1.</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting on the device</source>
        <translation>Wartend auf dem Gerät</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lost (queue full)</source>
        <translation>Verloren (Warteschlange voll)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last reading</source>
        <translation>Letzte Messung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings from the back office</source>
        <translation>Einstellungen vom Anbieter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device ID</source>
        <translation>Geräte-ID</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Nothing yet</source>
        <translation>Noch nichts</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
</context>
<context>
    <name>KeyEntryScreen</name>
    <message>
        <location filename="../KeyEntryScreen.qml" line="+36"/>
        <source>Enter the full key</source>
        <translation>Vollständigen Schlüssel eingeben</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Enter your activation code</source>
        <translation>Aktivierungscode eingeben</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>Complete. Tap Activate or ↵.</source>
        <translation>Vollständig. Tippen Sie auf „Aktivieren“ oder ↵.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The 17 characters of the activation code on your card. The dashes are added for you.</source>
        <translation>Die 17 Zeichen des Aktivierungscodes auf Ihrer Karte. Die Bindestriche werden automatisch eingefügt.</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n more character(s) to go.</source>
        <translation>
            <numerusform>Noch %n Zeichen.</numerusform>
            <numerusform>Noch %n Zeichen.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Sends the activation code and sets the device up</source>
        <translation>Sendet den Aktivierungscode und richtet das Gerät ein</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Activate</source>
        <translation>Aktivieren</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>I have a full key</source>
        <translation>Vollständiger Schlüssel</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Scan the card&apos;s QR code</source>
        <translation>QR-Code der Karte scannen</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+8"/>
        <source>ID scope</source>
        <translation>ID-Bereich (ID Scope)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. 0ne00000A0A</source>
        <translation>z. B. 0ne00000A0A</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+8"/>
        <source>Registration ID</source>
        <translation>Registrierungs-ID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. sn-0001</source>
        <translation>z. B. sn-0001</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+8"/>
        <source>Symmetric key</source>
        <translation>Symmetrischer Schlüssel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>base64, as shown by the back office</source>
        <translation>Base64, wie vom Anbieter angezeigt</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Set up</source>
        <translation>Einrichten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Use a code instead</source>
        <translation>Stattdessen einen Code verwenden</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Use the card&apos;s service?</source>
        <translation>Den Dienst der Karte verwenden?</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This card was issued by %1, but this device is set up to use %2.</source>
        <translation>Diese Karte wurde von %1 ausgestellt, dieses Gerät ist aber für %2 eingerichtet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This card was issued by %1. This device has no service set yet.</source>
        <translation>Diese Karte wurde von %1 ausgestellt. Für dieses Gerät ist noch kein Dienst eingestellt.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Use the card&apos;s</source>
        <translation>Den der Karte</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Keep the current one</source>
        <translation>Den bisherigen behalten</translation>
    </message>
</context>
<context>
    <name>KioskHeader</name>
    <message>
        <location filename="../KioskHeader.qml" line="+28"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hold to open the settings</source>
        <translation>Gedrückt halten, um die Einstellungen zu öffnen</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Serial %1</source>
        <translation>Seriennummer %1</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../Main.qml" line="+63"/>
        <source>Provisio</source>
        <translation>Provisio</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message numerus="yes">
        <location filename="../PinPad.qml" line="+58"/>
        <source>PIN: %n digit(s) typed</source>
        <translation>
            <numerusform>PIN: %n Ziffer eingegeben</numerusform>
            <numerusform>PIN: %n Ziffern eingegeben</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Erase</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Erase the last digit</source>
        <translation>Letzte Ziffer löschen</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>ProgressScreen</name>
    <message>
        <location filename="../ProgressScreen.qml" line="+70"/>
        <source>Setup did not finish</source>
        <translation>Einrichtung nicht abgeschlossen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Setting up this device</source>
        <translation>Gerät wird eingerichtet</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Something went wrong.</source>
        <translation>Etwas ist schiefgegangen.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Check the activation code on the card and type it again. If the next code is wrong too, the device has to wait before it can try again.</source>
        <translation>Prüfen Sie den Aktivierungscode auf der Karte und geben Sie ihn erneut ein. Ist auch der nächste Code falsch, muss das Gerät warten, bevor es wieder versuchen kann.</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Check the activation code on the card and type it again. %n more wrong code(s) before the device has to wait.</source>
        <translation>
            <numerusform>Prüfen Sie den Aktivierungscode auf der Karte und geben Sie ihn erneut ein. Noch %n falscher Code, bevor das Gerät warten muss.</numerusform>
            <numerusform>Prüfen Sie den Aktivierungscode auf der Karte und geben Sie ihn erneut ein. Noch %n falsche Codes, bevor das Gerät warten muss.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the activation code on the card and type it again.</source>
        <translation>Prüfen Sie den Aktivierungscode auf der Karte und geben Sie ihn erneut ein.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>You can type the activation code again in %1.</source>
        <translation>Sie können den Aktivierungscode in %1 erneut eingeben.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You can type the activation code again now.</source>
        <translation>Sie können den Aktivierungscode jetzt erneut eingeben.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The device tries again by itself in %1.</source>
        <translation>Das Gerät versucht es in %1 automatisch erneut.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trying again…</source>
        <translation>Neuer Versuch …</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ask your provider to enable it. The device checks again by itself in %1.</source>
        <translation>Bitten Sie Ihren Anbieter, es freizuschalten. Das Gerät prüft in %1 automatisch erneut.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Checking again…</source>
        <translation>Erneute Prüfung …</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>If you contact support, give serial %1 and reference %2.</source>
        <translation>Nennen Sie dem Support die Seriennummer %1 und die Referenz %2.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>If you contact support, give serial %1.</source>
        <translation>Nennen Sie dem Support die Seriennummer %1.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Try now</source>
        <translation>Jetzt versuchen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check now</source>
        <translation>Jetzt prüfen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Try again</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Type the code again</source>
        <translation>Code erneut eingeben</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>done</source>
        <translation>erledigt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>in progress</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not started</source>
        <translation>noch nicht begonnen</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>Provisio::Kiosk::ActivationCodeInput</name>
    <message>
        <location filename="../activationcodeinput.cpp" line="+101"/>
        <source>This code does not check out: a character was probably mistyped. Compare it with your activation card.</source>
        <translation>Dieser Code ist nicht stimmig: Wahrscheinlich wurde ein Zeichen falsch eingegeben. Vergleichen Sie ihn mit Ihrer Aktivierungskarte.</translation>
    </message>
</context>
<context>
    <name>Provisio::Kiosk::ActivationQr</name>
    <message>
        <location filename="../activationqr.cpp" line="+36"/>
        <source>This QR code is not a Provisio activation card.</source>
        <translation>Dieser QR-Code gehört nicht zu einer Provisio-Aktivierungskarte.</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>This card&apos;s QR code does not say which device it is for. Type the code printed on the card instead.</source>
        <translation>Der QR-Code dieser Karte nennt kein Gerät. Geben Sie stattdessen den aufgedruckten Code ein.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This card&apos;s QR code holds no activation code. Type the code printed on the card instead.</source>
        <translation>Der QR-Code dieser Karte enthält keinen Aktivierungscode. Geben Sie stattdessen den aufgedruckten Code ein.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This card is for device %1; this device is %2.</source>
        <translation>Diese Karte ist für das Gerät %1; dieses Gerät ist %2.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The activation code in this QR code does not check out. Type the code printed on the card instead.</source>
        <translation>Der Aktivierungscode in diesem QR-Code ist nicht stimmig. Geben Sie stattdessen den aufgedruckten Code ein.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The service address in this QR code is not valid. Type the code printed on the card instead.</source>
        <translation>Die Dienstadresse in diesem QR-Code ist ungültig. Geben Sie stattdessen den aufgedruckten Code ein.</translation>
    </message>
</context>
<context>
    <name>Provisio::Kiosk::DeviceController</name>
    <message>
        <location filename="../../device-kiosk/core/devicecontroller.cpp" line="+144"/>
        <source>The address of the provisioning service is not valid. It looks like https://host:port.</source>
        <translation>Die Adresse des Bereitstellungsdienstes ist ungültig. Sie hat die Form https://host:port.</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+203"/>
        <location line="+81"/>
        <source>The device cannot save its settings. Its storage may be full or read-only.</source>
        <translation>Das Gerät kann seine Einstellungen nicht speichern. Der Speicher ist möglicherweise voll oder schreibgeschützt.</translation>
    </message>
    <message>
        <location line="-264"/>
        <location line="+6"/>
        <location line="+406"/>
        <source>The device cannot use its storage. Restart it; if that does not help, contact your provider.</source>
        <translation>Das Gerät kann seinen Speicher nicht verwenden. Starten Sie es neu; wenn das nicht hilft, wenden Sie sich an Ihren Anbieter.</translation>
    </message>
    <message>
        <location line="-394"/>
        <source>The device has no place to keep its settings. Contact your provider.</source>
        <translation>Das Gerät hat keinen Platz für seine Einstellungen. Wenden Sie sich an Ihren Anbieter.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The device&apos;s stored setup is damaged. Reset the device and set it up again.</source>
        <translation>Die gespeicherte Einrichtung des Geräts ist beschädigt. Setzen Sie das Gerät zurück und richten Sie es neu ein.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The device&apos;s stored connection is damaged. Set the device up again.</source>
        <translation>Die gespeicherte Verbindung des Geräts ist beschädigt. Richten Sie das Gerät neu ein.</translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+202"/>
        <source>Assigned to %1</source>
        <translation>%1 zugewiesen</translation>
    </message>
    <message>
        <location line="-201"/>
        <location line="+347"/>
        <source>Connecting to %1</source>
        <translation>Verbindung mit %1 wird hergestellt</translation>
    </message>
    <message>
        <location line="-301"/>
        <source>This device is already set up. Reset it first to use another code.</source>
        <translation>Dieses Gerät ist bereits eingerichtet. Setzen Sie es zuerst zurück, um einen anderen Code zu verwenden.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>This device is already set up. Reset it first to use another key.</source>
        <translation>Dieses Gerät ist bereits eingerichtet. Setzen Sie es zuerst zurück, um einen anderen Schlüssel zu verwenden.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Full key entered</source>
        <translation>Vollständiger Schlüssel eingegeben</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Cannot save the device&apos;s credentials</source>
        <translation>Die Zugangsdaten des Geräts können nicht gespeichert werden</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>This device cannot set itself up again: it has no stored credentials. Reset it and enter a new activation code.</source>
        <translation>Dieses Gerät kann sich nicht erneut einrichten, da keine Zugangsdaten gespeichert sind. Setzen Sie es zurück und geben Sie einen neuen Aktivierungscode ein.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Using the stored credentials</source>
        <translation>Gespeicherte Zugangsdaten werden verwendet</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Checking the activation code</source>
        <translation>Aktivierungscode wird geprüft</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Activation code accepted</source>
        <translation>Aktivierungscode akzeptiert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Registering with the provisioning service</source>
        <translation>Anmeldung beim Bereitstellungsdienst</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Waiting for a hub to be assigned</source>
        <translation>Warten auf die Zuweisung eines Hubs</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Registered</source>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Cannot save the connection</source>
        <translation>Die Verbindung kann nicht gespeichert werden</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>The device could not forget everything it stored. Reset it again.</source>
        <translation>Das Gerät konnte nicht alle gespeicherten Daten löschen. Setzen Sie es erneut zurück.</translation>
    </message>
    <message>
        <location line="+116"/>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reporting the device as provisioned</source>
        <translation>Gerät wird als eingerichtet gemeldet</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reconnecting to %1</source>
        <translation>Verbindung mit %1 wird wiederhergestellt</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reported as provisioned</source>
        <translation>Als eingerichtet gemeldet</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cannot reach %1 yet (attempt %2); retrying</source>
        <translation>%1 ist noch nicht erreichbar (Versuch %2); neuer Versuch folgt</translation>
    </message>
    <message>
        <location line="+33"/>
        <location line="+8"/>
        <source>The hub refused the device</source>
        <translation>Der Hub hat das Gerät abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The hub no longer accepts this device. Reset it and set it up again with a new activation code.</source>
        <translation>Der Hub akzeptiert dieses Gerät nicht mehr. Setzen Sie es zurück und richten Sie es mit einem neuen Aktivierungscode neu ein.</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>The device cannot store its readings. Its storage may be full.</source>
        <translation>Das Gerät kann seine Messwerte nicht speichern. Der Speicher ist möglicherweise voll.</translation>
    </message>
</context>
<context>
    <name>Provisio::Kiosk::KioskDevice</name>
    <message>
        <location filename="../kioskdevice.cpp" line="+51"/>
        <source>Checking the activation code</source>
        <translation>Aktivierungscode wird geprüft</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Registering the device</source>
        <translation>Gerät wird angemeldet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Getting a hub assigned</source>
        <translation>Hub wird zugewiesen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Connecting to the hub</source>
        <translation>Verbindung mit dem Hub</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reporting that it is ready</source>
        <translation>Betriebsbereitschaft wird gemeldet</translation>
    </message>
    <message>
        <location line="+162"/>
        <source>That is not a complete activation code: it has 17 characters, printed in groups as XXXX-XXXX-XXXX-XXXX-X on your card.</source>
        <translation>Das ist kein vollständiger Aktivierungscode: Er hat 17 Zeichen, auf Ihrer Karte in Gruppen als XXXX-XXXX-XXXX-XXXX-X gedruckt.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Enter the ID scope.</source>
        <translation>Geben Sie den ID-Bereich ein.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The ID scope has only letters and digits.</source>
        <translation>Der ID-Bereich besteht nur aus Buchstaben und Ziffern.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter the registration ID.</source>
        <translation>Geben Sie die Registrierungs-ID ein.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The registration ID is not valid: %1.</source>
        <translation>Die Registrierungs-ID ist ungültig: %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter the key.</source>
        <translation>Geben Sie den Schlüssel ein.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The key is not valid: it is a base64 text of at least 24 characters.</source>
        <translation>Der Schlüssel ist ungültig: Er ist ein Base64-Text mit mindestens 24 Zeichen.</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Enter the middleware address, for example https://provisio.example:8443.</source>
        <translation>Geben Sie die Adresse der Middleware ein, zum Beispiel https://provisio.example:8443.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The address must start with https:// followed by a host name, for example https://provisio.example:8443.</source>
        <translation>Die Adresse muss mit https:// und einem Hostnamen beginnen, zum Beispiel https://provisio.example:8443.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The address has no path: only https://host:port.</source>
        <translation>Die Adresse hat keinen Pfad: nur https://host:port.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The address has no user, query or fragment: only https://host:port.</source>
        <translation>Die Adresse hat keinen Benutzer, keine Abfrage und kein Fragment: nur https://host:port.</translation>
    </message>
</context>
<context>
    <name>Provisio::Kiosk::ProvisioningClient</name>
    <message>
        <location filename="../../device-kiosk/core/provisioningclient.cpp" line="+36"/>
        <source>This activation code is not valid. Check it for typos, or ask your provider for a new one.</source>
        <translation>Dieser Aktivierungscode ist ungültig. Prüfen Sie ihn auf Tippfehler oder fragen Sie Ihren Anbieter nach einem neuen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot reach the provisioning service. Check the network connection.</source>
        <translation>Der Bereitstellungsdienst ist nicht erreichbar. Prüfen Sie die Netzwerkverbindung.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This device could not be set up. Try again later; if it keeps failing, contact your provider.</source>
        <translation>Dieses Gerät konnte nicht eingerichtet werden. Versuchen Sie es später erneut; wenn es weiterhin fehlschlägt, wenden Sie sich an Ihren Anbieter.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Too many attempts. Wait 1 second, then try again.</source>
        <translation>Zu viele Versuche. Warten Sie 1 Sekunde und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many attempts. Wait %1 seconds, then try again.</source>
        <translation>Zu viele Versuche. Warten Sie %1 Sekunden und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Too many attempts. Wait 1 minute, then try again.</source>
        <translation>Zu viele Versuche. Warten Sie 1 Minute und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many attempts. Wait %1 minutes, then try again.</source>
        <translation>Zu viele Versuche. Warten Sie %1 Minuten und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Setting up the device is taking too long. Check the network connection, then try again.</source>
        <translation>Die Einrichtung dauert zu lange. Prüfen Sie die Netzwerkverbindung und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <location line="+175"/>
        <source>This device has been disabled by your provider.</source>
        <translation>Dieses Gerät wurde von Ihrem Anbieter gesperrt.</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>This device is not accepted by the provisioning service. Ask your provider to check its enrollment.</source>
        <translation>Der Bereitstellungsdienst akzeptiert dieses Gerät nicht. Bitten Sie Ihren Anbieter, die Registrierung zu prüfen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The provisioning service has a problem. Try again in a few minutes.</source>
        <translation>Der Bereitstellungsdienst hat ein Problem. Versuchen Sie es in einigen Minuten erneut.</translation>
    </message>
</context>
<context>
    <name>ScanView</name>
    <message>
        <location filename="../ScanView.qml" line="+70"/>
        <source>No camera is connected. Type the code printed on the card instead.</source>
        <translation>Es ist keine Kamera angeschlossen. Geben Sie stattdessen den aufgedruckten Code ein.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Hold the card&apos;s QR code inside this square</source>
        <translation>Halten Sie den QR-Code der Karte in dieses Quadrat</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Hold the QR code on your activation card inside the square.</source>
        <translation>Halten Sie den QR-Code Ihrer Aktivierungskarte in das Quadrat.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Looking for the QR code…</source>
        <translation>QR-Code wird gesucht …</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>SettingsPinDialog</name>
    <message>
        <location filename="../SettingsPinDialog.qml" line="+19"/>
        <source>Too many wrong PINs. Try again in %1 s.</source>
        <translation>Zu viele falsche PINs. Versuchen Sie es in %1 s erneut.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Wrong PIN. 1 try left before the pad locks.</source>
        <translation>Falsche PIN. Noch 1 Versuch, bevor das Tastenfeld gesperrt wird.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wrong PIN. %1 tries left before the pad locks.</source>
        <translation>Falsche PIN. Noch %1 Versuche, bevor das Tastenfeld gesperrt wird.</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Settings PIN</source>
        <translation>Einstellungs-PIN</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The settings are for the installer. Enter the PIN to open them.</source>
        <translation>Die Einstellungen sind für den Installateur. Geben Sie die PIN ein, um sie zu öffnen.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>SettingsScreen</name>
    <message>
        <location filename="../SettingsScreen.qml" line="+29"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+11"/>
        <source>Middleware address</source>
        <translation>Adresse der Middleware</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Serial %1, device ID %2</source>
        <translation>Seriennummer %1, Geräte-ID %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Serial %1, not set up</source>
        <translation>Seriennummer %1, nicht eingerichtet</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reset device…</source>
        <translation>Gerät zurücksetzen …</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>About this device</source>
        <translation>Über dieses Gerät</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Serial number</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device ID</source>
        <translation>Geräte-ID</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not set up</source>
        <translation>nicht eingerichtet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>none yet</source>
        <translation>noch keiner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, reachable</source>
        <translation>%1, erreichbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, not reachable</source>
        <translation>%1, nicht erreichbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clock</source>
        <translation>Uhr</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Reset this device?</source>
        <translation>Dieses Gerät zurücksetzen?</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The device forgets its hub, its credentials and any messages not sent yet. It has to be set up again with a new activation code.</source>
        <translation>Das Gerät vergisst seinen Hub, seine Zugangsdaten und alle noch nicht gesendeten Nachrichten. Es muss mit einem neuen Aktivierungscode neu eingerichtet werden.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Keep</source>
        <translation>Behalten</translation>
    </message>
</context>
<context>
    <name>SuccessScreen</name>
    <message>
        <location filename="../SuccessScreen.qml" line="+16"/>
        <source>All set</source>
        <translation>Alles bereit</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1 is set up and connected.</source>
        <translation>%1 ist eingerichtet und verbunden.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This device is set up and connected.</source>
        <translation>Dieses Gerät ist eingerichtet und verbunden.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The activation code is used up now; keep the card for your records. The dashboard opens in a moment.</source>
        <translation>Der Aktivierungscode ist jetzt verbraucht; bewahren Sie die Karte für Ihre Unterlagen auf. Die Übersicht öffnet sich gleich.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Show the dashboard</source>
        <translation>Übersicht anzeigen</translation>
    </message>
</context>
<context>
    <name>WelcomeScreen</name>
    <message>
        <location filename="../WelcomeScreen.qml" line="+15"/>
        <source>Welcome</source>
        <translation>Willkommen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>This device is not set up yet.</source>
        <translation>Dieses Gerät ist noch nicht eingerichtet.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Serial number</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Find the activation card that came with the device, tap Enter activation code and type the 17 characters printed on it. The device then sets itself up.</source>
        <translation>Nehmen Sie die Aktivierungskarte, die dem Gerät beilag, tippen Sie auf „Aktivierungscode eingeben“ und geben Sie die 17 aufgedruckten Zeichen ein. Das Gerät richtet sich dann selbst ein.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Enter activation code</source>
        <translation>Aktivierungscode eingeben</translation>
    </message>
</context>
</TS>
