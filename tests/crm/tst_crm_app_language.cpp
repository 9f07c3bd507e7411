// SPDX-License-Identifier: Apache-2.0
// The CRM in German, as a German-speaking administrator opens it: every text
// the window shows comes from the translation (none of the English source
// texts is left on screen), dates and numbers follow the language, the
// View › Language menu saves a choice, and the translation files are
// complete: no entry unfinished, none missing for a tr() in crm-desktop.
#include "appoptions.h"
#include "auditpage.h"
#include "core/crmcoretestutil.h"
#include "crmlanguage.h"
#include "displayformat.h"
#include "eventfeed.h"
#include "jsondiff.h"
#include "mainwindow.h"
#include "widgettestutil.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QGroupBox>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Provisio::Crm;

namespace {

const QString kTsDir = QStringLiteral(PROVISIO_SOURCE_DIR "/crm-desktop/i18n");

struct TsMessage
{
    QString context;
    QString source;
    QStringList translations; // one, or the plural forms
    QString type;             // "unfinished", "vanished", "obsolete" or empty
};

QList<TsMessage> readTs(const QString &path)
{
    QList<TsMessage> messages;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return messages;
    QXmlStreamReader xml(&file);
    QString context;
    TsMessage current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("name"))
            context = xml.readElementText();
        else if (name == QLatin1String("message"))
            current = TsMessage{context, {}, {}, {}};
        else if (name == QLatin1String("source"))
            current.source = xml.readElementText();
        else if (name == QLatin1String("translation")) {
            current.type = xml.attributes().value(QLatin1String("type")).toString();
            // Plural forms are <numerusform> children; a plain one is text.
            QString text;
            while (!(xml.isEndElement() && xml.name() == QLatin1String("translation")) && !xml.atEnd()) {
                xml.readNext();
                if (xml.isCharacters())
                    text += xml.text();
                else if (xml.isEndElement() && xml.name() == QLatin1String("numerusform")) {
                    current.translations << text;
                    text.clear();
                }
            }
            if (current.translations.isEmpty())
                current.translations << text;
            messages << current;
        }
    }
    if (xml.hasError())
        qWarning() << path << xml.errorString();
    return messages;
}

QStringList placeholders(const QString &text)
{
    QStringList found;
    auto it = QRegularExpression(QStringLiteral("%L?[0-9]")).globalMatch(text);
    while (it.hasNext())
        found << it.next().captured().remove(QLatin1Char('L'));
    found.sort();
    found.removeDuplicates();
    return found;
}

// Every text the window shows a person: labels, buttons, group and tab
// titles, menus and their entries, table headers, list entries, window and
// dock titles. Accelerator ampersands removed.
QStringList visibleTexts(QWidget *window)
{
    QStringList texts;
    const auto add = [&texts](const QString &text) {
        QString plain = text;
        plain.remove(QLatin1Char('&'));
        if (!plain.trimmed().isEmpty())
            texts << plain.trimmed();
    };
    add(window->windowTitle());
    for (QLabel *label : window->findChildren<QLabel *>()) {
        if (label->isVisibleTo(window))
            add(label->text());
    }
    for (QAbstractButton *button : window->findChildren<QAbstractButton *>()) {
        if (button->isVisibleTo(window))
            add(button->text());
    }
    for (QGroupBox *box : window->findChildren<QGroupBox *>()) {
        if (box->isVisibleTo(window))
            add(box->title());
    }
    for (QTabWidget *tabs : window->findChildren<QTabWidget *>()) {
        for (int i = 0; i < tabs->count(); ++i)
            add(tabs->tabText(i));
    }
    for (QDockWidget *dock : window->findChildren<QDockWidget *>())
        add(dock->windowTitle());
    for (QListWidget *list : window->findChildren<QListWidget *>()) {
        for (int i = 0; i < list->count(); ++i)
            add(list->item(i)->text());
    }
    for (QTableView *table : window->findChildren<QTableView *>()) {
        const QAbstractItemModel *model = table->model();
        if (!model)
            continue;
        for (int c = 0; c < model->columnCount(); ++c)
            add(model->headerData(c, Qt::Horizontal).toString());
    }
    if (auto *main = qobject_cast<QMainWindow *>(window)) {
        const auto menus = main->menuBar()->actions();
        for (QAction *menuAction : menus) {
            add(menuAction->text());
            if (QMenu *menu = menuAction->menu()) {
                for (QAction *a : menu->actions()) {
                    add(a->text());
                    add(a->toolTip());
                }
            }
        }
    }
    return texts;
}

} // namespace

