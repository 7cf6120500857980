// One task: its fields, payload, result, and timeline (enqueued, started, every failed attempt with its stack trace,
// finished); cancel, and retry or delete when it is a dead letter.
import { ApiError, del, get, NotAvailable, path, post } from './api.js';
import { byId, el, replace, setText } from './dom.js';
import { priorityName, prettyJson, queueOfTaskId, time, timeAgo } from './format.js';
import { act, poll, requiredParameter, say } from './page.js';

const id = requiredParameter('id');
const unfinished = new Set(['Pending', 'Scheduled', 'Running', 'Retrying']);
const fieldNames = [
  ['id', 'Id'], ['taskName', 'Name'], ['queue', 'Queue'], ['state', 'State'], ['priority', 'Priority'], ['attempts', 'Attempts'],
  ['worker', 'Worker'], ['enqueuedAt', 'Enqueued'], ['notBefore', 'Not before'], ['startedAt', 'Started'], ['finishedAt', 'Finished'],
];
const fields = byId('fields');
for (const [key, label] of fieldNames) fields.append(el('div', { 'data-field': key }, el('dt', {}, label), el('dd', {})));
let timelineShown = null;

function showJson(node, text, missing) {
  node.classList.toggle('muted', text === null || text === undefined);
  setText(node, text === null || text === undefined ? missing : prettyJson(text));
}

/**
 * The task's events in time order; the same list twice draws nothing (an opened stack trace stays open). Times from
 * different clocks (the partition stamps starts, the worker failures) can disagree by a little, so an attempt's failure
 * never shows before its start, and events of the same instant keep their natural order (enqueued, started, failed,
 * finished).
 */
function events(task) {
  const started = task.startedAt ? Date.parse(task.startedAt) : null;
  const list = [{ at: task.enqueuedAt, rank: 0, title: 'Enqueued', detail: `priority ${priorityName(task.priority)}` }];
  if (task.notBefore) list.push({ at: task.notBefore, rank: 1, title: 'Due', detail: 'not before this time' });
  for (const error of task.errors ?? []) {
    const sortAt = started !== null && error.attempt === task.attempts ? Math.max(Date.parse(error.at), started) : undefined;
    list.push({ at: error.at, sortAt, rank: 3, title: `Attempt ${error.attempt} failed`, detail: error.type ? `${error.type}: ${error.message}` : error.message, stack: error.stackTrace, bad: true });
  }
  if (task.startedAt) list.push({ at: task.startedAt, rank: 2, title: `Attempt ${task.attempts} started`, detail: task.worker ? `on ${task.worker}` : '' });
  if (task.finishedAt) list.push({ at: task.finishedAt, rank: 4, title: task.state, detail: 'finished', bad: task.state === 'DeadLettered' });
  const key = event => event.sortAt ?? Date.parse(event.at);
  return list.sort((a, b) => (key(a) - key(b)) || (a.rank - b.rank));
}

function showTimeline(task) {
  const list = events(task);
  const signature = JSON.stringify(list);
  if (signature === timelineShown) return;
  timelineShown = signature;
  replace(byId('timeline'), list.map(event => el('li', { class: event.bad ? 'bad' : null },
    el('time', { datetime: event.at }, time(event.at)), ' ',
    el('strong', {}, event.title), event.detail ? el('span', { class: 'detail' }, event.detail) : null,
    event.stack ? el('details', {}, el('summary', {}, 'Stack trace'), el('pre', { class: 'stack' }, event.stack)) : null)));
}

function show(task) {
  const queue = queueOfTaskId(task.id);
  const values = {
    id: task.id, taskName: task.taskName, queue, state: task.state, priority: priorityName(task.priority), attempts: task.attempts,
    worker: task.worker ?? '—', enqueuedAt: timeAgo(task.enqueuedAt), notBefore: timeAgo(task.notBefore), startedAt: timeAgo(task.startedAt),
    finishedAt: timeAgo(task.finishedAt),
  };
  for (const [key, value] of Object.entries(values)) setText(fields.querySelector(`[data-field="${key}"] dd`), value);
  fields.querySelector('[data-field="state"]').classList.toggle('bad', task.state === 'DeadLettered');
  const link = byId('queue-link');
  link.setAttribute('href', `queue.html?${new URLSearchParams({ name: queue })}`);
  setText(link, queue);
  showJson(byId('payload'), task.payloadJson, 'payloadJson' in task ? 'hidden from this key (ReadOnlySeesPayloads)' : 'not available on this silo');
  showJson(byId('result'), task.resultJson, task.state === 'Succeeded' ? 'none, or hidden from this key' : 'none yet');
  byId('cancel').hidden = !unfinished.has(task.state);
  byId('retry').hidden = task.state !== 'DeadLettered';
  byId('delete').hidden = task.state !== 'DeadLettered';
  showTimeline(task);
}

if (id) {
  const t = path(id);
  setText(byId('title'), `Task ${id}`);
  document.title = `${id} · Task queue`;
  let poller = null;
  const on = (button, confirmation, action, done) => byId(button).addEventListener('click', e => act(e.currentTarget, confirmation, action, done, poller));
  on('cancel', `Cancel task ${id}?`, () => post(`tasks/${t}/cancel`), r => r.cancelled ? 'Cancelled.' : 'Not cancelled: it had already finished.');
  on('retry', null, () => post(`tasks/${t}/retry`), () => 'Re-queued.');
  on('delete', `Delete dead letter ${id}?`, () => del(`tasks/${t}`), () => 'Deleted.');
  poller = poll(async () => {
    try {
      show(await get(`tasks/${t}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        say(error.message, true);
        for (const button of ['cancel', 'retry', 'delete']) byId(button).hidden = true;
        return;
      }
      if (error instanceof NotAvailable) {
        say('Task details are not available on this silo.', true);
        return;
      }
      throw error;
    }
  });
}
