// contactd web portal: plain JavaScript, no build step, no dependencies.
// Server data is only ever written with textContent / createElement (never innerHTML).
'use strict';

(function () {
  const API = '/self-service/v1/contacts';
  const EXPIRED = 'CRM.EXCEPTIONS.EXPIREDTOKENEXCEPTION';
  const COUNTRIES = [
    ['CYP', 'Cyprus', '+357'], ['GRC', 'Greece', '+30'], ['GBR', 'United Kingdom', '+44'],
    ['IRL', 'Ireland', '+353'], ['DEU', 'Germany', '+49'], ['FRA', 'France', '+33'],
    ['ITA', 'Italy', '+39'], ['ESP', 'Spain', '+34'], ['PRT', 'Portugal', '+351'],
    ['NLD', 'Netherlands', '+31'], ['BEL', 'Belgium', '+32'], ['ROU', 'Romania', '+40'],
    ['BGR', 'Bulgaria', '+359'], ['POL', 'Poland', '+48'], ['ISR', 'Israel', '+972'],
    ['ARE', 'United Arab Emirates', '+971'], ['LBN', 'Lebanon', '+961'],
    ['USA', 'United States', '+1'], ['CAN', 'Canada', '+1'], ['AUS', 'Australia', '+61'],
    ['IND', 'India', '+91'], ['ZAF', 'South Africa', '+27'],
  ];

  const $ = (id) => document.getElementById(id);
  const state = { apiKey: '', dev: false, inboxTimer: 0, inboxSeen: '', view: '', flash: null };

  // ---- session storage -------------------------------------------------------------
  const store = {
    get(key) { try { return JSON.parse(sessionStorage.getItem('contactd.' + key)); } catch (e) { return null; } },
    set(key, value) { sessionStorage.setItem('contactd.' + key, JSON.stringify(value)); },
    del(key) { sessionStorage.removeItem('contactd.' + key); },
  };
  const session = () => store.get('session'); // {contact_id, access_token, refresh_token, exp}
  function saveSession(s) {
    store.set('session', {
      contact_id: s.contact && s.contact.id, access_token: s.access_token,
      refresh_token: s.refresh_token, exp: s.exp,
    });
    store.del('pending');
  }
  function clearSession() { store.del('session'); }

  // ---- messages ----------------------------------------------------------------------
  function say(regionId, text, kind) {
    const region = $(regionId);
    region.replaceChildren();
    if (!text) return;
    const p = document.createElement('p');
    p.className = 'alert alert-' + kind;
    p.textContent = text;
    region.appendChild(p);
  }
  const showError = (text) => { say('status', ''); say('alert', text, 'error'); };
  const showInfo = (text) => { say('alert', ''); say('status', text, 'info'); };
  const clearMessages = () => { say('alert', ''); say('status', ''); };

  class ApiError extends Error {
    constructor(status, body, retryAfter) {
      super((body && typeof body.message === 'string' && body.message) || 'The request failed (HTTP ' + status + ').');
      this.status = status;
      this.code = body && body.error;
      this.retryAfter = retryAfter;
      this.handled = false;
    }
  }
  function describe(err) {
    if (!(err instanceof ApiError)) return 'Could not reach the server. Check your connection and try again.';
    if (err.status === 429) {
      const n = parseInt(err.retryAfter, 10);
      return err.message + (n >= 0 ? ' Try again in ' + n + ' second' + (n === 1 ? '' : 's') + '.' : ' Try again later.');
    }
    return err.message;
  }

  // ---- HTTP ----------------------------------------------------------------------------
  let refreshing = null;
  function refreshSession() {
    // A refresh token works once, so concurrent callers share one refresh.
    if (!refreshing) {
      refreshing = (async () => {
        const s = session();
        if (!s || !s.refresh_token) return false;
        try { saveSession(await call('POST', API + '/refresh', { refresh_token: s.refresh_token })); return true; }
        catch (e) { return false; }
      })().finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  async function call(method, path, body, opts = {}) {
    const headers = { 'Accept': 'application/json', 'Content-Type': 'application/json', 'api_key': state.apiKey };
    const s = session();
    if (opts.auth && s) headers['Authorization'] = 'Bearer ' + s.access_token;
    const res = await fetch(path, {
      method, headers, cache: 'no-store', credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    const text = res.status === 204 ? '' : await res.text();
    if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
    if (res.ok) return data;
    if (res.status === 401 && opts.auth) {
      if (data && data.error === EXPIRED && !opts.retried && await refreshSession()) {
        return call(method, path, body, Object.assign({}, opts, { retried: true }));
      }
      clearSession();
      updateNav();
      const err = new ApiError(401, { message: 'Your session has ended. Please sign in again.' });
      err.handled = true;
      go('signin', err.message, 'error');
      throw err;
    }
    throw new ApiError(res.status, data, res.headers.get('Retry-After'));
  }

  // Disables a form's buttons while its request runs; reports failures in the alert.
  async function busy(form, fn) {
    const buttons = form.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    form.setAttribute('aria-busy', 'true');
    clearMessages();
    try { await fn(); } catch (err) { if (!err.handled) showError(describe(err)); }
    finally {
      buttons.forEach((b) => { b.disabled = false; });
      form.removeAttribute('aria-busy');
    }
  }

  // ---- forms: phone or email ---------------------------------------------------------
  function methodOf(form) { return form.elements.method.value; }
  function syncMethod(form) {
    const method = methodOf(form);
    form.querySelectorAll('[data-method]').forEach((group) => {
      const on = group.dataset.method === method;
      group.hidden = !on;
      group.querySelectorAll('input, select').forEach((el) => { el.disabled = !on; });
    });
  }
  function phoneOf(form) {
    const number = form.elements.phone.value.trim();
    return number.startsWith('+') ? { number } : { number, country: form.elements.country_code.value };
  }

  function startCode(answer, resend) {
    store.set('pending', { auth_otp: answer.auth_otp, obfuscated_value: answer.obfuscated_value, resend });
    go('code');
  }
  function signedIn(answer) {
    saveSession(answer);
    updateNav();
    go('profile');
  }

  function otpRequestFor(form) {
    if (methodOf(form) === 'email') {
      return { send_method: 'EMAIL', credentials: [{ name: 'EMAIL', value: form.elements.email.value.trim() }] };
    }
    const p = phoneOf(form);
    const credential = { name: 'PHONE', value: p.number };
    if (p.country) credential.country_code = p.country;
    return { send_method: 'SMS', credentials: [credential] };
  }

  function onRequestOtp(e) {
    e.preventDefault();
    const form = e.target;
    busy(form, async () => {
      const body = otpRequestFor(form);
      startCode(await call('POST', API + '/request-otp', body), body);
    });
  }

  function onPasswordSignIn(e) {
    e.preventDefault();
    const form = e.target;
    busy(form, async () => {
      const body = { provider: 'EMAIL', username: form.elements.username.value.trim(), password: form.elements.password.value };
      const answer = await call('POST', API + '/authenticate', body);
      form.reset();
      signedIn(answer);
    });
  }

  function onForgotPassword(e) {
    e.preventDefault();
    const form = e.target;
    busy(form, async () => {
      const email = form.elements.username.value.trim();
      await call('POST', API + '/forgot_password', { username: email });
      showInfo('If an account uses ' + email + ', we sent it a link to choose a new password. ' +
        'The link works once, for a limited time. Check your inbox.');
    });
  }

  function onRegister(e) {
    e.preventDefault();
    const form = e.target;
    busy(form, async () => {
      const f = form.elements;
      const body = {
        first_name: f.first_name.value.trim(), last_name: f.last_name.value.trim(),
        service_acceptance: f.service_acceptance.checked,
      };
      if (methodOf(form) === 'email') {
        body.identity = { provider: 'EMAIL', email: f.email.value.trim() };
        if (f.password.value) body.identity.password = f.password.value;
      } else {
        const p = phoneOf(form);
        body.identity = { provider: 'PHONE', phone_number: p.number };
        if (p.country) body.identity.country_code = p.country;
      }
      const answer = await call('POST', API + '/register', body);
      f.password.value = '';
      if (answer && answer.access_token) signedIn(answer);
      else startCode(answer, otpRequestFor(form));
    });
  }

  function onValidate(e) {
    e.preventDefault();
    const form = e.target;
    busy(form, async () => {
      const pending = store.get('pending');
      if (!pending) { go('signin'); return; }
      const answer = await call('POST', API + '/validate-otp', { auth_otp: pending.auth_otp, code: form.elements.code.value.trim() });
      form.reset();
      signedIn(answer);
    });
  }

  function onResend() {
    const form = $('form-code');
    busy(form, async () => {
      const pending = store.get('pending');
      if (!pending || !pending.resend) { go('signin'); return; }
      const answer = await call('POST', API + '/request-otp', pending.resend);
      store.set('pending', Object.assign(pending, { auth_otp: answer.auth_otp, obfuscated_value: answer.obfuscated_value }));
      $('code-destination').textContent = answer.obfuscated_value || '';
      showInfo('We sent a new code.');
    });
  }

  // ---- profile -------------------------------------------------------------------------
  function listInto(ul, items, render, empty) {
    ul.replaceChildren();
    (items || []).forEach((item) => {
      const li = document.createElement('li');
      render(li, item);
      ul.appendChild(li);
    });
    if (!ul.children.length) {
      const li = document.createElement('li');
      li.className = 'hint';
      li.textContent = empty;
      ul.appendChild(li);
    }
  }
  function badge(text, kind) {
    const span = document.createElement('span');
    span.className = 'badge badge-' + kind;
    span.textContent = text;
    return span;
  }

  async function loadProfile() {
    const s = session();
    if (!s) { go('signin'); return; }
    let c;
    try { c = await call('GET', API + '/me', undefined, { auth: true }); }
    catch (err) { if (!err.handled) showError(describe(err)); return; }
    if (!c) return;
    $('p-name').textContent = [c.title, c.first_name, c.last_name].filter(Boolean).join(' ') || '—';
    $('p-email').textContent = c.email || '—';
    $('p-phone').textContent = c.phone || '—';
    listInto($('p-identities'), c.identities, (li, id) => {
      li.append(String(id.provider || '') + ': ' + String(id.value || '') + ' ');
      li.appendChild(id.is_verified ? badge('verified', 'ok') : badge('not verified', 'warn'));
    }, 'None');
    listInto($('p-organisations'), c.organisations, (li, o) => {
      li.textContent = String(o.name || o.id || '') + (o.org_type ? ' (' + o.org_type + ')' : '');
    }, 'None');
    const f = $('form-profile').elements;
    f.title.value = c.title || '';
    f.first_name.value = c.first_name || '';
    f.last_name.value = c.last_name || '';
    f.email_opt_out.checked = c.email_opt_out === true || c.email_opt_out === 'true';
    f.sms_opt_out.checked = c.sms_opt_out === true || c.sms_opt_out === 'true';
  }

  function onSaveProfile(e) {
    e.preventDefault();
    const form = e.target;
    busy(form, async () => {
      const f = form.elements;
      const s = session();
      if (!s) { go('signin'); return; }
      await call('PUT', API + '/' + encodeURIComponent(s.contact_id), {
        title: f.title.value.trim() || null, first_name: f.first_name.value.trim(), last_name: f.last_name.value.trim(),
        email_opt_out: f.email_opt_out.checked, sms_opt_out: f.sms_opt_out.checked,
      }, { auth: true });
      showInfo('Your profile was saved.');
      await loadProfile();
    });
  }

  async function signOut() {
    const s = session();
    if (s) {
      try { await call('POST', API + '/' + encodeURIComponent(s.contact_id) + '/sign_out', {}, { auth: true }); }
      catch (err) { /* the local session is cleared anyway */ }
    }
    clearSession();
    store.del('pending');
    updateNav();
    go('signin', 'You are signed out.', 'info');
  }

  // ---- development inbox -------------------------------------------------------------
  function stamp(t) {
    const n = Number(t);
    if (!Number.isFinite(n) || n <= 0) return String(t || '');
    return new Date(n < 1e12 ? n * 1000 : n).toLocaleString();
  }
  async function loadInbox() {
    let data;
    try { data = await call('GET', '/portal/dev/messages'); }
    catch (err) { showError(describe(err)); return; }
    const messages = ((data && data.content) || []).slice().sort((a, b) =>
      (Number(b.created_at) || 0) - (Number(a.created_at) || 0));
    $('inbox-updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    const seen = JSON.stringify(messages);
    if (seen === state.inboxSeen) return; // keep any text selection the developer made
    state.inboxSeen = seen;
    listInto($('inbox-list'), messages, (li, m) => {
      li.className = 'message';
      const head = document.createElement('p');
      head.className = 'message-head';
      head.appendChild(badge(String(m.channel || '?'), 'info'));
      head.append(' to ' + String(m.recipient || '') + ' · ' + stamp(m.created_at));
      li.appendChild(head);
      if (m.subject) {
        const subject = document.createElement('p');
        subject.className = 'message-subject';
        subject.textContent = String(m.subject);
        li.appendChild(subject);
      }
      const body = document.createElement('pre');
      body.textContent = String(m.body || '');
      li.appendChild(body);
    }, 'No messages yet.');
  }
  function stopInbox() { clearInterval(state.inboxTimer); state.inboxTimer = 0; state.inboxSeen = ''; }

  // ---- routing -------------------------------------------------------------------------
  function updateNav() {
    const signedIn = !!session();
    document.querySelectorAll('[data-when]').forEach((el) => {
      const when = el.dataset.when;
      el.hidden = when === 'dev' ? !state.dev : (when === 'in') !== signedIn;
    });
    document.querySelectorAll('.dev-only').forEach((el) => { el.hidden = !state.dev; });
    $('dev-banner').hidden = !state.dev;
  }

  // Shows a view; an optional message is displayed once the view is on screen.
  function go(view, text, kind) {
    state.flash = text ? { text, kind: kind || 'info' } : null;
    if (location.hash === '#' + view) route(); else location.hash = '#' + view;
  }

  function route() {
    let view = location.hash.replace(/^#/, '') || (session() ? 'profile' : 'signin');
    if (!$('view-' + view)) view = 'signin';
    if (view === 'profile' && !session()) view = 'signin';
    if (view === 'code' && !store.get('pending')) view = 'signin';
    if (view === 'inbox' && !state.dev) view = session() ? 'profile' : 'signin';
    if ((view === 'signin' || view === 'register' || view === 'forgot') && session()) view = 'profile';
    if ('#' + view !== location.hash) { history.replaceState(null, '', '#' + view); }

    if (state.view && state.view !== view) clearMessages();
    if (state.flash) {
      if (state.flash.kind === 'error') showError(state.flash.text); else showInfo(state.flash.text);
      state.flash = null;
    }
    stopInbox();
    document.querySelectorAll('.view').forEach((el) => { el.hidden = el.id !== 'view-' + view; });
    document.querySelectorAll('.nav a').forEach((a) => {
      if (a.getAttribute('href') === '#' + view) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    if (view === 'code') $('code-destination').textContent = store.get('pending').obfuscated_value || 'you';
    if (view === 'profile') loadProfile();
    if (view === 'inbox') { loadInbox(); state.inboxTimer = setInterval(loadInbox, 3000); }
    if (state.view && state.view !== view) {
      const target = view === 'code' ? $('code-input') : document.querySelector('#view-' + view + ' h2');
      if (target) target.focus();
    }
    state.view = view;
  }

  // ---- start ---------------------------------------------------------------------------
  async function start() {
    document.querySelectorAll('select.country').forEach((select) => {
      COUNTRIES.forEach(([code, name, dial]) => {
        const option = document.createElement('option');
        option.value = code;
        option.textContent = name + ' (' + dial + ')';
        select.appendChild(option);
      });
      select.value = 'CYP';
    });
    ['form-otp', 'form-register'].forEach((id) => {
      const form = $(id);
      form.addEventListener('change', (e) => { if (e.target.name === 'method') syncMethod(form); });
      syncMethod(form);
    });
    $('form-otp').addEventListener('submit', onRequestOtp);
    $('form-password').addEventListener('submit', onPasswordSignIn);
    $('form-register').addEventListener('submit', onRegister);
    $('form-forgot').addEventListener('submit', onForgotPassword);
    $('form-code').addEventListener('submit', onValidate);
    $('form-profile').addEventListener('submit', onSaveProfile);
    $('code-resend').addEventListener('click', onResend);
    $('sign-out').addEventListener('click', signOut);
    $('inbox-back').addEventListener('click', () => go(store.get('pending') ? 'code' : session() ? 'profile' : 'signin'));
    window.addEventListener('hashchange', route);

    try {
      const res = await fetch('/portal/config.json', { cache: 'no-store', headers: { 'Accept': 'application/json' } });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const config = await res.json();
      state.apiKey = String(config.api_key || '');
      state.dev = config.development === true;
    } catch (err) {
      showError('The portal could not load its configuration. Reload the page to try again.');
    }
    updateNav();
    route();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
