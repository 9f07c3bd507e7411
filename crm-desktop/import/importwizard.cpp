// SPDX-License-Identifier: Apache-2.0
#include "importwizard.h"
#include "csvpreviewmodel.h"
#include "importjob.h"
#include "importresultsmodel.h"

#include "apiclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <utility>

namespace Provisio::Crm {

namespace {

QTableView *makeTable(QWidget *parent, QAbstractItemModel *model)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->horizontalHeader()->setStretchLastSection(true);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    return view;
}

QLabel *makeLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

// ------------------------------------------------------------------- pages

class ImportFilePage : public QWizardPage
{
public:
    explicit ImportFilePage(ImportWizard *wizard) : m_wizard(wizard)
    {
        setTitle(tr("Delivery file"));
        setSubTitle(tr("Pick the manufacturer's CSV file. Its first row must name the columns."));
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(wizard->buildFileWidgets());
    }
    bool isComplete() const override { return m_wizard->hasTable(); }

private:
    ImportWizard *m_wizard;
};

class ImportMappingPage : public QWizardPage
{
public:
    explicit ImportMappingPage(ImportWizard *wizard) : m_wizard(wizard)
    {
        setTitle(tr("Columns"));
        setSubTitle(tr("Check which inventory field each column fills. Columns set to (ignore) "
                       "are not imported."));
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(wizard->buildMappingWidgets());
    }
    bool isComplete() const override { return m_wizard->hasTable() && m_wizard->mapping().problem().isEmpty(); }

private:
    ImportWizard *m_wizard;
};

class ImportValidationPage : public QWizardPage
{
public:
    explicit ImportValidationPage(ImportWizard *wizard) : m_wizard(wizard)
    {
        setTitle(tr("Validation"));
        setSubTitle(tr("The middleware checks every row. Nothing is written yet."));
        setCommitPage(true);
        setButtonText(QWizard::CommitButton, tr("Import"));
        auto *layout = new QVBoxLayout(this);
        wizard->m_validationProgress = new QProgressBar(this);
        wizard->m_validationSummary = makeLabel(this);
        wizard->m_validationModel = new ImportResultsModel(this);
        wizard->m_validationView = makeTable(this, wizard->m_validationModel);
        wizard->m_validationView->verticalHeader()->hide(); // the Row column says it
        wizard->m_skipErrors = new QCheckBox(this);
        wizard->m_skipErrors->hide();
        layout->addWidget(wizard->m_validationProgress);
        layout->addWidget(wizard->m_validationSummary);
        layout->addWidget(wizard->m_validationView, 1);
        layout->addWidget(wizard->m_skipErrors);
        connect(wizard->m_skipErrors, &QCheckBox::toggled, this, &QWizardPage::completeChanged);
    }
    void initializePage() override { m_wizard->startValidation(); }
    void cleanupPage() override { m_wizard->validationJob()->cancel(); }
    bool isComplete() const override
    {
        const ImportJob *job = m_wizard->validationJob();
        if (!job->isComplete() || job->created() + job->updated() == 0)
            return false;
        return job->failed() == 0 || m_wizard->skipErrorsBox()->isChecked();
    }

private:
    ImportWizard *m_wizard;
};

class ImportRunPage : public QWizardPage
{
public:
    explicit ImportRunPage(ImportWizard *wizard) : m_wizard(wizard)
    {
        setTitle(tr("Import"));
        setSubTitle(tr("Rows go to the middleware in chunks of up to %1; Stop ends the import after the "
                       "chunk being sent.")
                        .arg(ImportJob::ChunkRows));
        auto *layout = new QVBoxLayout(this);
        wizard->m_importProgress = new QProgressBar(this);
        wizard->m_importProgress->setFormat(tr("%v of %m rows"));
        wizard->m_importStatus = makeLabel(this);
        wizard->m_stop = new QPushButton(tr("Stop after this chunk"), this);
        auto *row = new QHBoxLayout;
        row->addStretch();
        row->addWidget(wizard->m_stop);
        layout->addWidget(wizard->m_importProgress);
        layout->addWidget(wizard->m_importStatus);
        layout->addLayout(row);
        layout->addStretch();
        connect(wizard->m_stop, &QPushButton::clicked, this, [wizard] {
            wizard->importJob()->cancel();
            wizard->m_stop->setEnabled(false);
            wizard->m_importStatus->setText(tr("Stopping after the current chunk\u2026"));
        });
    }
    void initializePage() override { m_wizard->startImport(); }
    bool isComplete() const override { return !m_wizard->importJob()->isRunning(); }

private:
    ImportWizard *m_wizard;
};

class ImportReportPage : public QWizardPage
{
public:
    explicit ImportReportPage(ImportWizard *wizard) : m_wizard(wizard)
    {
        setTitle(tr("Report"));
        setFinalPage(true);
        auto *layout = new QVBoxLayout(this);
        wizard->m_reportSummary = makeLabel(this);
        wizard->m_reportModel = new ImportResultsModel(this);
        wizard->m_reportView = makeTable(this, wizard->m_reportModel);
        wizard->m_reportView->verticalHeader()->hide();
        wizard->m_reportAllRows = new QCheckBox(tr("Show all rows"), this);
        wizard->m_exportReport = new QPushButton(tr("Export report\u2026"), this);
        auto *row = new QHBoxLayout;
        row->addWidget(wizard->m_reportAllRows);
        row->addStretch();
        row->addWidget(wizard->m_exportReport);
        layout->addWidget(wizard->m_reportSummary);
        layout->addWidget(wizard->m_reportView, 1);
        layout->addLayout(row);
        connect(wizard->m_reportAllRows, &QCheckBox::toggled, wizard->m_reportModel,
                [wizard](bool all) { wizard->m_reportModel->setProblemsOnly(!all); });
        connect(wizard->m_exportReport, &QPushButton::clicked, wizard, &ImportWizard::askExportReport);
    }
    void initializePage() override { m_wizard->showReport(); }

private:
    ImportWizard *m_wizard;
};

// ------------------------------------------------------------------ wizard

ImportWizard::ImportWizard(QWidget *parent, ApiClient *api)
    : QWizard(parent), m_api(api), m_validation(new ImportJob(api, this)), m_import(new ImportJob(api, this))
{
    setWindowTitle(tr("Import a delivery file"));
    setOption(QWizard::NoBackButtonOnLastPage, true);
    setOption(QWizard::NoCancelButtonOnLastPage, true);
    setPage(FilePageId, new ImportFilePage(this));
    setPage(MappingPageId, new ImportMappingPage(this));
    setPage(ValidationPageId, new ImportValidationPage(this));
    setPage(ImportPageId, new ImportRunPage(this));
    setPage(ReportPageId, new ImportReportPage(this));

    connect(m_validation, &ImportJob::progress, this, [this](int done, int total) {
        m_validationProgress->setRange(0, qMax(1, total));
        m_validationProgress->setValue(done);
        m_validationSummary->setText(tr("Checking rows: %1 of %2\u2026").arg(done).arg(total));
    });
    connect(m_validation, &ImportJob::finished, this, &ImportWizard::onValidationFinished);
    connect(m_import, &ImportJob::progress, this, [this](int done, int total) {
        m_importProgress->setRange(0, qMax(1, total));
        m_importProgress->setValue(done);
    });
    connect(m_import, &ImportJob::chunkFinished, this, [this](int chunk, int chunks) {
        if (!m_import->isCancelled())
            m_importStatus->setText(tr("Chunk %1 of %2 imported: %3 created, %4 updated so far.")
                                        .arg(chunk)
                                        .arg(chunks)
                                        .arg(m_import->created())
                                        .arg(m_import->updated()));
    });
    connect(m_import, &ImportJob::finished, this, &ImportWizard::onImportFinished);
    resize(860, 620);
}

ImportWizard::~ImportWizard() = default;

QWidget *ImportWizard::buildFileWidgets()
{
    auto *box = new QWidget;
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 0, 0, 0);
    m_path = new QLineEdit(box);
    m_path->setPlaceholderText(QStringLiteral("delivery.csv"));
    m_path->setClearButtonEnabled(true);
    auto *browse = new QPushButton(tr("Browse\u2026"), box);
    m_delimiter = new QComboBox(box);
    m_delimiter->addItem(tr("Detect"), QString());
    m_delimiter->addItem(tr("Comma (,)"), QStringLiteral(","));
    m_delimiter->addItem(tr("Semicolon (;)"), QStringLiteral(";"));
    m_delimiter->addItem(tr("Tab"), QStringLiteral("\t"));
    m_fileSummary = makeLabel(box);
    m_loadProgress = new QProgressBar(box);
    m_loadProgress->setRange(0, 100);
    m_loadProgress->hide();
    grid->addWidget(new QLabel(tr("File"), box), 0, 0);
    grid->addWidget(m_path, 0, 1);
    grid->addWidget(browse, 0, 2);
    grid->addWidget(new QLabel(tr("Delimiter"), box), 1, 0);
    grid->addWidget(m_delimiter, 1, 1, 1, 2, Qt::AlignLeft);
    grid->addWidget(m_fileSummary, 2, 0, 1, 3);
    grid->addWidget(m_loadProgress, 3, 0, 1, 3);
    grid->setRowStretch(4, 1);
    grid->setColumnStretch(1, 1);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString start = m_path->text().isEmpty()
                                  ? QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
                                  : QFileInfo(m_path->text()).absolutePath();
        const QString path = QFileDialog::getOpenFileName(this, tr("Delivery file"), start,
                                                          tr("CSV files (*.csv *.txt);;All files (*)"));
        if (!path.isEmpty())
            loadFile(path);
    });
    // Return in the path field reads the file and goes on to the columns,
    // once it has been read.
    connect(m_path, &QLineEdit::returnPressed, this, [this] {
        if (m_path->text() != m_fileName || isLoading())
            m_nextWhenRead = true;
    });
    connect(m_path, &QLineEdit::editingFinished, this, [this] {
        if (m_path->text() != m_fileName)
            loadFile(m_path->text());
    });
    connect(m_delimiter, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_fileName.isEmpty())
            loadFile(m_fileName);
    });
    return box;
}

