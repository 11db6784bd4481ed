// Search: hybrid, dense or text ranking, optionally "as of" a past moment (time travel over the bi-temporal
// history). Each hit carries data-memory-id and shows its text, score, similarity, scope and origin.
import { api } from './api.js';
import { field, h, scopeBadges, select, stateBadge, time } from './dom.js';
import { filterFieldset, readForm, scopeFieldset, selection } from './forms.js';
import { showError } from './notify.js';
import { link, navigate } from './router.js';

const MODES = [
  ['hybrid', 'Hybrid (meaning + words)'],
  ['dense', 'Dense (meaning)'],
  ['text', 'Text (words, BM25)'],
];
const LIMITS = ['10', '20', '50', '100'];

// datetime-local holds local wall time without an offset; the API wants an instant.
function toInstant(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export async function renderSearch(view, ctx) {
  const params = ctx.params;
  const query = params.get('q') ?? '';
  const mode = MODES.some(([m]) => m === params.get('mode')) ? params.get('mode') : 'hybrid';
  const limit = LIMITS.includes(params.get('limit')) ? params.get('limit') : '20';
  const asOf = params.get('as_of') ?? '';
  const q = h('input', { type: 'search', name: 'q', value: query, required: true, autocomplete: 'off', spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'card query', role: 'search', 'aria-label': 'Search memories', novalidate: true },
    h(
      'div',
      { class: 'search-row' },
      field('Search for', q),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', text: 'Search' })),
    ),
    h(
      'div',
      { class: 'grid' },
      field('Ranking', select('mode', MODES, mode)),
      field('Hits', select('limit', LIMITS.map((l) => [l, l]), limit)),
      field(
        'As of (time travel)',
        h('input', { type: 'datetime-local', name: 'as_of', step: '1', value: toLocalInput(asOf) }),
        'What was known and valid then (your local time). Empty: now.',
      ),
    ),
    h('details', { class: 'more', open: params.has('scope') || params.has('category') || params.has('type') || params.has('filter') || params.has('expired') || params.has('closed') || null },
      h('summary', { text: 'Scope and filters' }),
      scopeFieldset(params, ctx.who),
      filterFieldset(params),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const values = readForm(form);
    const data = new FormData(form);
    values.q = String(data.get('q') ?? '').trim();
    values.mode = data.get('mode');
    values.limit = data.get('limit');
    values.as_of = toInstant(String(data.get('as_of') ?? ''));
    if (!values.q) {
      showError({ message: 'Type something to search for.', code: 'invalid_input', field: 'q' }, 'Searching');
      q.focus();
      return;
    }
    navigate(link('search', null, values));
  });
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const results = h('ol', { class: 'hits', 'aria-label': 'Search results' });
  view.append(h('h1', { text: 'Search' }), form, h('section', { class: 'card', 'aria-label': 'Results' }, summary, results));
  if (!query) {
    summary.textContent = 'Type a question or some words; the best memories come first.';
    return;
  }
  let sel;
  try {
    sel = selection(params, ctx.who);
  } catch (e) {
    showError(e, 'Reading the filters');
    return;
  }
  // The search body takes the same selection as the list, with booleans and the filter as JSON.
  const body = { query, mode, limit: Number(limit) };
  for (const [k, v] of Object.entries(sel)) {
    if (v === null || v === undefined || v === false) continue;
    body[k] = k === 'filters' ? JSON.parse(v) : v;
  }
  if (asOf) body.as_of = asOf;
  results.setAttribute('aria-busy', 'true');
  try {
    const res = await api('POST', '/v1/mem/search', { body });
    if (!ctx.current()) return;
    const when = asOf ? h('span', {}, ' as of ', time(asOf)) : '';
    summary.replaceChildren(
      res.results.length === 0
        ? h('span', {}, 'No memory matches', when, '.')
        : h('span', {}, `${res.results.length} ${res.results.length === 1 ? 'memory' : 'memories'}, best first`, when, '.'),
    );
    results.replaceChildren(...res.results.map((hit, i) => hitItem(hit, i + 1)));
  } catch (e) {
    summary.textContent = '';
    if (ctx.current()) showError(e, 'Searching');
  } finally {
    results.removeAttribute('aria-busy');
  }
}

function hitItem(hit, rank) {
  return h(
    'li',
    { class: 'hit card', data: { memoryId: hit.id } },
    h(
      'div',
      { class: 'hit-head' },
      h('span', { class: 'rank', 'aria-label': `rank ${rank}`, text: `#${rank}` }),
      h('a', { href: link('memory', hit.id), class: 'hit-text', text: hit.memory }),
    ),
    h(
      'dl',
      { class: 'hit-meta' },
      h('div', {}, h('dt', { text: 'Score' }), h('dd', { class: 'score', text: hit.score.toFixed(3) })),
      h('div', {}, h('dt', { text: 'Similarity' }), h('dd', { class: 'similarity', text: hit.similarity.toFixed(3) })),
      h('div', {}, h('dt', { text: 'Scope' }), h('dd', {}, scopeBadges(hit))),
      h('div', {}, h('dt', { text: 'Origin' }), h('dd', { class: 'origin', text: hit.origin === 'tenant_wide' ? 'organisation memory' : 'scope' })),
      h('div', {}, h('dt', { text: 'Created' }), h('dd', {}, time(hit.created_at))),
      h('div', {}, h('dt', { text: 'State' }), h('dd', {}, stateBadge(hit))),
    ),
  );
}

