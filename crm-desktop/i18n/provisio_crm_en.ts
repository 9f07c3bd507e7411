<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>Provisio::Crm::ActivationCardsDialog</name>
    <message numerus="yes">
        <location filename="../cards/cardsdialog.cpp" line="+224"/>
        <source>these %n devices</source>
        <translation>
            <numerusform>this device</numerusform>
            <numerusform>these %n devices</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+90"/>
        <source>%n card(s)</source>
        <translation>
            <numerusform>%n card</numerusform>
            <numerusform>%n cards</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DeviceDetail</name>
    <message numerus="yes">
        <location filename="../app/devicedetail.cpp" line="+829"/>
        <source>&lt;b&gt;The activation e-mail to %1 failed&lt;/b&gt; after %n attempt(s): %2</source>
        <translation>
            <numerusform>&lt;b&gt;The activation e-mail to %1 failed&lt;/b&gt; after %n attempt: %2</numerusform>
            <numerusform>&lt;b&gt;The activation e-mail to %1 failed&lt;/b&gt; after %n attempts: %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Activation e-mail to %1 is waiting: %n attempt(s) failed (%2); next try %3.</source>
        <translation>
            <numerusform>Activation e-mail to %1 is waiting: %n attempt failed (%2); next try %3.</numerusform>
            <numerusform>Activation e-mail to %1 is waiting: %n attempts failed (%2); next try %3.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+14"/>
        <source>%n failed attempt(s) count against the activation limits; cleared ones are greyed.</source>
        <translation>
            <numerusform>%n failed attempt counts against the activation limits; cleared ones are greyed.</numerusform>
            <numerusform>%n failed attempts count against the activation limits; cleared ones are greyed.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Provisio::Crm::DeviceDetailController</name>
    <message numerus="yes">
        <location filename="../app/devicedetailcontroller.cpp" line="+165"/>
        <source>Activation of %1 unlocked: %n failed attempt(s) cleared.</source>
        <translation>
            <numerusform>Activation of %1 unlocked: %n failed attempt cleared.</numerusform>
            <numerusform>Activation of %1 unlocked: %n failed attempts cleared.</numerusform>
        </translation>
    </message>
</context>
</TS>