QChar ImportWizard::delimiterChoice() const
{
    const QString d = m_delimiter->currentData().toString();
    return d.isEmpty() ? QChar() : d.at(0);
}

void ImportWizard::loadFile(const QString &path)
{
    m_fileName = path;
    if (m_path->text() != path)
        m_path->setText(path);
    // A newer pick drops the read under way (it finishes unheard, its
    // progress too).
    if (m_loading) {
        m_loading->disconnect();
        m_loading->deleteLater();
        m_loading = nullptr;
    }
    m_hasTable = false;
    if (QWizardPage *p = page(FilePageId))
        Q_EMIT p->completeChanged();
    if (path.isEmpty()) {
        fileRead(path, Error(ErrorCode::InvalidInput, tr("Pick a file.")));
        return;
    }
    // A person picked this file: read an older Excel export as Windows-1252
    // rather than refuse it.
    CsvReader::Options options;
    options.delimiter = delimiterChoice();
    options.windows1252Fallback = true;
    using Outcome = std::shared_ptr<Result<CsvReader::Table>>;
    m_loading = new QFutureWatcher<Outcome>(this);
    connect(m_loading, &QFutureWatcherBase::progressValueChanged, m_loadProgress, &QProgressBar::setValue);
    connect(m_loading, &QFutureWatcherBase::finished, this, [this, path] {
        const Outcome outcome = m_loading->future().resultCount() > 0 ? m_loading->result() : nullptr;
        m_loading->deleteLater();
        m_loading = nullptr;
        fileRead(path, outcome ? *outcome : Error(ErrorCode::Internal, tr("The file could not be read.")));
    });
    m_loadProgress->setValue(0);
    m_loadProgress->show();
    m_fileSummary->setText(tr("Reading %1\u2026").arg(QFileInfo(path).fileName()));
    m_loading->setFuture(QtConcurrent::run([path, options](QPromise<Outcome> &promise) mutable {
        promise.setProgressRange(0, 100);
        options.progress = [&promise](qint64 done, qint64 total) {
            promise.setProgressValue(int(done * 100 / std::max<qint64>(total, 1)));
        };
        promise.addResult(std::make_shared<Result<CsvReader::Table>>(CsvReader::readFile(path, options)));
    }));
}

