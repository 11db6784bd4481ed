// End-to-end tests of the web console in headless Chromium, driven by playwright-core, against a real
// `mnemo serve` started by ConsoleBrowserTest (which passes its address and admin key in the environment).
//
// Each scenario gets its own tenant (set up through the REST API, which is not what is under test here) and its
// own browser context. Every page is watched: a Content-Security-Policy violation, a request to another origin,
// a JavaScript error or dialog, an inline style attribute, an unlabelled form control, a cookie, anything in
// localStorage or a key in a URL fails the scenario. Screenshots of each main view go to SCREENSHOT_DIR.
//
// Prints "ok - <scenario>" or "not ok - <scenario>" per scenario and "N passed, M failed" last; exits 1 on any
// failure.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const BASE = required('MNEMO_URL');
const ADMIN = required('MNEMO_ADMIN_KEY');
const SHOTS = required('SCREENSHOT_DIR');
const BIG_TENANT = process.env.BIG_TENANT ?? '';
const BIG_MEMORIES = Number(process.env.BIG_MEMORIES ?? 0);
const SECRETS_FILE = process.env.SECRETS_FILE ?? '';
const ORIGIN = new URL(BASE).origin;
const CONSOLE = `${BASE}/console`;
const TIMEOUT = 20_000;

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return v;
}

// ---------------------------------------------------------------- REST set-up (not under test)

const secrets = new Set([ADMIN]);

async function rest(method, p, key, body) {
  const res = await fetch(`${BASE}${p}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function ok(method, p, key, body) {
  const r = await rest(method, p, key, body);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p} answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json;
}

async function tenant(id) {
  const t = await ok('POST', '/v1/tenants', ADMIN, { id });
  secrets.add(t.api_key);
  return t.api_key;
}

async function userKey(tenantId, user) {
  const k = await ok('POST', `/v1/tenants/${tenantId}/keys`, ADMIN, { user_id: user });
  secrets.add(k.api_key);
  return k.api_key;
}

async function add(key, text, extra = {}) {
  const r = await ok('POST', '/v1/mem/add', key, { text, ...extra });
  return r.results[0].id;
}

// ---------------------------------------------------------------- browser

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

/** Opens a fresh context and page, runs fn, then checks what every page must satisfy. */
async function withPage(options, fn) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    timezoneId: 'UTC',
    locale: 'en-GB',
    ...options,
  });
  context.setDefaultTimeout(TIMEOUT);
  const problems = [];
  const urls = [];
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`JavaScript error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`a JavaScript dialog opened: ${d.type()} ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('request', (r) => {
    urls.push(r.url());
    if (new URL(r.url()).origin !== ORIGIN) problems.push(`request left the origin: ${r.url()}`);
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy|Trusted(HTML|Script| ?Type)/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  try {
    await fn(page, context);
    await pageChecks(page, problems);
    for (const u of urls) {
      for (const s of secrets) {
        if (u.includes(s)) problems.push(`a key appeared in a URL: ${u.replace(s, '<key>')}`);
      }
    }
    const cookies = await context.cookies();
    if (cookies.length) problems.push(`cookies were set: ${cookies.map((c) => c.name).join(', ')}`);
  } finally {
    await context.close();
  }
  if (problems.length) throw new Error(problems.join('\n'));
}

/** Checks of the current page: CSP report, no inline styles or scripts, labelled controls, nothing in localStorage. */
async function pageChecks(page, problems) {
  if (!page.url().startsWith(CONSOLE)) return;
  const found = await page.evaluate(() => ({
    csp: window.__csp ?? [],
    styled: document.querySelectorAll('[style]').length,
    inlineScripts: document.querySelectorAll('script:not([src])').length,
    local: localStorage.length,
  }));
  for (const v of found.csp) problems.push(`CSP violation: ${v}`);
  if (found.styled) problems.push(`${found.styled} element(s) with a style attribute`);
  if (found.inlineScripts) problems.push(`${found.inlineScripts} inline script(s)`);
  if (found.local) problems.push('something was written to localStorage');
  const unlabelled = await unlabelledControls(page);
  if (unlabelled.length) problems.push(`controls without a label: ${unlabelled.join(', ')}`);
}

/** Form controls of the page without an accessible name (label, aria-label or aria-labelledby). */
async function unlabelledControls(page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((el) => el.type !== 'hidden')
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
      .map((el) => `${el.tagName.toLowerCase()}[name=${el.name}]`),
  );
}

async function shot(page, name, { fullPage = true } = {}) {
  // caret 'initial': hiding the caret would leave a style attribute on the focused field.
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage, caret: 'initial' });
}

async function signIn(page, key, { withEnter = true } = {}) {
  await page.goto(CONSOLE);
  const input = page.locator('input[name="api_key"]');
  await input.fill(key);
  if (withEnter) {
    await input.press('Enter');
  } else {
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.locator('#identity').waitFor({ state: 'visible' });
}

async function go(page, hash) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

/** Waits until fn() (run in Node, may use the page) returns truthy; fails with what it last saw. */
async function until(fn, what, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last saw: ${JSON.stringify(last)}`);
}

