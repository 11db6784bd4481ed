// One memory: every field, its history as a timeline, its earlier (closed) versions; edit and delete.
import { api, seg } from './api.js';
import { confirmDialog, dl, field, h, scopeBadges, stateBadge, time } from './dom.js';
import { InputError } from './forms.js';
import { showError, showStatus } from './notify.js';
import { link } from './router.js';

export async function renderMemory(view, ctx) {
  const id = ctx.arg;
  if (!id) {
    view.append(h('h1', { text: 'Memory' }), h('p', { text: 'No memory id in the address.' }));
    return;
  }
  const base = `/v1/mem/${seg(id)}`;
  const [memory, history, versions] = await Promise.allSettled([
    api('GET', base),
    api('GET', `${base}/history`),
    api('GET', `${base}/versions`),
  ]);
  if (!ctx.current()) return;

  let fields = null;
  if (memory.status === 'fulfilled') {
    fields = renderFields(view, ctx, memory.value);
  } else if (history.status === 'fulfilled') {
    // Deleted: the memory is gone, its history is kept. Say what the server answered.
    const e = memory.reason;
    view.append(
      h('h1', { text: 'Deleted memory' }),
      h(
        'div',
        { class: 'notice', role: 'note' },
        h('p', {}, 'This memory no longer exists; its history is kept. The server answered: ', h('q', { class: 'server-message', text: e.message }), ` (${e.code}).`),
        h('p', { class: 'mono muted', text: id }),
      ),
    );
  } else {
    view.append(h('h1', { text: 'Memory' }), h('p', { class: 'muted mono', text: id }));
    showError(memory.reason, 'Opening the memory');
    return;
  }

  const timeline = h('section', { class: 'card', 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title', text: 'History' }));
  if (history.status === 'fulfilled') {
    timeline.append(historyList(history.value.results));
  } else {
    timeline.append(h('p', { class: 'muted', text: 'The history could not be read.' }));
    showError(history.reason, 'Reading the history');
  }
  const earlier = h(
    'section',
    { class: 'card', 'aria-labelledby': 'versions-title' },
    h('h2', { id: 'versions-title', text: 'Earlier versions' }),
  );
  if (versions.status === 'fulfilled') {
    earlier.append(versionList(versions.value.results));
  } else {
    earlier.append(h('p', { class: 'muted', text: 'The earlier versions could not be read.' }));
    showError(versions.reason, 'Reading the earlier versions');
  }
  const changes = h('div', {}, timeline, earlier);
  view.append(fields ? h('div', { class: 'columns' }, fields, changes) : changes);
}

function renderFields(view, ctx, m) {
  const metadata = JSON.stringify(m.metadata, null, 2);
  view.append(
    h('div', { class: 'title-row' }, h('h1', { text: 'Memory' }), stateBadge(m)),
    h('blockquote', { class: 'memory-text', data: { memoryId: m.id } }, m.memory),
  );
  const actions = h('div', { class: 'actions' });
  const editButton = h('button', { type: 'button', class: 'button', text: 'Edit', 'aria-expanded': 'false', 'aria-controls': 'edit-form' });
  const deleteButton = h('button', { type: 'button', class: 'button danger', text: 'Delete…' });
  actions.append(editButton, deleteButton);

  const text = h('textarea', { name: 'text', rows: '4', required: true });
  text.value = m.memory;
  const md = h('textarea', { name: 'metadata', rows: '6', class: 'mono', spellcheck: 'false' });
  md.value = metadata;
  const cancel = h('button', { type: 'button', class: 'button secondary', text: 'Cancel' });
  const save = h('button', { type: 'submit', class: 'button', text: 'Save changes' });
  const form = h(
    'form',
    { id: 'edit-form', class: 'card edit', hidden: true, 'aria-label': 'Edit memory', novalidate: true },
    h('h2', { text: 'Edit' }),
    field('Text', text, 'A new text is re-embedded; the previous one is kept as a closed version.'),
    field('Metadata (JSON object)', md),
    h('div', { class: 'actions' }, cancel, save),
  );
  editButton.addEventListener('click', () => {
    form.hidden = false;
    editButton.setAttribute('aria-expanded', 'true');
    text.focus();
  });
  cancel.addEventListener('click', () => {
    form.hidden = true;
    editButton.setAttribute('aria-expanded', 'false');
    editButton.focus();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    try {
      if (!text.value.trim()) throw new InputError('text', 'The text must not be empty.');
      if (text.value !== m.memory) body.text = text.value;
      if (md.value.trim() !== metadata) {
        let parsed;
        try {
          parsed = JSON.parse(md.value);
        } catch (err) {
          throw new InputError('metadata', `The metadata is not valid JSON: ${err.message}`);
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new InputError('metadata', 'The metadata must be a JSON object.');
        }
        body.metadata = parsed;
      }
    } catch (err) {
      showError(err, 'Saving');
      return;
    }
    if (Object.keys(body).length === 0) {
      showStatus('Nothing changed.');
      return;
    }
    save.disabled = true;
    try {
      const res = await api('PUT', `/v1/mem/${seg(m.id)}`, { body });
      await ctx.refresh();
      showStatus(res.event === 'NONE' ? 'Nothing changed.' : 'Memory updated. Its previous text is kept as a closed version.');
    } catch (err) {
      save.disabled = false;
      showError(err, 'Saving the memory');
    }
  });
  deleteButton.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Delete this memory?',
      body: ['It disappears from search and lists at once. Its history stays readable.'],
      confirmLabel: 'Delete memory',
    });
    if (!ok) return;
    try {
      await api('DELETE', `/v1/mem/${seg(m.id)}`);
      await ctx.refresh();
      showStatus('Memory deleted. Its history is kept.');
    } catch (err) {
      showError(err, 'Deleting the memory');
    }
  });

  const provenance = m.provenance
    ? h(
        'span',
        {},
        h('span', { text: m.provenance.source }),
        m.provenance.message_ids.length
          ? h('span', { class: 'muted' }, ' from messages ', m.provenance.message_ids.map((mid, i) => [i ? ', ' : '', h('code', { text: mid })]))
          : null,
      )
    : null;
  view.append(actions, form);
  return h(
      'section',
      { class: 'card', 'aria-labelledby': 'fields-title' },
      h('h2', { id: 'fields-title', text: 'Fields' }),
      dl([
        ['Id', h('code', { text: m.id })],
        ['Scope', scopeBadges(m)],
        ['Type', `${m.memory_type}${m.inferred ? ' (inferred by the language model)' : ''}`],
        ['Role', m.role],
        ['Actor', m.actor],
        ['Categories', m.categories.length ? h('span', { class: 'badges' }, m.categories.map((c) => h('span', { class: 'badge cat', text: c }))) : null],
        ['Created', time(m.created_at)],
        ['Updated', time(m.updated_at)],
        ['Valid from', time(m.valid_from)],
        ['Valid to', time(m.valid_to)],
        ['Expires', time(m.expires_at)],
        ['Provenance', provenance],
        ['Embedding model', m.embedding_model ? h('code', { text: m.embedding_model }) : null],
        ['Text hash', m.hash ? h('code', { class: 'hash', text: m.hash }) : null],
      ]),
      h('h3', { text: 'Metadata' }),
      h('pre', { class: 'json', tabindex: '0', 'aria-label': 'Metadata as JSON' }, metadata),
  );
}

