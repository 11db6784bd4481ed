// Errors and confirmations for the user. Every error the API returns goes through showError: shown with its
// code, message and field, never swallowed.
import { h } from './dom.js';

/** Shows an error (an ApiError, or any Error) in the alert region; `doing` says what failed. */
export function showError(error, doing) {
  const alerts = document.getElementById('alerts');
  const code = error?.code;
  const field = error?.field;
  const detail = [code ? `code ${code}` : null, error?.status ? `HTTP ${error.status}` : null, field ? `field ${field}` : null]
    .filter(Boolean)
    .join(' · ');
  const dismiss = h('button', { type: 'button', class: 'link-button', 'aria-label': 'Dismiss this error', text: 'Dismiss' });
  const box = h(
    'div',
    { class: 'alert error', role: 'alert', data: { code: code ?? 'client_error' } },
    h(
      'div',
      { class: 'alert-text' },
      h('strong', { text: doing ? `${doing} failed: ` : 'Error: ' }),
      h('span', { class: 'alert-message', text: error?.message ?? String(error) }),
      detail ? h('span', { class: 'alert-detail', text: ` (${detail})` }) : null,
    ),
    dismiss,
  );
  dismiss.addEventListener('click', () => box.remove());
  alerts.appendChild(box);
  markField(field);
}

// Points at the form control the server named, when the current view has one with that name.
function markField(field) {
  if (!field) {
    return;
  }
  // The API's "filters" is built from the list's filter controls; the JSON one is named "filter".
  const head = String(field).split(/[.[]/)[0];
  const name = head === 'filters' ? 'filter' : head;
  const control = document.querySelector(`#main [name="${CSS.escape(name)}"]`);
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    control.addEventListener('input', () => control.removeAttribute('aria-invalid'), { once: true });
  }
}

/** Clears the alerts (on navigation). */
export function clearAlerts() {
  document.getElementById('alerts').replaceChildren();
}

/** Announces a success in the polite status region (visible until the next one). */
export function showStatus(text) {
  const status = document.getElementById('status');
  status.replaceChildren(h('p', { class: 'status-text', text }));
}

/** Clears the status region. */
export function clearStatus() {
  document.getElementById('status').replaceChildren();
}
