// DOM building without HTML strings: every text goes through textContent or a text node, so memory text,
// metadata and ids are always shown as the characters they are. (The page's Trusted Types policy would refuse
// an HTML string anyway.)

/**
 * Creates an element. attrs: class, text, on {event: handler}, data {key: value}, boolean properties
 * (hidden, disabled, checked, required, readOnly, selected, multiple), value, htmlFor/for, and any other
 * attribute by name. Children: nodes, strings (as text), arrays, and null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    switch (name) {
      case 'class':
        el.className = value;
        break;
      case 'text':
        el.textContent = String(value);
        break;
      case 'on':
        for (const [event, handler] of Object.entries(value)) {
          el.addEventListener(event, handler);
        }
        break;
      case 'data':
        for (const [k, v] of Object.entries(value)) {
          el.dataset[k] = String(v);
        }
        break;
      case 'hidden':
      case 'disabled':
      case 'checked':
      case 'required':
      case 'readOnly':
      case 'selected':
      case 'multiple':
        el[name] = Boolean(value);
        break;
      case 'value':
        el.value = String(value);
        break;
      case 'for':
      case 'htmlFor':
        el.htmlFor = value;
        break;
      case 'style':
        throw new Error('inline styles are not allowed (Content-Security-Policy)');
      default:
        if (name.startsWith('on')) {
          throw new Error(`use on: {} for event handlers, not ${name}`);
        }
        el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

let ids = 0;

/** A fresh element id, for label/input pairs. */
export function uid(prefix = 'f') {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled form control: {label, control, hint} wrapped in a div.field. */
export function field(label, control, hint) {
  if (!control.id) {
    control.id = uid(control.name || 'f');
  }
  const hintEl = hint ? h('small', { class: 'hint', id: `${control.id}-hint`, text: hint }) : null;
  if (hintEl) {
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id, text: label }), control, hintEl);
}

/** A labelled checkbox. */
export function checkbox(name, label, checked) {
  const input = h('input', { type: 'checkbox', name, id: uid(name), checked });
  return h('div', { class: 'check' }, input, h('label', { for: input.id, text: label }));
}

/** A select with [value, text] options. */
export function select(name, options, selected) {
  return h(
    'select',
    { name },
    options.map(([value, text]) => h('option', { value, selected: value === selected, text })),
  );
}

const TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

/** A <time> element showing an ISO instant in local time (the exact UTC value in its title). */
export function time(iso) {
  if (!iso) {
    return h('span', { class: 'muted', text: '—' });
  }
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso, text: Number.isNaN(d.getTime()) ? iso : TIME.format(d) });
}

/** A count with thousands separators. */
export function num(n) {
  return Number(n).toLocaleString();
}

/** At most max characters of a text, with an ellipsis when cut. */
export function clip(text, max = 180) {
  const chars = Array.from(text ?? '');
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}

/** Badges for a memory's scope (user, agent, run) or "organisation" when it has none. */
export function scopeBadges(m) {
  const parts = [];
  if (m.user_id) parts.push(h('span', { class: 'badge user' }, h('span', { class: 'badge-key', text: 'user ' }), m.user_id));
  if (m.agent_id) parts.push(h('span', { class: 'badge agent' }, h('span', { class: 'badge-key', text: 'agent ' }), m.agent_id));
  if (m.run_id) parts.push(h('span', { class: 'badge run' }, h('span', { class: 'badge-key', text: 'run ' }), m.run_id));
  if (parts.length === 0) parts.push(h('span', { class: 'badge org', text: 'organisation' }));
  return h('span', { class: 'badges' }, parts);
}

/** Whether a memory is current, closed (valid_to passed) or expired, as a badge. */
export function stateBadge(m, now = Date.now()) {
  if (m.valid_to && Date.parse(m.valid_to) <= now) {
    return h('span', { class: 'badge state closed', text: 'closed' });
  }
  if (m.expires_at && Date.parse(m.expires_at) <= now) {
    return h('span', { class: 'badge state expired', text: 'expired' });
  }
  return h('span', { class: 'badge state current', text: 'current' });
}

/** A definition list from [term, value] pairs (values may be nodes or text). */
export function dl(pairs, cls = 'fields') {
  return h(
    'dl',
    { class: cls },
    pairs.map(([term, value]) => [h('dt', { text: term }), h('dd', {}, value ?? h('span', { class: 'muted', text: '—' }))]),
  );
}

/** A table whose cells carry their column name (shown as a label on narrow screens). */
export function table(caption, columns, rows, { empty = 'Nothing to show.' } = {}) {
  if (rows.length === 0) {
    return h('p', { class: 'empty', text: empty });
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'responsive' },
      h('caption', { class: 'visually-hidden', text: caption }),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c })))),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell, i) => h('td', { 'data-label': columns[i] }, cell)),
          ),
        ),
      ),
    ),
  );
}

/**
 * Asks for confirmation in a modal dialog; resolves true only when the confirm button is pressed (Escape or
 * Cancel: false). Focus returns to the element that had it.
 */
export function confirmDialog({ title, body, confirmLabel, danger = true }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = uid('dialog-title');
    const cancel = h('button', { type: 'button', class: 'button secondary', text: 'Cancel' });
    const confirm = h('button', { type: 'button', class: danger ? 'button danger' : 'button', text: confirmLabel });
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h(
        'div',
        { class: 'dialog-body' },
        h('h2', { id: titleId, text: title }),
        Array.isArray(body) ? body.map((p) => h('p', {}, p)) : h('p', {}, body),
        h('div', { class: 'actions' }, cancel, confirm),
      ),
    );
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) {
        opener.focus();
      }
      resolve(answer);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
