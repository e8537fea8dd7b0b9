// contactd portal: the pages that emailed links open (/reset-password?token=… and
// /verify-email?token=…). Plain JavaScript, no dependencies, no inline script (the
// portal's CSP); server data is only written with textContent.
'use strict';

(function () {
  const API = '/self-service/v1/contacts';
  const $ = (id) => document.getElementById(id);

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
  const showInfo = (text, kind) => { say('alert', ''); say('status', text, kind || 'info'); };

  // The token leaves the address bar (and the history) once read.
  function takeToken() {
    const token = new URLSearchParams(location.search).get('token') || '';
    if (location.search) history.replaceState(null, '', location.pathname);
    return token;
  }

  async function apiKey() {
    const res = await fetch('/portal/config.json', { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return String((await res.json()).api_key || '');
  }

  // {status, body, retryAfter}; throws only when the server cannot be reached.
  async function call(method, path, body) {
    const headers = { Accept: 'application/json', api_key: await apiKey() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method, headers, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    const text = res.status === 204 ? '' : await res.text();
    if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
    return { status: res.status, body: data, retryAfter: res.headers.get('Retry-After') };
  }
  function messageOf(answer) {
    const m = answer.body && typeof answer.body.message === 'string' ? answer.body.message : '';
    if (answer.status === 429) {
      const n = parseInt(answer.retryAfter, 10);
      return (m || 'Too many requests.') + (n >= 0 ? ' Try again in ' + n + ' second' + (n === 1 ? '' : 's') + '.' : ' Try again later.');
    }
    return m || 'The request failed (HTTP ' + answer.status + ').';
  }
  const UNREACHABLE = 'Could not reach the server. Check your connection and try again.';

  function finish(ok) {
    $('next').hidden = false;
    $('again').hidden = ok;
  }

  // ---- /reset-password -----------------------------------------------------------------
  function resetPage() {
    const form = $('form-reset');
    const token = takeToken();
    if (!token) {
      form.hidden = true;
      showError('This reset link is incomplete. Open the link from the email again, or ask for a new one.');
      finish(false);
      return;
    }
    const password = form.elements.password;
    const confirm = form.elements.confirm;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const invalid = (input, text) => {
        input.setAttribute('aria-invalid', 'true');
        showError(text);
        input.focus();
      };
      password.removeAttribute('aria-invalid');
      confirm.removeAttribute('aria-invalid');
      if ([...password.value].length < 12) return invalid(password, 'The new password needs at least 12 characters.');
      if (password.value !== confirm.value) return invalid(confirm, 'The two passwords are not the same.');
      const buttons = form.querySelectorAll('button');
      buttons.forEach((b) => { b.disabled = true; });
      form.setAttribute('aria-busy', 'true');
      try {
        const answer = await call('POST', API + '/change_password', { token, password: password.value });
        if (answer.status === 204) {
          form.reset();
          form.hidden = true;
          showInfo('Your password was changed. Every device that was signed in has been signed out; sign in with the new password.', 'ok');
          finish(true);
        } else if (answer.status === 401) {
          form.reset();
          form.hidden = true;
          showError('This reset link is not valid any more: it was used, replaced by a newer one, or it expired. Ask for a new one.');
          finish(false);
        } else {
          invalid(password, messageOf(answer));
        }
      } catch (err) {
        showError(UNREACHABLE);
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
        form.removeAttribute('aria-busy');
      }
    });
    password.focus();
  }

  // ---- /verify-email ---------------------------------------------------------------------
  async function verifyPage() {
    const token = takeToken();
    if (!token) {
      showError('This verification link is incomplete. Open the link from the email again.');
      finish(false);
      return;
    }
    showInfo('Checking your link…');
    try {
      const answer = await call('GET', API + '/verify_email?token=' + encodeURIComponent(token));
      if (answer.status === 200 && answer.body && answer.body.is_verified === true) {
        showInfo('Your email address is now verified.', 'ok');
        finish(true);
      } else if (answer.status === 401) {
        showError('This verification link is not valid any more: it was used, replaced by a newer one, or it expired. Your email address was not verified by it.');
        finish(false);
      } else {
        showError(messageOf(answer));
        finish(false);
      }
    } catch (err) {
      showError(UNREACHABLE);
    }
  }

  function start() {
    if ($('form-reset')) resetPage();
    else if (document.querySelector('[data-page="verify"]')) verifyPage();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
