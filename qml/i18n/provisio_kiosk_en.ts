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
    <name>PinPad</name>
    <message numerus="yes">
        <location filename="../PinPad.qml" line="+58"/>
        <source>PIN: %n digit(s) typed</source>
        <translation>
            <numerusform>PIN: %n digit typed</numerusform>
            <numerusform>PIN: %n digits typed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProgressScreen</name>
    <message numerus="yes">
        <location filename="../ProgressScreen.qml" line="+117"/>
        <source>Check the activation code on the card and type it again. %n more wrong code(s) before the device has to wait.</source>
        <translation>
            <numerusform>Check the activation code on the card and type it again. %n more wrong code before the device has to wait.</numerusform>
            <numerusform>Check the activation code on the card and type it again. %n more wrong codes before the device has to wait.</numerusform>
        </translation>
    </message>
</context>
</TS>
