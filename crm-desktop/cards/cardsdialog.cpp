// SPDX-License-Identifier: Apache-2.0
#include "cardsdialog.h"
#include "activationcardrenderer.h"
#include "cardlistmodel.h"
#include "cardpreview.h"

#include "apiclient.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPrintPreviewDialog>
#include <QPrinter>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>

namespace Provisio::Crm {

// ---------------------------------------------------------------- FullKeyDialog

FullKeyDialog::FullKeyDialog(const ActivationCardFetcher::FullKey &key, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Full provisioning key"));
    setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(this);
    auto *warning = new QLabel(tr("Anyone with this key can register as the device. Give it only to "
                                  "the person setting the device up, and prefer the activation card, "
                                  "whose code works once."),
                               this);
    warning->setWordWrap(true);
    layout->addWidget(warning);

    auto *form = new QFormLayout;
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const auto field = [&](const QString &value) {
        auto *edit = new QLineEdit(value, this);
        edit->setReadOnly(true);
        edit->setFont(mono);
        edit->setMinimumWidth(edit->fontMetrics().horizontalAdvance(value) + 24);
        return edit;
    };
    form->addRow(tr("ID scope"), field(key.idScope));
    form->addRow(tr("Registration ID"), field(key.registrationId));
    auto *keyEdit = field(key.symmetricKey);
    keyEdit->setObjectName(QStringLiteral("symmetricKey"));
    form->addRow(tr("Symmetric key"), keyEdit);
    layout->addLayout(form);

    m_clipboardText = key.symmetricKey.toUtf8();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_copy = buttons->addButton(tr("Copy key"), QDialogButtonBox::ActionRole);
    connect(m_copy, &QPushButton::clicked, this, &FullKeyDialog::copyToClipboard);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

void FullKeyDialog::copyToClipboard()
{
    auto *mime = new QMimeData;
    mime->setText(QString::fromUtf8(m_clipboardText));
    // Clipboard managers (Klipper and others) skip history for data marked so.
    mime->setData(QStringLiteral("x-kde-passwordManagerHint"), QByteArrayLiteral("secret"));
    QGuiApplication::clipboard()->setMimeData(mime);
    m_copy->setText(tr("Copied"));
}

// --------------------------------------------------------- ActivationCardsDialog

ActivationCardsDialog::ActivationCardsDialog(QWidget *parent, ApiClient *api, const QStringList &serials)
    : QDialog(parent)
{
    buildUi();
    setApiClient(api);
    setSerials(serials);
}

ActivationCardsDialog::ActivationCardsDialog(QWidget *parent) : ActivationCardsDialog(parent, nullptr, {}) { }

ActivationCardsDialog::~ActivationCardsDialog() = default;

void ActivationCardsDialog::buildUi()
{
    setWindowTitle(tr("Activation cards"));
    m_model = new CardListModel(this);

    m_note = new QLabel(this);
    m_note->setWordWrap(true);

    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);

    m_preview = new CardPreview(this);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v of %m"));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);

    m_perPage = new QSpinBox(this);
    m_perPage->setRange(1, ActivationCardRenderer::MaxCardsPerPage);
    m_perPage->setValue(ActivationCardRenderer::MaxCardsPerPage);
    m_perPage->setSuffix(tr(" per A4 page"));
    m_perPage->setToolTip(tr("Cards per printed page; cut marks show where to cut"));

    m_issue = new QPushButton(tr("Issue codes"), this);
    m_issue->setDefault(true);
    m_fullKey = new QPushButton(tr("Show full key\u2026"), this);
    m_fullKey->setToolTip(tr("Show the selected device's ID scope, registration ID and symmetric key"));
    m_print = new QPushButton(tr("Print\u2026"), this);
    m_export = new QPushButton(tr("Export PDF\u2026"), this);
    m_close = new QPushButton(tr("Close"), this);
    m_close->setAutoDefault(false);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_issue);
    buttons->addWidget(m_fullKey);
    buttons->addStretch();
    buttons->addWidget(m_perPage);
    buttons->addWidget(m_print);
    buttons->addWidget(m_export);
    buttons->addWidget(m_close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_note);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addLayout(buttons);

