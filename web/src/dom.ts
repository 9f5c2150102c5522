/**
 * DOM helpers. Every string that reaches the page (server messages, file names, results)
 * goes in as a text node or an attribute value, never as HTML: there is no innerHTML here.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, ...children);
  return node;
}

function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces an element's content with text or nodes. */
function setContent(node: Element, ...children: Child[]): void {
  node.replaceChildren();
  append(node, ...children);
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The page is missing #${id}.`);
  return node as T;
}

let idCounter = 0;
/** A fresh element id, for label/aria wiring of generated controls. */
function uid(prefix: string): string {
  return `${prefix}-${++idCounter}`;
}

/** Polite announcements (progress) and assertive ones (errors) for screen readers. */
function announce(text: string, urgent = false): void {
  const region = byId(urgent ? 'alert-region' : 'status-region');
  // Clearing first makes a repeated identical message be read again.
  region.textContent = '';
  window.setTimeout(() => (region.textContent = text), 50);
}

function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
