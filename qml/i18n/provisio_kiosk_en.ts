<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>DashboardScreen</name>
    <message numerus="yes">
        <location filename="../DashboardScreen.qml" line="+182"/>
        <source>%n reading(s) were lost: the device&apos;s queue was full.</source>
        <translation>
            <numerusform>%n reading was lost: the device&apos;s queue was full.</numerusform>
            <numerusform>%n readings were lost: the device&apos;s queue was full.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KeyEntryScreen</name>
    <message numerus="yes">
        <location filename="../KeyEntryScreen.qml" line="+129"/>
        <source>%n more character(s) to go.</source>
        <translation>
            <numerusform>%n more character to go.</numerusform>
            <numerusform>%n more characters to go.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Provisio::Kiosk::ProvisioningClient</name>
    <message numerus="yes">
        <location filename="../../device-kiosk/core/provisioningclient.cpp" line="+53"/>
        <source>Too many attempts. Wait %n second(s), then try again.</source>
        <translation>
            <numerusform>Too many attempts. Wait %n second, then try again.</numerusform>
            <numerusform>Too many attempts. Wait %n seconds, then try again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>Too many attempts. Wait %n minute(s), then try again.</source>
        <translation>
            <numerusform>Too many attempts. Wait %n minute, then try again.</numerusform>
            <numerusform>Too many attempts. Wait %n minutes, then try again.</numerusform>
        </translation>
    </message>
</context>
</TS>
