// Destructive actions shared by several views, each behind a confirmation that says exactly what goes.
import { api } from './api.js';
import { confirmDialog, num } from './dom.js';
import { describeScope } from './forms.js';
import { showStatus } from './notify.js';

/**
 * Deletes every memory of a scope ({user_id, agent_id, run_id}) after a confirmation naming how many will go:
 * the count includes expired memories, exactly what delete-all reports; the closed versions that updates left
 * go too, as history, and are not counted. Resolves true when something was deleted.
 */
export async function deleteScope(scope) {
  const ids = { user_id: scope.user_id || null, agent_id: scope.agent_id || null, run_id: scope.run_id || null };
  const what = describeScope(ids);
  const { count } = await api('GET', '/v1/mem/count', {
    query: { ...ids, include_expired: true },
  });
  if (count === 0) {
    showStatus(`Nothing to delete: ${what} holds no memories.`);
    return false;
  }
  const noun = count === 1 ? 'memory' : 'memories';
  const ok = await confirmDialog({
    title: `Delete all memories of ${what}?`,
    body: [
      `This deletes ${num(count)} ${noun} of ${what}, expired ones included, with the earlier versions updates kept. It cannot be undone.`,
      'Each memory’s history stays readable.',
    ],
    confirmLabel: `Delete ${num(count)} ${noun}`,
  });
  if (!ok) {
    return false;
  }
  const body = Object.fromEntries(Object.entries(ids).filter(([, v]) => v));
  const res = await api('POST', '/v1/mem/delete-all', { body });
  showStatus(`Deleted ${num(res.deleted)} ${res.deleted === 1 ? 'memory' : 'memories'} of ${what}.`);
  return true;
}