async function alertText(page) {
  const alert = page.locator('#alerts .alert').first();
  await alert.waitFor();
  return alert.innerText();
}

async function statusText(page, includes) {
  return until(async () => {
    const t = await page.locator('#status').innerText();
    return t.includes(includes) ? t : false;
  }, `status "${includes}"`);
}

async function rows(page, selector = '.results table tbody tr') {
  return page.locator(selector).count();
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------- scenarios

const scenarios = [];
function scenario(name, fn) {
  scenarios.push({ name, fn });
}

scenario('the console is served from the jar with a strict Content-Security-Policy', async () => {
  const res = await fetch(CONSOLE);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.match(csp, /connect-src 'self'(;|$)/);
  assert.match(csp, /require-trusted-types-for 'script'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script in the page');
  assert.doesNotMatch(html, /style=|https?:\/\/(?!127\.0\.0\.1)/, 'no inline style and no outside URL');
  const js = await fetch(`${CONSOLE}/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  const etag = js.headers.get('etag');
  assert.equal((await fetch(`${CONSOLE}/app.js`, { headers: { 'If-None-Match': etag } })).status, 304);
  for (const bad of ['..%2Fopenapi.json', 'nope.js', 'index.html', 'APP.JS']) {
    const r = await fetch(`${CONSOLE}/${bad}`);
    assert.equal(r.status, 404, `/console/${bad}`);
    assert.equal((await r.json()).error.code, 'not_found');
  }
});

scenario('a wrong key shows the server’s error and keeps nothing', async () => {
  await withPage({}, async (page) => {
    await page.goto(CONSOLE);
    await shot(page, '01-sign-in');
    await page.locator('input[name="api_key"]').fill('not-a-key-of-this-server');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const text = await alertText(page);
    assert.match(text, /invalid API key/, 'the server’s message');
    assert.match(text, /unauthorized/);
    assert.match(text, /401/);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.equal(await page.locator('input[name="api_key"]').isVisible(), true);
    await shot(page, '02-sign-in-wrong-key');
  });
});

scenario('tenant key: find a memory by search, edit it, see its history and earlier version, time travel, delete it, sign out', async () => {
  const key = await tenant('travel-co');
  const seatId = await add(key, 'I prefer window seats on long flights', { user_id: 'alice', categories: ['travel'], metadata: { source: 'chat' } });
  await add(key, 'My daughter Lea starts school in September', { user_id: 'alice', categories: ['family'] });
  await add(key, 'I am allergic to peanuts', { user_id: 'alice', categories: ['health'] });
  await add(key, 'Bob closes deals on Fridays', { user_id: 'bob', agent_id: 'crm' });
  await add(key, 'Our CRM is called Atlas');
  const added = await ok('GET', `/v1/mem/${seatId}`, key);
  await withPage({}, async (page) => {
    await signIn(page, key, { withEnter: true });
    assert.equal(await page.evaluate(() => sessionStorage.length), 1, 'the key is kept in this tab');
    await page.locator('section.entities[data-entity-type="user"] table').waitFor();
    const users = await page.locator('section.entities[data-entity-type="user"] tbody tr').allInnerTexts();
    assert.equal(users.length, 2);
    assert.match(users[0], /alice[\s\S]*3/);
    assert.match(users[1], /bob[\s\S]*1/);
    await shot(page, '03-overview');

    // Search in the q field; the hit carries the memory's id and shows text, score, similarity, scope, origin.
    await page.getByRole('link', { name: 'Search' }).first().click();
    await page.locator('input[name="q"]').fill('window seat');
    await page.locator('input[name="q"]').press('Enter');
    const hit = page.locator(`.hit[data-memory-id="${seatId}"]`);
    await hit.waitFor();
    const hitText = await hit.innerText();
    assert.match(hitText, /I prefer window seats on long flights/);
    assert.match(hitText, /Score\s+\d\.\d{3}/);
    assert.match(hitText, /Similarity\s+\d\.\d{3}/);
    assert.match(hitText, /user alice/);
    assert.match(hitText, /Origin\s+scope/);
    assert.equal(await page.locator('.hit').first().getAttribute('data-memory-id'), seatId, 'best hit first');
    for (const mode of ['dense', 'text']) {
      await page.locator('select[name="mode"]').selectOption(mode);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await until(() => page.evaluate((m) => location.hash.includes(`mode=${m}`), mode), `mode ${mode}`);
      await page.locator(`.hit[data-memory-id="${seatId}"]`).waitFor();
    }
    await shot(page, '04-search');

    // Detail: every field.
    await page.locator(`.hit[data-memory-id="${seatId}"] a`).click();
    await page.locator('.timeline').waitFor();
    const fields = await page.locator('dl.fields').innerText();
    for (const f of ['Id', 'Scope', 'Type', 'Categories', 'Created', 'Valid from', 'Provenance', 'Embedding model', 'Text hash']) {
      assert.match(fields, new RegExp(f), `field ${f}`);
    }
    assert.match(fields, /verbatim/);
    assert.match(await page.locator('pre.json').innerText(), /"source": "chat"/);

    // Edit text and metadata; at least a second after the add, so "as of" can point between the two versions.
    const wait = Date.parse(added.created_at) + 2100 - Date.now();
    if (wait > 0) await sleep(wait);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('textarea[name="text"]').fill('I prefer aisle seats on long flights');
    await page.locator('textarea[name="metadata"]').fill('{"source": "chat", "checked": true}');
    await shot(page, '05-memory-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await statusText(page, 'Memory updated');
    await until(async () => (await page.locator('blockquote.memory-text').innerText()) === 'I prefer aisle seats on long flights', 'the new text');
    assert.match(await page.locator('pre.json').innerText(), /"checked": true/);
    const update = page.locator('.timeline li[data-event="UPDATE"]');
    await update.waitFor();
    assert.equal(await update.locator('del').innerText(), 'I prefer window seats on long flights');
    assert.equal(await update.locator('ins').innerText(), 'I prefer aisle seats on long flights');
    assert.match(await update.innerText(), /by api/);
    const version = page.locator('.versions li.version');
    assert.equal(await version.count(), 1);
    assert.match(await version.innerText(), /I prefer window seats on long flights[\s\S]*Valid from[\s\S]*to/);
    const versionId = await version.getAttribute('data-memory-id');
    await shot(page, '06-memory-history');
    await shot(page, 'readme', { fullPage: false }); // docs/console.png is a copy of this one

    // Time travel: as of a moment before the update, search finds the old text (the closed version).
    const v = (await ok('GET', `/v1/mem/${seatId}/versions`, key)).results[0];
    assert.equal(v.id, versionId);
    const between = new Date(Math.floor(Date.parse(v.created_at) / 1000) * 1000 + 1000);
    assert.ok(between < new Date(v.valid_to), 'a whole second lies between the versions');
    await page.getByRole('link', { name: 'Search' }).first().click();
    await page.locator('input[name="q"]').fill('seats on long flights');
    // datetime-local shows whole minutes without ":00" seconds; fill what the field will hold.
    await page.locator('input[name="as_of"]').fill(between.toISOString().slice(0, 19).replace(/:00$/, ''));
    await page.locator('input[name="q"]').press('Enter');
    await page.locator(`.hit[data-memory-id="${versionId}"]`).waitFor();
    const past = await page.locator('.hits').innerText();
    assert.match(past, /window seats/);
    assert.doesNotMatch(past, /aisle seats/);
    assert.match(await page.locator('.summary').innerText(), /as of/);
    await shot(page, '07-search-as-of');
    await page.locator('input[name="as_of"]').fill('');
    await page.locator('input[name="q"]').press('Enter');
    await page.locator(`.hit[data-memory-id="${seatId}"]`).waitFor();
    assert.doesNotMatch(await page.locator('.hits').innerText(), /window seats/);

    // Delete after confirming; the history stays.
    await go(page, `#/memory/${seatId}`);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete memory' }).click();
    await statusText(page, 'Memory deleted');
    await page.getByRole('heading', { name: 'Deleted memory' }).waitFor();
    assert.match(await page.locator('.notice').innerText(), /not found/);
    assert.equal(await page.locator('.timeline li[data-event="DELETE"]').count(), 1);
    await shot(page, '08-memory-deleted');
    assert.equal((await rest('GET', `/v1/mem/${seatId}`, key)).status, 404);

    // The list no longer shows it; with closed versions it shows the old text.
    await go(page, '#/memories');
    await page.locator('.results table').waitFor();
    const list = await page.locator('.results').innerText();
    assert.doesNotMatch(list, /seats/);
    assert.match(await page.locator('.summary').innerText(), /1–4 of 4 memories/);
    await go(page, '#/memories?scope=all&closed=1');
    await until(async () => /window seats/.test(await page.locator('.results').innerText()), 'the closed version in the list');
    assert.match(await page.locator('.results').innerText(), /closed/);

    // Sign out clears the key.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name="api_key"]').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await page.reload();
    await page.locator('input[name="api_key"]').waitFor();
    assert.equal(await page.locator('#identity').isVisible(), false);
  });
});

scenario('a user-narrowed key sees its user and organisation memory, never another user', async () => {
  const key = await tenant('narrow-co');
  const aliceKey = await userKey('narrow-co', 'alice');
  await add(key, 'Alice likes green tea', { user_id: 'alice' });
  await add(key, 'Alice works on the billing project', { user_id: 'alice', agent_id: 'helper' });
  const bobSecret = await add(key, 'Bob keeps the spare office key in locker 4711', { user_id: 'bob' });
  await add(key, 'The office opens at eight', {});
  await withPage({}, async (page) => {
    await signIn(page, aliceKey, { withEnter: false });
    assert.match(await page.locator('#identity').innerText(), /narrow-co[\s\S]*user alice/);
    await page.locator('section.entities[data-entity-type="user"] table').waitFor();
    const users = await page.locator('section.entities[data-entity-type="user"] tbody tr').allInnerTexts();
    assert.equal(users.length, 1);
    assert.match(users[0], /alice/);
    assert.doesNotMatch(await page.locator('main').innerText(), /bob/i);
    await shot(page, '09-narrowed-overview');

    // The list is alice's, even when the address asks for bob.
    await go(page, '#/memories?scope=ids&user_id=bob&tw=1');
    await page.locator('.results table').waitFor();
    assert.equal(await page.locator('input[name="user_id"]').inputValue(), 'alice');
    assert.equal(await page.locator('input[name="user_id"]').getAttribute('readonly'), '');
    const list = await page.locator('.results').innerText();
    assert.match(list, /green tea/);
    assert.match(list, /office opens/);
    assert.doesNotMatch(list, /4711|locker/);
    await shot(page, '10-narrowed-memories');

    // Search does not reach bob's memory.
    await go(page, '#/search');
    await page.locator('input[name="q"]').fill('spare office key locker');
    await page.locator('input[name="q"]').press('Enter');
    await until(async () => (await page.locator('.summary').innerText()).length > 0, 'search results');
    assert.equal(await page.locator(`[data-memory-id="${bobSecret}"]`).count(), 0);
    assert.doesNotMatch(await page.locator('.hits').innerText(), /4711/);

    // Opening bob's memory by id answers not found, shown as the server says it.
    await go(page, `#/memory/${bobSecret}`);
    const text = await alertText(page);
    assert.match(text, new RegExp(`memory ${bobSecret} not found`));
    assert.match(text, /not_found/);
    assert.doesNotMatch(await page.locator('main').innerText(), /4711/);
    await shot(page, '11-narrowed-not-found');
  });
});

scenario('memory text, metadata and ids that look like HTML stay text and run nothing', async () => {
  const key = await tenant('xss-co');
  const evil = '<img src=x onerror="window.__xss=1;alert(1)">';
  const evilUser = '<svg/onload=window.__xss=3>';
  const id = await add(key, evil, {
    user_id: evilUser,
    categories: ['<i>cat</i>'],
    metadata: { '<b>k</b>': '<script>window.__xss=2</script>' },
  });
  await withPage({}, async (page) => {
    await signIn(page, key);
    await page.locator('section.entities[data-entity-type="user"] table').waitFor();
    assert.equal(await page.locator('section.entities[data-entity-type="user"] .entity-id').first().innerText(), evilUser);

    await go(page, '#/memories');
    await page.locator('.results table').waitFor();
    assert.equal(await page.locator(`.results a[data-memory-id="${id}"]`).innerText(), evil);
    await shot(page, '12-xss-list');

    await go(page, '#/search?q=onerror&mode=text');
    await page.locator(`.hit[data-memory-id="${id}"]`).waitFor();
    assert.equal(await page.locator(`.hit[data-memory-id="${id}"] .hit-text`).innerText(), evil);

    await go(page, `#/memory/${id}`);
    await page.locator('blockquote.memory-text').waitFor();
    assert.equal(await page.locator('blockquote.memory-text').innerText(), evil);
    assert.match(await page.locator('pre.json').innerText(), /"<b>k<\/b>": "<script>window.__xss=2<\/script>"/);
    assert.match(await page.locator('dl.fields').innerText(), /<i>cat<\/i>/);
    await shot(page, '13-xss-detail');

    const injected = await page.evaluate(() => ({
      xss: window.__xss ?? null,
      imgs: document.querySelectorAll('main img, main svg, main script, main b, main i').length,
    }));
    assert.deepEqual(injected, { xss: null, imgs: 0 });
  });
});

scenario('delete all of a scope asks first, naming how many memories go', async () => {
  const key = await tenant('cleanup-co');
  await add(key, 'Carol orders the team lunch on Mondays', { user_id: 'carol' });
  await add(key, 'Carol is on call this week', { user_id: 'carol', run_id: 'standup-12' });
  const old = await add(key, 'Carol sits on the second floor', { user_id: 'carol' });
  await ok('PUT', `/v1/mem/${old}`, key, { text: 'Carol sits on the third floor' }); // leaves a closed version
  await add(key, 'Dan reviews every pull request', { user_id: 'dan' });
  await withPage({}, async (page) => {
    await signIn(page, key);
    const carol = page.locator('section.entities[data-entity-type="user"] tbody tr', { hasText: 'carol' });
    await carol.waitFor();
    assert.match(await carol.innerText(), /carol[\s\S]*3/);
    await carol.getByRole('button', { name: /Delete all/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Three memories (the closed version the update left goes too, as history, uncounted).
    assert.match(await dialog.innerText(), /deletes 3 memories of user “carol”/);
    await shot(page, '14-delete-all-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await ok('GET', '/v1/mem/count?user_id=carol', key)).count, 3, 'cancel deletes nothing');

    await carol.getByRole('button', { name: /Delete all/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete 3 memories' }).click();
    await statusText(page, 'Deleted 3 memories of user “carol”');
    await until(async () => (await page.locator('section.entities[data-entity-type="user"] tbody tr').count()) === 1, 'carol gone');
    assert.match(await page.locator('section.entities[data-entity-type="user"] tbody').innerText(), /dan/);
    assert.equal((await ok('GET', '/v1/mem/count?user_id=carol&include_closed=true&include_expired=true', key)).count, 0);

    // The memory list offers the same for the scope it shows.
    await go(page, '#/memories?scope=ids&user_id=dan');
    await page.locator('.results table').waitFor();
    await page.getByRole('button', { name: /Delete all memories of user “dan”/ }).click();
    assert.match(await page.getByRole('dialog').innerText(), /deletes 1 memory of user “dan”/);
    await page.getByRole('dialog').getByRole('button', { name: 'Delete 1 memory' }).click();
    await statusText(page, 'Deleted 1 memory of user “dan”');
  });
});

scenario('admin: create a tenant (key shown once, copied), a user-narrowed key, revoke a key, purge with the receipt', async () => {
  await withPage({ permissions: ['clipboard-read', 'clipboard-write'] }, async (page, context) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
    await signIn(page, ADMIN);
    assert.match(await page.locator('#identity').innerText(), /Admin/);
    await page.getByRole('heading', { name: 'Tenants', exact: true }).waitFor();

    // Create: the key is shown once, with a copy button that really copies it.
    await page.locator('input[name="id"]').fill('globex');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const secret = page.locator('.key-once input.secret');
    await secret.waitFor();
    const firstKey = await secret.inputValue();
    secrets.add(firstKey);
    await page.locator('.key-once').getByRole('button', { name: 'Copy' }).click();
    await until(async () => (await page.locator('.key-once .copied').innerText()).includes('Copied'), 'copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), firstKey);
    assert.deepEqual(
      { role: (await ok('GET', '/v1/whoami', firstKey)).role, tenant: (await ok('GET', '/v1/whoami', firstKey)).tenant },
      { role: 'tenant', tenant: 'globex' },
    );
    const row = page.locator('table tbody tr', { hasText: 'globex' });
    await row.waitFor();
    assert.match(await row.innerText(), /globex[\s\S]*local/);
    await shot(page, '15-admin-tenant-created');

    // A user-narrowed key.
    await row.getByRole('link', { name: 'globex' }).click();
    await page.getByRole('heading', { name: 'Tenant globex' }).waitFor();
    assert.equal(await page.locator('.key-once').count(), 0, 'the first key is not shown again');
    await page.locator('input[name="user_id"]').fill('carol');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.locator('.key-once input.secret').waitFor();
    const carolKey = await page.locator('.key-once input.secret').inputValue();
    secrets.add(carolKey);
    const carol = await ok('GET', '/v1/whoami', carolKey);
    assert.equal(carol.user_id, 'carol');
    await until(async () => (await page.locator('table tbody tr').count()) === 2, 'two keys listed');
    assert.match(await page.locator('table tbody tr', { hasText: carol.key_id }).innerText(), /user carol/);
    await shot(page, '16-admin-keys');

    // Revoke the first key after confirming.
    const first = await ok('GET', '/v1/whoami', firstKey);
    await page.getByRole('button', { name: `Revoke key ${first.key_id}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await statusText(page, `Key ${first.key_id} revoked`);
    await until(async () => (await page.locator('table tbody tr').count()) === 1, 'one key left');
    assert.equal((await rest('GET', '/v1/whoami', firstKey)).status, 401);

    // Purge only after typing the id, then the receipt.
    await add(carolKey, 'Carol tests the purge', { user_id: 'carol' });
    const purge = page.getByRole('button', { name: 'Purge globex' });
    assert.equal(await purge.isDisabled(), true);
    await page.locator('input[name="confirm_id"]').fill('globe');
    assert.equal(await purge.isDisabled(), true);
    await page.locator('input[name="confirm_id"]').fill('globex');
    assert.equal(await purge.isDisabled(), false);
    await purge.click();
    const receipt = page.locator('.receipt');
    await receipt.waitFor();
    const text = await receipt.innerText();
    assert.match(text, /Tenant\s+globex/);
    assert.match(text, /Memories\s+1/);
    assert.match(text, /History rows\s+1/);
    assert.match(text, /Purged at/);
    await shot(page, '17-admin-purge-receipt');
    assert.equal((await rest('GET', '/v1/tenants/globex', ADMIN)).status, 404);
    assert.equal((await rest('GET', '/v1/whoami', carolKey)).status, 401);
    await page.getByRole('link', { name: '← Tenants' }).click();
    await page.locator('table tbody').waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /globex/);
  });
});

scenario('every API error is shown: an invalid filter names its field, a tenant key on admin pages is refused', async () => {
  const key = await tenant('errors-co');
  await add(key, 'Erin likes errors to be explained', { user_id: 'erin' });
  await withPage({}, async (page) => {
    await signIn(page, key);
    await go(page, '#/memories?scope=all&filter=' + encodeURIComponent('{"score":{"gt":1}}'));
    const text = await alertText(page);
    assert.match(text, /Listing memories failed/);
    assert.match(text, /unknown field 'score'/);
    assert.match(text, /field filters\.score/);
    assert.equal(await page.locator('input[name="filter"]').getAttribute('aria-invalid'), 'true');
    await shot(page, '18-error-shown');
    // Client-side refusals are shown the same way, naming the control.
    await go(page, '#/memories?scope=all&filter=' + encodeURIComponent('{not json'));
    assert.match(await alertText(page), /not valid JSON/);
    assert.equal(await page.locator('input[name="filter"]').getAttribute('aria-invalid'), 'true');
    // Admin routes do not exist for a tenant key: the console falls back to its own views.
    await go(page, '#/tenants');
    await page.getByRole('heading', { name: /Who is in errors-co/ }).waitFor();
  });
});

scenario('keyboard only: sign in, navigate, open a memory, a dialog opens and closes, focus always visible', async () => {
  const key = await tenant('keys-co');
  const id = await add(key, 'Kim navigates with the keyboard only', { user_id: 'kim' });
  await withPage({}, async (page) => {
    await page.goto(CONSOLE);
    // The key field has focus on arrival; Tab from the top reaches the skip link first.
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'api_key');
    // Before it, only the skip link, which shows itself when focused.
    await page.keyboard.press('Shift+Tab');
    const skip = await page.evaluate(() => {
      const r = document.activeElement.getBoundingClientRect();
      return { text: document.activeElement.textContent, top: r.top, outline: getComputedStyle(document.activeElement).outlineStyle };
    });
    assert.equal(skip.text, 'Skip to content');
    assert.ok(skip.top >= 0 && skip.outline !== 'none', `skip link visible when focused: ${JSON.stringify(skip)}`);
    await page.keyboard.press('Tab');
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
    await page.locator('#identity').waitFor({ state: 'visible' });
    await page.getByRole('heading', { name: /Who is in keys-co/ }).waitFor();
    await page.locator('section.entities[data-entity-type="user"] table').waitFor();

    const focusRing = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        const s = getComputedStyle(el);
        return { tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 40), outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
    // Tabs (Shift+Tab with back) until match; every stop must show its focus. Past the last element focus
    // leaves the page for the browser's own UI (document.activeElement is then the body): allowed once.
    const tabTo = async (match, what, { back = false, max = 80 } = {}) => {
      let before = await focusRing();
      let wrapped = false;
      for (let i = 0; i < max; i++) {
        await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
        const f = await focusRing();
        if (f.tag === 'BODY' && !wrapped) {
          wrapped = true;
          continue;
        }
        assert.ok(
          f.outline !== 'none' && f.width >= 2,
          `focus visible on ${f.tag} "${f.text}" (Tab from ${before.tag} "${before.text}"): outline ${f.outline} ${f.width}px`,
        );
        before = f;
        if (match(f)) return f;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabTo((f) => f.tag === 'A' && f.text === 'Memories', 'the Memories link', { back: true });
    await shot(page, '19-keyboard-focus');
    await page.keyboard.press('Enter');
    await page.locator('.results table').waitFor();
    await tabTo((f) => f.tag === 'A' && f.text.startsWith('Kim navigates'), 'the memory link');
    await shot(page, '19b-keyboard-list');
    await page.keyboard.press('Enter');
    await page.locator('blockquote.memory-text').waitFor();
    await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Delete…', 'the Delete button');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    assert.equal((await focusRing()).text, 'Cancel', 'the dialog starts on its safe choice');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal((await focusRing()).text, 'Delete…', 'focus returns to the button that opened the dialog');
    assert.equal((await rest('GET', `/v1/mem/${id}`, key)).status, 200, 'Escape deletes nothing');

    // Edit with the keyboard (Shift+Tab goes back to it): the form opens on the text field.
    await page.keyboard.press('Shift+Tab');
    const edit = await focusRing();
    assert.equal(edit.text, 'Edit');
    assert.ok(edit.outline !== 'none' && edit.width >= 2, 'focus visible on Edit');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'text');
  });
});

scenario('phone width: every main view fits the screen without sideways scrolling', async () => {
  const key = await tenant('phone-co');
  const id = await add(key, 'Pat reads the console on a phone during the commute, so long lines must wrap nicely', {
    user_id: 'pat-with-a-rather-long-user-identifier',
    agent_id: 'assistant',
    metadata: { device: 'phone' },
  });
  await add(key, 'Organisation memory: the office wifi is called Mnemo', {});
  await withPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, async (page) => {
    await signIn(page, key);
    const fits = async (name) => {
      const m = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
      assert.ok(m.scroll <= m.width, `${name}: page is ${m.scroll}px wide on a ${m.width}px screen`);
    };
    await page.locator('section.entities table').first().waitFor();
    await fits('overview');
    await shot(page, '20-phone-overview');
    await go(page, '#/memories');
    await page.locator('.results table').waitFor();
    await fits('memories');
    await shot(page, '21-phone-memories');
    await go(page, '#/search?q=phone%20commute');
    await page.locator(`.hit[data-memory-id="${id}"]`).waitFor();
    await fits('search');
    await shot(page, '22-phone-search');
    await go(page, `#/memory/${id}`);
    await page.locator('.timeline').waitFor();
    await fits('memory');
    await shot(page, '23-phone-memory');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, ADMIN);
    await page.locator('table tbody').waitFor();
    await fits('tenants');
    await go(page, '#/tenant/phone-co');
    await page.getByRole('heading', { name: 'Tenant phone-co' }).waitFor();
    await fits('tenant');
    await shot(page, '24-phone-tenant');
  });
});

if (BIG_TENANT) {
  scenario(`a tenant of ${BIG_MEMORIES.toLocaleString('en')} memories is paged, never loaded whole`, async () => {
    const key = (await ok('POST', `/v1/tenants/${BIG_TENANT}/keys`, ADMIN, {})).api_key;
    secrets.add(key);
    await withPage({}, async (page) => {
      const sizes = [];
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname === '/v1/mem' || u.pathname === '/v1/mem/entities') sizes.push(Number(u.searchParams.get('page_size')));
      });
      let t0 = Date.now();
      await signIn(page, key);
      const users = page.locator('section.entities[data-entity-type="user"] tbody tr');
      await users.first().waitFor();
      await until(async () => /100,000|100\.000|100 000/.test(await page.locator('.cards').innerText()), 'the total');
      const overviewMs = Date.now() - t0;
      assert.equal(await users.count(), 20);
      const firstPage = await users.allInnerTexts();
      const section = page.locator('section.entities[data-entity-type="user"]');
      await section.getByRole('button', { name: 'Next' }).click();
      await until(async () => (await users.first().innerText()) !== firstPage[0], 'the next page of users');
      assert.equal(await users.count(), 20);
      await shot(page, '25-big-overview');

      t0 = Date.now();
      await go(page, '#/memories?scope=all&size=100');
      await page.locator('.results table').waitFor();
      await until(async () => /1–100 of 100,000/.test(await page.locator('.summary').innerText()), 'the first page summary');
      const listMs = Date.now() - t0;
      assert.equal(await rows(page), 100);
      t0 = Date.now();
      await page.getByRole('button', { name: 'Next page' }).click();
      await until(async () => /101–200 of 100,000/.test(await page.locator('.summary').innerText()), 'the second page');
      const nextMs = Date.now() - t0;
      await page.locator('.summary').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await shot(page, '26-big-memories', { fullPage: false });

      t0 = Date.now();
      await go(page, '#/search?q=pelican%20harbour&mode=text');
      await page.locator('.hit').first().waitFor();
      const searchMs = Date.now() - t0;
      assert.match(await page.locator('.hits').innerText(), /pelican/i);

      assert.ok(sizes.length > 0 && sizes.every((s) => s > 0 && s <= 100), `every page asked for at most 100 rows: ${sizes}`);
      console.log(
        `# ${BIG_MEMORIES} memories: overview ${overviewMs} ms, first list page ${listMs} ms, next page ${nextMs} ms, text search ${searchMs} ms (in the browser, incl. rendering)`,
      );
    });
  });
}

// ---------------------------------------------------------------- run

fs.mkdirSync(SHOTS, { recursive: true });
let passed = 0;
let failed = 0;
// ONLY=<text> runs the scenarios whose name contains it (for working on one).
const only = process.env.ONLY ?? '';
for (const s of scenarios.filter((x) => x.name.includes(only))) {
  const t0 = Date.now();
  try {
    await s.fn();
    passed += 1;
    console.log(`ok - ${s.name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed += 1;
    console.log(`not ok - ${s.name} (${Date.now() - t0} ms)`);
    console.log(String(e.stack ?? e).split('\n').map((l) => `    ${l}`).join('\n'));
  }
}
await browser.close();
if (SECRETS_FILE) fs.writeFileSync(SECRETS_FILE, [...secrets].join('\n') + '\n');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
