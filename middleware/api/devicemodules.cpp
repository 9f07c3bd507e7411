// SPDX-License-Identifier: Apache-2.0
#include "api/modules.h"

#include "activationapi.h"
#include "batchjobapi.h"
#include "deviceapi.h"
#include "domain/activationmails.h"
#include "domain/enrollments.h"
#include "domain/inventory.h"
#include "domain/registrar.h"
#include "dpsdevicerequests.h"
#include "dpsserviceapi.h"
#include "enrollmentapi.h"
#include "enrollmentgroupapi.h"
#include "mailapi.h"
#include "registrationapi.h"

#include "base/serviceconfig.h"
#include "base/servicecontext.h"

#include "storage/activationcodestore.h"
#include "storage/enrollmentstore.h"
#include "storage/registrationstore.h"

namespace Provisio {

namespace {

// Owns the enrollment and registration stores, the Registrar and the DPS
// device requests the device API modules (and the MQTT endpoint) share, so
// they live exactly as long as the modules using them.
class DeviceArea : public ApiModule
{
public:
    explicit DeviceArea(ServiceContext &ctx)
        : m_enrollments(ctx.db), m_codes(ctx.db), m_registrations(ctx.db),
          m_registrar(ctx, m_enrollments, m_registrations), m_dpsRequests(ctx, m_registrar),
          m_enrollmentChanges(ctx, m_enrollments, m_codes, m_registrations),
          m_mails(ctx, m_enrollmentChanges, m_enrollments), m_inventory(ctx),
          m_batchJobs(ctx, m_inventory, m_enrollmentChanges, m_enrollments, m_mails, batchLimits(ctx))
    {
        m_modules.push_back(std::make_unique<EnrollmentApi>(m_enrollmentChanges, m_enrollments, m_registrations));
        m_modules.push_back(std::make_unique<EnrollmentGroupApi>(m_enrollmentChanges, m_enrollments));
        m_modules.push_back(std::make_unique<RegistrationApi>(ctx, m_registrations));
        m_modules.push_back(std::make_unique<ActivationApi>(ctx, m_enrollments, m_codes));
        m_modules.push_back(std::make_unique<DeviceApi>(m_dpsRequests));
        m_modules.push_back(std::make_unique<DpsServiceApi>(ctx, m_enrollmentChanges, m_enrollments, m_registrations));
        m_modules.push_back(std::make_unique<MailApi>(m_mails, m_mails.store()));
        m_modules.push_back(std::make_unique<BatchJobApi>(m_batchJobs, m_inventory));
    }

    DpsDeviceRequests &dpsRequests() { return m_dpsRequests; }

    void registerRoutes(Router &router) override
    {
        for (auto &m : m_modules)
            m->registerRoutes(router);
    }

private:
    static DeviceBatchJobs::Limits batchLimits(const ServiceContext &ctx)
    {
        DeviceBatchJobs::Limits limits;
        limits.maxRunning = ctx.config.batchJobMaxRunning;
        limits.maxDevices = ctx.config.batchJobMaxDevices;
        limits.chunk = ctx.config.batchJobChunk;
        limits.leaseSeconds = ctx.config.batchJobLeaseSeconds;
        return limits;
    }

    EnrollmentStore m_enrollments;
    ActivationCodeStore m_codes;
    RegistrationStore m_registrations;
    Registrar m_registrar;
    DpsDeviceRequests m_dpsRequests;
    Enrollments m_enrollmentChanges;
    ActivationMails m_mails;
    Inventory m_inventory;
    DeviceBatchJobs m_batchJobs;
    ApiModules m_modules;
};

} // namespace

DpsDeviceRequests &createDeviceModules(ServiceContext &ctx, ApiModules &modules)
{
    auto area = std::make_unique<DeviceArea>(ctx);
    DpsDeviceRequests &requests = area->dpsRequests();
    modules.push_back(std::move(area));
    return requests;
}

} // namespace Provisio