function historyList(entries) {
  if (entries.length === 0) return h('p', { class: 'empty', text: 'No history.' });
  return h(
    'ol',
    { class: 'timeline' },
    entries.map((e) =>
      h(
        'li',
        { class: `event ${e.event.toLowerCase()}`, data: { event: e.event } },
        h('div', { class: 'event-head' }, h('span', { class: `badge ev-${e.event.toLowerCase()}`, text: e.event }), time(e.created_at), h('span', { class: 'actor' }, ' by ', h('strong', { text: e.actor }))),
        e.old_memory !== null && e.old_memory !== undefined
          ? h('p', { class: 'old' }, h('span', { class: 'label', text: 'Before: ' }), h('del', { text: e.old_memory }))
          : null,
        e.new_memory !== null && e.new_memory !== undefined
          ? h('p', { class: 'new' }, h('span', { class: 'label', text: 'After: ' }), h('ins', { text: e.new_memory }))
          : null,
        e.reason ? h('p', { class: 'reason muted', text: e.reason }) : null,
      ),
    ),
  );
}

function versionList(versions) {
  if (versions.length === 0) return h('p', { class: 'empty', text: 'None: the text never changed.' });
  return h(
    'ol',
    { class: 'versions' },
    versions.map((v) =>
      h(
        'li',
        { class: 'version', data: { memoryId: v.id } },
        h('a', { href: link('memory', v.id), class: 'version-text', text: v.memory }),
        h(
          'p',
          { class: 'validity' },
          'Valid from ',
          v.valid_from ? time(v.valid_from) : h('span', {}, time(v.created_at), ' (when it was stored; no earlier start known)'),
          ' to ',
          time(v.valid_to),
        ),
      ),
    ),
  );
}
