// Gets tokens from the local provider for scripts and tests; prints the token endpoint's JSON response on stdout.
//
//   node tools/idp/token.mjs --issuer URL [--ca CA.pem] --login lee [--password demo] [--client srctl] [--scope S]
//       a whole device flow: device authorisation, approval as the person (approve.mjs's walk), token polling
//   node tools/idp/token.mjs --issuer URL [--ca CA.pem] --client-credentials --client monitoring --secret-file F
//   node tools/idp/token.mjs --issuer URL [--ca CA.pem] --refresh-token RT [--client srctl]
//
// Exit 0 with the response, 1 when the provider refuses (error JSON on stderr), 2 on usage errors.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

import { approveDevice, discover, postForm, trustCaOrReexec } from './client.mjs';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const { values } = parseArgs({
  options: {
    issuer: { type: 'string' },
    ca: { type: 'string' },
    login: { type: 'string' },
    password: { type: 'string', default: 'demo' },
    client: { type: 'string' },
    scope: { type: 'string' },
    resource: { type: 'string' },
    'client-credentials': { type: 'boolean', default: false },
    'secret-file': { type: 'string' },
    'refresh-token': { type: 'string' },
  },
  strict: true,
});

function usage(message) {
  process.stderr.write(`token: ${message}\n`);
  process.exit(2);
}

class Refused extends Error {}

function check({ status, json }, what) {
  if (status !== 200) throw new Refused(`${what}: HTTP ${status} ${JSON.stringify(json)}`);
  return json;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function deviceFlow(config, clientId) {
  const form = { client_id: clientId, scope: values.scope ?? 'openid offline_access email groups recovery' };
  if (values.resource) form.resource = values.resource;
  const auth = check(await postForm(config.device_authorization_endpoint, form), 'device authorisation');
  const { issuer, login, password } = values;
  await approveDevice({ issuer, userCode: auth.user_code, login, password });

  // The approval is done before the first poll, so this normally answers at once; the loop honours slow_down anyway.
  let interval = 0;
  const deadline = Date.now() + (auth.expires_in ?? 600) * 1000;
  for (;;) {
    const poll = { grant_type: DEVICE_GRANT, device_code: auth.device_code, client_id: clientId };
    const res = await postForm(config.token_endpoint, poll);
    if (res.status === 200) return res.json;
    if (res.json.error === 'slow_down') interval += 5;
    else if (res.json.error !== 'authorization_pending') check(res, 'device token');
    if (Date.now() > deadline) throw new Refused('device code expired');
    await sleep(Math.max(interval, 1) * 1000);
  }
}

async function main() {
  if (!values.issuer) usage('--issuer is required');
  trustCaOrReexec(values.ca);
  const config = await discover(values.issuer);

  let response;
  if (values['client-credentials']) {
    if (!values.client || !values['secret-file']) usage('--client-credentials needs --client and --secret-file');
    const secret = fs.readFileSync(values['secret-file'], 'utf8').trim();
    const form = { grant_type: 'client_credentials' };
    if (values.scope) form.scope = values.scope;
    if (values.resource) form.resource = values.resource;
    response = check(await postForm(config.token_endpoint, form, [values.client, secret]), 'client credentials');
  } else if (values['refresh-token']) {
    const form = {
      grant_type: 'refresh_token',
      refresh_token: values['refresh-token'],
      client_id: values.client ?? 'srctl',
    };
    response = check(await postForm(config.token_endpoint, form), 'refresh');
  } else {
    if (!values.login) usage('--login is required for the device flow');
    response = await deviceFlow(config, values.client ?? 'srctl');
  }
  process.stdout.write(`${JSON.stringify(response)}\n`);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`token: ${err.cause ? `${err.message}: ${err.cause.message}` : err.message}\n`);
  process.exit(1);
}
