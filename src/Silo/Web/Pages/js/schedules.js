// The schedules (GET /api/schedules): definition, next and last run, and pause, resume, trigger now, remove.
import { del, get, NotAvailable, path, post } from './api.js';
import { byId, el, pageLink, replace, setText, syncRows } from './dom.js';
import { count, timeAgo } from './format.js';
import { act, poll } from './page.js';

const pageSize = 200;
const body = byId('schedules').tBodies[0];
let poller = null;

function two(n) {
  return String(n ?? 0).padStart(2, '0');
}

/** A schedule's timing in words. */
export function definition(timing) {
  const zone = timing.timeZone ? ` (${timing.timeZone})` : '';
  switch (timing.kind) {
    case 'once': return `once at ${timing.at}`;
    case 'everyMinutes': return `every ${timing.minutes} min`;
    case 'daily': return `daily at ${two(timing.hour)}:${two(timing.minute)}${zone}`;
    case 'weekly': return `every ${timing.day} at ${two(timing.hour)}:${two(timing.minute)}${zone}`;
    case 'cron': return `cron ${timing.expression}${zone}`;
    default: return String(timing.kind);
  }
}

function build(schedule) {
  const name = schedule.name;
  const n = path(name);
  const pause = el('button', { type: 'button', 'data-action': 'pause' }, 'Pause');
  const resume = el('button', { type: 'button', 'data-action': 'resume' }, 'Resume');
  const trigger = el('button', { type: 'button', 'data-action': 'trigger' }, 'Trigger now');
  const remove = el('button', { type: 'button', 'data-action': 'remove', class: 'danger' }, 'Remove…');
  pause.addEventListener('click', () => act(pause, null, () => post(`schedules/${n}/pause`), () => `Paused ${name}.`, poller));
  resume.addEventListener('click', () => act(resume, null, () => post(`schedules/${n}/resume`), () => `Resumed ${name}.`, poller));
  trigger.addEventListener('click', () => act(trigger, null, () => post(`schedules/${n}/trigger`), r => `Triggered ${name}: task ${r.taskId}.`, poller));
  remove.addEventListener('click', () => act(remove, `Remove schedule ${name}? It will not fire again.`, () => del(`schedules/${n}`), () => `Removed ${name}.`, poller));
  const cell = field => el('td', { 'data-field': field, class: field === 'fires' ? 'num' : null });
  return el('tr', { 'data-schedule': name },
    el('td', {}, name), cell('queue'), cell('definition'), cell('task'), cell('next'), cell('last'), cell('fires'), cell('state'),
    el('td', { class: 'row-actions' }, pause, resume, ' ', trigger, ' ', remove));
}

function update(row, schedule) {
  const cell = field => row.querySelector(`[data-field="${field}"]`);
  replace(cell('queue'), pageLink('queue.html', { name: schedule.queue }, schedule.queue));
  setText(cell('definition'), definition(schedule.timing));
  setText(cell('task'), schedule.task.taskName);
  setText(cell('next'), schedule.paused ? 'paused' : timeAgo(schedule.nextRun));
  const last = cell('last');
  const lastText = schedule.lastRunAt ? `${timeAgo(schedule.lastRunAt)}${schedule.lastTaskState ? `, ${schedule.lastTaskState}` : ''}` : 'never';
  if (last.dataset.shown !== `${lastText}|${schedule.lastTaskId}`) {
    last.dataset.shown = `${lastText}|${schedule.lastTaskId}`;
    replace(last, schedule.lastTaskId ? pageLink('task.html', { id: schedule.lastTaskId }, lastText) : lastText,
      schedule.lastError ? el('div', { class: 'error-text' }, schedule.lastError) : null);
  }
  setText(cell('fires'), `${count(schedule.fireCount)} (+${count(schedule.triggerCount)} manual)`);
  setText(cell('state'), schedule.paused ? 'paused' : 'active');
  cell('state').classList.toggle('warn', !!schedule.paused);
  row.querySelector('[data-action="pause"]').hidden = !!schedule.paused;
  row.querySelector('[data-action="resume"]').hidden = !schedule.paused;
}

poller = poll(async () => {
  let result;
  try {
    result = await get(`schedules?limit=${pageSize}`);
  } catch (error) {
    if (!(error instanceof NotAvailable)) throw error;
    byId('empty').hidden = false;
    setText(byId('empty'), 'Schedules are not available on this silo.');
    return;
  }
  syncRows(body, result.schedules, s => s.name, build, update);
  byId('empty').hidden = result.schedules.length > 0;
  byId('more').hidden = !result.nextPage;
});
