// The local OpenID provider (oidc-provider) of the stack and tests: demo accounts, srctl/console/monitoring clients.
//
//   node tools/idp/server.mjs --port-file F [--port 0] --accounts tools/idp/accounts.json \
//        --tls-cert C --tls-key K [--keys-file DATA/idp-keys.json] [--monitoring-secret-file F]
//   node tools/idp/server.mjs rotate-keys --keys-file F [--alg ES256|RS256]
//   node tools/idp/server.mjs prune-keys --keys-file F
//
// SIGHUP re-reads the keys file and the accounts without closing the port (so the issuer stays the same):
// that is how a rotation reaches a running provider. See README.md.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

const API_AUDIENCE = 'urn:recovery:api';
// The one resource-server scope: optional for clients, it only documents that the token is meant for the API.
const API_SCOPE = 'recovery';
const FIRST_PARTY_CLIENTS = new Set(['srctl', 'console', 'monitoring']);

function fail(message) {
  process.stderr.write(`idp: ${message}\n`);
  process.exit(2);
}

// Writes via a temporary file and rename so that a reader never sees a half-written file.
function writeFileAtomic(file, contents, mode = 0o600) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, contents, { mode });
  fs.renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------------------------------------
// Signing keys: a JSON file {"keys": [private JWKs], "cookie_keys": [...]}. The provider signs with the first key of
// each algorithm (oidc-provider's key selection is a stable sort), so prepending a key rotates and the older keys stay
// published in the JWKS for verifiers holding tokens signed with them.

function thumbprintKid(jwk) {
  // RFC 7638 thumbprint of the public members, so a kid is unique and derived from the key itself.
  const members =
    jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return crypto.createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function newSigningKey(alg) {
  let pair;
  if (alg === 'ES256') {
    pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  } else if (alg === 'RS256') {
    pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  } else {
    fail(`unsupported key algorithm ${alg} (ES256 or RS256)`);
  }
  const jwk = pair.privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: thumbprintKid(jwk), alg, use: 'sig' };
}

function readKeysFile(file) {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error(`${file}: no "keys"`);
  return parsed;
}

function loadOrCreateKeys(file) {
  if (file && fs.existsSync(file)) return readKeysFile(file);
  const keys = {
    keys: [newSigningKey('ES256'), newSigningKey('RS256')],
    cookie_keys: [crypto.randomBytes(32).toString('base64url')],
  };
  if (file) writeFileAtomic(file, `${JSON.stringify(keys, null, 2)}\n`);
  return keys;
}

function rotateKeys(file, alg) {
  const keys = loadOrCreateKeys(file);
  const key = newSigningKey(alg);
  keys.keys.unshift(key);
  writeFileAtomic(file, `${JSON.stringify(keys, null, 2)}\n`);
  process.stdout.write(`${key.kid}\n`);
}

