<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AppOptions</name>
    <message>
        <location filename="../app/appoptions.cpp" line="+20"/>
        <source>Middleware URL, e.g. https://provisio.example.com:8443.</source>
        <translation>Middleware-URL, z. B. https://provisio.example.com:8443.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>File holding the access token (pvs_…).</source>
        <translation>Datei mit dem Zugriffstoken (pvs_…).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>PEM file of the middleware&apos;s CA to trust.</source>
        <translation>PEM-Datei der Zertifizierungsstelle (CA) der Middleware, der vertraut wird.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Saved connection to open; with --url, the name to save that connection under.</source>
        <translation>Gespeicherte Verbindung, die geöffnet wird; mit --url der Name, unter dem diese Verbindung gespeichert wird.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Page to open: inventory, customers, enrollments, hubs, audit, access (service access, admins only) or overview.</source>
        <translation>Seite, die geöffnet wird: inventory, customers, enrollments, hubs, audit, access (Dienstzugriff, nur für Admins) oder overview.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open the details of the device with this serial.</source>
        <translation>Die Details des Geräts mit dieser Seriennummer öffnen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Language of the window for this run: en or de (default: the one chosen in View › Language, else the system&apos;s).</source>
        <translation>Sprache des Fensters für diesen Start: en oder de (Standard: die unter Ansicht › Sprache gewählte, sonst die des Systems).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Provisio CRM: inventory, customers, enrollments and hubs of a Provisio middleware.</source>
        <translation>Provisio CRM: Inventar, Kunden, Registrierungen und Hubs einer Provisio-Middleware.</translation>
    </message>
</context>
<context>
    <name>JsonDiff</name>
    <message>
        <location filename="../core/jsondiff.cpp" line="+20"/>
        <source>(none)</source>
        <translation>(keiner)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>added %1: %2</source>
        <translation>hinzugefügt %1: %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>removed %1: %2</source>
        <translation>entfernt %1: %2</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::AccessPoliciesModel</name>
    <message>
        <location filename="../core/accesspoliciesmodel.cpp" line="+41"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>For</source>
        <translation>Für</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Rights</source>
        <translation>Rechte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>Provisioning service</source>
        <translation>Provisionierungsdienst</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hub %1</source>
        <translation>Hub %1</translation>
    </message>
    <message>
        <location filename="../app/mainwindow.cpp" line="+175"/>
        <location filename="../core/accesspoliciesmodel.cpp" line="+36"/>
        <source>revoked %1</source>
        <translation>widerrufen %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../core/accesspoliciesmodel.cpp" line="+0"/>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ActivationCardFetcher</name>
    <message>
        <location filename="../cards/activationcardfetcher.cpp" line="+110"/>
        <source>no device with this serial in the inventory</source>
        <translation>kein Gerät mit dieser Seriennummer im Inventar</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>cannot read the customer: </source>
        <translation>Kunde kann nicht gelesen werden: </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>the device has no enrollment yet; create one first</source>
        <translation>das Gerät hat noch keine Registrierung; legen Sie zuerst eine an</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+7"/>
        <location line="+70"/>
        <source>cannot read the enrollment: </source>
        <translation>Registrierung kann nicht gelesen werden: </translation>
    </message>
    <message>
        <location line="-62"/>
        <source>cancelled; no code was issued</source>
        <translation>abgebrochen; es wurde kein Code ausgegeben</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>the middleware issued no activation code</source>
        <translation>die Middleware hat keinen Aktivierungscode ausgegeben</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>cannot issue an activation code: </source>
        <translation>Aktivierungscode kann nicht ausgegeben werden: </translation>
    </message>
    <message>
        <location line="+37"/>
        <source>the device has no enrollment</source>
        <translation>das Gerät hat keine Registrierung</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>this connection&apos;s role may not read keys; an operator or admin token is needed</source>
        <translation>die Rolle dieser Verbindung darf keine Schlüssel lesen; ein Operator- oder Admin-Token ist nötig</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ActivationCardRenderer</name>
    <message>
        <location filename="../cards/activationcardrenderer.cpp" line="+109"/>
        <source>Activate your device</source>
        <translation>Aktivieren Sie Ihr Gerät</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Activation code</source>
        <translation>Aktivierungscode</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Works once.</source>
        <translation>Gilt einmal.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Works once, until %1 (UTC).</source>
        <translation>Gilt einmal, bis %1 (UTC).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>On the device&apos;s screen tap Enter activation code, type the 17 characters of this activation code (the dashes come by themselves) and tap Activate, or scan the QR code with the device&apos;s camera. Keep this card private until the device is activated.</source>
        <translation>Tippen Sie auf dem Bildschirm des Geräts auf „Aktivierungscode eingeben“, geben Sie die 17 Zeichen dieses Aktivierungscodes ein (die Bindestriche kommen von selbst) und tippen Sie auf „Aktivieren“, oder scannen Sie den QR-Code mit der Kamera des Geräts. Halten Sie diese Karte geheim, bis das Gerät aktiviert ist.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Service </source>
        <translation>Dienst </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>  ·  ID scope </source>
        <translation>  ·  ID-Bereich </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Registration ID </source>
        <translation>Registrierungs-ID </translation>
    </message>
    <message>
        <location line="+10"/>
        <source>no QR code</source>
        <translation>kein QR-Code</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Scan on the device</source>
        <translation>Auf dem Gerät scannen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>there are no activation cards to print</source>
        <translation>es gibt keine Aktivierungskarten zum Drucken</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cards per page must be 1 to %1</source>
        <translation>Karten pro Seite müssen 1 bis %1 sein</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the card for &apos;%1&apos; has no activation code</source>
        <translation>die Karte für „%1“ hat keinen Aktivierungscode</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>cannot start drawing on the page</source>
        <translation>auf der Seite kann nicht gezeichnet werden</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>cannot start a new page</source>
        <translation>eine neue Seite kann nicht begonnen werden</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>cannot finish the pages</source>
        <translation>die Seiten können nicht abgeschlossen werden</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>no file name for the PDF</source>
        <translation>kein Dateiname für das PDF</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Activation cards</source>
        <translation>Aktivierungskarten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provisio CRM</source>
        <translation>Provisio CRM</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>cannot save %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ActivationCardsDialog</name>
    <message>
        <location filename="../cards/cardsdialog.cpp" line="+98"/>
        <location line="+262"/>
        <source>Activation cards</source>
        <translation>Aktivierungskarten</translation>
    </message>
    <message>
        <location line="-236"/>
        <source>%v of %m</source>
        <translation>%v von %m</translation>
    </message>
    <message>
        <location line="+7"/>
        <source> per A4 page</source>
        <translation> pro A4-Seite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cards per printed page; cut marks show where to cut</source>
        <translation>Karten pro gedruckter Seite; Schnittmarken zeigen, wo geschnitten wird</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+144"/>
        <source>Issue codes</source>
        <translation>Codes ausgeben</translation>
    </message>
    <message>
        <location line="-142"/>
        <source>Show full key…</source>
        <translation>Vollständigen Schlüssel zeigen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the selected device&apos;s ID scope, registration ID and symmetric key</source>
        <translation>ID-Bereich, Registrierungs-ID und symmetrischen Schlüssel des ausgewählten Geräts zeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print…</source>
        <translation>Drucken…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export PDF…</source>
        <translation>PDF exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Issuing activation codes: %1 of %2…</source>
        <translation>Aktivierungscodes werden ausgegeben: %1 von %2…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Cannot show the full key: </source>
        <translation>Der vollständige Schlüssel kann nicht gezeigt werden: </translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Select devices in the inventory first.</source>
        <translation>Wählen Sie zuerst Geräte im Inventar aus.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Each card carries a new one-time activation code. Issuing codes voids the earlier unused codes of %1, so cards printed before stop working.</source>
        <translation>Jede Karte trägt einen neuen einmaligen Aktivierungscode. Das Ausgeben von Codes macht die früheren unbenutzten Codes %1 ungültig; vorher gedruckte Karten funktionieren dann nicht mehr.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>this device</source>
        <translation>dieses Geräts</translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <source>these %n devices</source>
        <translation>
            <numerusform>dieses Geräts</numerusform>
            <numerusform>dieser %n Geräte</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Click Issue codes to make the cards.</source>
        <translation>Klicken Sie auf „Codes ausgeben“, um die Karten zu erstellen.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Issuing codes…</source>
        <translation>Codes werden ausgegeben…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 of %2 cards ready.</source>
        <translation>%1 von %2 Karten bereit.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> Stopped; the devices not reached keep their earlier codes.</source>
        <translation> Angehalten; die nicht erreichten Geräte behalten ihre früheren Codes.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> %1 failed; see the list.</source>
        <translation> %1 fehlgeschlagen; siehe Liste.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Issue new codes</source>
        <translation>Neue Codes ausgeben</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>No card for %1: %2</source>
        <translation>Keine Karte für %1: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Waiting for the code…</source>
        <translation>Warte auf den Code…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Saved %1 to %2.</source>
        <translation>%1 nach %2 gespeichert.</translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <source>%n card(s)</source>
        <translation>
            <numerusform>%n Karte</numerusform>
            <numerusform>%n Karten</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Could not export the PDF: </source>
        <translation>Das PDF konnte nicht exportiert werden: </translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Export activation cards</source>
        <translation>Aktivierungskarten exportieren</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Export PDF</source>
        <translation>PDF exportieren</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Could not print: </source>
        <translation>Drucken nicht möglich: </translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Stopping…</source>
        <translation>Wird angehalten…</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ApiCall</name>
    <message>
        <location filename="../core/apicall.cpp" line="+61"/>
        <location line="+22"/>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The middleware did not answer in time (%1)</source>
        <translation>Die Middleware hat nicht rechtzeitig geantwortet (%1)</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The middleware&apos;s answer to %1 is not valid JSON: %2</source>
        <translation>Die Antwort der Middleware auf %1 ist kein gültiges JSON: %2</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>The TLS handshake with the middleware failed: %1.</source>
        <translation>Der TLS-Handshake mit der Middleware ist fehlgeschlagen: %1.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot reach the middleware: %1</source>
        <translation>Die Middleware ist nicht erreichbar: %1</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ApiClient</name>
    <message>
        <location filename="../core/apiclient.cpp" line="+172"/>
        <source>No middleware connection is set up</source>
        <translation>Es ist keine Verbindung zu einer Middleware eingerichtet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The middleware URL must start with https://</source>
        <translation>Die Middleware-URL muss mit https:// beginnen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Invalid API path &apos;%1&apos;</source>
        <translation>Ungültiger API-Pfad „%1“</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>This address does not answer like a Provisio middleware</source>
        <translation>Diese Adresse antwortet nicht wie eine Provisio-Middleware</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The middleware named an unknown role; update the CRM desktop</source>
        <translation>Die Middleware nannte eine unbekannte Rolle; aktualisieren Sie das CRM</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ApiFailure</name>
    <message>
        <location filename="../core/apifailure.cpp" line="+29"/>
        <source>The middleware answered HTTP %1%2</source>
        <translation>Die Middleware antwortete mit HTTP %1%2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The middleware did not answer</source>
        <translation>Die Middleware hat nicht geantwortet</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ApiWord</name>
    <message>
        <location filename="../core/displayformat.cpp" line="+30"/>
        <location line="+19"/>
        <source>enabled</source>
        <translation>aktiviert</translation>
    </message>
    <message>
        <location line="-18"/>
        <location line="+19"/>
        <source>disabled</source>
        <translation>deaktiviert</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>assigned</source>
        <translation>zugewiesen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>assigning</source>
        <translation>wird zugewiesen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unassigned</source>
        <translation>nicht zugewiesen</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+20"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>created</source>
        <translation>angelegt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>changed</source>
        <translation>geändert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sold</source>
        <translation>verkauft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>returned to stock</source>
        <translation>ins Lager zurückgenommen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>activated</source>
        <translation>aktiviert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>activation code issued</source>
        <translation>Aktivierungscode ausgegeben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>key rotated</source>
        <translation>Schlüssel gewechselt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>revoked</source>
        <translation>widerrufen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>provisioned</source>
        <translation>provisioniert</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>enrollment</source>
        <translation>Registrierung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>enrollment group</source>
        <translation>Registrierungsgruppe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>registration</source>
        <translation>Anmeldung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>twin</source>
        <translation>Zwilling</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>access policy</source>
        <translation>Zugriffsrichtlinie</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>imported</source>
        <translation>importiert</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>keys regenerated</source>
        <translation>Schlüssel neu erzeugt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hub keys rotated</source>
        <translation>Hub-Schlüssel gewechselt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>queued</source>
        <translation>eingereiht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sent</source>
        <translation>gesendet</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>activation e-mail</source>
        <translation>Aktivierungs-E-Mail</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>message to the device</source>
        <translation>Nachricht an das Gerät</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>access token</source>
        <translation>Zugriffstoken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>webhook</source>
        <translation>Webhook</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::AuditModel</name>
    <message>
        <location filename="../core/auditmodel.cpp" line="+82"/>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Record</source>
        <translation>Datensatz</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::AuditPage</name>
    <message>
        <location filename="../app/auditpage.cpp" line="+27"/>
        <source>Si&amp;nce:</source>
        <translation>Se&amp;it:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Until:</source>
        <translation>&amp;Bis:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Audit log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>token:name, device:serial…</source>
        <translation>token:name, device:seriennr…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>id or serial</source>
        <translation>ID oder Seriennummer</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>any action</source>
        <translation>jede Aktion</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Anything</source>
        <translation>Alles</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+3"/>
        <source>yyyy-MM-dd HH:mm</source>
        <comment>QDateTimeEdit format of the audit filter</comment>
        <translation>dd.MM.yyyy HH:mm</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&amp;Actor:</source>
        <translation>&amp;Akteur:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A&amp;ction:</source>
        <translation>Ak&amp;tion:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Type:</source>
        <translation>T&amp;yp:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Id:</source>
        <translation>&amp;ID:</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Select an entry to see the record before and after the change.</source>
        <translation>Wählen Sie einen Eintrag, um den Datensatz vor und nach der Änderung zu sehen.</translation>
    </message>
    <message>
        <location line="+88"/>
        <source>&quot;Until&quot; must be later than &quot;Since&quot;; the filter was not changed.</source>
        <translation>„Bis“ muss nach „Seit“ liegen; der Filter wurde nicht geändert.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>No record data in this entry.</source>
        <translation>Keine Datensatzdaten in diesem Eintrag.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Nothing in the record changed.</source>
        <translation>Am Datensatz hat sich nichts geändert.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::BatchOperation</name>
    <message>
        <location filename="../app/batchoperation.cpp" line="+56"/>
        <source>could not be sent</source>
        <translation>konnte nicht gesendet werden</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>%1 failed.</source>
        <translation>%1 fehlgeschlagen.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>(and %1 more)</source>
        <translation>(und %1 weitere)</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::CardListModel</name>
    <message>
        <location filename="../cards/cardlistmodel.cpp" line="+109"/>
        <source>code issued, valid until %1</source>
        <translation>Code ausgegeben, gültig bis %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>code issued</source>
        <translation>Code ausgegeben</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Activation card</source>
        <translation>Aktivierungskarte</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::CertificateTrust</name>
    <message>
        <location filename="../core/certificatetrust.cpp" line="+21"/>
        <source>%1 did not complete a TLS handshake in time</source>
        <translation>%1 hat den TLS-Handshake nicht rechtzeitig abgeschlossen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Enter a URL such as https://host:8443</source>
        <translation>Geben Sie eine URL wie https://host:8443 ein</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The middleware URL must start with https://</source>
        <translation>Die Middleware-URL muss mit https:// beginnen</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Cannot get the certificate of %1: %2</source>
        <translation>Das Zertifikat von %1 kann nicht abgerufen werden: %2</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>yyyy-MM-dd HH:mm &apos;UTC&apos;</source>
        <translation>dd.MM.yyyy HH:mm &apos;UTC&apos;</translation>
    </message>
    <message>
        <location line="+8"/>
        <source> (it presented “%1”, issued by “%2”, SHA-256 %3)</source>
        <translation> (es legte „%1“ vor, ausgestellt von „%2“, SHA-256 %3)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The middleware&apos;s certificate is not signed by the CA this connection trusts%1. If the middleware&apos;s CA was replaced, compare the new CA&apos;s fingerprint with its operator and trust it again.</source>
        <translation>Das Zertifikat der Middleware ist nicht von der CA signiert, der diese Verbindung vertraut%1. Wurde die CA der Middleware ersetzt, vergleichen Sie den Fingerabdruck der neuen CA mit deren Betreiber und vertrauen Sie ihr erneut.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The middleware&apos;s certificate expired on %1. Its operator must renew it.</source>
        <translation>Das Zertifikat der Middleware ist am %1 abgelaufen. Ihr Betreiber muss es erneuern.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The middleware&apos;s certificate is valid only from %1. Check this computer&apos;s clock.</source>
        <translation>Das Zertifikat der Middleware gilt erst ab %1. Prüfen Sie die Uhr dieses Computers.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The middleware&apos;s certificate is not issued for %1 (it names %2). Connect with a name it covers, or have its operator add %1 (--tls-name).</source>
        <translation>Das Zertifikat der Middleware ist nicht für %1 ausgestellt (es nennt %2). Verbinden Sie sich mit einem Namen, den es abdeckt, oder lassen Sie den Betreiber %1 hinzufügen (--tls-name).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no host</source>
        <translation>kein Host</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The middleware&apos;s TLS certificate is not trusted: %1.</source>
        <translation>Dem TLS-Zertifikat der Middleware wird nicht vertraut: %1.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The file holds no PEM certificate</source>
        <translation>Die Datei enthält kein PEM-Zertifikat</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The certificate &apos;%1&apos; expired on %2</source>
        <translation>Das Zertifikat „%1“ ist am %2 abgelaufen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is too large for a CA certificate file</source>
        <translation>%1 ist zu groß für eine CA-Zertifikatsdatei</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ColumnMapping</name>
    <message>
        <location filename="../import/columnmapping.cpp" line="+55"/>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Manufacturer</source>
        <translation>Hersteller</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Batch</source>
        <translation>Charge</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delivery date</source>
        <translation>Lieferdatum</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer ID</source>
        <translation>Kunden-ID</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(ignore)</source>
        <translation>(ignorieren)</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>Choose the column that holds the serial numbers.</source>
        <translation>Wählen Sie die Spalte, die die Seriennummern enthält.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 is chosen for %2 columns; choose it for one only.</source>
        <translation>%1 ist für %2 Spalten gewählt; wählen Sie es nur für eine.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ConnectionDialog</name>
    <message>
        <location filename="../app/connectiondialog.cpp" line="+27"/>
        <source>&amp;Fetch the server&apos;s certificate</source>
        <translation>Zertifikat des Servers &amp;abrufen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use a CA &amp;file…</source>
        <translation>CA-&amp;Datei verwenden…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I compared this fingerprint with the server&apos;s and &amp;trust it</source>
        <translation>Ich habe diesen Fingerabdruck mit dem des Servers verglichen und &amp;vertraue ihm</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Connect to a Provisio middleware</source>
        <translation>Mit einer Provisio-Middleware verbinden</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+171"/>
        <source>pvs_… (from `provisio-middleware token create`)</source>
        <translation>pvs_… (aus `provisio-middleware token create`)</translation>
    </message>
    <message>
        <location line="-162"/>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saved &amp;connection:</source>
        <translation>Gespeicherte &amp;Verbindung:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Access token:</source>
        <translation>&amp;Zugriffstoken:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Server certificate</source>
        <translation>Serverzertifikat</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The middleware runs its own certificate authority. Compare the SHA-256 fingerprint below with the one its operator sees (&lt;tt&gt;openssl x509 -noout -fingerprint -sha256 -in DATA_DIR/tls/ca.crt&lt;/tt&gt;), or use the CA file the operator gave you.</source>
        <translation>Die Middleware betreibt ihre eigene Zertifizierungsstelle. Vergleichen Sie den SHA-256-Fingerabdruck unten mit dem, den ihr Betreiber sieht (&lt;tt&gt;openssl x509 -noout -fingerprint -sha256 -in DATA_DIR/tls/ca.crt&lt;/tt&gt;), oder verwenden Sie die CA-Datei, die Ihnen der Betreiber gegeben hat.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>New connection…</source>
        <translation>Neue Verbindung…</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The server did not send its CA certificate. Ask its operator for the CA file and use “Use a CA file…”.</source>
        <translation>Der Server hat sein CA-Zertifikat nicht gesendet. Fragen Sie seinen Betreiber nach der CA-Datei und verwenden Sie „CA-Datei verwenden…“.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>CA: %1
