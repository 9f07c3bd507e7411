// SPDX-License-Identifier: Apache-2.0
#include "jsonobjectedit.h"

#include <QFontDatabase>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScopedValueRollback>
#include <QVBoxLayout>

namespace Provisio::Crm {

namespace {

// Line and column (1-based) of a character offset, as a person counts them.
QPair<int, int> lineColumn(const QString &text, int offset)
{
    int line = 1;
    int column = 1;
    for (int i = 0; i < offset && i < text.size(); ++i) {
        if (text.at(i) == QLatin1Char('\n')) {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

} // namespace

JsonObjectEdit::JsonObjectEdit(QWidget *parent)
    : QWidget(parent), m_edit(new QPlainTextEdit(this)), m_error(new QLabel(this))
{
    m_edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_edit->setTabChangesFocus(true);
    m_edit->setPlaceholderText(QStringLiteral("{ }"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #da4453;"));
    m_error->hide();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit);
    layout->addWidget(m_error);
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        validate();
        if (!m_settingText)
            Q_EMIT edited();
    });
}

void JsonObjectEdit::setObject(const QJsonObject &object)
{
    const QScopedValueRollback guard(m_settingText, true);
    m_edit->setPlainText(object.isEmpty() ? QString()
                                          : QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
    validate();
}

QJsonObject JsonObjectEdit::object() const
{
    return m_valid ? m_object : QJsonObject();
}

QString JsonObjectEdit::errorText() const
{
    return m_valid ? QString() : m_error->text();
}

QString JsonObjectEdit::text() const
{
    return m_edit->toPlainText();
}

void JsonObjectEdit::setText(const QString &text)
{
    const QScopedValueRollback guard(m_settingText, true);
    m_edit->setPlainText(text);
    validate();
}

void JsonObjectEdit::setReadOnly(bool readOnly)
{
    m_edit->setReadOnly(readOnly);
}

void JsonObjectEdit::setRejectReservedNames(bool reject)
{
    m_rejectReserved = reject;
    validate();
}

void JsonObjectEdit::validate()
{
    const QString text = m_edit->toPlainText();
    QString error;
    QJsonObject object;
    if (!text.trimmed().isEmpty()) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            // The parser's offset counts UTF-8 bytes; map it back to characters.
            const int charOffset = QString::fromUtf8(text.toUtf8().left(parseError.offset)).size();
            const auto [line, column] = lineColumn(text, charOffset);
            error = tr("Line %1, column %2: %3").arg(line).arg(column).arg(parseError.errorString());
        } else if (!doc.isObject()) {
            error = tr("Must be a JSON object: { \"name\": value, … }");
        } else {
            object = doc.object();
            if (m_rejectReserved) {
                for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
                    if (it.key().startsWith(QLatin1Char('$'))) {
                        error = tr("Names starting with '$' are reserved: %1").arg(it.key());
                        break;
                    }
                }
            }
        }
    }
    const bool valid = error.isEmpty();
    m_object = valid ? object : QJsonObject();
    m_error->setText(error);
    m_error->setVisible(!valid);
    m_edit->setStyleSheet(valid ? QString() : QStringLiteral("QPlainTextEdit { border: 2px solid #da4453; }"));
    m_edit->setProperty("invalid", !valid);
    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

} // namespace Provisio::Crm
