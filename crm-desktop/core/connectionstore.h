// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connectionprofile.h"

#include <QHash>
#include <QObject>
#include <QString>

namespace Provisio::Crm {

// The saved connections: names, URLs and CAs in QSettings, tokens in the
// system keychain (QtKeychain). Where no keychain service runs (no D-Bus
// secret service: CI, minimal desktops) a token goes to an owner-only
// (0600) file under QStandardPaths::AppDataLocation instead, and
// usingFileFallback() tells the UI so it can say where the token is.
class ConnectionStore : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString currentName READ currentName WRITE setCurrentName NOTIFY currentNameChanged)
    Q_PROPERTY(bool usingFileFallback READ usingFileFallback NOTIFY tokenStorageChanged)
    Q_PROPERTY(QString tokenStorageDescription READ tokenStorageDescription NOTIFY tokenStorageChanged)
public:
    explicit ConnectionStore(QObject *parent = nullptr);
    ~ConnectionStore() override;

    QList<ConnectionProfile> profiles() const;
    ConnectionProfile profile(const QString &name) const; // name empty when unknown
    bool contains(const QString &name) const;

    // Validates and stores the profile now and the token asynchronously:
    // emits saved(name) or saveFailed(name, message). A bad profile changes
    // nothing and fails at once (still through saveFailed).
    void save(const ConnectionProfile &profile, const QByteArray &token);
    // Emits tokenLoaded(name, token) or tokenFailed(name, message).
    void loadToken(const QString &name);
    // Forgets the profile and its token (keychain entry or file).
    void remove(const QString &name);

    QString currentName() const;
    void setCurrentName(const QString &name);

    bool usingFileFallback() const { return m_fileFallback; }
    QString tokenStorageDescription() const;
    // The folder that holds fallback token files.
    static QString tokenDirectory();

    // Tests and headless installs can skip the keychain entirely.
    void setKeychainEnabled(bool enabled) { m_keychainEnabled = enabled; }

Q_SIGNALS:
    void profilesChanged();
    void currentNameChanged(const QString &name);
    void saved(const QString &name);
    void saveFailed(const QString &name, const QString &message);
    void tokenLoaded(const QString &name, const QByteArray &token);
    void tokenFailed(const QString &name, const QString &message);
    void tokenStorageChanged();

private:
    enum class Storage { Keychain, File };
    void writeTokenFile(const QString &name, const QByteArray &token);
    void readTokenFile(const QString &name);
    void removeTokenFile(const QString &name);
    void setStorage(const QString &name, Storage storage);
    Storage storageOf(const QString &name) const;
    void setFileFallback(bool fallback);
    static QString tokenFilePath(const QString &name);

    bool m_keychainEnabled = true;
    bool m_fileFallback = false;
};

} // namespace Provisio::Crm
