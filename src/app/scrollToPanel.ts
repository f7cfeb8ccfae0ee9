/**
 * Scrolls a panel to the top of the view, smoothly unless the user asked for less motion, and makes sure it
 * lands there. A smooth scroll aims at where the panel was when it began: a panel above that grows meanwhile
 * (the saved-runs list once a run is kept, a chart drawn late) leaves it short, and the browser's scroll
 * anchoring does not correct a scroll in flight. So once the scroll ends, or after `settleMs` if no scroll
 * comes (it was there already), the panel is scrolled to once more, at once: nothing moves if it is there.
 */
export function scrollToPanel(panel: Element, settleMs = 1500): void {
  const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  panel.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' });
  if (!smooth) return;
  const settled = new AbortController();
  const settle = () => {
    if (settled.signal.aborted) return;
    settled.abort();
    panel.scrollIntoView({ block: 'start' });
  };
  document.addEventListener('scrollend', settle, { signal: settled.signal });
  setTimeout(settle, settleMs);
}
