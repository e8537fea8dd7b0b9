#!/usr/bin/env node
// End-to-end test of the contactd web portal in a real browser.
//
// Starts the contactd binary (argv[2] or $CONTACTD_BINARY) on a free loopback port with a
// temporary database and development message delivery, then drives Debian's chromium
// (/usr/bin/chromium) through playwright-core like a person would: register by phone, read
// the code in the development inbox, verify it, see and edit the profile, sign out, sign in
// again by code. It also checks that a wrong code is reported in the alert region, that the
// page logs no console errors and that a name carrying HTML is shown as text.
// A second contactd, delivering email to an SMTP server the test runs (smtp_sink.mjs),
// takes the emailed links: register by email and password, follow the verification link
// from the sign-up email, ask for a reset from "Forgot your password?", follow the reset
// link from its email, choose a new password on the page and sign in with it.
//
// Usage: node tests/e2e/portal_test.mjs path/to/contactd
// Needs: npm ci --prefix tests/e2e (with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1) and chromium.
// Prints one line per check and, last, "N passed, M failed"; exits non-zero on any failure.
// CONTACTD_E2E_SCREENSHOT_DIR (default: the system temp dir) receives a profile screenshot.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startSmtpSink } from './smtp_sink.mjs';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

const CHROMIUM = process.env.CONTACTD_E2E_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OVERALL_TIMEOUT_MS = 150_000; // below the CTest TIMEOUT, so we clean up ourselves
const STEP_TIMEOUT_MS = 10_000;

const PHONE_LOCAL = '99478230';
const PHONE_E164 = '+35799478230';
const PHONE_MASKED = '+357*****230';
const XSS_NAME = '<img src=x onerror=window.__xss=1>';
const XSS_PHONE_LOCAL = '99123456';
const XSS_PHONE_E164 = '+35799123456';

// ---- results -----------------------------------------------------------------------------
let passed = 0;
let failed = 0;
class StepFailed extends Error {}

// Runs one check. A failing check is counted and reported; with `critical` (the default) it
// also ends the scenario, since every later step depends on it.
async function check(name, fn, { critical = true } = {}) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL - ${name}: ${(err && err.message ? err.message : String(err)).split('\n')[0]}`);
    if (process.env.CONTACTD_E2E_VERBOSE && err && err.stack) console.log(err.stack);
    if (critical) throw new StepFailed(name);
  }
}
function assert(cond, message) { if (!cond) throw new Error(message); }
function assertEqual(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// ---- the server ----------------------------------------------------------------------------
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const server = { child: null, log: [], exited: null, tmp: null };
const mailServer = { child: null, log: [], exited: null, tmp: null }; // delivers to the SMTP sink

// `extraEnv` adds CONTACTD_* settings; `server` is the handle to fill.
async function startServer(binary, extraEnv = {}, handle = server) {
  const server = handle;
  server.tmp = await mkdtemp(path.join(os.tmpdir(), 'contactd-e2e-'));
  const port = await freePort();
  // A clean CONTACTD_* environment: no SMS/SMTP provider, so delivery is development-only.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CONTACTD_')));
  env.CONTACTD_RATE_LIMITS = 'off';
  // The test signs in by code to the phone it registered moments before.
  env.CONTACTD_OTP_RESEND_INTERVAL = '0';
  Object.assign(env, extraEnv);
  const child = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--db', path.join(server.tmp, 'e2e.db')],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.child = child;
  server.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.on('error', (err) => server.log.push(`spawn error: ${err.message}`));
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      server.log.push(...chunk.split('\n').filter(Boolean));
      if (server.log.length > 400) server.log.splice(0, server.log.length - 400);
    });
  }
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  let gone = null;
  server.exited.then((r) => { gone = r; });
  while (Date.now() < deadline) {
    if (gone) throw new Error(`contactd exited before it was healthy (code ${gone.code}, signal ${gone.signal})`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return base;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('contactd did not answer /healthz within 15 s');
}

async function stopServer(handle = server) {
  const server = handle;
  const child = server.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await server.exited;
    clearTimeout(timer);
  }
  server.child = null;
  if (server.tmp) { await rm(server.tmp, { recursive: true, force: true }); server.tmp = null; }
}
// Last resort if the process leaves in a way that skips the cleanup below.
process.on('exit', () => {
  for (const s of [server, mailServer]) if (s.child && s.child.exitCode === null) s.child.kill('SIGKILL');
});

// ---- browser helpers -----------------------------------------------------------------------
// Collects console errors and uncaught exceptions of a page. While `expectHttpError` is set,
// Chromium's own "Failed to load resource ... status of 4xx" line for an expected API error
// is not counted.
function watchConsole(page) {
  const watch = { errors: [], expectHttpError: false };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (watch.expectHttpError && /Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    const where = msg.location() && msg.location().url;
    watch.errors.push(`console: ${text}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => watch.errors.push(`exception: ${err.message}`));
  return watch;
}

