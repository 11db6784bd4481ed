// Admin key views: tenants (region, shard, creation time), creating a tenant (its key shown once, with a copy
// button), user-narrowed keys, revoking keys, and purging a tenant after typing its id, with the receipt.
import { api, seg } from './api.js';
import { confirmDialog, dl, field, h, num, table, time } from './dom.js';
import { showError, showStatus } from './notify.js';
import { link } from './router.js';

export async function renderTenants(view, ctx) {
  const id = h('input', { name: 'id', required: true, autocomplete: 'off', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9_-]{0,62}', maxlength: '63' });
  const region = h('input', { name: 'region', autocomplete: 'off', spellcheck: 'false' });
  const create = h('button', { type: 'submit', class: 'button', text: 'Create tenant' });
  const secret = h('div', { class: 'secret-slot' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'create-title', novalidate: true },
    h('h2', { id: 'create-title', text: 'Create a tenant' }),
    h(
      'div',
      { class: 'grid' },
      field('Tenant id', id, 'Lower-case letters, digits, - and _; up to 63 characters.'),
      field('Region (optional)', region, 'Default: the server’s default region.'),
    ),
    h('div', { class: 'actions' }, create),
    secret,
  );
  const list = h('div', {}, h('p', { class: 'muted', text: 'Loading…' }));
  view.append(
    h('h1', { text: 'Tenants' }),
    form,
    h('section', { class: 'card', 'aria-labelledby': 'tenants-title' }, h('h2', { id: 'tenants-title', text: 'All tenants' }), list),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    create.disabled = true;
    try {
      const body = { id: id.value.trim() };
      if (region.value.trim()) body.region = region.value.trim();
      const t = await api('POST', '/v1/tenants', { body });
      id.value = '';
      region.value = '';
      secret.replaceChildren(
        keyOnce(`Tenant “${t.id}” created in region ${t.region}. Its first API key (id ${t.key_id}):`, t.api_key),
      );
      showStatus(`Tenant ${t.id} created.`);
      await loadTenants(list, ctx);
    } catch (err) {
      showError(err, 'Creating the tenant');
    } finally {
      create.disabled = false;
    }
  });
  await loadTenants(list, ctx);
}

async function loadTenants(list, ctx) {
  try {
    const res = await api('GET', '/v1/tenants');
    if (!ctx.current()) return;
    list.replaceChildren(
      table(
        'Tenants',
        ['Tenant', 'Region', 'Shard', 'Created'],
        res.results.map((t) => [
          h('a', { href: link('tenant', t.id), class: 'tenant-link', text: t.id }),
          h('span', { text: t.region }),
          h('span', { text: t.shard ?? '—' }),
          time(t.created_at),
        ]),
        { empty: 'No tenants yet.' },
      ),
    );
  } catch (e) {
    list.replaceChildren(h('p', { class: 'muted', text: 'The tenants could not be listed.' }));
    if (ctx.current()) showError(e, 'Listing tenants');
  }
}

/**
 * A new secret, shown this once: read-only, selectable, with a copy button. It is never stored by the console
 * and disappears with the view.
 */
function keyOnce(text, apiKey) {
  const out = h('input', { class: 'mono secret', readOnly: true, value: apiKey, 'aria-label': 'New API key', spellcheck: 'false', autocomplete: 'off' });
  const copied = h('span', { class: 'copied', role: 'status', 'aria-live': 'polite' });
  const copy = h('button', {
    type: 'button',
    class: 'button secondary small',
    text: 'Copy',
    on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(apiKey);
          copied.textContent = 'Copied.';
        } catch {
          // No clipboard API (plain http on another host): select it for Ctrl+C.
          out.focus();
          out.select();
          copied.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
        }
      },
    },
  });
  const done = h('button', { type: 'button', class: 'link-button', text: 'I have stored it, hide the key' });
  const box = h(
    'div',
    { class: 'key-once', role: 'group', 'aria-label': 'New API key, shown once' },
    h('p', { text }),
    h('div', { class: 'key-row' }, out, copy),
    copied,
    h('p', { class: 'warning', text: 'This key is shown once: the server keeps only its hash. Store it now.' }),
    done,
  );
  done.addEventListener('click', () => box.remove());
  return box;
}

