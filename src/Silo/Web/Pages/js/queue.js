// One queue: its counts, its pending, running, delayed and dead tasks, and the operator's actions on them.
import { del, get, NotAvailable, path, post } from './api.js';
import { byId, el, pageLink, replace, setText, syncRows } from './dom.js';
import { ago, count, priorityName, span, time, timeAgo } from './format.js';
import { buckets, chart, largeWidth, summaryText } from './chart.js';
import { act, poll, requiredParameter } from './page.js';

const listLimit = 50;
const queue = requiredParameter('name');

function section(name) {
  const node = document.querySelector(`[data-list="${name}"]`);
  return { node, body: node.querySelector('tbody'), count: node.querySelector('.count'), note: node.querySelector('.note') };
}

function taskLink(task) {
  return pageLink('task.html', { id: task.id }, task.id);
}

function errorText(error) {
  if (!error) return '';
  return error.type ? `${error.type}: ${error.message}` : error.message;
}

/** A cell whose text is set on every refresh, by name. */
function cells(row, values) {
  for (const [field, value] of Object.entries(values)) setText(row.querySelector(`[data-field="${field}"]`), value);
}

function fieldCells(...names) {
  return names.map(name => el('td', { 'data-field': name, class: name === 'attempts' ? 'num' : null }));
}

const lists = {
  pending: {
    build: task => el('tr', {}, el('td', {}, taskLink(task)), fieldCells('name', 'priority', 'enqueued', 'attempts')),
    update: (row, task) => cells(row, { name: task.taskName, priority: priorityName(task.priority), enqueued: timeAgo(task.enqueuedAt), attempts: task.attempts }),
  },
  running: {
    build: task => el('tr', {}, el('td', {}, taskLink(task)), fieldCells('name', 'worker', 'since', 'attempts')),
    update: (row, task) => cells(row, { name: task.taskName, worker: task.worker ?? '—', since: timeAgo(task.startedAt), attempts: task.attempts }),
  },
  delayed: {
    build: task => el('tr', {}, el('td', {}, taskLink(task)), fieldCells('name', 'state', 'due', 'attempts'), el('td', { 'data-field': 'error', class: 'error-text' })),
    update: (row, task) => {
      cells(row, { name: task.taskName, state: task.state, due: task.notBefore ? `${time(task.notBefore)} (${ago(task.notBefore)})` : '—', attempts: task.attempts, error: errorText(task.lastError) });
      row.querySelector('[data-field="error"]').setAttribute('title', errorText(task.lastError));
    },
  },
  dead: {
    build: task => {
      const retry = el('button', { type: 'button', 'data-action': 'retry' }, 'Retry');
      const remove = el('button', { type: 'button', 'data-action': 'delete', class: 'danger' }, 'Delete…');
      retry.addEventListener('click', () => act(retry, null, () => post(`tasks/${path(task.id)}/retry`), () => `Re-queued ${task.id}.`, poller));
      remove.addEventListener('click', () => act(remove, `Delete dead letter ${task.id}? It cannot be retried afterwards.`,
        () => del(`tasks/${path(task.id)}`), () => `Deleted ${task.id}.`, poller));
      return el('tr', {}, el('td', {}, taskLink(task)), fieldCells('name', 'failed', 'attempts'), el('td', { 'data-field': 'error', class: 'error-text' }),
        el('td', { class: 'row-actions' }, retry, ' ', remove));
    },
    update: (row, task) => {
      cells(row, { name: task.taskName, failed: timeAgo(task.finishedAt), attempts: task.attempts, error: errorText(task.lastError) });
      row.querySelector('[data-field="error"]').setAttribute('title', errorText(task.lastError));
    },
  },
};

async function refreshList(name, apiPath, total) {
  const { body, count: counter, note } = section(name);
  let tasks;
  try {
    tasks = await get(apiPath);
  } catch (error) {
    if (!(error instanceof NotAvailable)) throw error;
    body.replaceChildren();
    setText(counter, '');
    note.hidden = false;
    setText(note, 'Not available on this silo.');
    return;
  }
  syncRows(body, tasks, t => t.id, lists[name].build, lists[name].update);
  setText(counter, total === undefined ? `(${tasks.length})` : `(${count(total)}${tasks.length < total ? `, first ${tasks.length} shown` : ''})`);
  note.hidden = tasks.length > 0;
  setText(note, 'None.');
}

