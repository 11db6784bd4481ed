// The selection and filter controls shared by the memory list and search, and their translation to the
// API's parameters (the view state lives in the URL hash: scope, user_id, agent_id, run_id, tw, category,
// type, from, before, filter, expired, closed).
import { checkbox, field, h, select, uid } from './dom.js';

/** A client-side refusal shown like an API error, naming the control. */
export class InputError extends Error {
  constructor(field, message) {
    super(message);
    this.code = 'invalid_input';
    this.field = field;
  }
}

/** The scope mode in the URL: all (whole tenant), org (organisation memory only) or ids. */
function scopeMode(params) {
  const given = params.get('scope');
  if (given === 'all' || given === 'org' || given === 'ids') return given;
  return params.get('user_id') || params.get('agent_id') || params.get('run_id') ? 'ids' : 'all';
}

/**
 * The scope fieldset. A user-narrowed key has no choice of user (its own, shown read-only) and no "whole
 * tenant"; the server would refuse anything else with 403.
 */
export function scopeFieldset(params, who) {
  const narrowed = Boolean(who.user_id);
  const mode = narrowed ? 'ids' : scopeMode(params);
  const group = uid('scope');
  const radio = (value, label) => {
    const input = h('input', { type: 'radio', name: 'scope', value, id: uid('scope'), checked: mode === value });
    return h('div', { class: 'check' }, input, h('label', { for: input.id, text: label }));
  };
  const user = h('input', {
    name: 'user_id',
    value: narrowed ? who.user_id : params.get('user_id') ?? '',
    readOnly: narrowed,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const agent = h('input', { name: 'agent_id', value: params.get('agent_id') ?? '', autocomplete: 'off', spellcheck: 'false' });
  const run = h('input', { name: 'run_id', value: params.get('run_id') ?? '', autocomplete: 'off', spellcheck: 'false' });
  const ids = h(
    'div',
    { class: 'grid ids' },
    field('User id', user, narrowed ? 'Your key is limited to this user.' : null),
    field('Agent id', agent),
    field('Run id', run),
  );
  const fieldset = h(
    'fieldset',
    { class: 'scope', 'aria-describedby': `${group}-legend` },
    h('legend', { id: `${group}-legend`, text: 'Whose memories' }),
    narrowed ? null : h('div', { class: 'radios' }, radio('all', 'Whole tenant'), radio('org', 'Organisation memory only'), radio('ids', 'A user, agent or run:')),
    ids,
    checkbox('tw', 'Also organisation (tenant-wide) memory', params.get('tw') === '1'),
  );
  if (!narrowed) {
    // Typing an id means "this scope".
    for (const input of [user, agent, run]) {
      input.addEventListener('input', () => {
        const r = fieldset.querySelector('input[name="scope"][value="ids"]');
        if (input.value.trim()) r.checked = true;
      });
    }
  }
  return fieldset;
}

/** The filter fieldset: category, type, creation time, an optional filter in JSON, expired/closed. */
export function filterFieldset(params, { legend = 'Filters', plain = false } = {}) {
  return h(
    'fieldset',
    { class: plain ? 'filters plain' : 'filters' },
    h('legend', { class: plain ? 'visually-hidden' : null, text: legend }),
    h(
      'div',
      { class: 'grid' },
      field('Category', h('input', { name: 'category', value: params.get('category') ?? '', autocomplete: 'off' })),
      field(
        'Type',
        select(
          'type',
          [
            ['', 'Any type'],
            ['episodic', 'Episodic (said verbatim)'],
            ['semantic', 'Semantic (inferred fact)'],
            ['procedural', 'Procedural (agent run)'],
          ],
          params.get('type') ?? '',
        ),
      ),
      field('Created on or after', h('input', { type: 'date', name: 'from', value: params.get('from') ?? '' })),
      field('Created before', h('input', { type: 'date', name: 'before', value: params.get('before') ?? '' })),
    ),
    field(
      'Filter (JSON, optional)',
      h('input', { name: 'filter', value: params.get('filter') ?? '', autocomplete: 'off', spellcheck: 'false', class: 'mono' }),
      'Mem0 v2 syntax, e.g. {"metadata":{"topic":"crm"}}; combined with the fields above.',
    ),
    h(
      'div',
      { class: 'checks' },
      checkbox('expired', 'Include expired memories', params.get('expired') === '1'),
      checkbox('closed', 'Include closed versions (replaced or contradicted)', params.get('closed') === '1'),
    ),
  );
}

/** Reads the scope and filter controls of a form into URL parameters (strings; '' when unset). */
export function readForm(form) {
  const data = new FormData(form);
  const get = (name) => String(data.get(name) ?? '').trim();
  const out = {};
  for (const name of ['scope', 'user_id', 'agent_id', 'run_id', 'category', 'type', 'from', 'before', 'filter']) {
    out[name] = get(name);
  }
  out.tw = data.get('tw') ? '1' : '';
  out.expired = data.get('expired') ? '1' : '';
  out.closed = data.get('closed') ? '1' : '';
  if (out.scope !== 'ids') {
    out.user_id = '';
    out.agent_id = '';
    out.run_id = '';
    out.tw = '';
  }
  return out;
}

/**
 * The API selection (native list/count/search parameters) that URL parameters ask for. Throws InputError
 * for what the server would refuse anyway, so the message can name the control.
 */
export function selection(params, who) {
  const narrowed = Boolean(who.user_id);
  const mode = narrowed ? 'ids' : scopeMode(params);
  const q = {};
  if (mode === 'all') {
    q.all = true;
  } else if (mode === 'ids') {
    q.user_id = narrowed ? who.user_id : params.get('user_id') || null;
    q.agent_id = params.get('agent_id') || null;
    q.run_id = params.get('run_id') || null;
    if (!q.user_id && !q.agent_id && !q.run_id) {
      throw new InputError('user_id', 'Give a user, agent or run id, or choose “Whole tenant”.');
    }
    q.include_tenant_wide = params.get('tw') === '1';
  }
  const filters = filterJson(params);
  if (filters) q.filters = JSON.stringify(filters);
  q.include_expired = params.get('expired') === '1';
  q.include_closed = params.get('closed') === '1';
  return q;
}

function filterJson(params) {
  const and = [];
  const category = params.get('category');
  if (category) and.push({ categories: category });
  const type = params.get('type');
  if (type) and.push({ memory_type: type });
  const created = {};
  if (params.get('from')) created.gte = params.get('from');
  if (params.get('before')) created.lt = params.get('before');
  if (Object.keys(created).length) and.push({ created_at: created });
  const raw = params.get('filter');
  if (raw) {
    let parsed;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new InputError('filter', `The filter is not valid JSON: ${e.message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InputError('filter', 'The filter must be a JSON object.');
    }
    and.push(parsed);
  }
  if (and.length === 0) return null;
  return and.length === 1 ? and[0] : { AND: and };
}

/** A short description of a selection, for headings and confirmations. */
export function describeScope(q) {
  const parts = [];
  if (q.user_id) parts.push(`user “${q.user_id}”`);
  if (q.agent_id) parts.push(`agent “${q.agent_id}”`);
  if (q.run_id) parts.push(`run “${q.run_id}”`);
  if (parts.length) return parts.join(', ');
  return q.all ? 'the whole tenant' : 'organisation memory';
}
