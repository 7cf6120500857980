// The JSON API as the pages use it: paths relative to /ui/ (so a silo mounted under a path base works), problem details
// turned into errors, a route this silo does not have (404 without problem details) into NotAvailable, and the
// antiforgery token of GET /api/csrf on every unsafe request (the silo refuses a browser's POST without it).

/** A route this silo does not serve (an older silo, or a feature switched off). */
export class NotAvailable extends Error {
  constructor(path) {
    super(`not available on this silo (${path})`);
    this.name = 'NotAvailable';
  }
}

/** A refusal or failure the API explained with problem details. */
export class ApiError extends Error {
  constructor(status, problem, path) {
    const title = problem && typeof problem === 'object' ? problem.title : null;
    const detail = problem && typeof problem === 'object' ? problem.detail : (typeof problem === 'string' ? problem : null);
    super([`${status}`, title, detail].filter(Boolean).join(' · ') || `${status} from ${path}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem && typeof problem === 'object' ? problem : null;
  }
}

const csrfRefused = 'Antiforgery token required';
let token = null;

function url(path) {
  return `../api/${path}`;
}

/** Path segments are data: each is escaped. */
export function path(...segments) {
  return segments.map(s => encodeURIComponent(String(s))).join('/');
}

async function read(response, apiPath) {
  const text = await response.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (response.ok) return body;
  const isProblem = (response.headers.get('content-type') || '').includes('problem+json');
  if (response.status === 404 && !isProblem) throw new NotAvailable(apiPath);
  throw new ApiError(response.status, body, apiPath);
}

export async function get(apiPath) {
  const response = await fetch(url(apiPath), { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  return read(response, apiPath);
}

async function csrfToken(fresh) {
  if (!token || fresh) token = get('csrf').then(body => body.token, error => {
    token = null;
    throw error;
  });
  return token;
}

/** POST, PUT or DELETE with the antiforgery token; a stale token (the cookie expired) is fetched anew once. */
export async function send(method, apiPath, body) {
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: 'application/json', 'X-CSRF-TOKEN': await csrfToken(attempt > 0) };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(url(apiPath), {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    try {
      return await read(response, apiPath);
    } catch (error) {
      if (attempt === 0 && error instanceof ApiError && error.status === 403 && error.problem?.title === csrfRefused) continue;
      throw error;
    }
  }
}

export const post = (apiPath, body) => send('POST', apiPath, body);
export const del = apiPath => send('DELETE', apiPath);
