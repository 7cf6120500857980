// What every page shares: the 2-second refresh by polling (no reload), the status line, and action messages.
import { byId, setText } from './dom.js';
import { time } from './format.js';

export const refreshInterval = 2000;

/**
 * Calls refresh() now and then 2 s after each refresh ends (never two at once). The status line says when the page
 * was last refreshed, or why it could not be; <body data-refreshes> counts successful refreshes (tests wait on it).
 */
export function poll(refresh) {
  const status = byId('status');
  let timer = null;
  let running = null;
  let refreshes = 0;
  async function tick() {
    clearTimeout(timer);
    if (running) return running;
    running = (async () => {
      try {
        await refresh();
        refreshes++;
        document.body.dataset.refreshes = String(refreshes);
        status.classList.remove('error');
        setText(status, `Updated ${time(new Date().toISOString())}, every ${refreshInterval / 1000} s`);
      } catch (error) {
        status.classList.add('error');
        setText(status, `Refresh failed: ${error.message}`);
      } finally {
        running = null;
        timer = setTimeout(tick, refreshInterval);
      }
    })();
    return running;
  }
  tick();
  return { now: tick };
}

/** Shows the outcome of an action (text only); errors stay until the next action. */
export function say(text, isError = false) {
  const message = byId('message');
  message.classList.toggle('error', isError);
  message.hidden = false;
  setText(message, text);
}

/**
 * Runs an action from a button: disables it meanwhile, reports success or the API's refusal, then refreshes at once.
 * A confirmation, when given, is asked first.
 */
export async function act(button, confirmation, action, done, poller) {
  if (confirmation && !window.confirm(confirmation)) return;
  button.disabled = true;
  try {
    const result = await action();
    say(done(result));
  } catch (error) {
    say(error.message, true);
  } finally {
    button.disabled = false;
    poller?.now();
  }
}

/** The value of a query parameter, or a message on the page when it is missing. */
export function requiredParameter(name) {
  const value = new URLSearchParams(window.location.search).get(name);
  if (!value) {
    say(`This page needs ?${name}=…`, true);
    return null;
  }
  return value;
}
