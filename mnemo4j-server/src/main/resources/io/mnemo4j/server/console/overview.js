// Who is in the tenant: its users, agents and runs with their memory counts, a page at a time (counted by the
// store's index, so a tenant of 100,000 memories answers as fast as a small one).
import { api } from './api.js';
import { deleteScope } from './actions.js';
import { link } from './router.js';
import { h, num, table } from './dom.js';
import { showError } from './notify.js';

const PAGE = 20;
const KINDS = [
  ['user', 'Users', 'user_id'],
  ['agent', 'Agents', 'agent_id'],
  ['run', 'Runs', 'run_id'],
];

export async function renderOverview(view, ctx) {
  const who = ctx.who;
  view.append(
    h('h1', { text: who.user_id ? `Memory of user ${who.user_id}` : `Who is in ${who.tenant}` }),
    h('p', {
      class: 'lead',
      text: who.user_id
        ? `Your key is limited to user “${who.user_id}” of tenant “${who.tenant}”: the agents and runs below are those of this user’s memories.`
        : 'Users, agents and runs of this tenant with how many current memories each holds.',
    }),
  );
  const cards = h('div', { class: 'cards', 'aria-label': 'Totals' });
  view.append(cards);
  const grid = h('div', { class: 'entity-grid' });
  view.append(grid);
  const sections = KINDS.map(([type, title, param]) => entitySection(grid, ctx, type, title, param));
  await Promise.all([summary(cards, ctx), ...sections.map((s) => s.load())]);
}

async function summary(cards, ctx) {
  const who = ctx.who;
  const card = (label, value, href) =>
    h('div', { class: 'card stat' }, h('span', { class: 'stat-label', text: label }), h('a', { class: 'stat-value', href, text: num(value) }));
  try {
    if (who.user_id) {
      const [mine, withOrg] = await Promise.all([
        api('GET', '/v1/mem/count', { query: { user_id: who.user_id } }),
        api('GET', '/v1/mem/count', { query: { user_id: who.user_id, include_expired: true, include_closed: true } }),
      ]);
      cards.replaceChildren(
        card('Current memories', mine.count, link('memories', null, { user_id: who.user_id })),
        card('With expired and closed versions', withOrg.count, link('memories', null, { user_id: who.user_id, expired: 1, closed: 1 })),
      );
      return;
    }
    const [all, org, everything] = await Promise.all([
      api('GET', '/v1/mem/count', { query: { all: true } }),
      api('GET', '/v1/mem/count', {}),
      api('GET', '/v1/mem/count', { query: { all: true, include_expired: true, include_closed: true } }),
    ]);
    cards.replaceChildren(
      card('Current memories', all.count, link('memories', null, { scope: 'all' })),
      card('Organisation (tenant-wide)', org.count, link('memories', null, { scope: 'org' })),
      card('With expired and closed versions', everything.count, link('memories', null, { scope: 'all', expired: 1, closed: 1 })),
    );
  } catch (e) {
    if (ctx.current()) showError(e, 'Counting memories');
  }
}

function entitySection(view, ctx, type, title, param) {
  const headingId = `entities-${type}`;
  const body = h('div', { class: 'entity-body' }, h('p', { class: 'muted', text: 'Loading…' }));
  const prev = h('button', { type: 'button', class: 'button secondary small', text: 'Previous', disabled: true });
  const next = h('button', { type: 'button', class: 'button secondary small', text: 'Next', disabled: true });
  const pageLabel = h('span', { class: 'page-label' });
  const pager = h('div', { class: 'pager', hidden: true }, prev, pageLabel, next);
  const section = h(
    'section',
    { class: 'card entities', 'aria-labelledby': headingId, data: { entityType: type } },
    h('h2', { id: headingId, text: title }),
    body,
    pager,
  );
  view.append(section);
  const cursors = [null];
  let index = 0;

  async function load() {
    try {
      const page = await api('GET', '/v1/mem/entities', { query: { type, cursor: cursors[index], page_size: PAGE } });
      if (!ctx.current()) return;
      const rows = page.results.map((e) => {
        const del = h('button', {
          type: 'button',
          class: 'button danger small',
          text: 'Delete all…',
          'aria-label': `Delete all memories of ${type} ${e.id}`,
          on: {
            click: async () => {
              try {
                if (await deleteScope({ [param]: e.id })) await ctx.refresh();
              } catch (err) {
                showError(err, `Deleting the memories of ${type} ${e.id}`);
              }
            },
          },
        });
        return [
          h('a', { href: link('memories', null, { scope: 'ids', [param]: e.id }), class: 'entity-id', text: e.id }),
          h('span', { class: 'count', text: num(e.memories) }),
          h(
            'span',
            { class: 'row-actions' },
            h('a', { href: link('search', null, { scope: 'ids', [param]: e.id }), 'aria-label': `Search the memories of ${type} ${e.id}`, text: 'Search' }),
            del,
          ),
        ];
      });
      body.replaceChildren(
        table(`${title} with their memory counts`, [title.slice(0, -1), 'Memories', 'Actions'], rows, {
          empty: index === 0 ? `No ${title.toLowerCase()} yet.` : 'No more.',
        }),
      );
      if (page.next_cursor && cursors.length === index + 1) cursors.push(page.next_cursor);
      prev.disabled = index === 0;
      next.disabled = !page.next_cursor;
      pageLabel.textContent = page.results.length ? `Page ${index + 1}` : '';
      pager.hidden = index === 0 && !page.next_cursor;
    } catch (e) {
      body.replaceChildren(h('p', { class: 'muted', text: 'Could not load.' }));
      if (ctx.current()) showError(e, `Listing ${title.toLowerCase()}`);
    }
  }

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
  return { load };
}
