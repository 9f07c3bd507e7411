// SPDX-License-Identifier: Apache-2.0
#include "connectionstore.h"

#include "certificatetrust.h"
#include "crmlogging.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace Provisio::Crm {

namespace {

const QString kService = QStringLiteral("provisio-crm");
const QString kGroup = QStringLiteral("connections");
const QString kCurrent = QStringLiteral("currentConnection");
const QString kUrl = QStringLiteral("url");
const QString kCa = QStringLiteral("caCertificatePem");
const QString kFingerprint = QStringLiteral("caFingerprintSha256");
const QString kStorage = QStringLiteral("tokenStorage");

// QSettings groups may not hold '/' or '\\'; a profile name is anything the
// user types, so keys are the hex of its UTF-8.
QString keyOf(const QString &name)
{
    return QString::fromLatin1(name.toUtf8().toHex());
}

// A token is a single line of printable ASCII ("pvs_…"); anything else is a
// paste error that would only fail later with a confusing 401.
bool plausibleToken(const QByteArray &token)
{
    if (token.isEmpty() || token.size() > 4096)
        return false;
    for (char c : token) {
        if (c <= ' ' || c > '~')
            return false;
    }
    return true;
}

} // namespace

ConnectionStore::ConnectionStore(QObject *parent) : QObject(parent) { }

ConnectionStore::~ConnectionStore() = default;

QList<ConnectionProfile> ConnectionStore::profiles() const
{
    QSettings settings;
    settings.beginGroup(kGroup);
    QList<ConnectionProfile> out;
    const QStringList keys = settings.childGroups();
    for (const QString &key : keys) {
        const QString name = QString::fromUtf8(QByteArray::fromHex(key.toLatin1()));
        ConnectionProfile profile;
        profile.name = name;
        settings.beginGroup(key);
        profile.url = QUrl(settings.value(kUrl).toString());
        profile.caCertificatePem = settings.value(kCa).toByteArray();
        profile.caFingerprintSha256 = settings.value(kFingerprint).toString();
        settings.endGroup();
        out.append(profile);
    }
    std::sort(out.begin(), out.end(), [](const ConnectionProfile &a, const ConnectionProfile &b) {
        return a.name.localeAwareCompare(b.name) < 0;
    });
    return out;
}

ConnectionProfile ConnectionStore::profile(const QString &name) const
{
    const QList<ConnectionProfile> all = profiles();
    for (const ConnectionProfile &p : all) {
        if (p.name == name)
            return p;
    }
    return {};
}

bool ConnectionStore::contains(const QString &name) const
{
    QSettings settings;
    return settings.contains(kGroup + QLatin1Char('/') + keyOf(name) + QLatin1Char('/') + kUrl);
}

void ConnectionStore::save(const ConnectionProfile &input, const QByteArray &token)
{
    ConnectionProfile profile = input;
    profile.name = profile.name.trimmed();
    auto reject = [this, name = profile.name](const QString &message) {
        QTimer::singleShot(0, this, [this, name, message] { Q_EMIT saveFailed(name, message); });
    };
    if (profile.name.isEmpty())
        return reject(tr("Give the connection a name"));
    if (!profile.url.isValid() || profile.url.host().isEmpty() || profile.url.scheme() != QLatin1String("https"))
        return reject(tr("The middleware URL must look like https://host:8443"));
    if (!plausibleToken(token))
        return reject(tr("The access token is empty or contains spaces or line breaks"));
    const auto ca = CertificateTrust::parseCaPem(profile.caCertificatePem);
    if (!ca)
        return reject(tr("The trusted CA is not usable: %1").arg(ca.error().message));
    const QList<QSslCertificate> anchors = CertificateTrust::trustAnchorsFor(*ca);
    profile.caFingerprintSha256 = CertificateTrust::fingerprint(anchors.first());

    {
        QSettings settings;
        settings.beginGroup(kGroup);
        settings.beginGroup(keyOf(profile.name));
        settings.setValue(kUrl, profile.url.toString());
        settings.setValue(kCa, profile.caCertificatePem);
        settings.setValue(kFingerprint, profile.caFingerprintSha256);
    }
    Q_EMIT profilesChanged();

    const QString name = profile.name;
    if (!m_keychainEnabled) {
        // Asynchronous like the keychain path, so callers see one behaviour.
        QTimer::singleShot(0, this, [this, name, token] { writeTokenFile(name, token); });
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setKey(keyOf(name));
    job->setBinaryData(token);
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this, [this, name, token](QKeychain::Job *job) {
        if (job->error() == QKeychain::NoError) {
            setStorage(name, Storage::Keychain);
            removeTokenFile(name); // an older fallback copy must not outlive it
            setFileFallback(false);
            Q_EMIT saved(name);
            return;
        }
        qCInfo(lcCrmConnection) << "keychain unavailable (" << job->errorString()
                                << "), keeping the token in an owner-only file";
        writeTokenFile(name, token);
    });
    job->start();
}

