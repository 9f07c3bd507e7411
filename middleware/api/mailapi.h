// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apimodule.h"

namespace Provisio {

class ActivationMails;
class MailStore;

// Activation cards by e-mail on the CRM API: an operator has a device's card
// mailed (POST /api/v1/enrollments/{registrationId}/activation-email, 202
// with the queued mail); viewers follow the delivery (GET /api/v1/mails,
// /api/v1/mails/{mailId}). Parses and renders; the change is ActivationMails'.
class MailApi : public ApiModule
{
public:
    MailApi(ActivationMails &service, MailStore &mails);
    void registerRoutes(Router &router) override;

    static constexpr int kDefaultLimit = 50;
    static constexpr int kMaxLimit = 500;

private:
    HttpResponse sendActivationCard(HttpRequest &request);
    HttpResponse list(HttpRequest &request);
    HttpResponse get(HttpRequest &request);

    ActivationMails &m_service;
    MailStore &m_mails;
};

} // namespace Provisio
