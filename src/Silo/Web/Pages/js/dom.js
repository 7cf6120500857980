// Building the DOM from data without ever parsing it as HTML: payloads, errors and names are user data, so text only
// ever goes in through text nodes and textContent (never parsed as markup), and attributes through setAttribute.

/** An element with attributes and children; a string or number child becomes a text node. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, strings, numbers, nested arrays; null and undefined are skipped). */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Sets a node's text only when it changed, so selections and focus survive a refresh. */
export function setText(node, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (node.textContent !== value) node.textContent = value;
}

/** Replaces a node's children. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A link to one of the pages, with the query built by URLSearchParams (names are data too). */
export function pageLink(page, params, text) {
  const query = new URLSearchParams(params).toString();
  return el('a', { href: query ? `${page}?${query}` : page }, text);
}

/** The element with this id (every page's fixed skeleton has it). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The page has no #${id}.`);
  return node;
}

/**
 * Keeps a table body's rows in step with a list, one row per key: new keys get a row from build(item), rows whose key
 * left are removed, and every row is refreshed with update(row, item). Rows (and the buttons in them) are kept across
 * refreshes, so a click is never lost to a redraw.
 */
export function syncRows(tbody, items, keyOf, build, update) {
  const existing = new Map();
  for (const row of Array.from(tbody.rows)) existing.set(row.dataset.key, row);
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let row = existing.get(key);
    if (row) existing.delete(key);
    else {
      row = build(item);
      row.dataset.key = key;
    }
    update(row, item);
    const wanted = previous ? previous.nextSibling : tbody.firstChild;
    if (wanted !== row) tbody.insertBefore(row, wanted);
    previous = row;
  }
  for (const row of existing.values()) row.remove();
}
