// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLatin1String>

namespace Provisio {

// The status words the API, DPS and the devices exchange, spelled once. The
// server validates against them, the clients compare with them; a typo in
// one place can no longer make two parts disagree silently. Allocation
// policy names live with their enum in allocation.h.

// DPS DeviceRegistrationState.status and RegistrationOperationStatus.status.
namespace RegistrationStatus {
inline constexpr QLatin1String Unassigned{"unassigned"};
inline constexpr QLatin1String Assigning{"assigning"};
inline constexpr QLatin1String Assigned{"assigned"};
inline constexpr QLatin1String Failed{"failed"};
inline constexpr QLatin1String Disabled{"disabled"};
inline constexpr QLatin1String All[] = {Unassigned, Assigning, Assigned, Failed, Disabled};
} // namespace RegistrationStatus

// DPS DeviceRegistrationState.substatus: why a device is where it is.
namespace RegistrationSubstatus {
inline constexpr QLatin1String InitialAssignment{"initialAssignment"};
inline constexpr QLatin1String DeviceDataMigrated{"deviceDataMigrated"};
inline constexpr QLatin1String DeviceDataReset{"deviceDataReset"};
inline constexpr QLatin1String ReprovisionedToInitialAssignment{"reprovisionedToInitialAssignment"};
inline constexpr QLatin1String All[] = {InitialAssignment, DeviceDataMigrated, DeviceDataReset,
                                        ReprovisionedToInitialAssignment};
} // namespace RegistrationSubstatus

// provisioningStatus of individual enrollments and enrollment groups.
namespace ProvisioningStatus {
inline constexpr QLatin1String Enabled{"enabled"};
inline constexpr QLatin1String Disabled{"disabled"};
inline constexpr QLatin1String All[] = {Enabled, Disabled};
} // namespace ProvisioningStatus

// DeviceRecord.status: where an inventory device is in its life.
namespace InventoryStatus {
inline constexpr QLatin1String InStock{"inStock"};
inline constexpr QLatin1String Sold{"sold"};
inline constexpr QLatin1String Provisioned{"provisioned"};
inline constexpr QLatin1String Retired{"retired"};
inline constexpr QLatin1String All[] = {InStock, Sold, Provisioned, Retired};
} // namespace InventoryStatus

} // namespace Provisio
