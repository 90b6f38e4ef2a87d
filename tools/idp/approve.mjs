// Approves a pending device authorisation as a person would in a browser, for scripts and tests.
//
//   node tools/idp/approve.mjs --issuer URL [--ca CA.pem] --user-code CODE --login lee [--password demo]
//
// Exit 0 when the provider shows its success page, 1 when it refuses (bad code, bad password), 2 on usage errors.
import { parseArgs } from 'node:util';

import { approveDevice, trustCaOrReexec } from './client.mjs';

const { values } = parseArgs({
  options: {
    issuer: { type: 'string' },
    ca: { type: 'string' },
    'user-code': { type: 'string' },
    login: { type: 'string' },
    password: { type: 'string', default: 'demo' },
  },
  strict: true,
});
if (!values.issuer || !values['user-code'] || !values.login) {
  process.stderr.write('usage: approve.mjs --issuer URL [--ca CA.pem] --user-code CODE --login ID [--password P]\n');
  process.exit(2);
}
trustCaOrReexec(values.ca);

try {
  await approveDevice({
    issuer: values.issuer,
    userCode: values['user-code'],
    login: values.login,
    password: values.password,
  });
} catch (err) {
  process.stderr.write(`approve: ${err.cause ? `${err.message}: ${err.cause.message}` : err.message}\n`);
  process.exit(1);
}
