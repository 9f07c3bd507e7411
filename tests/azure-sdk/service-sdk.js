// SPDX-License-Identifier: Apache-2.0
//
// Microsoft's Azure service SDKs against a real Provisio middleware, driven by
// tests/middleware/tst_azuresdk.cpp:
//
//   node service-sdk.js dps   PROVISIO_DPS_CONNECTION_STRING
//   node service-sdk.js hub   PROVISIO_HUB_CONNECTION_STRING PROVISIO_DEVICE_ID
//
// The SDKs dial https://HostName:443. The test cannot own port 443, so every
// HTTPS connection goes to 127.0.0.1:PROVISIO_PORT instead, still verifying
// the certificate for HostName against PROVISIO_CA: the deployment described
// in docs/azure-sdks.md without DNS and a port-443 listener.
// Prints one JSON line with what the C++ side checks further; exits non-zero
// with a message on the first failed expectation.
'use strict';

const fs = require('fs');
const tls = require('tls');

const port = Number(process.env.PROVISIO_PORT);
const ca = fs.readFileSync(process.env.PROVISIO_CA);

// The SDKs build their own agents, so the redirect sits in tls.connect, the
// one call every HTTPS connection goes through.
const connect = tls.connect;
tls.connect = function redirected(...args) {
  const options = typeof args[0] === 'object' ? args[0] : { port: args[0], host: args[1], ...(typeof args[2] === 'object' ? args[2] : {}) };
  const callback = args.find((a) => typeof a === 'function');
  const servername = options.servername || options.host;
  return connect.call(tls, { ...options, host: '127.0.0.1', port, servername, ca }, callback);
};

function expect(condition, message) {
  if (!condition) {
    throw new Error('expectation failed: ' + message);
  }
}

function statusOf(err) {
  return (err && err.response && err.response.statusCode) || (err && err.responseBody && 0) || 0;
}