export async function renderTenant(view, ctx) {
  const id = ctx.arg;
  view.append(h('p', { class: 'breadcrumb' }, h('a', { href: link('tenants'), text: '← Tenants' })));
  let t;
  try {
    t = await api('GET', `/v1/tenants/${seg(id)}`);
  } catch (e) {
    view.append(h('h1', { text: 'Tenant' }), h('p', { class: 'muted', text: id }));
    throw e;
  }
  if (!ctx.current()) return;
  view.append(
    h('h1', { text: `Tenant ${t.id}` }),
    h(
      'section',
      { class: 'card', 'aria-label': 'Tenant details' },
      dl([
        ['Id', h('code', { text: t.id })],
        ['Region', t.region],
        ['Shard', t.shard],
        ['Created', time(t.created_at)],
      ]),
    ),
  );

  // Keys: list, revoke, issue (optionally narrowed to a user).
  const keysBody = h('div', {});
  const userId = h('input', { name: 'user_id', autocomplete: 'off', spellcheck: 'false' });
  const issue = h('button', { type: 'submit', class: 'button', text: 'Create key' });
  const secret = h('div', { class: 'secret-slot' });
  const keyForm = h(
    'form',
    { class: 'inline-form', 'aria-labelledby': 'new-key-title', novalidate: true },
    h('h3', { id: 'new-key-title', text: 'New key' }),
    field('Narrow to user (optional)', userId, 'A narrowed key reads and writes only this user’s memories (and reads organisation memory).'),
    h('div', { class: 'actions' }, issue),
    secret,
  );
  const showKeys = (keys) => {
    keysBody.replaceChildren(
      table(
        'API keys',
        ['Key id', 'Limited to', 'Created', 'Actions'],
        keys.map((k) => [
          h('code', { class: 'key-id', text: k.id }),
          k.user_id ? h('span', {}, 'user ', h('strong', { text: k.user_id })) : h('span', { class: 'muted', text: 'whole tenant' }),
          time(k.created_at),
          h('button', {
            type: 'button',
            class: 'button danger small',
            text: 'Revoke…',
            'aria-label': `Revoke key ${k.id}`,
            data: { keyId: k.id },
            on: { click: () => revoke(k) },
          }),
        ]),
        { empty: 'No keys: nobody can reach this tenant’s memory.' },
      ),
    );
  };
  const reloadKeys = async () => {
    const res = await api('GET', `/v1/tenants/${seg(t.id)}/keys`);
    if (ctx.current()) showKeys(res.results);
  };
  const revoke = async (k) => {
    const ok = await confirmDialog({
      title: `Revoke key ${k.id}?`,
      body: [`Every client using it gets 401 at once${k.user_id ? ` (it is limited to user “${k.user_id}”)` : ''}. This cannot be undone.`],
      confirmLabel: 'Revoke key',
    });
    if (!ok) return;
    try {
      await api('DELETE', `/v1/tenants/${seg(t.id)}/keys/${seg(k.id)}`);
      showStatus(`Key ${k.id} revoked.`);
      await reloadKeys();
    } catch (err) {
      showError(err, 'Revoking the key');
    }
  };
  keyForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    issue.disabled = true;
    try {
      const body = userId.value.trim() ? { user_id: userId.value.trim() } : {};
      const k = await api('POST', `/v1/tenants/${seg(t.id)}/keys`, { body });
      userId.value = '';
      secret.replaceChildren(keyOnce(k.user_id ? `Key ${k.id}, limited to user “${k.user_id}”:` : `Key ${k.id}, for the whole tenant:`, k.api_key));
      showStatus(`Key ${k.id} created.`);
      await reloadKeys();
    } catch (err) {
      showError(err, 'Creating the key');
    } finally {
      issue.disabled = false;
    }
  });
  showKeys(t.keys);
  view.append(h('section', { class: 'card', 'aria-labelledby': 'keys-title' }, h('h2', { id: 'keys-title', text: 'API keys' }), keysBody, keyForm));

  // Purge: only after typing the tenant id; then the receipt.
  const confirmId = h('input', { name: 'confirm_id', autocomplete: 'off', spellcheck: 'false' });
  const purge = h('button', { type: 'submit', class: 'button danger', text: `Purge ${t.id}`, disabled: true });
  confirmId.addEventListener('input', () => {
    purge.disabled = confirmId.value !== t.id;
  });
  const purgeForm = h(
    'form',
    { class: 'card danger-zone', 'aria-labelledby': 'purge-title', novalidate: true },
    h('h2', { id: 'purge-title', text: 'Purge this tenant' }),
    h('p', { text: `Deletes every memory, history row, message, file and key of “${t.id}”, then returns a receipt. It cannot be undone.` }),
    field(`Type “${t.id}” to confirm`, confirmId),
    h('div', { class: 'actions' }, purge),
  );
  purgeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (confirmId.value !== t.id) return;
    purge.disabled = true;
    try {
      const receipt = await api('DELETE', `/v1/tenants/${seg(t.id)}`);
      view.replaceChildren(
        h('p', { class: 'breadcrumb' }, h('a', { href: link('tenants'), text: '← Tenants' })),
        h('h1', { tabindex: '-1', text: `Tenant ${receipt.tenant} purged` }),
        h(
          'section',
          { class: 'card receipt', 'aria-labelledby': 'receipt-title' },
          h('h2', { id: 'receipt-title', text: 'Purge receipt' }),
          dl([
            ['Tenant', h('code', { text: receipt.tenant })],
            ['Region', receipt.region],
            ['Memories', num(receipt.memories)],
            ['History rows', num(receipt.history_rows)],
            ['Messages', num(receipt.messages)],
            ['Files', num(receipt.files)],
            ['Bytes', num(receipt.bytes)],
            ['Purged at', time(receipt.purged_at)],
          ]),
          h('pre', { class: 'json', tabindex: '0', 'aria-label': 'Receipt as JSON' }, JSON.stringify(receipt, null, 2)),
        ),
      );
      view.querySelector('h1').focus();
      showStatus(`Tenant ${receipt.tenant} purged.`);
    } catch (err) {
      purge.disabled = false;
      showError(err, 'Purging the tenant');
    }
  });
  view.append(purgeForm);
}

