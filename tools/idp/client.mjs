// Shared by approve.mjs and token.mjs: CA trust for fetch, a cookie-jar user agent, and the device-approval walk.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// Node's built-in fetch (undici) takes no per-request CA, but trusts NODE_EXTRA_CA_CERTS, which is read only at process
// start: with --ca CA.pem the script re-runs itself once with NODE_EXTRA_CA_CERTS=CA.pem and returns its exit status.
export function trustCaOrReexec(ca) {
  if (!ca) return;
  const wanted = path.resolve(ca);
  if (process.env.NODE_EXTRA_CA_CERTS === wanted) return;
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: wanted },
  });
  process.exit(r.status ?? 1);
}

export class UserAgentError extends Error {}

function splitSetCookie(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  // Older undici: one header value joined with ", "; split only where a new "name=" follows the comma.
  const joined = headers.get('set-cookie');
  return joined ? joined.split(/,(?=\s*[^;,=\s]+=)/) : [];
}

// A user agent with a cookie jar (cookies matched by path, one host) that follows redirects itself.
export class UserAgent {
  constructor() {
    this.cookies = new Map(); // `${path} ${name}` -> {name, value, path}
  }

  storeCookies(res, url) {
    for (const line of splitSetCookie(res.headers)) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cookiePath = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        if (k.toLowerCase() === 'path') cookiePath = v;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      const key = `${cookiePath} ${name}`;
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path: cookiePath });
    }
  }

  cookieHeader(url) {
    const matching = [...this.cookies.values()].filter(
      (c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
    );
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  // Sends one request and follows redirects (303/302/301 turn into GET); returns {url, status, text}.
  async request(url, { method = 'GET', form } = {}) {
    let current = new URL(url);
    let body = form ? new URLSearchParams(form).toString() : undefined;
    for (let hops = 0; hops < 20; hops += 1) {
      const headers = { accept: 'text/html' };
      const cookie = this.cookieHeader(current);
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(current, { method, headers, body, redirect: 'manual' });
      this.storeCookies(res, current);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        current = new URL(location, current);
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return { url: current, status: res.status, text: await res.text() };
    }
    throw new UserAgentError(`too many redirects from ${url}`);
  }
}

function decodeEntities(s) {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag, name) {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i'));
  return m ? decodeEntities(m[1]) : undefined;
}

// The form with the given id on an HTML page: {action, fields} with its named inputs' values.
export function findForm(html, id) {
  const re = /<form\b[^>]*>[\s\S]*?<\/form>/gi;
  for (const [formHtml] of html.matchAll(re)) {
    const openTag = formHtml.match(/<form\b[^>]*>/i)[0];
    if (attribute(openTag, 'id') !== id) continue;
    const fields = {};
    for (const [input] of formHtml.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input, 'name');
      if (name) fields[name] = attribute(input, 'value') ?? '';
    }
    return { action: attribute(openTag, 'action'), fields };
  }
  return undefined;
}

function pageError(page) {
  const text = page.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return new UserAgentError(`unexpected page ${page.url} (HTTP ${page.status}): ${text.slice(0, 400)}`);
}

// Walks the provider's device verification page for userCode as a person would: enter the code, confirm it, sign in
// with login/password, consent (automatic for our clients). Resolves when the provider shows the success page.
export async function approveDevice({ issuer, userCode, login, password }) {
  const ua = new UserAgent();
  const base = issuer.endsWith('/') ? issuer : `${issuer}/`;

  let page = await ua.request(new URL('device', base));
  const input = findForm(page.text, 'op.deviceInputForm');
  if (!input) throw pageError(page);
  page = await ua.request(new URL(input.action, page.url), {
    method: 'POST',
    form: { ...input.fields, user_code: userCode },
  });

  const confirm = findForm(page.text, 'op.deviceConfirmForm');
  if (!confirm) throw pageError(page);
  page = await ua.request(new URL(confirm.action, page.url), { method: 'POST', form: confirm.fields });

  const loginForm = findForm(page.text, 'login');
  if (loginForm) {
    page = await ua.request(new URL(loginForm.action, page.url), {
      method: 'POST',
      form: { ...loginForm.fields, login, password },
    });
    if (findForm(page.text, 'login')) throw new UserAgentError(`login refused for ${login}`);
  }
  if (!page.text.includes('id="device-approved"')) throw pageError(page);
}

// POSTs a form to an OAuth endpoint; resolves {status, json}.
export async function postForm(url, form, basicAuth) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (basicAuth) {
    const [id, secret] = basicAuth;
    // RFC 6749 2.3.1: client id and secret are form-urlencoded before the Basic encoding.
    const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
  }
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: 'invalid_response', error_description: text.slice(0, 400) };
  }
  return { status: res.status, json };
}

export async function discover(issuer) {
  const base = issuer.endsWith('/') ? issuer : `${issuer}/`;
  const res = await fetch(new URL('.well-known/openid-configuration', base));
  if (!res.ok) throw new UserAgentError(`discovery at ${issuer}: HTTP ${res.status}`);
  return res.json();
}
