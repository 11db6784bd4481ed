// The console's shell: sign-in, the header, and a hash router (#/memories?user_id=alice...) so views can be
// bookmarked and the back button works. Only view state goes in the URL, never the key.
import { api, session } from './api.js';
import { h } from './dom.js';
import { clearAlerts, clearStatus, showError, showStatus } from './notify.js';
import { renderOverview } from './overview.js';
import { renderMemories } from './memories.js';
import { renderSearch } from './search.js';
import { renderMemory } from './memory.js';
import { renderTenant, renderTenants } from './admin.js';
import { link, route } from './router.js';

const TENANT_VIEWS = {
  overview: { title: 'Overview', render: renderOverview, nav: true },
  memories: { title: 'Memories', render: renderMemories, nav: true },
  search: { title: 'Search', render: renderSearch, nav: true },
  memory: { title: 'Memory', render: renderMemory },
};
const ADMIN_VIEWS = {
  tenants: { title: 'Tenants', render: renderTenants, nav: true },
  tenant: { title: 'Tenant', render: renderTenant },
};

function views() {
  return session.who?.role === 'admin' ? ADMIN_VIEWS : TENANT_VIEWS;
}

function defaultView() {
  return session.who?.role === 'admin' ? 'tenants' : 'overview';
}

let renderCount = 0;

async function render({ focus = true } = {}) {
  renderCount += 1;
  const mine = renderCount;
  clearAlerts();
  const main = document.getElementById('main');
  if (!session.who) {
    renderHeader(null);
    renderSignIn(main);
    return;
  }
  const r = route();
  const view = views()[r.name];
  if (!view) {
    history.replaceState(null, '', link(defaultView()));
    render({ focus });
    return;
  }
  renderHeader(r.name);
  const container = h('div', { class: `view view-${r.name}` });
  main.replaceChildren(container);
  document.title = `${view.title} · Mnemo4j console`;
  const ctx = {
    who: session.who,
    params: r.params,
    arg: r.arg,
    /** Whether this view is still the one shown (the user may have navigated meanwhile). */
    current: () => mine === renderCount,
    refresh: () => render({ focus: false }),
  };
  // The view's synchronous part (up to its first request) has run when render() returns its promise: focus
  // its heading now, so a screen reader announces the new view and Tab starts from it. Views whose heading
  // waits for data get focus afterwards, unless the user has put it somewhere meanwhile.
  const pending = view.render(container, ctx);
  if (focus) focusHeading(container);
  try {
    await pending;
  } catch (e) {
    if (ctx.current()) showError(e, `Showing ${view.title.toLowerCase()}`);
  }
  const active = document.activeElement;
  if (focus && ctx.current() && (!active || active === document.body || active === main)) {
    focusHeading(container);
  }
}

function focusHeading(container) {
  const heading = container.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

function renderHeader(active) {
  const nav = document.getElementById('nav');
  const identity = document.getElementById('identity');
  if (!session.who) {
    nav.hidden = true;
    identity.hidden = true;
    nav.replaceChildren();
    identity.replaceChildren();
    return;
  }
  const links = Object.entries(views())
    .filter(([, v]) => v.nav)
    .map(([name, v]) =>
      h('a', { href: link(name), 'aria-current': name === active || name === `${active}s` ? 'page' : null, text: v.title }),
    );
  nav.replaceChildren(...links);
  nav.hidden = false;
  const who = session.who;
  const signOut = h('button', { type: 'button', class: 'button secondary small', text: 'Sign out', on: { click: signOutNow } });
  const label =
    who.role === 'admin'
      ? [h('span', { class: 'role admin', text: 'Admin' })]
      : [
          h('span', { class: 'role', text: 'Tenant ' }),
          h('strong', { class: 'tenant-name', text: who.tenant }),
          who.user_id ? [h('span', { text: ' · user ' }), h('strong', { class: 'narrowed-user', text: who.user_id })] : null,
        ];
  identity.replaceChildren(h('span', { class: 'who', title: `key ${who.key_id}` }, label), signOut);
  identity.hidden = false;
}

function signOutNow() {
  session.signOut();
  clearStatus();
  history.replaceState(null, '', location.pathname);
  render();
  showStatus('Signed out. The key was removed from this tab.');
}

function renderSignIn(main) {
  document.title = 'Sign in · Mnemo4j console';
  const input = h('input', {
    type: 'password',
    name: 'api_key',
    id: 'api-key',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'api-key-hint',
  });
  const button = h('button', { type: 'submit', class: 'button', text: 'Sign in' });
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', { text: 'Sign in' }),
    h('div', { class: 'field' }, h('label', { for: 'api-key', text: 'API key' }), input),
    h('p', {
      class: 'hint',
      id: 'api-key-hint',
      text:
        'A tenant key shows that tenant’s memory (a user-narrowed key: that user’s); the admin key manages tenants. ' +
        'The key is kept in this browser tab only (sessionStorage) and sent only to this server.',
    }),
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearAlerts();
    const key = input.value.trim();
    if (!key) {
      showError(new Error('Enter an API key.'), 'Signing in');
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      const who = await api('GET', '/v1/whoami', { key });
      session.signIn(key, who);
      input.value = '';
      clearStatus();
      const r = route();
      if (!views()[r.name]) {
        history.replaceState(null, '', link(defaultView()));
      }
      await render();
    } catch (err) {
      button.disabled = false;
      showError(err, 'Signing in');
      input.focus();
      input.select();
    }
  });
  main.replaceChildren(form);
  input.focus();
}

async function boot() {
  window.addEventListener('hashchange', () => {
    clearStatus();
    render();
  });
  const key = session.key();
  if (key) {
    try {
      session.who = await api('GET', '/v1/whoami', { key });
    } catch (e) {
      session.signOut();
      render();
      showError(e, 'Signing in with the key of this tab');
      return;
    }
  }
  render();
}

boot();
