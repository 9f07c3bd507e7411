// SPDX-License-Identifier: Apache-2.0
//
// A device written as for Azure IoT Hub with Microsoft's Node.js device SDK
// (azure-iot-device + azure-iot-device-mqtt), unchanged but for its
// connection settings. tests/middleware/tst_azuredevicesdk.cpp runs it
// against a real middleware and hub and reads what it prints: one JSON
// object per line ({"step": …}).
//
// With --dps it first provisions as for Azure DPS, over MQTT
// (azure-iot-provisioning-device + azure-iot-provisioning-device-mqtt +
// azure-iot-security-symmetric-key), and connects where that put it. The
// provisioning transport takes no CA option: trust comes from
// NODE_EXTRA_CA_CERTS, as for any Node.js TLS client.
//
// Usage: node device.js <connection string> <CA certificate file> [timeout seconds]
//        node device.js --dps <host:port> <ID scope> <registration id> <key> <CA file> [timeout seconds]
'use strict';

const fs = require('fs');
const { Client } = require('azure-iot-device');
const { Mqtt } = require('azure-iot-device-mqtt');

const args = process.argv.slice(2);
const dps = args[0] === '--dps' ? args.splice(0, 5).slice(1) : null;
let [connectionString, caFile, timeoutText] = args;
if (dps) {
  [caFile, timeoutText] = args;
  connectionString = null;
}
if ((!connectionString && !dps) || !caFile) {
  console.error('usage: node device.js <connection string> <CA file> [timeout seconds]\n' +
                '       node device.js --dps <host:port> <ID scope> <registration id> <key> <CA file> [timeout seconds]');
  process.exit(2);
}

function say(step, data) {
  process.stdout.write(JSON.stringify(Object.assign({ step }, data || {})) + '\n');
}

function fail(step, err) {
  say('error', { during: step, message: String((err && err.message) || err) });
  process.exit(1);
}

setTimeout(() => fail('waiting', 'timed out'), 1000 * Number(timeoutText || 60)).unref();

if (dps) {
  provision(dps, (cs) => runDevice(cs));
} else {
  runDevice(connectionString);
}

// DPS registration over MQTT with a symmetric key; the connection string
// comes from the registration state (Provisio's hub key and address travel in
// its payload, under "provisio").
function provision([host, idScope, registrationId, key], done) {
  const { ProvisioningDeviceClient } = require('azure-iot-provisioning-device');
  const { Mqtt: ProvisioningMqtt } = require('azure-iot-provisioning-device-mqtt');
  const { SymmetricKeySecurityClient } = require('azure-iot-security-symmetric-key');
  const security = new SymmetricKeySecurityClient(registrationId, key);
  const client = ProvisioningDeviceClient.create(host, idScope, new ProvisioningMqtt(), security);
  client.register((err, result) => {
    if (err) return fail('register', err);
    const provisio = (result.payload && result.payload.provisio) || {};
    say('registered', { assignedHub: result.assignedHub, deviceId: result.deviceId, status: result.status });
    let cs = `HostName=${result.assignedHub};DeviceId=${result.deviceId};SharedAccessKey=${provisio.hubDeviceKey}`;
    if (provisio.hubEndpoint) cs += `;GatewayHostName=${provisio.hubEndpoint}`;
    done(cs);
  });
}

function runDevice(connectionString) {
  const client = Client.fromConnectionString(connectionString, Mqtt);
  client.setOptions({ ca: fs.readFileSync(caFile, 'utf8') }, (err) => {
    if (err) fail('setOptions', err);
  });
  client.on('error', (err) => say('clientError', { message: String(err && err.message) }));

  let desiredSeen = false;
  let methodSeen = false;
  let messageSeen = false;
  function maybeDone() {
    if (desiredSeen && methodSeen && messageSeen) {
      client.close(() => {
        say('closed');
        process.exit(0);
      });
    }
  }

  client.open((err) => {
    if (err) return fail('open', err);
    say('connected');
    client.on('message', (msg) => {
      const properties = {};
      for (let i = 0; i < msg.properties.count(); ++i) {
        const p = msg.properties.getItem(i);
        properties[p.key] = p.value;
      }
      say('message', {
        messageId: msg.messageId,
        contentType: msg.contentType,
        expiryTimeUtc: msg.expiryTimeUtc,
        data: msg.data.toString('utf8'),
        properties,
      });
      client.complete(msg, (completeErr) => {
        if (completeErr) return fail('complete', completeErr);
        messageSeen = true;
        maybeDone();
      });
    });
    client.onDeviceMethod('blink', (request, response) => {
      say('method', { name: request.methodName, payload: request.payload });
      response.send(200, { blinked: request.payload }, (sendErr) => {
        if (sendErr) return fail('methodResponse', sendErr);
        methodSeen = true;
        maybeDone();
      });
    });
    client.getTwin((twinErr, twin) => {
      if (twinErr) return fail('getTwin', twinErr);
      say('twin', { desired: twin.properties.desired, reportedVersion: twin.properties.reported.$version });
      twin.properties.reported.update({ sdk: 'azure-iot-device', firmware: { version: '2.0.1' } }, (updateErr) => {
        if (updateErr) return fail('reported', updateErr);
        say('reported', { version: twin.properties.reported.$version });
        twin.on('properties.desired', (delta) => {
          say('desired', { delta });
          if (delta && delta.sdkTest === 'go') {
            desiredSeen = true;
            maybeDone();
          }
        });
        say('ready');
      });
    });
  });
}