void ConnectionStore::loadToken(const QString &name)
{
    if (!contains(name)) {
        QTimer::singleShot(
            0, this, [this, name] { Q_EMIT tokenFailed(name, tr("No saved connection is called '%1'").arg(name)); });
        return;
    }
    if (!m_keychainEnabled || storageOf(name) == Storage::File) {
        QTimer::singleShot(0, this, [this, name] { readTokenFile(name); });
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(keyOf(name));
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this, [this, name](QKeychain::Job *job) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(job);
        if (read->error() == QKeychain::NoError) {
            Q_EMIT tokenLoaded(name, read->binaryData());
            return;
        }
        // The keychain may have gone away since the token was saved, or
        // the token was saved to the file; try that before giving up.
        readTokenFile(name);
    });
    job->start();
}

void ConnectionStore::remove(const QString &name)
{
    if (!contains(name))
        return;
    const bool inKeychain = storageOf(name) == Storage::Keychain;
    {
        QSettings settings;
        settings.remove(kGroup + QLatin1Char('/') + keyOf(name));
        if (settings.value(kCurrent).toString() == name)
            settings.remove(kCurrent);
    }
    removeTokenFile(name);
    if (m_keychainEnabled && inKeychain) {
        auto *job = new QKeychain::DeletePasswordJob(kService, this);
        job->setKey(keyOf(name));
        job->setAutoDelete(true);
        job->start();
    }
    Q_EMIT profilesChanged();
}

QString ConnectionStore::currentName() const
{
    QSettings settings;
    return settings.value(kCurrent).toString();
}

void ConnectionStore::setCurrentName(const QString &name)
{
    if (name == currentName() || (!name.isEmpty() && !contains(name)))
        return;
    QSettings settings;
    settings.setValue(kCurrent, name);
    Q_EMIT currentNameChanged(name);
}

QString ConnectionStore::tokenStorageDescription() const
{
    if (m_fileFallback)
        return tr("No system keychain is available: the token is kept in an owner-only file in %1")
            .arg(QDir::toNativeSeparators(tokenDirectory()));
    return tr("The token is kept in the system keychain");
}

QString ConnectionStore::tokenDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/tokens");
}

QString ConnectionStore::tokenFilePath(const QString &name)
{
    return tokenDirectory() + QLatin1Char('/') + keyOf(name) + QStringLiteral(".token");
}

void ConnectionStore::writeTokenFile(const QString &name, const QByteArray &token)
{
    const QString dirPath = tokenDirectory();
    if (!QDir().mkpath(dirPath)) {
        Q_EMIT saveFailed(name, tr("Cannot create %1").arg(dirPath));
        return;
    }
    QFile::setPermissions(dirPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // Created 0600 from the start (never briefly world-readable), written
    // whole, then renamed over the old file.
    const QString path = tokenFilePath(name);
    const QString temporary = path + QStringLiteral(".new");
    QFile::remove(temporary);
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(token) != token.size() || !file.flush()) {
        const QString message = tr("Cannot write the token file %1: %2").arg(temporary, file.errorString());
        file.remove();
        Q_EMIT saveFailed(name, message);
        return;
    }
    file.close();
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
        QFile::remove(temporary);
        Q_EMIT saveFailed(name, tr("Cannot write the token file %1").arg(path));
        return;
    }
    setStorage(name, Storage::File);
    setFileFallback(true);
    Q_EMIT saved(name);
}

void ConnectionStore::readTokenFile(const QString &name)
{
    QFile file(tokenFilePath(name));
    if (!file.open(QIODevice::ReadOnly)) {
        Q_EMIT tokenFailed(name, tr("The token of '%1' is in neither the keychain nor %2")
                                     .arg(name, QDir::toNativeSeparators(file.fileName())));
        return;
    }
    // A token file others can read has leaked; refuse it so the user
    // replaces (and the operator revokes) it.
    if (file.permissions() &
        (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther)) {
        Q_EMIT tokenFailed(name, tr("%1 is readable by other users; revoke that token and save a new one")
                                     .arg(QDir::toNativeSeparators(file.fileName())));
        return;
    }
    setFileFallback(true);
    Q_EMIT tokenLoaded(name, file.readAll().trimmed());
}

void ConnectionStore::removeTokenFile(const QString &name)
{
    QFile::remove(tokenFilePath(name));
}

void ConnectionStore::setStorage(const QString &name, Storage storage)
{
    QSettings settings;
    settings.setValue(kGroup + QLatin1Char('/') + keyOf(name) + QLatin1Char('/') + kStorage,
                      storage == Storage::File ? QStringLiteral("file") : QStringLiteral("keychain"));
}

ConnectionStore::Storage ConnectionStore::storageOf(const QString &name) const
{
    QSettings settings;
    return settings.value(kGroup + QLatin1Char('/') + keyOf(name) + QLatin1Char('/') + kStorage).toString() ==
                   QLatin1String("file")
               ? Storage::File
               : Storage::Keychain;
}

void ConnectionStore::setFileFallback(bool fallback)
{
    if (m_fileFallback == fallback)
        return;
    m_fileFallback = fallback;
    Q_EMIT tokenStorageChanged();
}

} // namespace Provisio::Crm
