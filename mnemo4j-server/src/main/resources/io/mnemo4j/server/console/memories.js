// The memory list: one cursor page at a time (never the whole tenant), filtered by scope, category, type,
// creation time and an optional filter, with or without expired and closed versions.
import { api } from './api.js';
import { deleteScope } from './actions.js';
import { clip, field, h, num, scopeBadges, select, stateBadge, table, time } from './dom.js';
import { describeScope, filterFieldset, readForm, scopeFieldset, selection } from './forms.js';
import { showError } from './notify.js';
import { link, navigate } from './router.js';

const SIZES = ['25', '50', '100'];

export async function renderMemories(view, ctx) {
  const params = ctx.params;
  const size = SIZES.includes(params.get('size')) ? params.get('size') : '50';
  const form = h(
    'form',
    { class: 'card query', 'aria-label': 'Which memories', novalidate: true },
    scopeFieldset(params, ctx.who),
    h(
      'details',
      { class: 'more', open: ['category', 'type', 'from', 'before', 'filter', 'expired', 'closed'].some((p) => params.get(p)) || null },
      h('summary', { text: 'Filters: category, type, creation time, expired and closed versions' }),
      filterFieldset(params, { plain: true }),
    ),
    h(
      'div',
      { class: 'form-foot' },
      field('Per page', select('size', SIZES.map((s) => [s, s]), size)),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button', text: 'Show memories' }),
        h('a', { class: 'button secondary', href: link('memories'), text: 'Reset' }),
      ),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const values = readForm(form);
    values.size = new FormData(form).get('size');
    navigate(link('memories', null, values));
  });
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const results = h('div', { class: 'results' });
  const prev = h('button', { type: 'button', class: 'button secondary', text: 'Previous page', disabled: true });
  const next = h('button', { type: 'button', class: 'button secondary', text: 'Next page', disabled: true });
  const pager = h('div', { class: 'pager', hidden: true }, prev, next);
  const toolbar = h('div', { class: 'toolbar' });
  view.append(h('h1', { text: 'Memories' }), form, h('section', { class: 'card', 'aria-label': 'Memories found' }, toolbar, summary, results, pager));

  let q;
  try {
    q = selection(params, ctx.who);
  } catch (e) {
    showError(e, 'Reading the filters');
    return;
  }
  if (q.user_id || q.agent_id || q.run_id) {
    const scope = { user_id: q.user_id, agent_id: q.agent_id, run_id: q.run_id };
    toolbar.append(
      h('button', {
        type: 'button',
        class: 'button danger small',
        text: `Delete all memories of ${describeScope(scope)}…`,
        on: {
          click: async () => {
            try {
              if (await deleteScope(scope)) await ctx.refresh();
            } catch (err) {
              showError(err, 'Deleting the memories of the scope');
            }
          },
        },
      }),
    );
  }

  const cursors = [null];
  let index = 0;
  let total = null;

  async function load() {
    prev.disabled = true;
    next.disabled = true;
    results.setAttribute('aria-busy', 'true');
    try {
      const [page, count] = await Promise.all([
        api('GET', '/v1/mem', { query: { ...q, cursor: cursors[index], page_size: size } }),
        total === null ? api('GET', '/v1/mem/count', { query: q }) : Promise.resolve({ count: total }),
      ]);
      if (!ctx.current()) return;
      total = count.count;
      const first = index * Number(size) + 1;
      summary.textContent =
        page.results.length === 0
          ? `No memories in ${describeScope(q)} match.`
          : `${num(first)}–${num(first + page.results.length - 1)} of ${num(total)} memories in ${describeScope(q)}`;
      results.replaceChildren(
        table(
          'Memories, oldest first',
          ['Memory', 'Scope', 'Type', 'Categories', 'Created', 'State'],
          page.results.map((m) => [
            h('a', { href: link('memory', m.id), class: 'memory-link', data: { memoryId: m.id }, text: clip(m.memory) }),
            scopeBadges(m),
            h('span', { text: m.memory_type }),
            m.categories.length ? h('span', { class: 'badges' }, m.categories.map((c) => h('span', { class: 'badge cat', text: c }))) : h('span', { class: 'muted', text: '—' }),
            time(m.created_at),
            stateBadge(m),
          ]),
          { empty: 'Nothing here. Widen the scope or the filters.' },
        ),
      );
      if (page.next_cursor && cursors.length === index + 1) cursors.push(page.next_cursor);
      prev.disabled = index === 0;
      next.disabled = !page.next_cursor;
      pager.hidden = index === 0 && !page.next_cursor;
    } catch (e) {
      summary.textContent = '';
      results.replaceChildren(h('p', { class: 'muted', text: 'The memories could not be listed.' }));
      if (ctx.current()) showError(e, 'Listing memories');
    } finally {
      results.removeAttribute('aria-busy');
    }
  }

  // Keep the keyboard on the pager: on the first or last page the pressed button is disabled.
  prev.addEventListener('click', async () => {
    index -= 1;
    await load();
    (prev.disabled ? next : prev).focus();
  });
  next.addEventListener('click', async () => {
    index += 1;
    await load();
    (next.disabled ? prev : next).focus();
  });
  await load();
}