    connect(m_issue, &QPushButton::clicked, this, [this] {
        if (isBusy())
            m_fetcher->cancel();
        else
            issueCodes();
    });
    connect(m_fullKey, &QPushButton::clicked, this, &ActivationCardsDialog::showFullKey);
    connect(m_print, &QPushButton::clicked, this, &ActivationCardsDialog::openPrintPreview);
    connect(m_export, &QPushButton::clicked, this, &ActivationCardsDialog::askExportPdf);
    connect(m_close, &QPushButton::clicked, this, &ActivationCardsDialog::reject);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ActivationCardsDialog::showSelected);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &topLeft) {
        if (m_view->currentIndex().row() == topLeft.row())
            showSelected();
    });
    resize(820, 720);
}

void ActivationCardsDialog::setApiClient(ApiClient *api)
{
    if (m_api == api)
        return;
    delete m_fetcher;
    m_fetcher = nullptr;
    m_api = api;
    if (m_api) {
        m_fetcher = new ActivationCardFetcher(m_api, this);
        connect(m_fetcher, &ActivationCardFetcher::progress, this, [this](int done, int total) {
            m_progress->setRange(0, qMax(1, total));
            m_progress->setValue(done);
            m_status->setText(tr("Issuing activation codes: %1 of %2\u2026").arg(done).arg(total));
        });
        connect(m_fetcher, &ActivationCardFetcher::cardReady, m_model, &CardListModel::setCard);
        connect(m_fetcher, &ActivationCardFetcher::cardFailed, this,
                [this](int index, const QString &, const QString &message) { m_model->setFailed(index, message); });
        connect(m_fetcher, &ActivationCardFetcher::finished, this, &ActivationCardsDialog::onFinished);
        connect(m_fetcher, &ActivationCardFetcher::fullKeyReady, this,
                [this](const ActivationCardFetcher::FullKey &key) {
                    m_fullKey->setEnabled(true);
                    auto *dialog = new FullKeyDialog(key, this);
                    dialog->open();
                });
        connect(m_fetcher, &ActivationCardFetcher::fullKeyFailed, this,
                [this](const QString &, const QString &message) {
                    m_fullKey->setEnabled(true);
                    m_status->setText(tr("Cannot show the full key: ") + message);
                });
    }
    updateButtons();
}

void ActivationCardsDialog::setSerials(const QStringList &serials)
{
    QStringList unique;
    for (const QString &serial : serials) {
        if (!serial.trimmed().isEmpty() && !unique.contains(serial.trimmed()))
            unique << serial.trimmed();
    }
    m_model->setSerials(unique);
    const int n = int(unique.size());
    m_note->setText(n == 0 ? tr("Select devices in the inventory first.")
                           : tr("Each card carries a new one-time activation code. Issuing codes "
                                "voids the earlier unused codes of %1, so cards printed before "
                                "stop working.")
                                 .arg(n == 1 ? tr("this device") : tr("these %n devices", nullptr, n)));
    m_progress->setRange(0, qMax(1, n));
    m_progress->setValue(0);
    m_status->clear();
    m_preview->setPlaceholder(n == 0 ? QString() : tr("Click Issue codes to make the cards."));
    if (n > 0)
        m_view->setCurrentIndex(m_model->index(0, 0));
    updateButtons();
}

QStringList ActivationCardsDialog::serials() const
{
    return m_model->serials();
}

bool ActivationCardsDialog::isBusy() const
{
    return m_fetcher && m_fetcher->isRunning();
}

QList<ActivationCard> ActivationCardsDialog::cards() const
{
    return m_model->readyCards();
}

void ActivationCardsDialog::issueCodes()
{
    if (!m_fetcher || isBusy() || m_model->rowCount() == 0)
        return;
    m_model->resetStates();
    m_preview->setPlaceholder(tr("Issuing codes\u2026"));
    m_fetcher->start(m_model->serials());
    updateButtons();
}

void ActivationCardsDialog::onFinished()
{
    const int ready = m_model->readyCount();
    const int failed = m_model->failedCount();
    QString text = tr("%1 of %2 cards ready.").arg(ready).arg(m_model->rowCount());
    if (m_fetcher->isCancelled())
        text += tr(" Stopped; the devices not reached keep their earlier codes.");
    if (failed > 0)
        text += tr(" %1 failed; see the list.").arg(failed);
    m_status->setText(text);
    showSelected();
    updateButtons();
    Q_EMIT cardsIssued(ready, failed);
}

