// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "columnmapping.h"
#include "core/result.h"
#include "csv/csvreader.h"

#include <QFutureWatcher>
#include <QWizard>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace Provisio::Crm {

class ApiClient;
class CsvPreviewModel;
class ImportJob;
class ImportResultsModel;

// Imports a manufacturer's delivery file into the inventory, in five steps:
// pick the CSV file; check the column mapping against a preview; validate
// (the whole file is checked by the middleware with dryRun=true and every
// bad row is listed before anything is written); import in chunks
// (ImportJob) with progress and a Stop that takes effect after the chunk in
// flight; and a report of what was created, updated and refused, which can
// be saved as CSV.
class ImportWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId { FilePageId, MappingPageId, ValidationPageId, ImportPageId, ReportPageId };

    ImportWizard(QWidget *parent, ApiClient *api);
    ~ImportWizard() override;

    // What the file page does when a file is picked: reads it on a worker
    // thread while the page shows how far it got (a delivery of a million
    // devices takes seconds to read), then says on the page what it found,
    // or why it cannot be read, and emits fileLoaded. Picking another file
    // meanwhile drops the first.
    void loadFile(const QString &path);
    bool isLoading() const { return m_loading != nullptr; }
    bool hasTable() const { return m_hasTable; }
    CsvReader::Table table() const { return m_table; }
    QString fileName() const { return m_fileName; }
    QChar delimiterChoice() const; // null: guess

    ColumnMapping mapping() const { return m_mapping; }
    void setMapping(const ColumnMapping &mapping);
    bool upsert() const;

    ImportJob *validationJob() const { return m_validation; }
    ImportJob *importJob() const { return m_import; }

    // What "Export report…" does after asking for the file name.
    Result<void> exportReport(const QString &path) const;

    // For tests and screenshots.
    QLineEdit *pathEdit() const { return m_path; }
    QProgressBar *loadProgress() const { return m_loadProgress; }
    QLabel *fileSummary() const { return m_fileSummary; }
    QComboBox *mappingCombo(int column) const;
    QTableView *previewView() const { return m_previewView; }
    QTableView *validationView() const { return m_validationView; }
    QCheckBox *skipErrorsBox() const { return m_skipErrors; }
    QCheckBox *upsertBox() const { return m_upsert; }
    QLabel *validationSummary() const { return m_validationSummary; }
    QProgressBar *validationProgress() const { return m_validationProgress; }
    QProgressBar *importProgress() const { return m_importProgress; }
    QPushButton *stopButton() const { return m_stop; }
    QLabel *importStatus() const { return m_importStatus; }
    QLabel *reportSummary() const { return m_reportSummary; }
    QTableView *reportView() const { return m_reportView; }
    QPushButton *exportReportButton() const { return m_exportReport; }
    ImportResultsModel *validationModel() const { return m_validationModel; }
    ImportResultsModel *reportModel() const { return m_reportModel; }
    CsvPreviewModel *previewModel() const { return m_previewModel; }

    // Cancel/Close/Escape; see the .cpp for what happens mid-run.
    void reject() override;

Q_SIGNALS:
    void imported(int created, int updated);
    // The file loadFile() was asked for last has been read: `ok` when it
    // holds a table.
    void fileLoaded(bool ok);

private:
    friend class ImportFilePage;
    friend class ImportMappingPage;
    friend class ImportValidationPage;
    friend class ImportRunPage;
    friend class ImportReportPage;

    QWidget *buildFileWidgets();
    // The end of loadFile(): `table` as read from `path`, or why not.
    void fileRead(const QString &path, const Result<CsvReader::Table> &table);
    QWidget *buildMappingWidgets();
    void rebuildMappingCombos();
    void startValidation();
    void onValidationFinished();
    void startImport();
    void onImportFinished();
    void showReport();
    void askExportReport();

    ApiClient *m_api;
    ImportJob *m_validation = nullptr;
    ImportJob *m_import = nullptr;
    CsvReader::Table m_table;
    ColumnMapping m_mapping;
    QString m_fileName;
    bool m_hasTable = false;
    bool m_validationPending = false;

    QLineEdit *m_path = nullptr;
    QComboBox *m_delimiter = nullptr;
    QLabel *m_fileSummary = nullptr;
    QProgressBar *m_loadProgress = nullptr;
    // The read under way (its outcome; null for none), or null.
    QFutureWatcher<std::shared_ptr<Result<CsvReader::Table>>> *m_loading = nullptr;
    bool m_nextWhenRead = false; // Return was pressed in the path field
    QWidget *m_mappingArea = nullptr;
    QList<QComboBox *> m_mappingCombos;
    QTableView *m_previewView = nullptr;
    CsvPreviewModel *m_previewModel = nullptr;
    QLabel *m_mappingProblem = nullptr;
    QCheckBox *m_upsert = nullptr;
    QProgressBar *m_validationProgress = nullptr;
    QLabel *m_validationSummary = nullptr;
    QTableView *m_validationView = nullptr;
    ImportResultsModel *m_validationModel = nullptr;
    QCheckBox *m_skipErrors = nullptr;
    QProgressBar *m_importProgress = nullptr;
    QLabel *m_importStatus = nullptr;
    QPushButton *m_stop = nullptr;
    QLabel *m_reportSummary = nullptr;
    QTableView *m_reportView = nullptr;
    ImportResultsModel *m_reportModel = nullptr;
    QCheckBox *m_reportAllRows = nullptr;
    QPushButton *m_exportReport = nullptr;
};

} // namespace Provisio::Crm