void ImportWizard::fileRead(const QString &path, const Result<CsvReader::Table> &table)
{
    m_loadProgress->hide();
    m_hasTable = table.ok();
    if (!table) {
        m_table = {};
        m_fileSummary->setText(table.error().message);
    } else {
        m_table = *table;
        const QString delimiter = m_table.delimiter == u'\t' ? tr("tab") : QString(m_table.delimiter);
        m_fileSummary->setText(tr("%1: %2 columns, %3 rows (delimiter '%4', %5).")
                                   .arg(QFileInfo(path).fileName())
                                   .arg(m_table.header.size())
                                   .arg(m_table.rows.size())
                                   .arg(delimiter, m_table.encoding));
    }
    m_previewModel->setTable(m_table);
    m_mapping = ColumnMapping::guess(m_table.header);
    rebuildMappingCombos();
    if (QWizardPage *p = page(FilePageId))
        Q_EMIT p->completeChanged();
    if (std::exchange(m_nextWhenRead, false) && m_hasTable && currentId() == FilePageId)
        next();
    Q_EMIT fileLoaded(m_hasTable);
}

QWidget *ImportWizard::buildMappingWidgets()
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(box);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMaximumHeight(150);
    m_mappingArea = new QWidget(scroll);
    new QGridLayout(m_mappingArea);
    scroll->setWidget(m_mappingArea);
    m_previewModel = new CsvPreviewModel(box);
    m_previewView = makeTable(box, m_previewModel);
    m_previewView->horizontalHeader()->setStretchLastSection(false);
    m_mappingProblem = makeLabel(box);
    m_mappingProblem->setStyleSheet(QStringLiteral("color: #b02020"));
    m_upsert = new QCheckBox(tr("Update devices that are already in the inventory "
                                "(blank cells keep the stored values)"),
                             box);
    layout->addWidget(scroll);
    layout->addWidget(m_previewView, 1);
    layout->addWidget(m_mappingProblem);
    layout->addWidget(m_upsert);
    return box;
}