// runBulkEnrollmentOperation's promise never settles in 1.11.x (it answers
// only when given a callback), so the test passes one.
function runBulk(client, operation) {
  return new Promise((resolve, reject) => {
    client.runBulkEnrollmentOperation(operation, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function dps() {
  const { ProvisioningServiceClient } = require('azure-iot-provisioning-service');
  const client = ProvisioningServiceClient.fromConnectionString(process.env.PROVISIO_DPS_CONNECTION_STRING);
  const id = 'sdk-device-1';

  // Create with empty keys: the service generates them.
  const created = await client.createOrUpdateIndividualEnrollment({
    registrationId: id,
    deviceId: id,
    attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: '', secondaryKey: '' } },
    provisioningStatus: 'enabled',
    initialTwin: { tags: { origin: 'sdk' }, properties: { desired: { interval: 30 } } },
    someFutureField: { ignored: true },
  });
  const enrollment = created.responseBody;
  const primaryKey = enrollment.attestation.symmetricKey.primaryKey;
  expect(primaryKey && enrollment.attestation.symmetricKey.secondaryKey, 'generated keys returned');
  expect(enrollment.etag, 'etag returned');

  const got = (await client.getIndividualEnrollment(id)).responseBody;
  expect(got.attestation.symmetricKey.primaryKey === primaryKey, 'get returns the same key');

  // Update with the etag (If-Match): keys kept.
  got.provisioningStatus = 'enabled';
  got.initialTwin.tags.updated = true;
  const updated = (await client.createOrUpdateIndividualEnrollment(got)).responseBody;
  expect(updated.etag !== got.etag, 'update changes the etag');
  expect(updated.attestation.symmetricKey.primaryKey === primaryKey, 'update keeps the keys');

  const mechanism = (await client.getIndividualEnrollmentAttestationMechanism(id)).responseBody;
  expect(mechanism.type === 'symmetricKey' && mechanism.symmetricKey.primaryKey === primaryKey,
    'attestation mechanism carries the key');

  // Bulk create, then one more create of an existing id fails in the answer.
  const bulk = ['sdk-bulk-1', 'sdk-bulk-2', 'sdk-bulk-3'].map((r) => ({
    registrationId: r,
    attestation: { type: 'symmetricKey', symmetricKey: {} },
  }));
  const bulkResult = await runBulk(client, { mode: 'create', enrollments: bulk });
  expect(bulkResult.isSuccessful === true && bulkResult.errors.length === 0, 'bulk create succeeds');
  const again = await runBulk(client, { mode: 'create', enrollments: [bulk[0]] });
  expect(again.isSuccessful === false && again.errors.length === 1 && again.errors[0].registrationId === 'sdk-bulk-1',
    'bulk create of an existing enrollment reports it');

  // Query, two per page. next() without an argument starts over in
  // 1.11.x's promise form, so the token goes in explicitly.
  const query = client.createIndividualEnrollmentQuery({ query: 'SELECT * FROM enrollments' }, 2);
  const seen = [];
  let pages = 0;
  while (query.hasMoreResults) {
    const page = await query.next(query.continuationToken);
    pages += 1;
    expect(page.responseBody.length <= 2, 'a page holds at most x-ms-max-item-count');
    page.responseBody.forEach((e) => seen.push(e.registrationId));
    expect(pages < 10, 'query terminates');
  }
  expect(pages === 2 && seen.length === 4, 'query pages through 4 enrollments: ' + JSON.stringify(seen));

  // Delete, then Not Found.
  await client.deleteIndividualEnrollment('sdk-bulk-3');
  let notFound = null;
  try {
    await client.getIndividualEnrollment('sdk-bulk-3');
  } catch (err) {
    notFound = err;
  }
  expect(notFound && statusOf(notFound) === 404, 'deleted enrollment is 404');
  expect(/Not Found/.test(notFound.responseBody || notFound.message), 'the 404 says Not Found');

  // An enrollment group.
  const group = (await client.createOrUpdateEnrollmentGroup({
    enrollmentGroupId: 'sdk-group-1',
    attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: '', secondaryKey: '' } },
    provisioningStatus: 'enabled',
  })).responseBody;
  expect(group.attestation.symmetricKey.primaryKey, 'group keys generated');
  const groupMechanism = (await client.getEnrollmentGroupAttestationMechanism('sdk-group-1')).responseBody;
  expect(groupMechanism.symmetricKey.primaryKey === group.attestation.symmetricKey.primaryKey, 'group mechanism');
  const groups = await client.createEnrollmentGroupQuery({ query: 'SELECT * FROM enrollmentGroups' }).next();
  expect(groups.responseBody.length === 1, 'group query');

  console.log(JSON.stringify({ registrationId: id, primaryKey, pages, bulkError: again.errors[0] }));
}

async function hub() {
  const { Registry, Client } = require('azure-iothub');
  const cs = process.env.PROVISIO_HUB_CONNECTION_STRING;
  const deviceId = process.env.PROVISIO_DEVICE_ID;
  const registry = Registry.fromConnectionString(cs);

  const twin = (await registry.getTwin(deviceId)).responseBody;
  expect(twin.deviceId === deviceId, 'twin of the device');
  expect(twin.tags.origin === 'sdk', 'twin carries the enrollment\'s initial tags');

  const updated = (await twin.update({ tags: { room: 'lab' }, properties: { desired: { interval: 7 } } })).result;
  expect(updated.tags.room === 'lab' && updated.properties.desired.interval === 7, 'twin update answered');

  const client = Client.fromConnectionString(cs);
  const answer = (await client.invokeDeviceMethod(deviceId, {
    methodName: 'ping',
    payload: { hello: 'sdk' },
    responseTimeoutInSeconds: 10,
  })).result;
  expect(answer.status === 200, 'direct method status ' + JSON.stringify(answer));

  console.log(JSON.stringify({ twinEtag: updated.etag, method: answer }));
}

const step = process.argv[2];
(step === 'dps' ? dps() : step === 'hub' ? hub() : Promise.reject(new Error('step must be dps or hub')))
  .then(() => process.exit(0))
  .catch((err) => {
    const body = err && err.responseBody ? ' ' + JSON.stringify(err.responseBody) : '';
    console.error((err && err.stack ? err.stack : String(err)) + body);
    process.exit(1);
  });
