// How times, ages and counts read on every page: UTC, ISO-like, so two operators in different places read the same thing.

const priorities = ['Low', 'Normal', 'High', 'Critical'];

export function priorityName(value) {
  return typeof value === 'number' ? (priorities[value] ?? String(value)) : String(value ?? '');
}

/** 2026-12-04 07:10:05Z, or an em dash when there is no time. */
export function time(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A span of milliseconds as 45 s, 3 min 20 s, 2 h 5 min, 3 d 4 h. */
export function span(milliseconds) {
  if (milliseconds === null || milliseconds === undefined || Number.isNaN(milliseconds)) return '—';
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** How long ago a time was (or "in 5 s" for one ahead). */
export function ago(value) {
  if (!value) return '—';
  const difference = Date.now() - new Date(value).getTime();
  return difference >= 0 ? `${span(difference)} ago` : `in ${span(-difference)}`;
}

/** A time with how long ago it was: 2026-12-04 07:10:05Z (12 s ago). */
export function timeAgo(value) {
  return value ? `${time(value)} (${ago(value)})` : '—';
}

export function count(value) {
  return value === null || value === undefined ? '—' : Number(value).toLocaleString('en-US');
}

/** JSON text pretty-printed when it parses, as it is otherwise. */
export function prettyJson(text) {
  if (text === null || text === undefined) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return String(text);
  }
}

/** The queue a task id names (queue:partition:sequence; the queue may itself hold no colon). */
export function queueOfTaskId(id) {
  const parts = String(id).split(':');
  return parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
}