const view = (page, name) => page.locator(`#view-${name}`);
async function expectView(page, name) {
  await view(page, name).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
}
async function textOf(locator) { return ((await locator.textContent()) || '').trim(); }
async function waitForText(locator, expected, what) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    last = await textOf(locator);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(last)}`);
}
function screenshotPath(name) {
  const file = path.join(process.env.CONTACTD_E2E_SCREENSHOT_DIR || os.tmpdir(), `contactd-e2e-${name}.png`);
  console.log(`     screenshot: ${file}`);
  return file;
}
const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

// Opens the development inbox from the navigation, reads the newest 6-digit code sent to
// `recipient` that is not among `known` bodies, cross-checks it with GET /portal/dev/messages
// and goes back to the code form with the inbox's Back button.
async function readCodeFromInbox(page, base, recipient, known) {
  await nav(page, 'Development inbox').click();
  await expectView(page, 'inbox');
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let body = null;
  while (!body && Date.now() < deadline) {
    const items = page.locator('#inbox-list li.message').filter({ hasText: recipient });
    for (const item of await items.all()) {
      const text = await textOf(item.locator('pre'));
      if (!known.has(text) && /\b\d{6}\b/.test(text)) { body = text; break; }
    }
    if (!body) await new Promise((r) => setTimeout(r, 250)); // the view refreshes every 3 s
  }
  assert(body, `no new message to ${recipient} in the development inbox view`);
  known.add(body);
  const code = body.match(/\b(\d{6})\b/)[1];
  const api = await (await fetch(`${base}/portal/dev/messages`)).json();
  const match = (api.content || []).find((m) => m.recipient === recipient && m.body === body);
  assert(match, 'the message shown in the inbox view is not in GET /portal/dev/messages');
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await expectView(page, 'code');
  return { code, body };
}

async function enterCode(page, code) {
  const form = view(page, 'code');
  await form.getByLabel('Code', { exact: true }).fill(code);
  await form.getByRole('button', { name: 'Verify', exact: true }).click();
}

async function registerByPhone(page, { first, last, phone }) {
  await nav(page, 'Register').click();
  await expectView(page, 'register');
  const form = view(page, 'register');
  await form.getByLabel('First name').fill(first);
  await form.getByLabel('Last name').fill(last);
  await form.getByRole('radio', { name: 'Phone' }).check();
  await form.getByLabel('Country').selectOption('CYP');
  await form.getByLabel('Mobile number').fill(phone);
  await form.getByLabel('I accept the terms of service').check();
  await form.getByRole('button', { name: 'Create account' }).click();
}

async function newPage(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const watch = watchConsole(page);
  await page.goto(`${base}/`);
  return { context, page, watch };
}

// ---- scenarios -----------------------------------------------------------------------------
async function mainFlow(browser, base) {
  const { context, page, watch } = await newPage(browser, base);
  const known = new Set();
  try {
    await check('portal loads on the sign-in view in development mode', async () => {
      await expectView(page, 'signin');
      assert(await page.locator('#dev-banner').isVisible(), 'the development banner is not shown');
      assert(await nav(page, 'Development inbox').isVisible(), 'no Development inbox link');
      const config = await (await fetch(`${base}/portal/config.json`)).json();
      assertEqual(config.development, true, 'config.json development');
      assert(typeof config.api_key === 'string' && config.api_key.length > 0, 'config.json has no api_key');
    });

    await check('register by phone shows the code form for the masked number', async () => {
      await registerByPhone(page, { first: 'Andy', last: 'Steward', phone: PHONE_LOCAL });
      await expectView(page, 'code');
      await waitForText(page.locator('#code-destination'), PHONE_MASKED, 'code destination');
    });

    let signUp;
    await check('the sign-up code is in the development inbox view', async () => {
      signUp = await readCodeFromInbox(page, base, PHONE_E164, known);
    });

    await check('a wrong code shows an error in the alert region', async () => {
      const wrong = signUp.code === '000000' ? '111111' : '000000';
      watch.expectHttpError = true;
      try {
        await enterCode(page, wrong);
        const alert = page.getByRole('alert');
        await alert.locator('p').waitFor({ state: 'visible' });
        const text = await textOf(alert);
        assert(text.length > 0, 'the alert region is empty');
        assert(await view(page, 'code').isVisible(), 'left the code form after a wrong code');
        console.log(`     alert: ${JSON.stringify(text)}`);
      } finally {
        await page.waitForTimeout(200);
        watch.expectHttpError = false;
      }
    });

    await check('the right code signs in and shows the profile with names and E.164 phone', async () => {
      await enterCode(page, signUp.code);
      await expectView(page, 'profile');
      await waitForText(page.locator('#p-name'), 'Andy Steward', 'profile name');
      await waitForText(page.locator('#p-phone'), PHONE_E164, 'profile phone');
      const alert = await textOf(page.getByRole('alert'));
      assertEqual(alert, '', 'the alert region after signing in');
      await page.screenshot({ path: screenshotPath('profile'), fullPage: true });
    });

    await check('editing the first name saves it', async () => {
      const form = page.locator('#form-profile');
      assertEqual(await form.getByLabel('First name').inputValue(), 'Andy', 'first name in the form');
      await form.getByLabel('First name').fill('Andrew');
      await form.getByRole('button', { name: 'Save' }).click();
      await waitForText(page.getByRole('status'), 'Your profile was saved.', 'status after saving');
      await waitForText(page.locator('#p-name'), 'Andrew Steward', 'profile name after saving');
    });

    await check('after a reload the profile shows the new name', async () => {
      await page.reload();
      await expectView(page, 'profile');
      await waitForText(page.locator('#p-name'), 'Andrew Steward', 'profile name after reload');
      assertEqual(await page.locator('#form-profile').getByLabel('First name').inputValue(), 'Andrew',
        'first name in the form after reload');
      await waitForText(page.locator('#p-phone'), PHONE_E164, 'profile phone after reload');
    });

    await check('sign out returns to sign-in and ends the session on the server', async () => {
      const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('contactd.session')));
      assert(stored && stored.access_token, 'no session in sessionStorage before signing out');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expectView(page, 'signin');
      await waitForText(page.getByRole('status'), 'You are signed out.', 'status after sign-out');
      assert(!(await nav(page, 'Profile').isVisible()), 'the Profile link is still shown');
      assertEqual(await page.evaluate(() => sessionStorage.getItem('contactd.session')), null, 'stored session');
      const config = await (await fetch(`${base}/portal/config.json`)).json();
      const me = await fetch(`${base}/self-service/v1/contacts/me`,
        { headers: { api_key: config.api_key, Authorization: `Bearer ${stored.access_token}` } });
      assertEqual(me.status, 401, 'GET /me with the signed-out access token');
    });

    await check('sign in again by code to the same phone shows the profile', async () => {
      const form = page.locator('#form-otp');
      await form.getByRole('radio', { name: 'Phone' }).check();
      await form.getByLabel('Country').selectOption('CYP');
      await form.getByLabel('Mobile number').fill(PHONE_LOCAL);
      await form.getByRole('button', { name: 'Send me a code' }).click();
      await expectView(page, 'code');
      await waitForText(page.locator('#code-destination'), PHONE_MASKED, 'code destination');
      const signIn = await readCodeFromInbox(page, base, PHONE_E164, known);
      assert(signIn.code !== signUp.code || signIn.body !== signUp.body, 'the sign-in code is the sign-up message');
      await enterCode(page, signIn.code);
      await expectView(page, 'profile');
      await waitForText(page.locator('#p-name'), 'Andrew Steward', 'profile name after signing in again');
      await waitForText(page.locator('#p-phone'), PHONE_E164, 'profile phone after signing in again');
    });
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
  } finally {
    await check('no console errors in the main flow', async () => {
      assert(watch.errors.length === 0, watch.errors.join(' | '));
    }, { critical: false });
    await context.close();
  }
}

async function xssFlow(browser, base) {
  const { context, page, watch } = await newPage(browser, base);
  const known = new Set();
  try {
    await check('a first name carrying HTML registers, and is shown literally without running', async () => {
      await expectView(page, 'signin');
      await registerByPhone(page, { first: XSS_NAME, last: 'Tester', phone: XSS_PHONE_LOCAL });
      await expectView(page, 'code');
      const { code } = await readCodeFromInbox(page, base, XSS_PHONE_E164, known);
      await enterCode(page, code);
      await expectView(page, 'profile');
      await waitForText(page.locator('#p-name'), `${XSS_NAME} Tester`, 'profile name');
      assertEqual(await page.locator('#form-profile').getByLabel('First name').inputValue(), XSS_NAME,
        'first name in the form');
      await page.waitForTimeout(300); // give an injected image time to fail and fire onerror
      assertEqual(await page.evaluate(() => typeof window.__xss), 'undefined', 'typeof window.__xss');
      assertEqual(await page.locator('img').count(), 0, 'img elements in the page');
      await page.screenshot({ path: screenshotPath('xss-profile'), fullPage: true });
    });
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
  } finally {
    await check('no console errors in the XSS flow', async () => {
      assert(watch.errors.length === 0, watch.errors.join(' | '));
    }, { critical: false });
    await context.close();
  }
}

// The emailed links: verification from the sign-up email, then a password reset asked for
// from the sign-in view, each finished on its page.
const MAIL_EMAIL = 'lena@example.org';
const MAIL_PASSWORD = 'purple-otter-42-climbs';
const MAIL_NEW_PASSWORD = 'seven-quiet-herons-fly';

function linkIn(text, base, page) {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}${page}\\?token=[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])`).exec(text);
  return m ? m[0] : '';
}