class TestCrmAppLanguage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void translationsAreComplete_data();
    void translationsAreComplete();
    void everyTrInTheSourcesIsTranslated();
    void germanWindowShowsNoEnglish();
    void datesAndNumbersFollowTheLanguage();
    void languageMenuSavesTheChoice();
    void languageOptionIsChecked();
    void auditColumnsFitTheirTexts_data();
    void auditColumnsFitTheirTexts();

private:
    Provisio::Test::CrmFixture m_f;
};

void TestCrmAppLanguage::initTestCase()
{
    Provisio::Test::useCleanSettings(QStringLiteral("tst_crm_app_language"));
}

void TestCrmAppLanguage::cleanup()
{
    CrmLanguage::setChosen(QString());
    QVERIFY(CrmLanguage::install(QStringLiteral("en")));
}

void TestCrmAppLanguage::translationsAreComplete_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("pluralsOnly");
    QTest::newRow("German") << QStringLiteral("provisio_crm_de.ts") << false;
    QTest::newRow("English plurals") << QStringLiteral("provisio_crm_en.ts") << true;
}

void TestCrmAppLanguage::translationsAreComplete()
{
    QFETCH(QString, file);
    QFETCH(bool, pluralsOnly);
    const QList<TsMessage> messages = readTs(kTsDir + QLatin1Char('/') + file);
    QVERIFY2(pluralsOnly ? !messages.isEmpty() : messages.size() > 800, qPrintable(file));
    for (const TsMessage &m : messages) {
        const QString where = m.context + QStringLiteral(": ") + m.source;
        QVERIFY2(m.type.isEmpty(), qPrintable(QStringLiteral("%1 entry: %2").arg(m.type, where)));
        for (const QString &t : m.translations) {
            QVERIFY2(!t.trimmed().isEmpty() || m.source.trimmed().isEmpty(),
                     qPrintable(QStringLiteral("empty: ") + where));
            // The same %1, %2… (a plural form may leave out %n, as in "this device").
            QStringList want = placeholders(m.source);
            QStringList have = placeholders(t);
            QVERIFY2(have == want,
                     qPrintable(QStringLiteral("placeholders %1 instead of %2: %3")
                                    .arg(have.join(QLatin1Char(',')), want.join(QLatin1Char(',')), where)));
        }
    }
}

