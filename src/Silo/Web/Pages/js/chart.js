// A small SVG chart of the last minutes from QueueStats.recent (10-second buckets aligned to UTC): bars of throughput
// (finished attempts per second) and a line of the failure rate (failed / finished, 0-100 %). Drawn with SVG
// elements and attributes only: the page's Content-Security-Policy allows no inline style, and the colors come
// from app.css classes.

const svgNs = 'http://www.w3.org/2000/svg';
export const bucketMilliseconds = 10_000;
export const windowMinutes = 10;

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The buckets of the last windowMinutes, oldest first, one per 10 s, summed over every list given (several queues
 * merge by start) and zero where none was reported.
 */
export function buckets(recentLists, now = Date.now()) {
  const sums = new Map();
  let latest = Math.floor(now / bucketMilliseconds) * bucketMilliseconds;
  for (const list of recentLists) {
    for (const bucket of list ?? []) {
      const start = new Date(bucket.start).getTime();
      if (Number.isNaN(start)) continue;
      latest = Math.max(latest, start);
      const sum = sums.get(start) ?? { submitted: 0, succeeded: 0, failed: 0 };
      sum.submitted += bucket.submitted ?? 0;
      sum.succeeded += bucket.succeeded ?? 0;
      sum.failed += bucket.failed ?? 0;
      sums.set(start, sum);
    }
  }
  const count = (windowMinutes * 60_000) / bucketMilliseconds;
  const result = [];
  for (let i = count - 1; i >= 0; i--) {
    const start = latest - i * bucketMilliseconds;
    result.push({ start, ...(sums.get(start) ?? { submitted: 0, succeeded: 0, failed: 0 }) });
  }
  return result;
}

/** Totals over the buckets: finished per second and the failure rate, for a caption. */
export function summary(list) {
  const succeeded = list.reduce((a, b) => a + b.succeeded, 0);
  const failed = list.reduce((a, b) => a + b.failed, 0);
  const seconds = (list.length * bucketMilliseconds) / 1000;
  return {
    succeeded, failed,
    perSecond: seconds > 0 ? (succeeded + failed) / seconds : 0,
    failureRate: succeeded + failed > 0 ? failed / (succeeded + failed) : null,
  };
}

/** The totals in words: "over 10 min: 0.42 finished/s, failure rate 3.1 %". */
export function summaryText(list) {
  const stats = summary(list);
  const rate = stats.failureRate === null ? 'no attempt finished' : `failure rate ${(stats.failureRate * 100).toFixed(1)} %`;
  return `· over ${windowMinutes} min: ${stats.perSecond.toFixed(2)} finished/s, ${rate}`;
}

/** The chart; with axes: labels for the scale and the time span (the overview's and queue page's large one). */
export function chart(list, { width = 180, height = 36, axes = false } = {}) {
  const left = axes ? 44 : 1;
  const right = axes ? 40 : 1;
  const top = axes ? 8 : 2;
  const bottom = axes ? 18 : 2;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const perSecond = list.map(b => (b.succeeded + b.failed) / (bucketMilliseconds / 1000));
  const max = Math.max(...perSecond, 0);
  const scale = max > 0 ? max : 1;
  const slot = plotWidth / Math.max(list.length, 1);
  const stats = summary(list);

  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: axes ? 'chart large' : 'chart', role: 'img' });
  root.append(svg('title', {}, `Last ${windowMinutes} min: ${stats.perSecond.toFixed(2)} finished/s, ` +
    `failure rate ${stats.failureRate === null ? 'n/a' : `${(stats.failureRate * 100).toFixed(1)} %`}`));
  root.append(svg('rect', { x: left, y: top, width: plotWidth, height: plotHeight, class: 'plot' }));

  list.forEach((bucket, i) => {
    const value = perSecond[i];
    if (value <= 0) return;
    const barHeight = Math.max(1, (value / scale) * plotHeight);
    const x = left + i * slot;
    const failedShare = (bucket.failed / (bucket.succeeded + bucket.failed)) * barHeight;
    root.append(svg('rect', { x: x + 0.5, y: top + plotHeight - barHeight, width: Math.max(slot - 1, 1), height: barHeight - failedShare, class: 'bar' }));
    if (failedShare > 0) root.append(svg('rect', { x: x + 0.5, y: top + plotHeight - failedShare, width: Math.max(slot - 1, 1), height: failedShare, class: 'bar failed' }));
  });

  const points = [];
  list.forEach((bucket, i) => {
    const finished = bucket.succeeded + bucket.failed;
    if (finished === 0) return;
    points.push(`${(left + (i + 0.5) * slot).toFixed(1)},${(top + plotHeight - (bucket.failed / finished) * plotHeight).toFixed(1)}`);
  });
  if (points.length > 1) root.append(svg('polyline', { points: points.join(' '), class: 'rate' }));
  else if (points.length === 1) {
    const [x, y] = points[0].split(',');
    root.append(svg('circle', { cx: x, cy: y, r: 2, class: 'rate-point' }));
  }

  if (axes) {
    root.append(svg('text', { x: left - 4, y: top + 8, 'text-anchor': 'end', class: 'axis' }, `${formatRate(max)}/s`));
    root.append(svg('text', { x: left - 4, y: top + plotHeight, 'text-anchor': 'end', class: 'axis' }, '0'));
    root.append(svg('text', { x: width - right + 4, y: top + 8, class: 'axis rate-axis' }, '100 %'));
    root.append(svg('text', { x: width - right + 4, y: top + plotHeight, class: 'axis rate-axis' }, '0 %'));
    root.append(svg('text', { x: left, y: height - 4, class: 'axis' }, `−${windowMinutes} min`));
    root.append(svg('text', { x: left + plotWidth, y: height - 4, 'text-anchor': 'end', class: 'axis' }, 'now'));
  }
  return root;
}

/** The large chart's width: its box's, within reason (the page may be narrow or very wide). */
export function largeWidth(box) {
  return Math.round(Math.min(Math.max(box.clientWidth || 720, 360), 1600));
}

function formatRate(value) {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