async function linksFlow(browser, base, sink) {
  const { context, page, watch } = await newPage(browser, base);
  try {
    let signUpMail;
    await check('register by email and password signs in; the sign-up email carries code and link', async () => {
      await expectView(page, 'signin');
      await nav(page, 'Register').click();
      await expectView(page, 'register');
      const form = view(page, 'register');
      await form.getByLabel('First name').fill('Lena');
      await form.getByLabel('Last name').fill('Mail');
      await form.getByRole('radio', { name: 'Email' }).check();
      await form.getByRole('textbox', { name: 'Email', exact: true }).fill(MAIL_EMAIL);
      await form.getByLabel('Password (optional)').fill(MAIL_PASSWORD);
      await form.getByLabel('I accept the terms of service').check();
      await form.getByRole('button', { name: 'Create account' }).click();
      await expectView(page, 'profile');
      signUpMail = await sink.waitFor(MAIL_EMAIL, (m) => /sign-up/i.test(m.subject));
      assert(/\b\d{6}\b/.test(signUpMail.text), 'no code in the sign-up email');
      assert(linkIn(signUpMail.text, base, '/verify-email'), 'no verification link in the sign-up email text');
      assert(linkIn(signUpMail.html, base, '/verify-email'), 'no verification link in the sign-up email HTML');
      await page.locator('#p-identities').getByText('not verified').waitFor();
    });

    await check('the verification link from the email verifies the address on its page', async () => {
      const link = linkIn(signUpMail.text, base, '/verify-email');
      const res = await page.goto(link);
      const csp = res.headers()['content-security-policy'] || '';
      assert(csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'"), `CSP: ${csp}`);
      await waitForText(page.getByRole('status'), 'Your email address is now verified.', 'status on the verify page');
      assertEqual(new URL(page.url()).search, '', 'the address bar after reading the token');
      await page.goto(`${base}/#profile`);
      await expectView(page, 'profile');
      await page.locator('#p-identities').getByText('verified', { exact: true }).waitFor();
    });

    await check('the same verification link again says it is not valid any more', async () => {
      watch.expectHttpError = true;
      try {
        await page.goto(linkIn(signUpMail.text, base, '/verify-email'));
        const alert = page.getByRole('alert');
        await alert.getByText('not valid any more', { exact: false }).waitFor();
      } finally {
        await page.waitForTimeout(200);
        watch.expectHttpError = false;
      }
    });

    let resetMail;
    await check('"Forgot your password?" from sign-in asks for a reset and says what happens', async () => {
      await page.goto(`${base}/#profile`);
      await expectView(page, 'profile');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expectView(page, 'signin');
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await expectView(page, 'forgot');
      await view(page, 'forgot').getByLabel('Email').fill(MAIL_EMAIL);
      await view(page, 'forgot').getByRole('button', { name: 'Send me a reset link' }).click();
      await page.getByRole('status').getByText('we sent it a link', { exact: false }).waitFor();
      resetMail = await sink.waitFor(MAIL_EMAIL, (m) => m.subject === 'Reset your password');
      assert(linkIn(resetMail.html, base, '/reset-password'), 'no reset link in the HTML part');
    });

    await check('the reset link from the email sets a new password on its page', async () => {
      const link = linkIn(resetMail.text, base, '/reset-password');
      assert(link, 'no reset link in the reset email');
      assert(resetMail.text.includes(new URL(link).searchParams.get('token')), 'no token in the email');
      const res = await page.goto(link);
      assert((res.headers()['content-security-policy'] || '').includes("frame-ancestors 'none'"), 'no CSP');
      const form = page.locator('#form-reset');
      await form.getByLabel('New password', { exact: true }).fill(MAIL_NEW_PASSWORD);
      await form.getByLabel('Repeat the new password', { exact: true }).fill(MAIL_NEW_PASSWORD + 'x');
      await form.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByRole('alert').getByText('not the same', { exact: false }).waitFor();
      await form.getByLabel('Repeat the new password', { exact: true }).fill(MAIL_NEW_PASSWORD);
      await form.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByRole('status').getByText('Your password was changed.', { exact: false }).waitFor();
      assert(await form.isHidden(), 'the form is still shown after the change');
      await page.getByRole('link', { name: 'Go to sign-in' }).click();
      await expectView(page, 'signin');
    });

    await check('the old password no longer signs in, the new one does', async () => {
      const form = page.locator('#form-password');
      watch.expectHttpError = true;
      try {
        await form.getByLabel('Email').fill(MAIL_EMAIL);
        await form.getByLabel('Password').fill(MAIL_PASSWORD);
        await form.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').locator('p').waitFor({ state: 'visible' });
      } finally {
        await page.waitForTimeout(200);
        watch.expectHttpError = false;
      }
      await form.getByLabel('Email').fill(MAIL_EMAIL);
      await form.getByLabel('Password').fill(MAIL_NEW_PASSWORD);
      await form.getByRole('button', { name: 'Sign in' }).click();
      await expectView(page, 'profile');
      await waitForText(page.locator('#p-name'), 'Lena Mail', 'profile name after the reset');
      await page.screenshot({ path: screenshotPath('after-reset'), fullPage: true });
    });

    await check('the used reset link says so on its page', async () => {
      watch.expectHttpError = true;
      try {
        await page.goto(linkIn(resetMail.text, base, '/reset-password'));
        const form = page.locator('#form-reset');
        await form.getByLabel('New password', { exact: true }).fill('another-long-password-1');
        await form.getByLabel('Repeat the new password', { exact: true }).fill('another-long-password-1');
        await form.getByRole('button', { name: 'Set the new password' }).click();
        await page.getByRole('alert').getByText('not valid any more', { exact: false }).waitFor();
      } finally {
        await page.waitForTimeout(200);
        watch.expectHttpError = false;
      }
    });
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
  } finally {
    await check('no console errors in the emailed links flow', async () => {
      assert(watch.errors.length === 0, watch.errors.join(' | '));
    }, { critical: false });
    await context.close();
  }
}

// ---- main ----------------------------------------------------------------------------------
let browser = null;
let smtp = null;

async function main() {
  const binary = process.argv[2] || process.env.CONTACTD_BINARY;
  const watchdog = setTimeout(async () => {
    failed += 1;
    console.log(`FAIL - the test did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`);
    await finish(true);
  }, OVERALL_TIMEOUT_MS);
  try {
    let base;
    await check('contactd starts and answers /healthz', async () => {
      assert(binary, 'no contactd binary: pass its path as the first argument or in CONTACTD_BINARY');
      assert(existsSync(binary), `no such file: ${binary}`);
      base = await startServer(binary);
    });
    await check('chromium starts', async () => {
      assert(existsSync(CHROMIUM), `no browser at ${CHROMIUM} (apt-get install chromium)`);
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    });
    await mainFlow(browser, base);
    await xssFlow(browser, base);
    let mailBase;
    await check('a contactd that delivers email to the test SMTP server starts', async () => {
      smtp = await startSmtpSink();
      mailBase = await startServer(binary, {
        CONTACTD_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        CONTACTD_SMTP_FROM: 'contactd <no-reply@contactd.test>',
      }, mailServer);
    });
    await linksFlow(browser, mailBase, smtp);
  } catch (err) {
    if (!(err instanceof StepFailed)) {
      failed += 1;
      console.log(`FAIL - unexpected error: ${err && err.stack ? err.stack : err}`);
    }
  }
  clearTimeout(watchdog);
  await finish(false);
}

let finishing = false;
async function finish(timedOut) {
  if (finishing) return;
  finishing = true;
  try { if (browser) await browser.close(); } catch { /* the browser may be gone already */ }
  for (const s of [server, mailServer]) {
    if ((failed > 0 || timedOut) && s.log.length) {
      console.log('--- contactd log (last lines) ---');
      for (const line of s.log.slice(-40)) console.log(line);
    }
  }
  await stopServer().catch(() => {});
  await stopServer(mailServer).catch(() => {});
  if (smtp) await smtp.close().catch(() => {});
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { failed += 1; console.log(`FAIL - interrupted by ${signal}`); finish(true); });
}

main();