const statNames = [
  ['pending', 'Pending'], ['critical', 'Critical'], ['high', 'High'], ['normal', 'Normal'], ['low', 'Low'], ['delayed', 'Delayed'],
  ['running', 'Running'], ['deadLettered', 'Dead letters'], ['succeeded', 'Succeeded'], ['failed', 'Failed attempts'],
  ['cancelled', 'Cancelled'], ['oldestPending', 'Oldest pending'], ['paused', 'State'],
];
const statsList = byId('stats');
for (const [key, label] of statNames) statsList.append(el('div', { 'data-stat': key }, el('dt', {}, label), el('dd', {})));

function showStats(stats) {
  const [low, normal, high, critical] = stats.pendingByPriority ?? [0, 0, 0, 0];
  const values = {
    pending: count(low + normal + high + critical), critical: count(critical), high: count(high), normal: count(normal), low: count(low),
    delayed: count(stats.delayed), running: count(stats.running), deadLettered: count(stats.deadLettered), succeeded: count(stats.succeeded),
    failed: count(stats.failed), cancelled: count(stats.cancelled),
    oldestPending: !('oldestPendingSince' in stats) ? 'not available' : stats.oldestPendingSince ? span(Date.now() - new Date(stats.oldestPendingSince).getTime()) : '—',
    paused: stats.paused ? 'paused' : 'active',
  };
  for (const [key, value] of Object.entries(values)) setText(statsList.querySelector(`[data-stat="${key}"] dd`), value);
  statsList.querySelector('[data-stat="paused"]').classList.toggle('warn', !!stats.paused);
  statsList.querySelector('[data-stat="deadLettered"]').classList.toggle('bad', stats.deadLettered > 0);
  byId('pause').hidden = !!stats.paused;
  byId('resume').hidden = !stats.paused;
  setText(byId('chart-summary'), 'recent' in stats ? summaryText(buckets([stats.recent])) : '');
  replace(byId('chart'), 'recent' in stats ? chart(buckets([stats.recent]), { width: largeWidth(byId('chart')), height: 120, axes: true })
    : el('p', { class: 'muted' }, 'Throughput history not available on this silo.'));
}

let poller = null;
if (queue) {
  const q = path(queue);
  setText(byId('title'), `Queue ${queue}`);
  document.title = `${queue} · Task queue`;
  const on = (id, confirmation, action, done) => byId(id).addEventListener('click', e => act(e.currentTarget, confirmation, action, done, poller));
  on('pause', null, () => post(`queues/${q}/pause`), () => `Paused ${queue}: workers take no new task from it.`);
  on('resume', null, () => post(`queues/${q}/resume`), () => `Resumed ${queue}.`);
  on('purge', `Cancel every pending and delayed task of queue ${queue}? Running tasks are not touched.`,
    () => post(`queues/${q}/purge`), r => `Purged ${queue}: ${count(r.purged)} tasks cancelled.`);
  on('retry-dead', null, () => post(`queues/${q}/dead/retry`), r => `Re-queued ${count(r.retried)} dead letters.`);
  on('purge-dead', `Delete every dead letter of queue ${queue}?`, () => del(`queues/${q}/dead`), r => `Deleted ${count(r.purged)} dead letters.`);

  poller = poll(async () => {
    const stats = await get(`queues/${q}/stats`);
    showStats(stats);
    const pendingTotal = (stats.pendingByPriority ?? []).reduce((a, b) => a + b, 0);
    await Promise.all([
      refreshList('pending', `queues/${q}/tasks?state=pending&limit=${listLimit}`, pendingTotal),
      refreshList('running', `queues/${q}/tasks?state=running&limit=${listLimit}`, stats.running),
      refreshList('delayed', `queues/${q}/tasks?state=delayed&limit=${listLimit}`, stats.delayed),
      refreshList('dead', `queues/${q}/dead?limit=${listLimit}`, stats.deadLettered),
    ]);
  });
}