void ActivationCardsDialog::updateButtons()
{
    const bool busy = isBusy();
    const bool haveCards = m_model->readyCount() > 0;
    m_issue->setText(busy ? tr("Stop") : (haveCards ? tr("Issue new codes") : tr("Issue codes")));
    m_issue->setEnabled(m_fetcher && m_model->rowCount() > 0);
    m_print->setEnabled(!busy && haveCards);
    m_export->setEnabled(!busy && haveCards);
    const QModelIndex current = m_view->currentIndex();
    m_fullKey->setEnabled(!busy && current.isValid() && m_model->state(current.row()) == CardListModel::Ready);
}

void ActivationCardsDialog::showSelected()
{
    const QModelIndex current = m_view->currentIndex();
    if (current.isValid()) {
        const int row = current.row();
        switch (m_model->state(row)) {
        case CardListModel::Ready:
            m_preview->setCard(m_model->card(row));
            break;
        case CardListModel::Failed:
            m_preview->setPlaceholder(tr("No card for %1: %2").arg(m_model->card(row).serial, m_model->error(row)));
            break;
        case CardListModel::Waiting:
            if (m_preview->hasCard())
                m_preview->setPlaceholder(tr("Waiting for the code\u2026"));
            break;
        }
    }
    updateButtons();
}

Result<void> ActivationCardsDialog::exportPdf(const QString &path)
{
    ActivationCardRenderer::PageOptions options;
    options.cardsPerPage = m_perPage->value();
    const auto result = ActivationCardRenderer::writePdf(path, cards(), options);
    if (result) {
        const int n = int(cards().size());
        m_status->setText(tr("Saved %1 to %2.").arg(tr("%n card(s)", nullptr, n), QDir::toNativeSeparators(path)));
        Q_EMIT pdfExported(path);
    } else {
        m_status->setText(tr("Could not export the PDF: ") + result.error().message);
    }
    return result;
}

void ActivationCardsDialog::askExportPdf()
{
    const QList<ActivationCard> ready = cards();
    if (ready.isEmpty())
        return;
    const QString name = ready.size() == 1 ? QStringLiteral("activation-card-%1.pdf").arg(ready.first().serial)
                                           : QStringLiteral("activation-cards.pdf");
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export activation cards"), QDir(dir).filePath(name),
                                                      QStringLiteral("PDF (*.pdf)"));
    if (path.isEmpty())
        return;
    // A card takes milliseconds to draw: a wait cursor is enough even for a
    // batch of hundreds.
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const auto ok = exportPdf(path);
    QGuiApplication::restoreOverrideCursor();
    if (!ok)
        QMessageBox::warning(this, tr("Export PDF"), ok.error().message);
}

void ActivationCardsDialog::printTo(QPrinter *printer)
{
    ActivationCardRenderer::PageOptions options;
    options.cardsPerPage = m_perPage->value();
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const auto ok = ActivationCardRenderer::print(printer, cards(), options);
    QGuiApplication::restoreOverrideCursor();
    if (!ok)
        m_status->setText(tr("Could not print: ") + ok.error().message);
}

void ActivationCardsDialog::openPrintPreview()
{
    if (cards().isEmpty())
        return;
    auto *printer = new QPrinter(QPrinter::HighResolution);
    printer->setPageSize(QPageSize(QPageSize::A4));
    printer->setDocName(tr("Activation cards"));
    auto *preview = new QPrintPreviewDialog(printer, this);
    preview->setAttribute(Qt::WA_DeleteOnClose);
    preview->setObjectName(QStringLiteral("printPreview"));
    connect(preview, &QPrintPreviewDialog::paintRequested, this, &ActivationCardsDialog::printTo);
    // The printer outlives the dialog that paints on it.
    connect(preview, &QObject::destroyed, this, [printer] { delete printer; });
    preview->open();
}

void ActivationCardsDialog::showFullKey()
{
    const QModelIndex current = m_view->currentIndex();
    if (!m_fetcher || !current.isValid() || m_model->state(current.row()) != CardListModel::Ready)
        return;
    m_fullKey->setEnabled(false);
    m_fetcher->requestFullKey(m_model->card(current.row()).registrationId);
}

void ActivationCardsDialog::reject()
{
    // Closing while codes are issued stops the batch: no further codes are
    // issued (and earlier ones voided) for cards nobody will see.
    if (isBusy()) {
        m_fetcher->cancel();
        m_status->setText(tr("Stopping\u2026"));
    }
    QDialog::reject();
}

} // namespace Provisio::Crm
