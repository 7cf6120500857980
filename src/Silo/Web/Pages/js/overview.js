// The overview: every queue (GET /api/queues) with its counts and a chart of the last minutes.
import { get, NotAvailable } from './api.js';
import { byId, el, pageLink, replace, setText, syncRows } from './dom.js';
import { count, span } from './format.js';
import { buckets, chart, largeWidth, summaryText } from './chart.js';
import { poll } from './page.js';

const body = byId('queues').tBodies[0];
const empty = byId('empty');
const chartBox = byId('chart');

const fields = ['pending', 'byPriority', 'delayed', 'running', 'deadLettered', 'paused', 'oldestPending', 'succeeded', 'failed'];
const numeric = new Set(['pending', 'byPriority', 'delayed', 'running', 'deadLettered', 'succeeded', 'failed']);

function build(item) {
  const row = el('tr', { 'data-queue': item.queue });
  row.append(el('td', {}, pageLink('queue.html', { name: item.queue }, item.queue)));
  for (const field of fields) row.append(el('td', { 'data-field': field, class: numeric.has(field) ? 'num' : null }));
  row.append(el('td', { 'data-field': 'chart' }));
  return row;
}

function update(row, { stats }) {
  const cell = field => row.querySelector(`[data-field="${field}"]`);
  const byPriority = stats.pendingByPriority ?? [0, 0, 0, 0];
  const pending = byPriority.reduce((a, b) => a + b, 0);
  setText(cell('pending'), count(pending));
  // Critical first: the order a worker takes them.
  setText(cell('byPriority'), [...byPriority].reverse().map(count).join(' · '));
  setText(cell('delayed'), count(stats.delayed));
  setText(cell('running'), count(stats.running));
  setText(cell('deadLettered'), count(stats.deadLettered));
  cell('deadLettered').classList.toggle('bad', stats.deadLettered > 0);
  setText(cell('paused'), stats.paused ? 'paused' : '');
  cell('paused').classList.toggle('warn', !!stats.paused);
  setText(cell('oldestPending'), oldest(stats));
  setText(cell('succeeded'), count(stats.succeeded));
  setText(cell('failed'), count(stats.failed));
  replace(cell('chart'), 'recent' in stats ? chart(buckets([stats.recent])) : el('span', { class: 'muted' }, 'not available'));
}

function oldest(stats) {
  if (!('oldestPendingSince' in stats)) return 'not available';
  if (!stats.oldestPendingSince) return '—';
  return span(Date.now() - new Date(stats.oldestPendingSince).getTime());
}

poll(async () => {
  let queues;
  try {
    queues = await get('queues');
  } catch (error) {
    if (!(error instanceof NotAvailable)) throw error;
    replace(chartBox, el('p', { class: 'muted' }, 'Not available: this silo has no queue list (GET /api/queues).'));
    empty.hidden = true;
    return;
  }
  syncRows(body, queues, q => q.queue, build, update);
  empty.hidden = queues.length > 0;
  const recent = queues.filter(q => 'recent' in q.stats).map(q => q.stats.recent);
  setText(byId('chart-summary'), recent.length > 0 ? summaryText(buckets(recent)) : '');
  replace(chartBox, recent.length > 0 || queues.length === 0
    ? chart(buckets(recent), { width: largeWidth(chartBox), height: 120, axes: true })
    : el('p', { class: 'muted' }, 'Not available: this silo reports no throughput history.'));
});