void ImportWizard::rebuildMappingCombos()
{
    auto *grid = static_cast<QGridLayout *>(m_mappingArea->layout());
    qDeleteAll(m_mappingCombos);
    m_mappingCombos.clear();
    while (QLayoutItem *item = grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    // Two columns of "file column → field" pairs keep wide files readable.
    const int perColumn = qMax(1, int((m_table.header.size() + 1) / 2));
    for (int c = 0; c < m_table.header.size(); ++c) {
        auto *label = new QLabel(m_table.header.at(c).isEmpty() ? tr("(column %1)").arg(c + 1) : m_table.header.at(c),
                                 m_mappingArea);
        auto *combo = new QComboBox(m_mappingArea);
        combo->setObjectName(QStringLiteral("mapping%1").arg(c));
        combo->addItem(ColumnMapping::label(ColumnMapping::Ignore), int(ColumnMapping::Ignore));
        for (const ColumnMapping::Target t : ColumnMapping::fields())
            combo->addItem(ColumnMapping::label(t), int(t));
        combo->setCurrentIndex(combo->findData(int(m_mapping.target(c))));
        label->setBuddy(combo);
        grid->addWidget(label, c % perColumn, (c / perColumn) * 2);
        grid->addWidget(combo, c % perColumn, (c / perColumn) * 2 + 1);
        connect(combo, &QComboBox::currentIndexChanged, this, [this, c, combo] {
            ColumnMapping changed = m_mapping;
            changed.setTarget(c, ColumnMapping::Target(combo->currentData().toInt()));
            setMapping(changed);
        });
        m_mappingCombos << combo;
    }
    setMapping(m_mapping);
}

void ImportWizard::setMapping(const ColumnMapping &mapping)
{
    m_mapping = mapping;
    for (int c = 0; c < m_mappingCombos.size(); ++c) {
        QComboBox *combo = m_mappingCombos.at(c);
        const int index = combo->findData(int(m_mapping.target(c)));
        if (combo->currentIndex() != index) {
            const QSignalBlocker block(combo);
            combo->setCurrentIndex(index);
        }
    }
    m_previewModel->setMapping(m_mapping);
    m_mappingProblem->setText(m_table.header.isEmpty() ? QString() : m_mapping.problem());
    if (QWizardPage *p = page(MappingPageId))
        Q_EMIT p->completeChanged();
}

QComboBox *ImportWizard::mappingCombo(int column) const
{
    return m_mappingCombos.value(column);
}

bool ImportWizard::upsert() const
{
    return m_upsert->isChecked();
}

void ImportWizard::startValidation()
{
    m_validationModel->setResults({});
    m_skipErrors->hide();
    m_skipErrors->setChecked(false);
    // Back and Next again while an earlier check still has a chunk out: the
    // new check starts when that one ends, so stale results never show.
    if (m_validation->isRunning()) {
        m_validationPending = true;
        m_validation->cancel();
        m_validationSummary->setText(tr("Checking\u2026"));
        return;
    }
    m_validationPending = false;
    m_validation->setData(m_table, m_mapping);
    m_validation->start(true, upsert());
}

void ImportWizard::onValidationFinished()
{
    if (m_validationPending) {
        if (currentId() == ValidationPageId)
            startValidation();
        else
            m_validationPending = false;
        return;
    }
    const ImportJob *job = m_validation;
    m_validationModel->setResults(job->results());
    const int valid = job->created() + job->updated();
    QString text;
    if (!job->failure().isEmpty()) {
        text = tr("The file could not be checked: %1. Go back to fix the file or the columns; "
                  "Next checks it again.")
                   .arg(job->failure());
    } else if (job->isCancelled()) {
        text = tr("Checking stopped.");
    } else {
        text = tr("%1 rows checked: %2 would be created, %3 updated, %4 have errors.")
                   .arg(job->totalRows())
                   .arg(job->created())
                   .arg(job->updated())
                   .arg(job->failed());
        if (valid == 0)
            text += tr(" There is nothing to import; fix the file and pick it again.");
        else if (job->failed() > 0) {
            text += tr(" The rows with errors are listed below; nothing has been written.");
            m_skipErrors->setText(
                tr("Import the valid rows (%1) and skip the rows with errors (%2)").arg(valid).arg(job->failed()));
            m_skipErrors->show();
        } else {
            text += tr(" Click Import to write them.");
        }
    }
    m_validationSummary->setText(text);
    if (QWizardPage *p = page(ValidationPageId))
        Q_EMIT p->completeChanged();
}

void ImportWizard::startImport()
{
    m_stop->setEnabled(true);
    m_importStatus->setText(tr("Importing\u2026"));
    // The rows the dry run just checked: the import page follows only a
    // finished check of the current file and columns.
    m_import->setDataOf(*m_validation);
    m_import->start(false, upsert());
    if (QWizardPage *p = page(ImportPageId))
        Q_EMIT p->completeChanged();
}

void ImportWizard::onImportFinished()
{
    m_stop->setEnabled(false);
    if (QWizardPage *p = page(ImportPageId))
        Q_EMIT p->completeChanged();
    Q_EMIT imported(m_import->created(), m_import->updated());
    // The report says everything the progress page could; go there at once.
    QTimer::singleShot(0, this, [this] {
        if (currentId() == ImportPageId)
            next();
    });
}

void ImportWizard::showReport()
{
    const ImportJob *job = m_import;
    m_reportModel->setResults(job->results());
    QString text = tr("%1 devices created, %2 updated, %3 rows refused.")
                       .arg(job->created())
                       .arg(job->updated())
                       .arg(job->failed());
    if (job->isCancelled() && job->rowsNotSent() > 0)
        text += tr(" Stopped after %1 of %2 chunks: %3 rows were not sent and are listed below.")
                    .arg(job->chunksDone())
                    .arg(job->chunkCount())
                    .arg(job->rowsNotSent());
    if (!job->failure().isEmpty())
        text += tr(" The import stopped: %1.").arg(job->failure());
    m_reportSummary->setText(text);
}

Result<void> ImportWizard::exportReport(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(ErrorCode::InvalidInput, tr("cannot write %1: %2").arg(path, file.errorString()));
    file.write(m_import->reportCsv());
    if (!file.commit())
        return Error(ErrorCode::Unavailable, tr("cannot save %1: %2").arg(path, file.errorString()));
    return {};
}

void ImportWizard::askExportReport()
{
    const QString base = m_fileName.isEmpty() ? QStringLiteral("import") : QFileInfo(m_fileName).completeBaseName();
    const QString suggested = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                                  .filePath(base + QStringLiteral("-report.csv"));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export import report"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    if (auto ok = exportReport(path); !ok)
        QMessageBox::warning(this, tr("Export report"), ok.error().message);
}

void ImportWizard::reject()
{
    // Closing mid-import would leave the user guessing what was written:
    // stop after the chunk in flight and show the report instead.
    if (m_import->isRunning()) {
        m_stop->click();
        return;
    }
    m_validation->cancel();
    QWizard::reject();
}

} // namespace Provisio::Crm