void TestCrmAppLanguage::everyTrInTheSourcesIsTranslated()
{
    // lupdate over crm-desktop into a copy of the German file: a tr() added
    // without a translation arrives there as unfinished.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString copy = dir.filePath(QStringLiteral("provisio_crm_de.ts"));
    QVERIFY(QFile::copy(kTsDir + QStringLiteral("/provisio_crm_de.ts"), copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
    QProcess lupdate;
    lupdate.setProcessChannelMode(QProcess::MergedChannels);
    lupdate.start(QStringLiteral(PROVISIO_LUPDATE),
                  {QStringLiteral("-locations"), QStringLiteral("none"), QStringLiteral("-no-obsolete"),
                   QStringLiteral(PROVISIO_SOURCE_DIR "/crm-desktop"), QStringLiteral("-ts"), copy});
    QVERIFY(lupdate.waitForFinished(120000));
    QCOMPARE(lupdate.exitCode(), 0);
    QStringList untranslated;
    for (const TsMessage &m : readTs(copy)) {
        if (!m.type.isEmpty())
            untranslated << m.context + QStringLiteral(": ") + m.source;
    }
    QVERIFY2(untranslated.isEmpty(),
             qPrintable(QStringLiteral("not translated (run scripts/update-translations.sh and translate):\n") +
                        untranslated.join(QLatin1Char('\n'))));
}

void TestCrmAppLanguage::germanWindowShowsNoEnglish()
{
    // The English texts German translates differently: none may show.
    QSet<QString> english;
    for (const TsMessage &m : readTs(kTsDir + QStringLiteral("/provisio_crm_de.ts"))) {
        QString source = m.source;
        source.remove(QLatin1Char('&'));
        QString german = m.translations.value(0);
        german.remove(QLatin1Char('&'));
        if (source.trimmed() != german.trimmed() && !source.contains(QLatin1Char('%')))
            english.insert(source.trimmed());
    }
    QVERIFY(english.size() > 450);

    QVERIFY(m_f.start());
    QVERIFY(CrmLanguage::install(QStringLiteral("de")));
    QCOMPARE(CrmLanguage::current(), QStringLiteral("de"));
    auto api = Provisio::Test::crmClient(m_f, m_f.adminToken);
    EventFeed feed(api.get());
    MainWindow window(api.get(), &feed);
    window.applyRole(QStringLiteral("admin"));
    window.start();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.showDevice(QStringLiteral("SN-NONE")); // the device dock too
    const auto *sidebar = window.findChild<QListWidget *>(QStringLiteral("sidebar"));
    QVERIFY(sidebar);
    QTRY_VERIFY(window.findChild<QLabel *>(QStringLiteral("liveLabel"))->text() == QStringLiteral("● Live"));

    QStringList pages;
    for (int i = 0; i < sidebar->count(); ++i)
        pages << sidebar->item(i)->text();
    QCOMPARE(pages,
             (QStringList{QStringLiteral("Inventar"), QStringLiteral("Kunden"), QStringLiteral("Registrierungen"),
                          QStringLiteral("Hubs und Zuteilung"), QStringLiteral("Protokoll"),
                          QStringLiteral("Dienstzugriff"), QStringLiteral("Übersicht")}));
    QStringList menus;
    for (QAction *a : window.menuBar()->actions())
        menus << a->text();
    QCOMPARE(menus.first(), QStringLiteral("&Datei"));
    QVERIFY(menus.contains(QStringLiteral("&Ansicht")));

    // Every page in turn, then every text on screen.
    QStringList seen;
    for (int i = 0; i < sidebar->count(); ++i) {
        window.findChild<QListWidget *>(QStringLiteral("sidebar"))->setCurrentRow(i);
        QTest::qWait(300);
        seen << visibleTexts(&window);
    }
    seen.removeDuplicates();
    QVERIFY2(seen.size() > 100, qPrintable(QString::number(seen.size())));
    QStringList leftInEnglish;
    for (const QString &text : std::as_const(seen)) {
        if (english.contains(text))
            leftInEnglish << text;
    }
    QVERIFY2(leftInEnglish.isEmpty(),
             qPrintable(QStringLiteral("English on the German screen: ") + leftInEnglish.join(QStringLiteral(" | "))));
    QVERIFY(seen.contains(QStringLiteral("Seriennummer")));
    Provisio::Test::saveScreenshot(&window, "crm-inventory-de.png");
    feed.stop();
}

void TestCrmAppLanguage::datesAndNumbersFollowTheLanguage()
{
    const QDateTime at(QDate(2026, 12, 6), QTime(12, 49, 30), Qt::LocalTime);
    QVERIFY(CrmLanguage::install(QStringLiteral("en")));
    QCOMPARE(formatDateTime(at), at.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t")));
    QCOMPARE(formatApiDate(QStringLiteral("2026-11-20")), QStringLiteral("2026-11-20"));
    const QJsonObject before{{QStringLiteral("pressure"), 1013.25}};
    const QJsonObject after{{QStringLiteral("pressure"), 1014.5}};
    QCOMPARE(describeChanges(before, after), QStringList{QStringLiteral("pressure: 1013.25 \u2192 1014.5")});
    QVERIFY(CrmLanguage::install(QStringLiteral("de")));
    QCOMPARE(formatDateTime(at), at.toString(QStringLiteral("dd.MM.yyyy HH:mm:ss t")));
    QVERIFY(formatDateTime(at).startsWith(QLatin1String("06.12.2026 12:49:30 ")));
    QCOMPARE(formatApiDate(QStringLiteral("2026-11-20")), QStringLiteral("20.11.2026"));
    QCOMPARE(formatApiDate(QStringLiteral("not a date")), QStringLiteral("not a date"));
    QCOMPARE(describeChanges(before, after), QStringList{QStringLiteral("pressure: 1013,25 \u2192 1014,5")});
    QCOMPARE(describeChanges(QJsonObject(), after), QStringList{QStringLiteral("hinzugefügt pressure: 1014,5")});
}

void TestCrmAppLanguage::languageMenuSavesTheChoice()
{
    QVERIFY(m_f.start());
    QVERIFY(CrmLanguage::install(CrmLanguage::effective()));
    QCOMPARE(CrmLanguage::chosen(), QString()); // the system's by default
    auto api = Provisio::Test::crmClient(m_f, m_f.adminToken);
    MainWindow window(api.get(), nullptr);
    window.applyRole(QStringLiteral("admin"));
    auto *system = window.findChild<QAction *>(QStringLiteral("language_system"));
    auto *german = window.findChild<QAction *>(QStringLiteral("language_de"));
    QVERIFY(system && german);
    QVERIFY(system->isChecked());
    QCOMPARE(german->text(), QStringLiteral("Deutsch"));
    QSignalSpy changed(&window, &MainWindow::languageChangeRequested);
    german->trigger();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(CrmLanguage::chosen(), QStringLiteral("de"));
    QCOMPARE(CrmLanguage::effective(), QStringLiteral("de"));
    // Choosing it again changes nothing; an unknown code is refused.
    german->trigger();
    QCOMPARE(changed.count(), 1);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no translation for language")));
    QVERIFY(!CrmLanguage::install(QStringLiteral("xx")));
    // The next window (Session rebuilds it) is German and shows the choice.
    QVERIFY(CrmLanguage::install(CrmLanguage::effective()));
    MainWindow next(api.get(), nullptr);
    QCOMPARE(next.menuBar()->actions().first()->text(), QStringLiteral("&Datei"));
    QVERIFY(next.findChild<QAction *>(QStringLiteral("language_de"))->isChecked());
    // Back to the system's language.
    next.findChild<QAction *>(QStringLiteral("language_system"))->trigger();
    QCOMPARE(CrmLanguage::chosen(), QString());
    QCOMPARE(CrmLanguage::effective(), CrmLanguage::systemLanguage());
}

void TestCrmAppLanguage::languageOptionIsChecked()
{
    const auto german =
        AppOptions::parse({QStringLiteral("provisio-crm"), QStringLiteral("--language"), QStringLiteral("de")});
    QVERIFY(german.ok());
    QCOMPARE(german->language, QStringLiteral("de"));
    const auto unknown =
        AppOptions::parse({QStringLiteral("provisio-crm"), QStringLiteral("--language"), QStringLiteral("xx")});
    QVERIFY(!unknown.ok());
    QVERIFY(unknown.error().message.contains(QLatin1String("en, de")));
}

void TestCrmAppLanguage::auditColumnsFitTheirTexts_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QStringLiteral("en");
    QTest::newRow("German") << QStringLiteral("de");
}

void TestCrmAppLanguage::auditColumnsFitTheirTexts()
{
    // The longest actions and record types in the log ("Aktivierungscode
    // ausgegeben", "ins Lager zurückgenommen", "Registrierungsgruppe") are
    // shown whole, and every column's title too, also after a layout saved
    // in the other language is restored.
    QFETCH(QString, language);
    QVERIFY(m_f.start());
    const auto admin = m_f.client(m_f.adminToken);
    const auto customer =
        admin->post(QStringLiteral("/api/v1/customers"), {{QStringLiteral("name"), QStringLiteral("Contoso Ltd")}});
    QCOMPARE(customer.status, 201);
    QCOMPARE(
        admin->post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("AU-1")}}).status,
        201);
    QCOMPARE(admin
                 ->post(QStringLiteral("/api/v1/devices/AU-1/sell"),
                        {{QStringLiteral("customerId"), customer.json().value(QStringLiteral("id"))}})
                 .status,
             200);
    QCOMPARE(admin
                 ->put(QStringLiteral("/api/v1/enrollments/au-1"),
                       {{QStringLiteral("registrationId"), QStringLiteral("au-1")},
                        {QStringLiteral("serial"), QStringLiteral("AU-1")},
                        {QStringLiteral("attestation"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}})
                 .status,
             201);
    QCOMPARE(admin->post(QStringLiteral("/api/v1/enrollments/au-1/activation-code"), QJsonObject()).status, 201);
    QCOMPARE(admin->post(QStringLiteral("/api/v1/devices/AU-1/return"), QJsonObject()).status, 200);
    QCOMPARE(admin
                 ->put(QStringLiteral("/api/v1/enrollment-groups/line-a"),
                       {{QStringLiteral("attestation"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}})
                 .status,
             201);

    auto api = Provisio::Test::crmClient(m_f, m_f.adminToken);
    const QString other = language == QLatin1String("de") ? QStringLiteral("en") : QStringLiteral("de");
    QSettings saved;
    {
        // The layout the other language left behind.
        QVERIFY(CrmLanguage::install(other));
        MainWindow before(api.get(), nullptr);
        auto *page = before.findChild<AuditPage *>(QStringLiteral("audit"));
        QVERIFY(page);
        page->saveState(saved);
    }
    QVERIFY(CrmLanguage::install(language));
    MainWindow window(api.get(), nullptr);
    window.applyRole(QStringLiteral("admin"));
    window.findChild<AuditPage *>(QStringLiteral("audit"))->restoreState(saved);
    window.start();
    window.showPage(MainWindow::AuditView);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *page = window.findChild<AuditPage *>(QStringLiteral("audit"));
    QVERIFY(page);
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowCount() >= 7, 20000);
    QTableView *table = page->table();
    QStringList actions;
    QStringList types;
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        actions << table->model()->index(row, AuditModel::ActionColumn).data().toString();
        types << table->model()->index(row, AuditModel::EntityTypeColumn).data().toString();
    }
    QVERIFY2(actions.contains(apiWord(QStringLiteral("issueActivationCode"))), qPrintable(actions.join(u'|')));
    QVERIFY2(actions.contains(apiWord(QStringLiteral("return"))), qPrintable(actions.join(u'|')));
    QVERIFY2(types.contains(apiWord(QStringLiteral("enrollmentGroup"))), qPrintable(types.join(u'|')));
    // sizeHintForColumn: what the view's delegate needs for the widest
    // cell of the column among the rows shown (public in the base class).
    QAbstractItemView *view = table;
    for (int column : {int(AuditModel::AtColumn), int(AuditModel::ActionColumn), int(AuditModel::EntityTypeColumn)}) {
        QVERIFY2(table->columnWidth(column) >= view->sizeHintForColumn(column),
                 qPrintable(QStringLiteral("column %1: %2 wide, needs %3")
                                .arg(column)
                                .arg(table->columnWidth(column))
                                .arg(view->sizeHintForColumn(column))));
    }
    for (int column = 0; column < AuditModel::ColumnCount; ++column) {
        QVERIFY2(table->columnWidth(column) >= table->horizontalHeader()->sectionSizeHint(column),
                 qPrintable(QStringLiteral("the title of column %1 is cut off").arg(column)));
    }
    saved.clear();
}

QTEST_MAIN(TestCrmAppLanguage)
#include "tst_crm_app_language.moc"
