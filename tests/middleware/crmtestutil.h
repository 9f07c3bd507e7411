// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpsclient.h"
#include "middlewareprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>
#include <QUuid>

#include <memory>

namespace Provisio::Test {

// Direct access to the middleware's database, for what the CRM API cannot
// show or make: that a hub's key stayed the same, the exact settings keys
// the allocator reads, rows of tables other parts of the API own
// (enrollments, registrations). Opens a fresh connection per call, so the
// test never pins a snapshot or holds a lock the middleware waits on.
class DirectDb
{
public:
    explicit DirectDb(const MiddlewareProcess &mw) : m_mw(mw) { }

    QVariant scalar(const QString &sql, const QVariantList &binds = {}) const
    {
        QVariant out;
        run(sql, binds, [&](QSqlQuery &q) {
            if (q.next())
                out = q.value(0);
        });
        return out;
    }

    bool exec(const QString &sql, const QVariantList &binds = {}) const
    {
        return run(sql, binds, [](QSqlQuery &) {});
    }

private:
    template<typename F>
    bool run(const QString &sql, const QVariantList &binds, F &&read) const
    {
        const QString name = QUuid::createUuid().toString();
        bool ok = false;
        {
            QSqlDatabase db;
            if (m_mw.databaseUrl().isEmpty()) {
                db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
                db.setDatabaseName(m_mw.dataDir() + QStringLiteral("/provisio.db"));
                db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
            } else {
                const QUrl url(m_mw.databaseUrl());
                db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
                db.setHostName(url.host());
                db.setPort(url.port(5432));
                db.setUserName(url.userName());
                db.setPassword(url.password());
                db.setDatabaseName(url.path().mid(1));
            }
            if (db.open()) {
                QSqlQuery q(db);
                if (binds.isEmpty()) {
                    // Unprepared: PostgreSQL prepares no DDL.
                    ok = q.exec(sql);
                } else {
                    q.prepare(sql);
                    for (int i = 0; i < binds.size(); ++i)
                        q.bindValue(i, binds.at(i));
                    ok = q.exec();
                }
                if (!ok)
                    qWarning() << "DirectDb:" << sql << q.lastError().text();
                else
                    read(q);
            } else {
                qWarning() << "DirectDb: cannot open" << db.lastError().text();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }

    const MiddlewareProcess &m_mw;
};

// One middleware with a token per role, shared by a test class.
struct CrmFixture
{
    std::unique_ptr<MiddlewareProcess> mw;
    QString adminToken;
    QString operatorToken;
    QString viewerToken;

    bool start()
    {
        mw = std::make_unique<MiddlewareProcess>();
        // Tokens are made with the CLI before the service starts, as an
        // operator bootstraps an installation.
        adminToken = mw->createToken(QStringLiteral("admin"), QStringLiteral("test-admin"));
        operatorToken = mw->createToken(QStringLiteral("operator"), QStringLiteral("test-operator"));
        viewerToken = mw->createToken(QStringLiteral("viewer"), QStringLiteral("test-viewer"));
        if (adminToken.isEmpty() || operatorToken.isEmpty() || viewerToken.isEmpty()) {
            qWarning() << "token creation failed";
            return false;
        }
        if (!mw->start()) {
            qWarning() << mw->lastError();
            return false;
        }
        return true;
    }

    // A client with the given bearer token (empty: none).
    std::unique_ptr<HttpsClient> client(const QString &token) const
    {
        auto c = std::make_unique<HttpsClient>(mw->baseUrl(), mw->caCertificatePath());
        c->setBearer(token);
        return c;
    }
};

// The etag an answer carries in its ETag header, unquoted.
inline QString etagHeader(const HttpsClient::Reply &reply)
{
    QByteArray tag = reply.header("ETag");
    if (tag.size() >= 2 && tag.startsWith('"') && tag.endsWith('"'))
        tag = tag.mid(1, tag.size() - 2);
    return QString::fromUtf8(tag);
}

inline QByteArray quoted(const QString &etag)
{
    return '"' + etag.toUtf8() + '"';
}

} // namespace Provisio::Test
