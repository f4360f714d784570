// What every view shares: render from informers, again whenever one of them
// changes (at most once per animation frame), and let go on dispose.

import { informer } from '../api.js';

export function live(root, paths, render) {
  const infs = paths.map((p) => informer(p));
  let queued = false;
  let disposed = false;
  const draw = () => {
    queued = false;
    if (disposed) return;
    patch(root, [render(...infs)].flat().filter(Boolean));
  };
  const schedule = () => {
    if (queued || disposed) return;
    queued = true;
    requestAnimationFrame(draw);
  };
  const unsubs = infs.map((i) => i.subscribe(schedule));
  draw();
  // Ages move on without events.
  const timer = setInterval(schedule, 5000);
  return { infs, redraw: schedule, dispose() { disposed = true; clearInterval(timer); unsubs.forEach((u) => u()); } };
}

/**
 * Puts `next` in place of root's children, keeping every child whose markup
 * did not change: a button the user is pressing, or an input being typed
 * in, survives the re-render of a table beside it.
 */
function patch(root, next) {
  const old = [...root.children];
  if (old.length !== next.length || root.childNodes.length !== old.length) return root.replaceChildren(...next);
  next.forEach((n, i) => {
    if (old[i].outerHTML !== n.outerHTML) old[i].replaceWith(n);
  });
}

export const inNamespace = (state) => (o) => !state.namespace || o.metadata.namespace === state.namespace;