// Drops every key but the newest of each algorithm: tokens signed with the older keys stop verifying.
function pruneKeys(file) {
  const keys = readKeysFile(file);
  const seen = new Set();
  keys.keys = keys.keys.filter((k) => (seen.has(k.alg) ? false : seen.add(k.alg)));
  writeFileAtomic(file, `${JSON.stringify(keys, null, 2)}\n`);
  process.stdout.write(`${keys.keys.map((k) => k.kid).join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Accounts: {"accounts": [{"id", "email"?, "name"?, "password", "groups": [...]}]}.

function loadAccounts(file) {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  const accounts = new Map();
  for (const a of parsed.accounts ?? []) {
    if (!a.id || typeof a.password !== 'string') throw new Error(`${file}: every account needs "id" and "password"`);
    accounts.set(a.id, {
      id: a.id,
      email: a.email ?? `${a.id}@demo.example`,
      name: a.name ?? a.id,
      password: a.password,
      groups: Array.isArray(a.groups) ? a.groups : [],
    });
  }
  return accounts;
}

function passwordMatches(account, password) {
  const a = crypto.createHash('sha256').update(account.password).digest();
  const b = crypto.createHash('sha256').update(String(password ?? '')).digest();
  return crypto.timingSafeEqual(a, b);
}

// A secret from a file, generated (and written, 0600) when the file does not exist yet.
function loadOrCreateSecret(file) {
  if (!file) return crypto.randomBytes(32).toString('base64url');
  if (fs.existsSync(file)) {
    const secret = fs.readFileSync(file, 'utf8').trim();
    if (!secret) fail(`${file} is empty`);
    return secret;
  }
  const secret = crypto.randomBytes(32).toString('base64url');
  writeFileAtomic(file, `${secret}\n`);
  return secret;
}

// ---------------------------------------------------------------------------------------------------------------------
// Storage: one in-memory store for every provider instance of this process, so a SIGHUP reload (a new Provider with
// the new keys) keeps sessions, device codes, grants and refresh tokens. oidc-provider's own memory adapter is an LRU
// of 1000 entries, which a long test run could overflow.

const store = new Map(); // key -> {payload, expiresAt (ms) | undefined}
const grantIndex = new Map(); // grantId -> Set of keys

function storeGet(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry.payload;
}

setInterval(() => {
  const now = Date.now();
  for (const [key, entry] of store) {
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) store.delete(key);
  }
  for (const [grantId, keys] of grantIndex) {
    for (const key of keys) if (!store.has(key)) keys.delete(key);
    if (keys.size === 0) grantIndex.delete(grantId);
  }
}, 60_000).unref();

class Adapter {
  constructor(name) {
    this.name = name;
  }

  key(id) {
    return `${this.name}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
    store.set(key, { payload, expiresAt });
    if (payload.grantId) {
      if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
      grantIndex.get(payload.grantId).add(key);
    }
    if (payload.userCode) store.set(`userCode:${payload.userCode}`, { payload: id, expiresAt });
    if (payload.uid) store.set(`uid:${payload.uid}`, { payload: id, expiresAt });
  }

  async find(id) {
    return storeGet(this.key(id));
  }

  async findByUserCode(userCode) {
    const id = storeGet(`userCode:${userCode}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUid(uid) {
    const id = storeGet(`uid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = storeGet(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of grantIndex.get(grantId) ?? []) store.delete(key);
    grantIndex.delete(grantId);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Pages. Plain HTML, no scripts of ours; the forms oidc-provider hands us (device code entry) are embedded as given.

function escapeHtml(s) {
  const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return String(s).replace(/[&<>"']/g, (c) => entities[c]);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

function loginPage(uid, clientId, error) {
  return page(
    'Sign in',
    `<p>Sign in to continue to <strong>${escapeHtml(clientId)}</strong>.</p>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form id="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Account <input type="text" name="login" autocomplete="username" required></label>
  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<form id="abort" method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button type="submit">Cancel</button>
</form>`,
  );
}

const deviceFlowPages = {
  async userCodeInputSource(ctx, form, out, err) {
    let message = 'Enter the code shown on your device.';
    if (err && (err.userCode || err.name === 'NoCodeError')) message = 'That code is not valid. Try again.';
    else if (err && err.name === 'AbortedError') message = 'The sign-in request was cancelled.';
    else if (err) message = 'The request could not be processed.';
    ctx.type = 'html';
    ctx.body = page('Device sign-in', `<p class="message">${escapeHtml(message)}</p>
${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`);
  },
  async userCodeConfirmSource(ctx, form, client, deviceInfo, userCode) {
    ctx.type = 'html';
    ctx.body = page('Confirm device', `<p><strong>${escapeHtml(client.clientName || client.clientId)}</strong> asks to
sign in. Check that your device shows this code:</p>
<p><code>${escapeHtml(userCode)}</code></p>
${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`);
  },
  async successSource(ctx) {
    ctx.type = 'html';
    ctx.body = page('Device approved', '<p id="device-approved">Sign-in successful. You can close this page.</p>');
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// The provider.

function providerConfiguration(opts) {
  const { accounts, keys, monitoringSecret, consoleSecret, consoleRedirectUris, accessTokenTtl, refreshTokenTtl } = opts;
  const account = (id) => accounts.get(id);
  return {
    adapter: Adapter,
    clients: [
      {
        client_id: 'srctl',
        client_name: 'srctl',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: 'console',
        client_name: 'Recovery console',
        client_secret: consoleSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Web clients match redirect URIs exactly (the loopback port may vary only for native clients, RFC 8252):
        // --console-redirect-uri names the console's (the stack picks its port before starting the provider).
        redirect_uris: consoleRedirectUris,
      },
      {
        client_id: 'monitoring',
        client_name: 'Monitoring integration',
        client_secret: monitoringSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    // No implicit or hybrid flows: tokens only from the token endpoint.
    responseTypes: ['code', 'none'],
    jwks: { keys: keys.keys },
    cookies: {
      keys: keys.cookie_keys ?? [crypto.randomBytes(32).toString('base64url')],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    async findAccount(ctx, id) {
      const a = account(id);
      if (!a) return undefined;
      return {
        accountId: a.id,
        async claims() {
          return { sub: a.id, email: a.email, email_verified: true, name: a.name, groups: a.groups };
        },
      };
    },
    // Put e-mail and groups into every account-bound JWT access token: the services authorise from the access token
    // alone and never call userinfo. Client-credentials tokens have no account and get none.
    async extraTokenClaims(ctx, token) {
      if (!token.accountId) return undefined;
      const a = account(token.accountId);
      if (!a) return undefined;
      return { email: a.email, groups: a.groups };
    },
    // Every client allowed the refresh_token grant gets a refresh token, with or without offline_access: srctl's
    // device-code login must be able to refresh without the user.
    async issueRefreshToken(ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
    async expiresWithSession() {
      return false;
    },
    pkce: { methods: ['S256'], required: () => true },
    ttl: {
      AccessToken: accessTokenTtl,
      ClientCredentials: accessTokenTtl,
      RefreshToken: refreshTokenTtl,
      DeviceCode: 600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: refreshTokenTtl,
    },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true, charset: 'base-20', mask: '****-****', ...deviceFlowPages },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf.includes(API_AUDIENCE) ? API_AUDIENCE : oneOf[0];
          return API_AUDIENCE;
        },
        // A refresh or device-code exchange without a resource parameter gets a token for the granted resource.
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(ctx, resourceIndicator) {
          if (resourceIndicator !== API_AUDIENCE) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: API_AUDIENCE,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    interactions: {
      url(ctx, interaction) {
        return `/interaction/${interaction.uid}`;
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      const details = Object.entries(out)
        .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
        .join('\n');
      ctx.body = page('Error', `<dl id="error">\n${details}\n</dl>`);
    },
    async logoutSource(ctx, form) {
      ctx.type = 'html';
      ctx.body = page('Sign out', `${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`);
    },
  };
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 64 * 1024) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });
}

// Where this provider's forms may lead: itself, and (through the redirects after the login form) the console's
// callback. Browsers apply form-action to the redirects a form submission causes.
let formAction = "'self'";

function sendHtml(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; form-action ${formAction}`,
  });
  res.end(html);
}

// Login (password check against accounts.json) and consent (granted automatically for our own clients).
async function handleInteraction(provider, accounts, req, res, url) {
  const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
  if (!match) return sendHtml(res, 404, page('Not found', ''));
  const action = match[2];
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== match[1]) return sendHtml(res, 400, page('Error', '<p>Interaction mismatch.</p>'));
  const { prompt, params, session } = details;

  if (action === 'abort' && req.method === 'POST') {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
  }

  if (action === 'login' && req.method === 'POST') {
    const form = await readForm(req);
    const account = accounts.get(form.login);
    if (!account || !passwordMatches(account, form.password)) {
      return sendHtml(res, 200, loginPage(details.uid, params.client_id, 'Unknown account or wrong password.'));
    }
    const result = { login: { accountId: account.id } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  if (action || req.method !== 'GET') return sendHtml(res, 405, page('Error', '<p>Method not allowed.</p>'));

  if (prompt.name === 'login') return sendHtml(res, 200, loginPage(details.uid, params.client_id));

  if (prompt.name === 'consent') {
    if (!FIRST_PARTY_CLIENTS.has(params.client_id)) {
      return sendHtml(res, 403, page('Error', '<p>Consent for third-party clients is not supported.</p>'));
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return sendHtml(res, 400, page('Error', `<p>Unsupported prompt ${escapeHtml(prompt.name)}.</p>`));
}

function buildProvider(issuer, opts) {
  const provider = new Provider(issuer, providerConfiguration(opts));
  provider.on('server_error', (ctx, err) => process.stderr.write(`idp: server_error: ${err.stack}\n`));
  const callback = provider.callback();
  return async (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith('/interaction/')) {
      try {
        await handleInteraction(provider, opts.accounts, req, res, url);
      } catch (err) {
        // An expired or unknown interaction (SessionNotFound) is a user error; anything else is logged.
        if (!(err instanceof errors.SessionNotFound)) process.stderr.write(`idp: interaction: ${err.stack}\n`);
        if (!res.headersSent) sendHtml(res, 400, page('Error', `<p id="error">${escapeHtml(err.message)}</p>`));
      }
      return;
    }
    callback(req, res);
  };
}

function serve(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'port-file': { type: 'string' },
      accounts: { type: 'string', default: path.join(path.dirname(fileURLToPath(import.meta.url)), 'accounts.json') },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'keys-file': { type: 'string' },
      'monitoring-secret-file': { type: 'string' },
      'console-secret-file': { type: 'string' },
      'console-redirect-uri': { type: 'string', multiple: true },
      'access-token-ttl': { type: 'string', default: '600' },
      'refresh-token-ttl': { type: 'string', default: String(30 * 24 * 3600) },
    },
    strict: true,
  });
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('--tls-cert and --tls-key go together');
  const accessTokenTtl = Number(values['access-token-ttl']);
  const refreshTokenTtl = Number(values['refresh-token-ttl']);
  if (!(accessTokenTtl > 0) || !(refreshTokenTtl > 0)) fail('token TTLs must be positive numbers of seconds');

  let opts;
  try {
    opts = {
      accounts: loadAccounts(values.accounts),
      keys: loadOrCreateKeys(values['keys-file']),
      monitoringSecret: process.env.IDP_MONITORING_SECRET || loadOrCreateSecret(values['monitoring-secret-file']),
      consoleSecret: process.env.IDP_CONSOLE_SECRET || loadOrCreateSecret(values['console-secret-file']),
      consoleRedirectUris: values['console-redirect-uri'] ?? [
        'https://127.0.0.1/auth/callback',
        'http://127.0.0.1/auth/callback',
      ],
      accessTokenTtl,
      refreshTokenTtl,
    };
  } catch (err) {
    fail(err.message);
  }

  formAction = ["'self'", ...new Set(opts.consoleRedirectUris.map((u) => new URL(u).origin))].join(' ');
  const tls = Boolean(values['tls-cert']);
  let handler = null;
  let issuer = null;
  const kids = () => opts.keys.keys.map((k) => `${k.alg}:${k.kid}`).join(' ');

  // A new Provider with the re-read keys and accounts replaces the old one on the same port; the store is shared.
  process.on('SIGHUP', () => {
    if (!issuer) return;
    try {
      const next = { ...opts, accounts: loadAccounts(values.accounts) };
      if (values['keys-file']) next.keys = readKeysFile(values['keys-file']);
      handler = buildProvider(issuer, next);
      opts = next;
      process.stderr.write(`idp: reloaded, keys ${kids()}\n`);
    } catch (err) {
      process.stderr.write(`idp: reload failed, keeping the old configuration: ${err.message}\n`);
    }
  });
  const dispatch = (req, res) => handler(req, res);
  const server = tls
    ? https.createServer(
        { cert: fs.readFileSync(values['tls-cert']), key: fs.readFileSync(values['tls-key']) },
        dispatch,
      )
    : http.createServer(dispatch);

  server.listen(Number(values.port), values.host, () => {
    const { port } = server.address();
    const host = values.host.includes(':') ? `[${values.host}]` : values.host;
    const base = `${tls ? 'https' : 'http'}://${host}:${port}`;
    handler = buildProvider(base, opts);
    issuer = base;
    process.stderr.write(`idp: issuer ${issuer} keys ${kids()}\n`);
    if (values['port-file']) writeFileAtomic(values['port-file'], `${port}\n`, 0o644);
  });
  server.on('error', (err) => fail(err.message));
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      server.close();
      process.exit(0);
    });
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'rotate-keys' || command === 'prune-keys') {
  process.on('uncaughtException', (err) => fail(err.message));
  const { values } = parseArgs({
    args: rest,
    options: { 'keys-file': { type: 'string' }, alg: { type: 'string', default: 'ES256' } },
    strict: true,
  });
  if (!values['keys-file']) fail(`${command} needs --keys-file`);
  if (command === 'rotate-keys') rotateKeys(values['keys-file'], values.alg);
  else pruneKeys(values['keys-file']);
} else {
  serve(process.argv.slice(2));
}