SHA-256: %2</source>
        <translation>CA: %1
SHA-256: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The certificate is also trusted by this system.</source>
        <translation>Diesem Zertifikat vertraut auch dieses System.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare the fingerprint, then tick the box to trust this CA.</source>
        <translation>Vergleichen Sie den Fingerabdruck und setzen Sie dann das Häkchen, um dieser CA zu vertrauen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not reach the server: %1</source>
        <translation>Der Server war nicht erreichbar: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The saved token of %1 could not be read (%2). Enter it again.</source>
        <translation>Das gespeicherte Token von %1 konnte nicht gelesen werden (%2). Geben Sie es erneut ein.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>CA from %1: %2
SHA-256: %3</source>
        <translation>CA aus %1: %2
SHA-256: %3</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Not checked yet.</source>
        <translation>Noch nicht geprüft.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Trusted CA, SHA-256: %1</source>
        <translation>Vertraute CA, SHA-256: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>saved (type a new token to replace it)</source>
        <translation>gespeichert (geben Sie ein neues Token ein, um es zu ersetzen)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Enter an https:// URL with a host first.</source>
        <translation>Geben Sie zuerst eine https://-URL mit Host ein.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Middleware CA certificate</source>
        <translation>CA-Zertifikat der Middleware</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certificates (*.crt *.pem *.cer);;All files (*)</source>
        <translation>Zertifikate (*.crt *.pem *.cer);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>CA loaded from %1.</source>
        <translation>CA aus %1 geladen.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Give the connection a name, e.g. the server&apos;s host.</source>
        <translation>Geben Sie der Verbindung einen Namen, z. B. den Host des Servers.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The URL must be https:// with a host, e.g. https://localhost:8443.</source>
        <translation>Die URL muss https:// mit einem Host sein, z. B. https://localhost:8443.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Trust the server&apos;s CA first: fetch its certificate and compare the fingerprint, or use a CA file.</source>
        <translation>Vertrauen Sie zuerst der CA des Servers: rufen Sie sein Zertifikat ab und vergleichen Sie den Fingerabdruck, oder verwenden Sie eine CA-Datei.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Checking the connection…</source>
        <translation>Verbindung wird geprüft…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Enter the access token.</source>
        <translation>Geben Sie das Zugriffstoken ein.</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The token was not accepted (revoked or mistyped).</source>
        <translation>Das Token wurde nicht angenommen (widerrufen oder vertippt).</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ConnectionStore</name>
    <message>
        <location filename="../core/connectionstore.cpp" line="+100"/>
        <source>Give the connection a name</source>
        <translation>Geben Sie der Verbindung einen Namen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The middleware URL must look like https://host:8443</source>
        <translation>Die Middleware-URL muss wie https://host:8443 aussehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The access token is empty or contains spaces or line breaks</source>
        <translation>Das Zugriffstoken ist leer oder enthält Leerzeichen oder Zeilenumbrüche</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The trusted CA is not usable: %1</source>
        <translation>Die vertraute CA ist nicht verwendbar: %1</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>No saved connection is called &apos;%1&apos;</source>
        <translation>Keine gespeicherte Verbindung heißt „%1“</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>No system keychain is available: the token is kept in an owner-only file in %1</source>
        <translation>Kein Schlüsselbund des Systems verfügbar: das Token liegt in einer nur für den Besitzer lesbaren Datei in %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The token is kept in the system keychain</source>
        <translation>Das Token liegt im Schlüsselbund des Systems</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Cannot create %1</source>
        <translation>%1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cannot write the token file %1: %2</source>
        <translation>Die Tokendatei %1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cannot write the token file %1</source>
        <translation>Die Tokendatei %1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The token of &apos;%1&apos; is in neither the keychain nor %2</source>
        <translation>Das Token von „%1“ ist weder im Schlüsselbund noch in %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 is readable by other users; revoke that token and save a new one</source>
        <translation>%1 ist für andere Benutzer lesbar; widerrufen Sie dieses Token und speichern Sie ein neues</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::CrmController</name>
    <message>
        <location filename="../app/crmcontroller.cpp" line="+63"/>
        <source>Selling to %1</source>
        <translation>Verkauf an %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Sold %1 of %2 device to %3.</source>
        <translation>%1 von %2 Gerät an %3 verkauft.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sold %1 of %2 devices to %3.</source>
        <translation>%1 von %2 Geräten an %3 verkauft.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Returning devices</source>
        <translation>Geräte werden zurückgenommen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Returned %1 of %2 device to stock.</source>
        <translation>%1 von %2 Gerät ins Lager zurückgenommen.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Returned %1 of %2 devices to stock.</source>
        <translation>%1 von %2 Geräten ins Lager zurückgenommen.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Adding device</source>
        <translation>Gerät wird hinzugefügt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saving device</source>
        <translation>Gerät wird gespeichert</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Device %1 added.</source>
        <translation>Gerät %1 hinzugefügt.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Device %1 saved.</source>
        <translation>Gerät %1 gespeichert.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Retiring device</source>
        <translation>Gerät wird ausgemustert</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1: disable its enrollment</source>
        <translation>%1: seine Registrierung deaktivieren</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Device %1 retired.</source>
        <translation>Gerät %1 ausgemustert.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Creating enrollments</source>
        <translation>Registrierungen werden angelegt</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+71"/>
        <source>no valid registration id (%1)</source>
        <translation>keine gültige Registrierungs-ID (%1)</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>Created %1 of %2 enrollment.</source>
        <translation>%1 von %2 Registrierung angelegt.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Created %1 of %2 enrollments.</source>
        <translation>%1 von %2 Registrierungen angelegt.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enabling enrollments</source>
        <translation>Registrierungen werden aktiviert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Disabling enrollments</source>
        <translation>Registrierungen werden deaktiviert</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Enabled %1 of %2 enrollment.</source>
        <translation>%1 von %2 Registrierung aktiviert.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Enabled %1 of %2 enrollments.</source>
        <translation>%1 von %2 Registrierungen aktiviert.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disabled %1 of %2 enrollment.</source>
        <translation>%1 von %2 Registrierung deaktiviert.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Disabled %1 of %2 enrollments.</source>
        <translation>%1 von %2 Registrierungen deaktiviert.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Regenerating keys</source>
        <translation>Schlüssel werden neu erzeugt</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>New keys for %1 of %2 enrollment.</source>
        <translation>Neue Schlüssel für %1 von %2 Registrierung.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New keys for %1 of %2 enrollments.</source>
        <translation>Neue Schlüssel für %1 von %2 Registrierungen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Deleting enrollments</source>
        <translation>Registrierungen werden gelöscht</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Deleted %1 of %2 enrollment.</source>
        <translation>%1 von %2 Registrierung gelöscht.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Deleted %1 of %2 enrollments.</source>
        <translation>%1 von %2 Registrierungen gelöscht.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>E-mailing activation cards</source>
        <translation>Aktivierungskarten werden gemailt</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Queued %1 of %2 activation e-mail; the device view shows its delivery.</source>
        <translation>%1 von %2 Aktivierungs-E-Mail eingereiht; die Geräteansicht zeigt ihre Zustellung.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queued %1 of %2 activation e-mails; the device view shows their delivery.</source>
        <translation>%1 von %2 Aktivierungs-E-Mails eingereiht; die Geräteansicht zeigt ihre Zustellung.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Creating customer</source>
        <translation>Kunde wird angelegt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saving customer</source>
        <translation>Kunde wird gespeichert</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Customer %1 created.</source>
        <translation>Kunde %1 angelegt.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer %1 saved.</source>
        <translation>Kunde %1 gespeichert.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Deleting customer</source>
        <translation>Kunde wird gelöscht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer %1 deleted.</source>
        <translation>Kunde %1 gelöscht.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Linking hub</source>
        <translation>Hub wird verknüpft</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saving hub</source>
        <translation>Hub wird gespeichert</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Hub %1 linked.</source>
        <translation>Hub %1 verknüpft.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hub %1 saved.</source>
        <translation>Hub %1 gespeichert.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Rotating hub key</source>
        <translation>Hub-Schlüssel wird gewechselt</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Hub %1 has a new signing key.</source>
        <translation>Hub %1 hat einen neuen Signaturschlüssel.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Creating access policy</source>
        <translation>Zugriffsrichtlinie wird angelegt</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Access policy %1 created.</source>
        <translation>Zugriffsrichtlinie %1 angelegt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Revoking access policy</source>
        <translation>Zugriffsrichtlinie wird widerrufen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Access policy %1 revoked.</source>
        <translation>Zugriffsrichtlinie %1 widerrufen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saving allocation policy</source>
        <translation>Zuteilungsrichtlinie wird gespeichert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>allocation policy</source>
        <translation>Zuteilungsrichtlinie</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Allocation policy saved.</source>
        <translation>Zuteilungsrichtlinie gespeichert.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Could not read the allocation policy: %1</source>
        <translation>Die Zuteilungsrichtlinie konnte nicht gelesen werden: %1</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::CsvPreviewModel</name>
    <message>
        <location filename="../import/csvpreviewmodel.cpp" line="+72"/>
        <source>File column &apos;%1&apos; is imported as %2</source>
        <translation>Dateispalte „%1“ wird als %2 importiert</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::CustomerDialog</name>
    <message>
        <location filename="../app/customerdialog.cpp" line="+26"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;E-mail:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Phone:</source>
        <translation>&amp;Telefon:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>N&amp;otes:</source>
        <translation>N&amp;otizen:</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>New customer</source>
        <translation>Neuer Kunde</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit customer</source>
        <translation>Kunde bearbeiten</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>A customer needs a name.</source>
        <translation>Ein Kunde braucht einen Namen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The e-mail address needs exactly one &apos;@&apos; and no spaces.</source>
        <translation>Die E-Mail-Adresse braucht genau ein „@“ und keine Leerzeichen.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::CustomersModel</name>
    <message>
        <location filename="../core/customersmodel.cpp" line="+38"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::CustomersPage</name>
    <message>
        <location filename="../app/customerspage.cpp" line="+14"/>
        <source>Customers</source>
        <translation>Kunden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search customers…</source>
        <translation>Kunden suchen…</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DeviceBatchJob</name>
    <message>
        <location filename="../app/devicebatchjob.cpp" line="+158"/>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancelled after %1 of %2 devices.</source>
        <translation>Abgebrochen nach %1 von %2 Geräten.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stopped after %1 of %2 devices: %3</source>
        <translation>Angehalten nach %1 von %2 Geräten: %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 could not be changed:</source>
        <translation>%1 konnten nicht geändert werden:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(and %1 more)</source>
        <translation>(und %1 weitere)</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DeviceDetail</name>
    <message>
        <location filename="../app/devicedetail.cpp" line="+95"/>
        <source>No device selected</source>
        <translation>Kein Gerät ausgewählt</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Timeline</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Twin</source>
        <translation>Zwilling</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Telemetry</source>
        <translation>Telemetrie</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Audit trail</source>
        <translation>Protokollspur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actions</source>
        <translation>Aktionen</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>%1 answered %2</source>
        <translation>%1 antwortete %2</translation>
    </message>
    <message>
        <location line="+33"/>
        <location line="+404"/>
        <source>&amp;Reveal keys</source>
        <translation>Schlüssel &amp;zeigen</translation>
    </message>
    <message>
        <location line="-401"/>
        <source>Copy primary</source>
        <translation>Primären kopieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy secondary</source>
        <translation>Sekundären kopieren</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enrollment</source>
        <translation>Registrierung</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Primary key:</source>
        <translation>Primärer Schlüssel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Secondary key:</source>
        <translation>Sekundärer Schlüssel:</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Registration and hub</source>
        <translation>Anmeldung und Hub</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>&amp;Save twin</source>
        <translation>Zwilling &amp;speichern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Re&amp;load</source>
        <translation>&amp;Neu laden</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Tags (back office only, never sent to the device):</source>
        <translation>Tags (nur Backoffice, werden nie an das Gerät gesendet):</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Desired properties (sent to the device):</source>
        <translation>Gewünschte Eigenschaften (werden an das Gerät gesendet):</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reported by the device (read-only):</source>
        <translation>Vom Gerät gemeldet (schreibgeschützt):</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>1 message</source>
        <translation>1 Nachricht</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 messages</source>
        <translation>%1 Nachrichten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading the history…</source>
        <translation>Verlauf wird geladen…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading the history: %1 of the latest %2…</source>
        <translation>Verlauf wird geladen: %1 der letzten %2…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Showing the latest %1 of %2; %3 not shown live — Reload history to see them.</source>
        <translation>Die letzten %1 von %2 werden gezeigt; %3 nicht live gezeigt – „Verlauf neu laden“ zeigt sie.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Showing the latest %1 of %2; new ones appear as they arrive.</source>
        <translation>Die letzten %1 von %2 werden gezeigt; neue erscheinen, sobald sie eintreffen.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Re&amp;load history</source>
        <translation>Verlauf neu &amp;laden</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Open in the audit log</source>
        <translation>Im Protokoll öffnen</translation>
    </message>
    <message>
        <location line="+23"/>
        <location line="+76"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location line="-75"/>
        <source>&amp;Invoke</source>
        <translation>&amp;Aufrufen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The device&apos;s answer appears here.</source>
        <translation>Die Antwort des Geräts erscheint hier.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Enable enrollment</source>
        <translation>Registrierung &amp;aktivieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Disable…</source>
        <translation>&amp;Deaktivieren…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>De&amp;provision…</source>
        <translation>De&amp;provisionieren…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Rotate hub key…</source>
        <translation>Hub-Schlüssel &amp;wechseln…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Rotate the &amp;group&apos;s hub keys…</source>
        <translation>Hub-Schlüssel der &amp;Gruppe wechseln…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Direct method</source>
        <translation>Direkte Methode</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Method:</source>
        <translation>&amp;Methode:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Payload (JSON):</source>
        <translation>&amp;Nutzdaten (JSON):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Timeout:</source>
        <translation>&amp;Zeitlimit:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Provisioning</source>
        <translation>Provisionierung</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Client address</source>
        <translation>Client-Adresse</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Unlock activation…</source>
        <translation>Aktivierung &amp;entsperren…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Failed activation attempts</source>
        <translation>Fehlgeschlagene Aktivierungsversuche</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Se&amp;nd message</source>
        <translation>Nachricht se&amp;nden</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expires</source>
        <translation>Läuft ab</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Message id</source>
        <translation>Nachrichten-ID</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cloud-to-device messages</source>
        <translation>Nachrichten an das Gerät</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pa&amp;yload (JSON):</source>
        <translation>Nutz&amp;daten (JSON):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time to &amp;live:</source>
        <translation>&amp;Lebensdauer:</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Manufacturer</source>
        <translation>Hersteller</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Batch</source>
        <translation>Charge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delivered</source>
        <translation>Geliefert</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+24"/>
        <location line="+72"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="-95"/>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not sold</source>
        <translation>nicht verkauft</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sold</source>
        <translation>Verkauft</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not enrolled. Create an enrollment from the inventory to give it keys and an activation code.</source>
        <translation>Nicht registriert. Legen Sie im Inventar eine Registrierung an, um ihm Schlüssel und einen Aktivierungscode zu geben.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Registration id</source>
        <translation>Registrierungs-ID</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+74"/>
        <source>Device id</source>
        <translation>Geräte-ID</translation>
    </message>
    <message>
        <location line="-72"/>
        <source>Allocation</source>
        <translation>Zuteilung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>instance default</source>
        <translation>Standard der Instanz</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+72"/>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <location line="-60"/>
        <source>(hidden)</source>
        <translation>(verborgen)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(none)</source>
        <translation>(keiner)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(viewers do not see keys)</source>
        <translation>(Betrachter sehen keine Schlüssel)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Hide keys</source>
        <translation>Schlüssel &amp;verbergen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Key copied to the clipboard.</source>
        <translation>Schlüssel in die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not registered yet: the device has not contacted the middleware.</source>
        <translation>Noch nicht angemeldet: das Gerät hat sich noch nicht bei der Middleware gemeldet.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>last seen %1</source>
        <translation>zuletzt gesehen %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>first assignment</source>
        <translation>erste Zuweisung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>moved to another hub, twin kept</source>
        <translation>auf einen anderen Hub verschoben, Zwilling behalten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>moved to another hub, twin reset</source>
        <translation>auf einen anderen Hub verschoben, Zwilling zurückgesetzt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>back on its first hub</source>
        <translation>zurück auf seinem ersten Hub</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Assignment</source>
        <translation>Zuweisung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device reports</source>
        <translation>Gerät meldet</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reported at</source>
        <translation>Gemeldet am</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Registered</source>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>desired v%1 · reported v%2 · %3</source>
        <translation>gewünscht v%1 · gemeldet v%2 · %3</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>presence unknown</source>
        <translation>Anwesenheit unbekannt</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>delivered to the hub</source>
        <translation>an den Hub zugestellt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>expired</source>
        <translation>abgelaufen</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>A method name is 1 to 128 characters without / + #.</source>
        <translation>Ein Methodenname hat 1 bis 128 Zeichen ohne / + #.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Waiting up to %1 s for %2 to answer…</source>
        <translation>Warte bis zu %1 s auf die Antwort von %2…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Disable %1</source>
        <translation>%1 deaktivieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disable the enrollment of %1? The device can no longer register, and if it is connected to its hub it is disconnected at once. Enable it again to undo.</source>
        <translation>Die Registrierung von %1 deaktivieren? Das Gerät kann sich nicht mehr anmelden, und ist es mit seinem Hub verbunden, wird es sofort getrennt. Aktivieren Sie sie wieder, um das rückgängig zu machen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Disable</source>
        <translation>Deaktivieren</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Rotate the hub key of %1</source>
        <translation>Hub-Schlüssel von %1 wechseln</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retire the key %1 uses on its hub? The hub disconnects it at once and refuses that key from then on, also a copy of it anyone else may hold. The device registers again by itself and gets a new key.</source>
        <translation>Den Schlüssel, den %1 an seinem Hub verwendet, stilllegen? Der Hub trennt das Gerät sofort und weist diesen Schlüssel ab jetzt ab, auch jede Kopie, die jemand anderes haben mag. Das Gerät meldet sich von selbst neu an und bekommt einen neuen Schlüssel.</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+19"/>
        <source>Rotate</source>
        <translation>Wechseln</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Rotate the hub keys of group %1</source>
        <translation>Hub-Schlüssel der Gruppe %1 wechseln</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retire the hub keys of every device of enrollment group %1? Their hubs disconnect them at once and refuse those keys from then on. Each device registers again by itself and gets a new key.</source>
        <translation>Die Hub-Schlüssel aller Geräte der Registrierungsgruppe %1 stilllegen? Ihre Hubs trennen sie sofort und weisen diese Schlüssel ab jetzt ab. Jedes Gerät meldet sich von selbst neu an und bekommt einen neuen Schlüssel.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Deprovision %1</source>
        <translation>%1 deprovisionieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deprovision %1? Its enrollment is disabled (it is disconnected from its hub and cannot register) and its registration is removed, so the hub assignment and twin are forgotten. The enrollment, its keys and the inventory record stay; enable the enrollment to let the device register from scratch.</source>
        <translation>%1 deprovisionieren? Seine Registrierung wird deaktiviert (es wird von seinem Hub getrennt und kann sich nicht anmelden) und seine Anmeldung wird entfernt, sodass Hub-Zuweisung und Zwilling vergessen werden. Registrierung, Schlüssel und Inventareintrag bleiben; aktivieren Sie die Registrierung, damit sich das Gerät von vorn anmelden kann.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Deprovision</source>
        <translation>Deprovisionieren</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>No activation card has been e-mailed for this device.</source>
        <translation>Für dieses Gerät wurde noch keine Aktivierungskarte gemailt.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Activation card e-mailed to &lt;b&gt;%1&lt;/b&gt; on %2.</source>
        <translation>Aktivierungskarte am %2 an &lt;b&gt;%1&lt;/b&gt; gemailt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(written to the middleware&apos;s outbox: no mail server is set up)</source>
        <translation>(in den Postausgang der Middleware geschrieben: kein Mailserver eingerichtet)</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>&lt;b&gt;The activation e-mail to %1 failed&lt;/b&gt; after %n attempt(s): %2</source>
        <translation>
            <numerusform>&lt;b&gt;Die Aktivierungs-E-Mail an %1 ist fehlgeschlagen&lt;/b&gt; nach %n Versuch: %2</numerusform>
            <numerusform>&lt;b&gt;Die Aktivierungs-E-Mail an %1 ist fehlgeschlagen&lt;/b&gt; nach %n Versuchen: %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Activation e-mail to %1 is waiting: %n attempt(s) failed (%2); next try %3.</source>
        <translation>
            <numerusform>Aktivierungs-E-Mail an %1 wartet: %n Versuch fehlgeschlagen (%2); nächster Versuch %3.</numerusform>
            <numerusform>Aktivierungs-E-Mail an %1 wartet: %n Versuche fehlgeschlagen (%2); nächster Versuch %3.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Activation e-mail to %1 is being sent.</source>
        <translation>Aktivierungs-E-Mail an %1 wird gesendet.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No failed activation attempts in the last 30 days.</source>
        <translation>Keine fehlgeschlagenen Aktivierungsversuche in den letzten 30 Tagen.</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n failed attempt(s) count against the activation limits; cleared ones are greyed.</source>
        <translation>
            <numerusform>%n fehlgeschlagener Versuch zählt gegen die Aktivierungsgrenzen; freigegebene sind ausgegraut.</numerusform>
            <numerusform>%n fehlgeschlagene Versuche zählen gegen die Aktivierungsgrenzen; freigegebene sind ausgegraut.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cleared %1</source>
        <translation>Freigegeben %1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Unlock activation of %1</source>
        <translation>Aktivierung von %1 entsperren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the failed activation attempts of %1? They no longer hold its activation back; they stay listed, and the unlock is audited.</source>
        <translation>Die fehlgeschlagenen Aktivierungsversuche von %1 freigeben? Sie halten seine Aktivierung dann nicht mehr auf; sie bleiben aufgelistet, und das Entsperren wird protokolliert.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DeviceDetailController</name>
    <message>
        <location filename="../app/devicedetailcontroller.cpp" line="+36"/>
        <source>Enrollment of %1: the middleware&apos;s answer is unreadable: %2</source>
        <translation>Registrierung von %1: die Antwort der Middleware ist unlesbar: %2</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Device %1: %2</source>
        <translation>Gerät %1: %2</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Enrollment of %1: %2</source>
        <translation>Registrierung von %1: %2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Activation e-mails of %1: %2</source>
        <translation>Aktivierungs-E-Mails von %1: %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Activation failures of %1: %2</source>
        <translation>Aktivierungsfehler von %1: %2</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>Activation of %1 unlocked: %n failed attempt(s) cleared.</source>
        <translation>
            <numerusform>Aktivierung von %1 entsperrt: %n fehlgeschlagener Versuch freigegeben.</numerusform>
            <numerusform>Aktivierung von %1 entsperrt: %n fehlgeschlagene Versuche freigegeben.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Unlocking failed: %1</source>
        <translation>Entsperren fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Registration of %1: %2</source>
        <translation>Anmeldung von %1: %2</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Cloud-to-device messages of %1: %2</source>
        <translation>Nachrichten an %1: %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+117"/>
        <source>The device has not registered yet.</source>
        <translation>Das Gerät hat sich noch nicht angemeldet.</translation>
    </message>
    <message>
        <location line="-107"/>
        <source>Message %1 queued for the device.</source>
        <translation>Nachricht %1 für das Gerät eingereiht.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The device already has 50 messages waiting; they leave the queue when its hub takes them or they expire.</source>
        <translation>Für das Gerät warten schon 50 Nachrichten; sie verlassen die Warteschlange, wenn sein Hub sie übernimmt oder sie ablaufen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sending the message failed: %1</source>
        <translation>Senden der Nachricht fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Twin of %1: %2</source>
        <translation>Zwilling von %1: %2</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The device has not registered yet; change the enrollment&apos;s initial twin instead.</source>
        <translation>Das Gerät hat sich noch nicht angemeldet; ändern Sie stattdessen den anfänglichen Zwilling der Registrierung.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Nothing changed in the twin.</source>
        <translation>Am Zwilling hat sich nichts geändert.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Twin of %1 saved; desired version %2.</source>
        <translation>Zwilling von %1 gespeichert; gewünschte Version %2.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The twin changed meanwhile (the device reported, or someone else saved). The latest version is loaded under your edit; check it and save again.</source>
        <translation>Der Zwilling hat sich inzwischen geändert (das Gerät hat gemeldet oder jemand anderes hat gespeichert). Die neueste Version ist unter Ihrer Änderung geladen; prüfen Sie sie und speichern Sie erneut.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saving the twin failed: %1</source>
        <translation>Speichern des Zwillings fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>%1: the device did not answer in time (offline, busy or not listening).</source>
        <translation>%1: das Gerät hat nicht rechtzeitig geantwortet (offline, beschäftigt oder hört nicht zu).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: the middleware is not connected to the device&apos;s hub right now; try again.</source>
        <translation>%1: die Middleware ist gerade nicht mit dem Hub des Geräts verbunden; versuchen Sie es erneut.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Enrollment of %1 enabled.</source>
        <translation>Registrierung von %1 aktiviert.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enrollment of %1 disabled: the device cannot register and is disconnected.</source>
        <translation>Registrierung von %1 deaktiviert: das Gerät kann sich nicht anmelden und ist getrennt.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enabling failed: %1</source>
        <translation>Aktivieren fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Disabling failed: %1</source>
        <translation>Deaktivieren fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Hub keys of group %1 rotated: the old keys are refused; its devices register again for new ones.</source>
        <translation>Hub-Schlüssel der Gruppe %1 gewechselt: die alten Schlüssel werden abgewiesen; ihre Geräte melden sich für neue erneut an.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Rotating the group&apos;s hub keys failed: %1</source>
        <translation>Wechsel der Hub-Schlüssel der Gruppe fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Hub key of %1 rotated: the old key is refused; the device registers again for a new one.</source>
        <translation>Hub-Schlüssel von %1 gewechselt: der alte Schlüssel wird abgewiesen; das Gerät meldet sich für einen neuen erneut an.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Rotating the hub key failed: %1</source>
        <translation>Wechsel des Hub-Schlüssels fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 deprovisioned: enrollment disabled and hub assignment removed.</source>
        <translation>%1 deprovisioniert: Registrierung deaktiviert und Hub-Zuweisung entfernt.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 deprovisioned: enrollment disabled (it had never registered).</source>
        <translation>%1 deprovisioniert: Registrierung deaktiviert (es hatte sich nie angemeldet).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The enrollment is disabled, but removing the registration failed: %1</source>
        <translation>Die Registrierung ist deaktiviert, aber das Entfernen der Anmeldung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Deprovisioning failed, nothing changed: %1</source>
        <translation>Deprovisionieren fehlgeschlagen, nichts geändert: %1</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DeviceDialog</name>
    <message>
        <location filename="../app/devicedialog.cpp" line="+37"/>
        <source>yyyy-MM-dd, e.g. %1</source>
        <translation>JJJJ-MM-TT, z. B. %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Serial:</source>
        <translation>&amp;Seriennummer:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Manu&amp;facturer:</source>
        <translation>Her&amp;steller:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Batch:</source>
        <translation>&amp;Charge:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Delivered on:</source>
        <translation>&amp;Geliefert am:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>N&amp;otes:</source>
        <translation>N&amp;otizen:</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Add device</source>
        <translation>Gerät hinzufügen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit device %1</source>
        <translation>Gerät %1 bearbeiten</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>A device needs its serial number.</source>
        <translation>Ein Gerät braucht seine Seriennummer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A serial has 1 to 64 letters, digits and - _ . : only.</source>
        <translation>Eine Seriennummer hat 1 bis 64 Buchstaben, Ziffern und nur - _ . :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write the delivery date as yyyy-MM-dd, e.g. %1.</source>
        <translation>Schreiben Sie das Lieferdatum als JJJJ-MM-TT, z. B. %1.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DeviceExport</name>
    <message>
        <location filename="../app/deviceexport.cpp" line="+20"/>
        <location line="+45"/>
        <location line="+27"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>The export stopped after %1 devices: %2</source>
        <translation>Der Export brach nach %1 Geräten ab: %2</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The middleware answered the same page twice; the export stopped after %1 devices.</source>
        <translation>Die Middleware lieferte dieselbe Seite zweimal; der Export brach nach %1 Geräten ab.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DeviceTimeline</name>
    <message>
        <location filename="../app/devicetimeline.cpp" line="+48"/>
        <source>&amp;Unlock activation…</source>
        <translation>Aktivierung &amp;entsperren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issue new &amp;card…</source>
        <translation>Neue &amp;Karte ausgeben…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What</source>
        <translation>Was</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Clear the failed activation attempts that hold this device&apos;s activation back</source>
        <translation>Die fehlgeschlagenen Aktivierungsversuche freigeben, die die Aktivierung dieses Geräts aufhalten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Issue a new activation code and print or export its card (the old code stops working)</source>
        <translation>Einen neuen Aktivierungscode ausgeben und seine Karte drucken oder exportieren (der alte Code gilt dann nicht mehr)</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>Delivered</source>
        <translation>Geliefert</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>batch %1</source>
        <translation>Charge %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sold</source>
        <translation>Verkauft</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enrolled</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>registration id %1</source>
        <translation>Registrierungs-ID %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Activation code issued</source>
        <translation>Aktivierungscode ausgegeben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>valid until %1, by %2</source>
        <translation>gültig bis %1, von %2</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+14"/>
        <source>by %1</source>
        <translation>von %1</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>Activated</source>
        <translation>Aktiviert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>the device exchanged its code for its keys</source>
        <translation>das Gerät hat seinen Code gegen seine Schlüssel getauscht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Activation unlocked</source>
        <translation>Aktivierung entsperrt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed attempts cleared by %1</source>
        <translation>fehlgeschlagene Versuche freigegeben von %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Twin changed</source>
        <translation>Zwilling geändert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 by %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 from %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> (cleared)</source>
        <translation> (freigegeben)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Activation attempt failed</source>
        <translation>Aktivierungsversuch fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Registered</source>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 on %2</source>
        <translation>%1 am %2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>last activity</source>
        <translation>letzte Aktivität</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>last seen</source>
        <translation>zuletzt gesehen</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>1 failed activation attempt counts against this device.</source>
        <translation>1 fehlgeschlagener Aktivierungsversuch zählt gegen dieses Gerät.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 failed activation attempts count against this device.</source>
        <translation>%1 fehlgeschlagene Aktivierungsversuche zählen gegen dieses Gerät.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DisplayFormat</name>
    <message>
        <location filename="../core/displayformat.cpp" line="-51"/>
        <source>yyyy-MM-dd HH:mm:ss.zzz t</source>
        <comment>QDateTime format with milliseconds and zone</comment>
        <translation>dd.MM.yyyy HH:mm:ss.zzz t</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yyyy-MM-dd HH:mm:ss t</source>
        <comment>QDateTime format with zone</comment>
        <translation>dd.MM.yyyy HH:mm:ss t</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>yyyy-MM-dd</source>
        <comment>QDate format of a calendar day</comment>
        <translation>dd.MM.yyyy</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::EnrollmentDialog</name>
    <message>
        <location filename="../app/enrollmentdialog.cpp" line="+21"/>
        <source>Enabled: the device may register at once</source>
        <translation>Aktiviert: das Gerät darf sich sofort anmelden</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Create enrollment</source>
        <translation>Registrierung anlegen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Create %1 enrollments</source>
        <translation>%1 Registrierungen anlegen</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>and %1 more</source>
        <translation>und %1 weitere</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Each device gets its own enrollment with new symmetric keys and a one-time activation code. The registration id is the serial in lower case.</source>
        <translation>Jedes Gerät bekommt seine eigene Registrierung mit neuen symmetrischen Schlüsseln und einem einmaligen Aktivierungscode. Die Registrierungs-ID ist die Seriennummer in Kleinbuchstaben.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Devices:</source>
        <translation>Geräte:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Tags (JSON):</source>
        <translation>&amp;Tags (JSON):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Desired properties (JSON):</source>
        <translation>&amp;Gewünschte Eigenschaften (JSON):</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Skipped, not valid as a registration id: %1</source>
        <translation>Übersprungen, als Registrierungs-ID ungültig: %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Create enrollments for all %1 matching devices</source>
        <translation>Registrierungen für alle %1 passenden Geräte anlegen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>All %1 devices the inventory filter matches, loaded or not. A device that has an enrollment already, or whose serial cannot be a registration id, is reported and skipped.</source>
        <translation>Alle %1 Geräte, auf die der Bestandsfilter passt, ob geladen oder nicht. Ein Gerät, das schon eine Registrierung hat oder dessen Seriennummer keine Registrierungs-ID sein kann, wird gemeldet und übersprungen.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Select at least one device.</source>
        <translation>Wählen Sie mindestens ein Gerät aus.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>None of the selected serials can be a registration id (letters, digits and - . _ : only), so there is nothing to enroll.</source>
        <translation>Keine der ausgewählten Seriennummern kann eine Registrierungs-ID sein (nur Buchstaben, Ziffern und - . _ :), also gibt es nichts zu registrieren.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Tags: %1</source>
        <translation>Tags: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Desired properties: %1</source>
        <translation>Gewünschte Eigenschaften: %1</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::EnrollmentsModel</name>
    <message>
        <location filename="../core/enrollmentsmodel.cpp" line="+52"/>
        <source>Registration id</source>
        <translation>Registrierungs-ID</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Device id</source>
        <translation>Geräte-ID</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Registration</source>
        <translation>Anmeldung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::EnrollmentsPage</name>
    <message>
        <location filename="../app/enrollmentspage.cpp" line="+18"/>
        <source>Enrollments</source>
        <translation>Registrierungen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enabled and disabled</source>
        <translation>Aktiviert und deaktiviert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enabled</source>
        <translation>Aktiviert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Serial (exact)</source>
        <translation>Seriennummer (genau)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;erial:</source>
        <translation>S&amp;eriennummer:</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::EventFeed</name>
    <message>
        <location filename="../core/eventfeed.cpp" line="+50"/>
        <source>The middleware has not answered for %1 s</source>
        <translation>Die Middleware hat seit %1 s nicht geantwortet</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>No middleware connection is set up</source>
        <translation>Es ist keine Verbindung zu einer Middleware eingerichtet</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The event feed is not connected: %1</source>
        <translation>Der Ereigniskanal ist nicht verbunden: %1</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>The middleware closed the event feed: %1</source>
        <translation>Die Middleware hat den Ereigniskanal geschlossen: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The event feed was disconnected</source>
        <translation>Der Ereigniskanal wurde getrennt</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::FullKeyDialog</name>
    <message>
        <location filename="../cards/cardsdialog.cpp" line="-347"/>
        <source>Full provisioning key</source>
        <translation>Vollständiger Provisionierungsschlüssel</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Anyone with this key can register as the device. Give it only to the person setting the device up, and prefer the activation card, whose code works once.</source>
        <translation>Wer diesen Schlüssel hat, kann sich als das Gerät anmelden. Geben Sie ihn nur der Person, die das Gerät einrichtet, und ziehen Sie die Aktivierungskarte vor, deren Code nur einmal gilt.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>ID scope</source>
        <translation>ID-Bereich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Registration ID</source>
        <translation>Registrierungs-ID</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Symmetric key</source>
        <translation>Symmetrischer Schlüssel</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Copy key</source>
        <translation>Schlüssel kopieren</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::HubDialog</name>
    <message>
        <location filename="../app/hubdialog.cpp" line="+27"/>
        <source>Share of new devices under hashed allocation; 0 takes none.</source>
        <translation>Anteil neuer Geräte bei gestreuter Zuteilung; 0 nimmt keine.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>host:port, only when devices dial another address</source>
        <translation>Host:Port, nur wenn Geräte eine andere Adresse wählen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Host:</source>
        <translation>&amp;Host:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Endpoint:</source>
        <translation>&amp;Endpunkt:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Region:</source>
        <translation>&amp;Region:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allocation &amp;weight:</source>
        <translation>Zuteilungs&amp;gewicht:</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Link a hub</source>
        <translation>Hub verknüpfen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit hub %1</source>
        <translation>Hub %1 bearbeiten</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>A hub needs a name (letters, digits, . _ -).</source>
        <translation>Ein Hub braucht einen Namen (Buchstaben, Ziffern, . _ -).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The host is the hub&apos;s name as devices see it, e.g. hub1.example.com.</source>
        <translation>Der Host ist der Name des Hubs, wie Geräte ihn sehen, z. B. hub1.example.com.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The endpoint must be host:port.</source>
        <translation>Der Endpunkt muss Host:Port sein.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::HubsModel</name>
    <message>
        <location filename="../core/hubsmodel.cpp" line="+32"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Region</source>
        <translation>Region</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Middleware link</source>
        <translation>Middleware-Verbindung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Replaced signing key</source>
        <translation>Ersetzter Signaturschlüssel</translation>
    </message>
    <message>
        <location filename="../app/hubspage.cpp" line="+80"/>
        <location filename="../core/hubsmodel.cpp" line="+25"/>
        <source>accepted until %1</source>
        <translation>angenommen bis %1</translation>
    </message>
    <message>
        <location filename="../core/hubsmodel.cpp" line="+1"/>
        <source>retired %1</source>
        <translation>stillgelegt %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>checking…</source>
        <translation>wird geprüft…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>connected since %1</source>
        <translation>verbunden seit %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not linked on this middleware</source>
        <translation>auf dieser Middleware nicht verknüpft</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not connected</source>
        <translation>nicht verbunden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not connected: %1</source>
        <translation>nicht verbunden: %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Whether this middleware is connected to the hub as its service identity; without it, twins, telemetry and direct methods of the hub&apos;s devices do not get through.</source>
        <translation>Ob diese Middleware als ihre Dienstidentität mit dem Hub verbunden ist; ohne das kommen Zwillinge, Telemetrie und direkte Methoden der Geräte des Hubs nicht durch.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::HubsPage</name>
    <message>
        <location filename="../app/hubspage.cpp" line="-55"/>
        <source>Allocation policy</source>
        <translation>Zuteilungsrichtlinie</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save &amp;policy</source>
        <translation>&amp;Richtlinie speichern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hubs &amp; allocation</source>
        <translation>Hubs und Zuteilung</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Hashed (weighted)</source>
        <translation>Gestreut (gewichtet)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lowest latency (region)</source>
        <translation>Geringste Latenz (Region)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Static (one hub)</source>
        <translation>Statisch (ein Hub)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Custom (webhook)</source>
        <translation>Eigene (Webhook)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Po&amp;licy:</source>
        <translation>Richt&amp;linie:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Static &amp;hub:</source>
        <translation>Statischer &amp;Hub:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Webhook URL:</source>
        <translation>&amp;Webhook-URL:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Webhook API &amp;version:</source>
        <translation>Webhook-API-&amp;Version:</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>Each device lands on a hub chosen by hashing its registration id, in proportion to the hubs&apos; weights. Adding a hub moves only its share.</source>
        <translation>Jedes Gerät landet auf einem Hub, der durch Streuung seiner Registrierungs-ID gewählt wird, im Verhältnis der Gewichte der Hubs. Ein neuer Hub verschiebt nur seinen Anteil.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Devices go to a hub in the region they declare when registering; without a match, hashed over all hubs.</source>
        <translation>Geräte gehen zu einem Hub in der Region, die sie bei der Anmeldung angeben; ohne Treffer gestreut über alle Hubs.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Every device goes to one hub.</source>
        <translation>Jedes Gerät geht zu einem Hub.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A webhook you run picks the hub (Azure DPS custom allocation functions work unchanged).</source>
        <translation>Ein Webhook, den Sie betreiben, wählt den Hub (Zuteilungsfunktionen von Azure DPS funktionieren unverändert).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Link a hub first.</source>
        <translation>Verknüpfen Sie zuerst einen Hub.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The webhook URL must be https://.</source>
        <translation>Die Webhook-URL muss https:// sein.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1: weight %2 (%3 %)</source>
        <translation>%1: Gewicht %2 (%3 %)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No hub is linked yet.</source>
        <translation>Noch kein Hub verknüpft.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of new devices under hashed allocation: %1</source>
        <translation>Anteil neuer Geräte bei gestreuter Zuteilung: %1</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ImportFilePage</name>
    <message>
        <location filename="../import/importwizard.cpp" line="+67"/>
        <source>Delivery file</source>
        <translation>Lieferdatei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pick the manufacturer&apos;s CSV file. Its first row must name the columns.</source>
        <translation>Wählen Sie die CSV-Datei des Herstellers. Ihre erste Zeile muss die Spalten benennen.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ImportJob</name>
    <message>
        <location filename="../import/importjob.cpp" line="+47"/>
        <source>has %1 fields; the header row has %2</source>
        <translation>hat %1 Felder; die Kopfzeile hat %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>serial is empty</source>
        <translation>Seriennummer ist leer</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>serial &apos;%1&apos; already appears in row %2</source>
        <translation>Seriennummer „%1“ steht schon in Zeile %2</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>rows %1 to %2 were not imported: %3</source>
        <translation>Zeilen %1 bis %2 wurden nicht importiert: %3</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>not imported: the import stopped before this row</source>
        <translation>nicht importiert: der Import endete vor dieser Zeile</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ImportMappingPage</name>
    <message>
        <location filename="../import/importwizard.cpp" line="+15"/>
        <source>Columns</source>
        <translation>Spalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check which inventory field each column fills. Columns set to (ignore) are not imported.</source>
        <translation>Prüfen Sie, welches Inventarfeld jede Spalte füllt. Spalten auf (ignorieren) werden nicht importiert.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ImportReportPage</name>
    <message>
        <location line="+87"/>
        <source>Report</source>
        <translation>Bericht</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Show all rows</source>
        <translation>Alle Zeilen zeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export report…</source>
        <translation>Bericht exportieren…</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ImportResultsModel</name>
    <message>
        <location filename="../import/importresultsmodel.cpp" line="+57"/>
        <source>row %1 of the file</source>
        <translation>Zeile %1 der Datei</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not sent</source>
        <translation>nicht gesendet</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Row</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ImportRunPage</name>
    <message>
        <location filename="../import/importwizard.cpp" line="-42"/>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rows go to the middleware in chunks of up to %1; Stop ends the import after the chunk being sent.</source>
        <translation>Zeilen gehen in Blöcken zu höchstens %1 an die Middleware; „Anhalten“ beendet den Import nach dem gerade gesendeten Block.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%v of %m rows</source>
        <translation>%v von %m Zeilen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop after this chunk</source>
        <translation>Nach diesem Block anhalten</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Stopping after the current chunk…</source>
        <translation>Wird nach dem aktuellen Block angehalten…</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ImportValidationPage</name>
    <message>
        <location line="-56"/>
        <source>Validation</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The middleware checks every row. Nothing is written yet.</source>
        <translation>Die Middleware prüft jede Zeile. Noch wird nichts geschrieben.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::ImportWizard</name>
    <message>
        <location line="+99"/>
        <source>Import a delivery file</source>
        <translation>Lieferdatei importieren</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Checking rows: %1 of %2…</source>
        <translation>Zeilen werden geprüft: %1 von %2…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Chunk %1 of %2 imported: %3 created, %4 updated so far.</source>
        <translation>Block %1 von %2 importiert: bisher %3 angelegt, %4 aktualisiert.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Detect</source>
        <translation>Erkennen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comma (,)</source>
        <translation>Komma (,)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Semicolon (;)</source>
        <translation>Semikolon (;)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tab</source>
        <translation>Tabulator</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delimiter</source>
        <translation>Trennzeichen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Delivery file</source>
        <translation>Lieferdatei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation>CSV-Dateien (*.csv *.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Pick a file.</source>
        <translation>Wählen Sie eine Datei.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The file could not be read.</source>
        <translation>Die Datei konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>tab</source>
        <translation>Tabulator</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 columns, %3 rows (delimiter &apos;%4&apos;, %5).</source>
        <translation>%1: %2 Spalten, %3 Zeilen (Trennzeichen „%4“, %5).</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Update devices that are already in the inventory (blank cells keep the stored values)</source>
        <translation>Geräte aktualisieren, die schon im Inventar sind (leere Zellen behalten die gespeicherten Werte)</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>(column %1)</source>
        <translation>(Spalte %1)</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Checking…</source>
        <translation>Wird geprüft…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The file could not be checked: %1. Go back to fix the file or the columns; Next checks it again.</source>
        <translation>Die Datei konnte nicht geprüft werden: %1. Gehen Sie zurück, um die Datei oder die Spalten zu korrigieren; „Weiter“ prüft erneut.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Checking stopped.</source>
        <translation>Prüfung angehalten.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 rows checked: %2 would be created, %3 updated, %4 have errors.</source>
        <translation>%1 Zeilen geprüft: %2 würden angelegt, %3 aktualisiert, %4 haben Fehler.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> There is nothing to import; fix the file and pick it again.</source>
        <translation> Es gibt nichts zu importieren; korrigieren Sie die Datei und wählen Sie sie erneut.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> The rows with errors are listed below; nothing has been written.</source>
        <translation> Die Zeilen mit Fehlern stehen unten; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import the valid rows (%1) and skip the rows with errors (%2)</source>
        <translation>Die gültigen Zeilen (%1) importieren und die Zeilen mit Fehlern (%2) überspringen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> Click Import to write them.</source>
        <translation> Klicken Sie auf „Importieren“, um sie zu schreiben.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Importing…</source>
        <translation>Wird importiert…</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>%1 devices created, %2 updated, %3 rows refused.</source>
        <translation>%1 Geräte angelegt, %2 aktualisiert, %3 Zeilen abgelehnt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> Stopped after %1 of %2 chunks: %3 rows were not sent and are listed below.</source>
        <translation> Nach %1 von %2 Blöcken angehalten: %3 Zeilen wurden nicht gesendet und stehen unten.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> The import stopped: %1.</source>
        <translation> Der Import wurde beendet: %1.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>cannot save %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Export import report</source>
        <translation>Importbericht exportieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export report</source>
        <translation>Bericht exportieren</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::InventoryModel</name>
    <message>
        <location filename="../core/inventorymodel.cpp" line="+362"/>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Manufacturer</source>
        <translation>Hersteller</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Batch</source>
        <translation>Charge</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delivered</source>
        <translation>Geliefert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enrollment</source>
        <translation>Registrierung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Registration</source>
        <translation>Anmeldung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Click to sort by customer name (loads every matching device, up to 50,000)</source>
        <translation>Klicken, um nach Kundenname zu sortieren (lädt alle passenden Geräte, bis 50.000)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Click to sort (the middleware sorts all devices)</source>
        <translation>Klicken zum Sortieren (die Middleware sortiert alle Geräte)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not sortable: this column is joined from other lists</source>
        <translation>Nicht sortierbar: diese Spalte wird aus anderen Listen zusammengeführt</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Registration id %1</source>
        <translation>Registrierungs-ID %1</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::InventoryPage</name>
    <message>
        <location filename="../app/inventorypage.cpp" line="+86"/>
        <source>Inventory</source>
        <translation>Inventar</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Any status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In stock</source>
        <translation>Auf Lager</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sold</source>
        <translation>Verkauft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provisioned</source>
        <translation>Provisioniert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retired</source>
        <translation>Ausgemustert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any model</source>
        <translation>Jedes Modell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search serial, model, batch, customer, notes…</source>
        <translation>Seriennummer, Modell, Charge, Kunde, Notizen suchen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+382"/>
        <location line="+47"/>
        <source>&amp;Views</source>
        <translation>&amp;Ansichten</translation>
    </message>
    <message>
        <location line="-428"/>
        <source>Saved views (named filters with their sort) and the sort order</source>
        <translation>Gespeicherte Ansichten (benannte Filter mit ihrer Sortierung) und die Sortierreihenfolge</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>All devices</source>
        <translation>Alle Geräte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation failed</source>
        <translation>Aktivierung fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Online, offline or with failed activation attempts that still count. Loads every device the other filters match (up to %L1) and shows those.</source>
        <translation>Online, offline oder mit fehlgeschlagenen Aktivierungsversuchen, die noch zählen. Lädt alle Geräte, auf die die anderen Filter passen (bis %L1), und zeigt diese.</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;how:</source>
        <translation>&amp;Zeigen:</translation>
    </message>
    <message>
        <location line="+122"/>
        <source>%L1 or more devices match: more than the %L2 that can be loaded at once. Narrow the filter (status, model, search) first.</source>
        <translation>%L1 oder mehr Geräte passen: mehr als die %L2, die auf einmal geladen werden können. Grenzen Sie zuerst den Filter ein (Status, Modell, Suche).</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Select all matching (counting…)</source>
        <translation>Alle passenden auswählen (zählt…)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Loading %L1 of %L2…</source>
        <translation>Lade %L1 von %L2…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Select all shown</source>
        <translation>Alle gezeigten auswählen</translation>
    </message>
    <message>
        <location line="-7"/>
        <location line="+9"/>
        <source>Select all %L1 matching</source>
        <translation>Alle %L1 passenden auswählen</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>All %L1+ matching devices selected; actions run on the server · Clear</source>
        <translation>Alle %L1+ passenden Geräte ausgewählt; Aktionen laufen auf dem Server · Aufheben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All %L1 matching devices selected; actions run on the server · Clear</source>
        <translation>Alle %L1 passenden Geräte ausgewählt; Aktionen laufen auf dem Server · Aufheben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The toolbar&apos;s actions apply to every device the filter matches, loaded or not. Click to clear the selection.</source>
        <translation>Die Aktionen der Werkzeugleiste gelten für jedes Gerät, auf das der Filter passt, ob geladen oder nicht. Klicken, um die Auswahl aufzuheben.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Select every device the filters match; actions then run on the server</source>
        <translation>Jedes Gerät auswählen, auf das die Filter passen; Aktionen laufen dann auf dem Server</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Select all %L1+ matching</source>
        <translation>Alle %L1+ passenden auswählen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>More than %L1 match: narrow the filter to select them all</source>
        <translation>Mehr als %L1 passen: grenzen Sie den Filter ein, um alle auszuwählen</translation>
    </message>
    <message>
        <location line="+100"/>
        <location line="+21"/>
        <source>View: %1</source>
        <translation>Ansicht: %1</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>No saved views yet</source>
        <translation>Noch keine gespeicherten Ansichten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save the current filter as…</source>
        <translation>Aktuellen Filter speichern als…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete view</source>
        <translation>Ansicht löschen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Sort by</source>
        <translation>&amp;Sortieren nach</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Ascending</source>
        <translation>Aufsteigend</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Descending</source>
        <translation>Absteigend</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Save view</source>
        <translation>Ansicht speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name for the current filter:</source>
        <translation>Name für den aktuellen Filter:</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::JsonObjectEdit</name>
    <message>
        <location filename="../app/jsonobjectedit.cpp" line="+107"/>
        <source>Line %1, column %2: %3</source>
        <translation>Zeile %1, Spalte %2: %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Must be a JSON object: { &quot;name&quot;: value, … }</source>
        <translation>Muss ein JSON-Objekt sein: { &quot;name&quot;: Wert, … }</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Names starting with &apos;$&apos; are reserved: %1</source>
        <translation>Namen, die mit „$“ beginnen, sind reserviert: %1</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::MainWindow</name>
    <message>
        <location filename="../app/mainwindow.cpp" line="-90"/>
        <source>Provisio CRM</source>
        <translation>Provisio CRM</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The middleware no longer accepts this token (revoked or expired). Use File › Connect to sign in again.</source>
        <translation>Die Middleware nimmt dieses Token nicht mehr an (widerrufen oder abgelaufen). Melden Sie sich über Datei › Verbinden erneut an.</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Service access</source>
        <translation>Dienstzugriff</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>&amp;Sell to customer…</source>
        <translation>An Kunden &amp;verkaufen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sell the selected devices to a customer</source>
        <translation>Die ausgewählten Geräte an einen Kunden verkaufen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Return to stock</source>
        <translation>Ins Lager &amp;zurücknehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Put the selected sold devices back in stock</source>
        <translation>Die ausgewählten verkauften Geräte zurück ins Lager nehmen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Create &amp;enrollments…</source>
        <translation>&amp;Registrierungen anlegen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create an enrollment with new keys for each selected device</source>
        <translation>Für jedes ausgewählte Gerät eine Registrierung mit neuen Schlüsseln anlegen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Activation cards…</source>
        <translation>&amp;Aktivierungskarten…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print or export activation cards for the selected devices</source>
        <translation>Aktivierungskarten für die ausgewählten Geräte drucken oder exportieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-&amp;mail activation cards</source>
        <translation>Aktivierungskarten per E-&amp;Mail</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail each selected device&apos;s activation card, with a new code, to its customer</source>
        <translation>Die Aktivierungskarte jedes ausgewählten Geräts mit neuem Code an seinen Kunden mailen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Import delivery (CSV)…</source>
        <translation>Lieferung &amp;importieren (CSV)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import a manufacturer&apos;s delivery file</source>
        <translation>Die Lieferdatei eines Herstellers importieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;xport devices (CSV)…</source>
        <translation>Geräte e&amp;xportieren (CSV)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+354"/>
        <source>Save every device the filter matches to a CSV file</source>
        <translation>Alle Geräte, auf die der Filter passt, in eine CSV-Datei speichern</translation>
    </message>
    <message>
        <location line="-353"/>
        <source>Device &amp;details</source>
        <translation>Geräte&amp;details</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the selected device&apos;s details</source>
        <translation>Die Details des ausgewählten Geräts zeigen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Add device…</source>
        <translation>Gerät &amp;hinzufügen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add one device to the inventory</source>
        <translation>Ein Gerät zum Inventar hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ed&amp;it device…</source>
        <translation>Gerät &amp;bearbeiten…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit the selected device&apos;s model, batch, delivery date and notes</source>
        <translation>Modell, Charge, Lieferdatum und Notizen des ausgewählten Geräts bearbeiten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Re&amp;tire device…</source>
        <translation>Gerät aus&amp;mustern…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Take the selected device out of service; it stays in the inventory</source>
        <translation>Das ausgewählte Gerät außer Betrieb nehmen; es bleibt im Inventar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New customer…</source>
        <translation>&amp;Neuer Kunde…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create a customer</source>
        <translation>Einen Kunden anlegen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Edit customer…</source>
        <translation>Kunden &amp;bearbeiten…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit the selected customer</source>
        <translation>Den ausgewählten Kunden bearbeiten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Delete customer…</source>
        <translation>Kunden &amp;löschen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the selected customer</source>
        <translation>Den ausgewählten Kunden löschen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show &amp;devices</source>
        <translation>&amp;Geräte zeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the selected customer&apos;s devices in the inventory</source>
        <translation>Die Geräte des ausgewählten Kunden im Inventar zeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;nable</source>
        <translation>A&amp;ktivieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allow the selected devices to register</source>
        <translation>Den ausgewählten Geräten die Anmeldung erlauben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>D&amp;isable</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the selected devices from registering and disconnect them</source>
        <translation>Die Anmeldung der ausgewählten Geräte stoppen und sie trennen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Regenerate keys…</source>
        <translation>Schlüssel &amp;neu erzeugen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issue new symmetric keys for the selected enrollments</source>
        <translation>Neue symmetrische Schlüssel für die ausgewählten Registrierungen ausgeben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the selected enrollments</source>
        <translation>Die ausgewählten Registrierungen löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Link hub…</source>
        <translation>Hub &amp;verknüpfen…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Link a new hub</source>
        <translation>Einen neuen Hub verknüpfen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Edit hub…</source>
        <translation>Hub &amp;bearbeiten…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit the selected hub</source>
        <translation>Den ausgewählten Hub bearbeiten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Rotate signing key…</source>
        <translation>Signatur&amp;schlüssel wechseln…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give the selected hub a new signing key</source>
        <translation>Dem ausgewählten Hub einen neuen Signaturschlüssel geben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New access policy…</source>
        <translation>&amp;Neue Zugriffsrichtlinie…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A connection string for Azure&apos;s service SDKs</source>
        <translation>Eine Verbindungszeichenfolge für die Dienst-SDKs von Azure</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;voke</source>
        <translation>&amp;Widerrufen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse the policy&apos;s tokens from now on</source>
        <translation>Die Token der Richtlinie ab jetzt abweisen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Load the page again</source>
        <translation>Die Seite neu laden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Connect…</source>
        <translation>&amp;Verbinden…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connect to another middleware</source>
        <translation>Mit einer anderen Middleware verbinden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saved &amp;connections</source>
        <translation>Gespeicherte &amp;Verbindungen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Devices</source>
        <translation>&amp;Geräte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Customers</source>
        <translation>&amp;Kunden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Enrollments</source>
        <translation>&amp;Registrierungen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Hubs</source>
        <translation>&amp;Hubs</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>System language (%1)</source>
        <translation>Sprache des Systems (%1)</translation>
    </message>
    <message>
        <location line="+44"/>
        <location line="+310"/>
        <location line="+66"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="-312"/>
        <source>● Live</source>
        <translation>● Live</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tables update as devices register and report.</source>
        <translation>Tabellen aktualisieren sich, wenn Geräte sich anmelden und melden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>◐ Hub %1 down</source>
        <translation>◐ Hub %1 ausgefallen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>◐ %1 hubs down</source>
        <translation>◐ %1 Hubs ausgefallen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The middleware is not connected to %1: twins, telemetry and presence of its devices do not come through. The Hubs page says why.</source>
        <translation>Die Middleware ist nicht mit %1 verbunden: Zwillinge, Telemetrie und Anwesenheit seiner Geräte kommen nicht durch. Die Seite „Hubs“ sagt, warum.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>○ Not live</source>
        <translation>○ Nicht live</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The live feed is reconnecting; tables update on refresh.</source>
        <translation>Der Live-Kanal verbindet sich neu; Tabellen aktualisieren sich beim Neuladen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1. Reconnecting; tables update on refresh.</source>
        <translation>%1. Verbinde neu; Tabellen aktualisieren sich beim Neuladen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+26"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location line="-26"/>
        <location line="+26"/>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <location line="+196"/>
        <source>%1: starting on the server…</source>
        <translation>%1: wird auf dem Server gestartet …</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1: cancelling after the current chunk…</source>
        <translation>%1: wird nach dem laufenden Abschnitt abgebrochen …</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1: %2 of %3 devices</source>
        <translation>%1: %2 von %3 Geräten</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The export takes the server&apos;s filters only: set Show to all devices first.</source>
        <translation>Der Export kennt nur die Filter des Servers: stellen Sie „Zeigen“ zuerst auf „Alle Geräte“.</translation>
    </message>
    <message>
        <location line="-198"/>
        <source>The export cannot apply Show: %1, so it would hold devices the list does not show. Set Show to all devices to export.</source>
        <translation>Der Export kann „Zeigen: %1“ nicht anwenden und enthielte Geräte, die die Liste nicht zeigt. Stellen Sie „Zeigen“ auf „Alle Geräte“, um zu exportieren.</translation>
    </message>
    <message>
        <location line="+201"/>
        <location line="+19"/>
        <source>Export devices</source>
        <translation>Geräte exportieren</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Exporting devices…</source>
        <translation>Geräte werden exportiert…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Exporting devices: %1 written</source>
        <translation>Geräte werden exportiert: %1 geschrieben</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Exported %1 devices to %2.</source>
        <translation>%1 Geräte nach %2 exportiert.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export cancelled; %1 was not written.</source>
        <translation>Export abgebrochen; %1 wurde nicht geschrieben.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export failed; %1 was not written. %2</source>
        <translation>Export fehlgeschlagen; %1 wurde nicht geschrieben. %2</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Selling to %1</source>
        <translation>Verkauf an %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sold %1 devices to %2.</source>
        <translation>%1 Geräte an %2 verkauft.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Return to stock</source>
        <translation>Zurück in den Bestand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Return all %1 matching devices to stock?</source>
        <translation>Alle %1 passenden Geräte zurück in den Bestand nehmen?</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Returning devices</source>
        <translation>Geräte werden zurückgenommen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Returned %1 devices to stock.</source>
        <translation>%1 Geräte zurück in den Bestand genommen.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Creating enrollments</source>
        <translation>Registrierungen werden angelegt</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Created %1 enrollments.</source>
        <translation>%1 Registrierungen angelegt.</translation>
    </message>
    <message>
        <location line="+30"/>
        <location line="+32"/>
        <source>Select enrolled devices first; cards are made for devices with an enrollment.</source>
        <translation>Wählen Sie zuerst registrierte Geräte; Karten gibt es für Geräte mit einer Registrierung.</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>E-mail activation cards</source>
        <translation>Aktivierungskarten per E-Mail senden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issue a new activation code for each of the %1 matching devices and e-mail its card to the device&apos;s customer? Devices without an enrollment or a customer are reported and skipped.</source>
        <translation>Für jedes der %1 passenden Geräte einen neuen Aktivierungscode ausstellen und seine Karte per E-Mail an den Kunden des Geräts senden? Geräte ohne Registrierung oder Kunden werden gemeldet und übersprungen.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>E-mailing activation cards</source>
        <translation>Aktivierungskarten werden per E-Mail gesendet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Queued %1 activation e-mails.</source>
        <translation>%1 Aktivierungs-E-Mails in die Warteschlange gestellt.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Imported 1 new device.</source>
        <translation>1 neues Gerät importiert.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Updated 1 device.</source>
        <translation>1 Gerät aktualisiert.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Imported %1 devices: %2 new, %3 updated.</source>
        <translation>%1 Geräte importiert: %2 neu, %3 aktualisiert.</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Retire %1? It stays in the inventory as retired: it can no longer be sold (unless forced) and is never marked provisioned again.</source>
        <translation>%1 ausmustern? Es bleibt als ausgemustert im Inventar: es kann nicht mehr verkauft werden (außer erzwungen) und wird nie wieder als provisioniert markiert.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Retire %1? It stays in the inventory as retired, and its enrollment is disabled: the device can no longer register and is disconnected from its hub.</source>
        <translation>%1 ausmustern? Es bleibt als ausgemustert im Inventar, und seine Registrierung wird deaktiviert: das Gerät kann sich nicht mehr anmelden und wird von seinem Hub getrennt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Retire device</source>
        <translation>Gerät ausmustern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Retire</source>
        <translation>Ausmustern</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Delete customer</source>
        <translation>Kunden löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete %1? Their contact details are removed. A customer who still owns devices cannot be deleted: return or sell those devices first.</source>
        <translation>%1 löschen? Die Kontaktdaten werden entfernt. Ein Kunde, dem noch Geräte gehören, kann nicht gelöscht werden: nehmen Sie diese Geräte zuerst zurück oder verkaufen Sie sie weiter.</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+98"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location line="-81"/>
        <source>Showing the devices of %1. Clear the filter with Refresh › any filter change.</source>
        <translation>Die Geräte von %1 werden gezeigt. Der Filter verschwindet mit „Aktualisieren“ oder jeder Filteränderung.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Disable enrollments</source>
        <translation>Registrierungen deaktivieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disable this enrollment? The device can no longer register, and if it is connected to a hub it is disconnected at once. Enable it again to undo.</source>
        <translation>Diese Registrierung deaktivieren? Das Gerät kann sich nicht mehr anmelden, und ist es mit einem Hub verbunden, wird es sofort getrennt. Aktivieren Sie sie wieder, um das rückgängig zu machen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Disable %1 enrollments? The devices can no longer register, and devices connected to a hub are disconnected at once. Enable them again to undo.</source>
        <translation>%1 Registrierungen deaktivieren? Die Geräte können sich nicht mehr anmelden, und mit einem Hub verbundene Geräte werden sofort getrennt. Aktivieren Sie sie wieder, um das rückgängig zu machen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Disable</source>
        <translation>Deaktivieren</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Regenerate keys</source>
        <translation>Schlüssel neu erzeugen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issue new keys for this enrollment? A device still using the old key can no longer register with it; it needs the new key or a new activation code.</source>
        <translation>Neue Schlüssel für diese Registrierung ausgeben? Ein Gerät, das noch den alten Schlüssel verwendet, kann sich damit nicht mehr anmelden; es braucht den neuen Schlüssel oder einen neuen Aktivierungscode.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Issue new keys for %1 enrollments? Devices still using the old key can no longer register with it; they need the new key or a new activation code.</source>
        <translation>Neue Schlüssel für %1 Registrierungen ausgeben? Geräte, die noch den alten Schlüssel verwenden, können sich damit nicht mehr anmelden; sie brauchen den neuen Schlüssel oder einen neuen Aktivierungscode.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Primary key</source>
        <translation>Primärer Schlüssel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Secondary key</source>
        <translation>Sekundärer Schlüssel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Both keys</source>
        <translation>Beide Schlüssel</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Delete enrollments</source>
        <translation>Registrierungen löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the enrollment %1? The device&apos;s keys and unused activation codes stop working, a registered device is disconnected from its hub, and the device stays in the inventory. This cannot be undone; a new enrollment gets new keys.</source>
        <translation>Die Registrierung %1 löschen? Die Schlüssel und unbenutzten Aktivierungscodes des Geräts gelten nicht mehr, ein angemeldetes Gerät wird von seinem Hub getrennt, und das Gerät bleibt im Inventar. Das kann nicht rückgängig gemacht werden; eine neue Registrierung bekommt neue Schlüssel.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete %2 enrollments (%1)? The devices&apos; keys and unused activation codes stop working, registered devices are disconnected from their hub, and the devices stay in the inventory. This cannot be undone; a new enrollment gets new keys.</source>
        <translation>%2 Registrierungen löschen (%1)? Die Schlüssel und unbenutzten Aktivierungscodes der Geräte gelten nicht mehr, angemeldete Geräte werden von ihrem Hub getrennt, und die Geräte bleiben im Inventar. Das kann nicht rückgängig gemacht werden; eine neue Registrierung bekommt neue Schlüssel.</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Rotate signing key</source>
        <translation>Signaturschlüssel wechseln</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Give hub %1 a new signing key? The devices&apos; current hub keys keep working for the overlap below; devices register again for keys of the new one. With no overlap the hub refuses the current keys at once. The middleware hands the hub its new key itself.</source>
        <translation>Hub %1 einen neuen Signaturschlüssel geben? Die aktuellen Hub-Schlüssel der Geräte funktionieren während der Überlappung unten weiter; die Geräte melden sich für Schlüssel des neuen erneut an. Ohne Überlappung weist der Hub die aktuellen Schlüssel sofort ab. Die Middleware übergibt dem Hub seinen neuen Schlüssel selbst.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source> h</source>
        <translation> h</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>none (hard cut)</source>
        <translation>keine (harter Schnitt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Overlap:</source>
        <translation>&amp;Überlappung:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Rotate</source>
        <translation>Wechseln</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Signing key of %1</source>
        <translation>Signaturschlüssel von %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is the only time the middleware shows hub %1&apos;s signing key. Copy it into the hub&apos;s configuration now (or generate it with provisio-middleware hub-config).</source>
        <translation>Nur dieses eine Mal zeigt die Middleware den Signaturschlüssel von Hub %1. Kopieren Sie ihn jetzt in die Konfiguration des Hubs (oder erzeugen Sie sie mit provisio-middleware hub-config).</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>New access policy</source>
        <translation>Neue Zugriffsrichtlinie</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Provisioning service (enrollments, registrations)</source>
        <translation>Provisionierungsdienst (Registrierungen, Anmeldungen)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hub %1 (twins, direct methods)</source>
        <translation>Hub %1 (Zwillinge, direkte Methoden)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A policy with every right; its connection string is shown once. Narrower rights: provisio-middleware access-policy create --rights.</source>
        <translation>Eine Richtlinie mit allen Rechten; ihre Verbindungszeichenfolge wird einmal gezeigt. Engere Rechte: provisio-middleware access-policy create --rights.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;For:</source>
        <translation>&amp;Für:</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Revoke access policy</source>
        <translation>Zugriffsrichtlinie widerrufen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Revoke %1? Back ends using its connection string are refused from now on.</source>
        <translation>%1 widerrufen? Backends, die ihre Verbindungszeichenfolge verwenden, werden ab jetzt abgewiesen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Revoke</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Connection string of %1</source>
        <translation>Verbindungszeichenfolge von %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is the only time the middleware shows the key of access policy %1. Put the connection string into the back end that uses Azure&apos;s service SDKs (see docs/azure-sdks.md).</source>
        <translation>Nur dieses eine Mal zeigt die Middleware den Schlüssel der Zugriffsrichtlinie %1. Tragen Sie die Verbindungszeichenfolge in das Backend ein, das die Dienst-SDKs von Azure verwendet (siehe docs/azure-sdks.md).</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::MessageBanner</name>
    <message>
        <location filename="../app/messagebanner.cpp" line="+23"/>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::OverviewPage</name>
    <message>
        <location filename="../app/overviewpage.cpp" line="+38"/>
        <source>Fleet</source>
        <translation>Flotte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delivered</source>
        <translation>Geliefert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sold</source>
        <translation>Verkauft</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Enrolled</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Activated</source>
        <translation>Aktiviert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Online now</source>
        <translation>Jetzt online</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Registrations per day (last %1 days)</source>
        <translation>Anmeldungen pro Tag (letzte %1 Tage)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Hubs</source>
        <translation>Hubs</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Counting…</source>
        <translation>Wird gezählt…</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Could not count the %1: %2</source>
        <translation>%1 konnten nicht gezählt werden: %2</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>not linked on this middleware</source>
        <translation>auf dieser Middleware nicht verknüpft</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not connected</source>
        <translation>nicht verbunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not connected: %1</source>
        <translation>nicht verbunden: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%L1 (%L2 %)</source>
        <translation>%L1 (%L2 %)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Registrations</source>
        <translation>Anmeldungen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>MM-dd</source>
        <comment>QDate format of a day on the registrations chart</comment>
        <translation>dd.MM.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>● %1: connected</source>
        <translation>● %1: verbunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>○ %1: %2</source>
        <translation>○ %1: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No hubs are linked yet.</source>
        <translation>Noch keine Hubs verknüpft.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Counted at %1.</source>
        <translation>Gezählt um %1.</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::RecordListPage</name>
    <message>
        <location filename="../app/recordlistpage.cpp" line="+284"/>
        <source>more than %1 match, %2 loaded</source>
        <translation>mehr als %1 Treffer, %2 geladen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 match, %2 loaded</source>
        <translation>%1 Treffer, %2 geladen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 match, all loaded</source>
        <translation>%1 Treffer, alle geladen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 loaded</source>
        <translation>%1 geladen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 shown</source>
        <translation>%1 gezeigt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 selected</source>
        <translation>%1 ausgewählt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>loading…</source>
        <translation>wird geladen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>counting…</source>
        <translation>zählt…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>more as you scroll</source>
        <translation>mehr beim Blättern</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::SellDialog</name>
    <message>
        <location filename="../app/selldialog.cpp" line="+23"/>
        <source>Sell 1 device</source>
        <translation>1 Gerät verkaufen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sell %1 devices</source>
        <translation>%1 Geräte verkaufen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Sell</source>
        <translation>&amp;Verkaufen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filter customers…</source>
        <translation>Kunden filtern…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>and %1 more</source>
        <translation>und %1 weitere</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sell %1 to:</source>
        <translation>%1 verkaufen an:</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Sell all %1 matching devices</source>
        <translation>Alle %1 passenden Geräte verkaufen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sell all %1 devices the inventory filter matches, loaded or not, to:</source>
        <translation>Alle %1 Geräte, auf die der Bestandsfilter passt, ob geladen oder nicht, verkaufen an:</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::Session</name>
    <message>
        <location filename="../app/session.cpp" line="+74"/>
        <location line="+23"/>
        <source>Could not connect to %1: </source>
        <translation>Keine Verbindung zu %1: </translation>
    </message>
    <message>
        <location line="-14"/>
        <source>No saved connection is called %1.</source>
        <translation>Keine gespeicherte Verbindung heißt %1.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The token of %1 could not be read: %2</source>
        <translation>Das Token von %1 konnte nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::TelemetryChart</name>
    <message>
        <location filename="../app/telemetrychart.cpp" line="+82"/>
        <source>MM-dd HH:mm</source>
        <comment>QDateTime format of the time axis over more than a day</comment>
        <translation>dd.MM. HH:mm</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Show</source>
        <translation>Zeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Latest messages</source>
        <translation>Neueste Nachrichten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Custom…</source>
        <translation>Eigener…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>yyyy-MM-dd HH:mm</source>
        <comment>QDateTimeEdit format of the custom range</comment>
        <translation>dd.MM.yyyy HH:mm</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Range:</source>
        <translation>Zeitraum:</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Times in %1. Point at a chart for its values.</source>
        <translation>Zeiten in %1. Zeigen Sie auf ein Diagramm, um seine Werte zu sehen.</translation>
    </message>
    <message>
        <location line="+161"/>
        <source>Show or hide %1</source>
        <translation>%1 zeigen oder verbergen</translation>
    </message>
    <message>
        <location line="+88"/>
        <source>Loading telemetry…</source>
        <translation>Telemetrie wird geladen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No telemetry yet: this device has not sent any numeric readings.</source>
        <translation>Noch keine Telemetrie: dieses Gerät hat noch keine numerischen Messwerte gesendet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No numeric telemetry in this range. Choose a longer range.</source>
        <translation>Keine numerische Telemetrie in diesem Zeitraum. Wählen Sie einen längeren Zeitraum.</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>%1 %2 at %3</source>
        <translation>%1 %2 um %3</translation>
    </message>
    <message>
        <location line="+59"/>
        <location line="+6"/>
        <source>Export telemetry</source>
        <translation>Telemetrie exportieren</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::TelemetryModel</name>
    <message>
        <location filename="../core/telemetrymodel.cpp" line="+23"/>
        <source>(%1 bytes, not shown)</source>
        <translation>(%1 Bytes, nicht gezeigt)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>base64: %1</source>
        <translation>base64: %1</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Properties</source>
        <translation>Eigenschaften</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Body</source>
        <translation>Inhalt</translation>
    </message>
</context>
</TS>
