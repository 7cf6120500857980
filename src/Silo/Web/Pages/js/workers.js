// The cluster's workers (GET /api/workers): queues, concurrency, busy slots, heartbeat, outcomes. A silo without that
// route shows its own worker (GET /api/worker) and says the cluster list is not available.
import { get, NotAvailable } from './api.js';
import { byId, el, pageLink, replace, setText, syncRows } from './dom.js';
import { count, timeAgo } from './format.js';
import { poll, say } from './page.js';

const body = byId('workers').tBodies[0];
const fields = ['silo', 'queues', 'busy', 'concurrency', 'succeeded', 'failed', 'started', 'heartbeat'];
const numeric = new Set(['busy', 'concurrency', 'succeeded', 'failed']);

function build(worker) {
  return el('tr', { 'data-worker': worker.workerId }, el('td', {}, worker.workerId),
    fields.map(field => el('td', { 'data-field': field, class: numeric.has(field) ? 'num' : null })));
}

function update(row, worker) {
  const cell = field => row.querySelector(`[data-field="${field}"]`);
  setText(cell('silo'), worker.silo ?? '—');
  const queues = worker.queues ?? [];
  if (cell('queues').dataset.shown !== queues.join('\n')) {
    cell('queues').dataset.shown = queues.join('\n');
    replace(cell('queues'), queues.map((q, i) => [i > 0 ? ', ' : null, pageLink('queue.html', { name: q }, q)]));
  }
  const busy = worker.busy ?? worker.running;
  setText(cell('busy'), count(busy));
  cell('busy').classList.toggle('warn', worker.maxConcurrentTasks > 0 && busy >= worker.maxConcurrentTasks);
  setText(cell('concurrency'), count(worker.maxConcurrentTasks));
  setText(cell('succeeded'), count(worker.succeeded));
  setText(cell('failed'), count(worker.failed));
  setText(cell('started'), timeAgo(worker.startedAt));
  setText(cell('heartbeat'), worker.lastHeartbeat ? timeAgo(worker.lastHeartbeat) : 'not available');
}

poll(async () => {
  let workers;
  try {
    workers = await get('workers');
  } catch (error) {
    if (!(error instanceof NotAvailable)) throw error;
    say('The cluster-wide worker list is not available on this silo; showing this silo\'s own worker (GET /api/worker).');
    workers = [await get('worker')];
  }
  syncRows(body, workers, w => w.workerId, build, update);
  byId('empty').hidden = workers.length > 0;
});
