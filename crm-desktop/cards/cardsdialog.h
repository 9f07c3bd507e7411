// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "activationcard.h"
#include "activationcardfetcher.h"
#include "core/result.h"

#include <QDialog>
#include <QStringList>

class QLabel;
class QLineEdit;
class QPrinter;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace Provisio::Crm {

class ApiClient;
class CardListModel;
class CardPreview;

// Shows a provisioning key once, on request: ID scope, registration ID and
// the symmetric key, with a Copy button. The key goes to the clipboard
// marked as a secret for clipboard managers, and never to a log.
class FullKeyDialog : public QDialog
{
    Q_OBJECT
public:
    FullKeyDialog(const ActivationCardFetcher::FullKey &key, QWidget *parent = nullptr);
    QPushButton *copyButton() const { return m_copy; }
    void copyToClipboard();

private:
    QByteArray m_clipboardText;
    QPushButton *m_copy = nullptr;
};

// The activation cards of some devices: issues a fresh one-time code for
// each (the middleware shows a code only when it issues it), with progress
// for batches, previews each card, prints them (print preview) or exports
// one PDF. Opened by the main window with the selected serials.
class ActivationCardsDialog : public QDialog
{
    Q_OBJECT
public:
    ActivationCardsDialog(QWidget *parent, ApiClient *api, const QStringList &serials = {});
    explicit ActivationCardsDialog(QWidget *parent = nullptr);
    ~ActivationCardsDialog() override;

    void setApiClient(ApiClient *api);
    void setSerials(const QStringList &serials);
    QStringList serials() const;

    // Issues the codes (what "Issue codes" does). Voids the devices' earlier
    // unused codes, which the dialog says before the user clicks.
    void issueCodes();
    bool isBusy() const;
    QList<ActivationCard> cards() const; // the cards ready so far, in list order
    CardListModel *model() const { return m_model; }

    // What "Export PDF…" does after asking for the file name.
    Result<void> exportPdf(const QString &path);
    void printTo(QPrinter *printer);

    // For tests and the main window's own shortcuts.
    QPushButton *issueButton() const { return m_issue; }
    QPushButton *printButton() const { return m_print; }
    QPushButton *exportButton() const { return m_export; }
    QPushButton *fullKeyButton() const { return m_fullKey; }
    QProgressBar *progressBar() const { return m_progress; }
    QTableView *view() const { return m_view; }
    CardPreview *preview() const { return m_preview; }
    QLabel *statusLabel() const { return m_status; }

    // Cancel/Close/Escape; see the .cpp for what happens mid-run.
    void reject() override;

Q_SIGNALS:
    void cardsIssued(int ready, int failed);
    void pdfExported(const QString &path);

private:
    void buildUi();
    void updateButtons();
    void showSelected();
    void onFinished();
    void askExportPdf();
    void openPrintPreview();
    void showFullKey();

    ApiClient *m_api = nullptr;
    ActivationCardFetcher *m_fetcher = nullptr;
    CardListModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    CardPreview *m_preview = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_note = nullptr;
    QSpinBox *m_perPage = nullptr;
    QPushButton *m_issue = nullptr;
    QPushButton *m_print = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_fullKey = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace Provisio::Crm
