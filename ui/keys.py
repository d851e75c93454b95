"""Keys for a presentation clicker and the keyboard: PageDown / Space = Next, PageUp = Prev,
and → / ← also while a toggle or checkbox has focus (Streamlit's own button shortcuts skip
every focused input, so → did nothing right after switching presenter mode on).

One listener on the app's document, installed once from a zero-height component; it clicks
the lesson's own Next / Prev buttons, so every key goes through the same callback as a click.
The listener is written into the app's own document (a <script> element there), not left in
the component's frame: that frame is rebuilt whenever the stage changes, and a listener whose
frame is gone stops running. It also keeps the current stage's box in view when the stage
changes.
"""
import json

import streamlit as st

_LISTENER = """
const doc = document;
if (!window.__stepThroughKeys) {
  window.__stepThroughKeys = true;
  const TEXT = ['text', 'search', 'email', 'number', 'password', 'url', 'tel'];
  const typing = t => t && (t.tagName === 'TEXTAREA' || t.isContentEditable ||
    (t.tagName === 'INPUT' && TEXT.includes(t.type)) || t.getAttribute('role') === 'combobox');
  const press = which => {
    const box = [...doc.querySelectorAll('[class*="st-key-"]')].find(el =>
      [...el.classList].some(c => c.startsWith('st-key-') && c.endsWith('_' + which)));
    const button = box && box.querySelector('button');
    if (button && !button.disabled) { button.click(); return true; }
    return false;
  };
  // A formula wider than its column is shrunk to fit (down to 55 %); one still too wide
  // scrolls sideways, and then the keyboard can reach it and it is named. All formulas are
  // read first, then written, then read, then written: two layouts per pass, however many
  // formulas (reading a width after each write made the browser lay the page out again for
  // every formula, a fifth of a Next click's time in Chromium's profile).
  const fittedFor = new WeakMap();   // formula -> its text and width when last fitted
  const fitAll = () => {
    const todo = [];
    doc.querySelectorAll('.katex-display').forEach(el => {
      const k = el.querySelector('.katex');
      if (!k) return;
      const key = k.textContent + '|' + el.clientWidth;
      if (fittedFor.get(el) !== key) todo.push({el, k, key});
    });
    todo.forEach(({el, k, key}) => {   // a formula not shrunk before is left untouched
      fittedFor.set(el, key);
      if (k.style.fontSize) k.style.removeProperty('font-size');
      if (el.style.overflowX) el.style.removeProperty('overflow-x');
    });
    todo.forEach(f => {
      f.wide = [...f.k.querySelectorAll('.katex-html > .base')]
        .reduce((w, b) => w + b.getBoundingClientRect().width, 0);
      f.room = f.el.clientWidth - 2;
      f.size = parseFloat(getComputedStyle(f.k).fontSize);
    });
    todo.forEach(({el, k, wide, room, size}) => {
      if (!room || wide <= room) return;
      k.style.setProperty('font-size', Math.max(0.55, room / wide) * size + 'px', 'important');
      if (room / wide < 0.55) {
        el.style.setProperty('overflow-x', 'auto', 'important');
        el.setAttribute('tabindex', '0');
        el.setAttribute('role', 'math');
        el.setAttribute('aria-label', 'formula (scrolls sideways)');
      }
    });
  };
  // The current stage's box (st-key-*_current) is kept in view when the stage changes on a
  // page; a page just opened stays at its top (title and introduction first).
  let shownStage = null, shownPage = null;
  const keepStageInView = () => {
    const box = [...doc.querySelectorAll('[class*="_current"]')].find(el =>
      [...el.classList].some(c => c.startsWith('st-key-') && c.endsWith('_current')));
    const head = box && box.querySelector('h3');
    const stage = head && head.textContent;
    if (!stage || stage === shownStage) return;
    const samePage = shownPage === location.pathname;
    shownStage = stage;
    shownPage = location.pathname;
    if (samePage) box.scrollIntoView({block: 'nearest'});
  };
  let pending = false;
  const onChange = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fitAll();
      keepStageInView();
    });
  };
  new MutationObserver(onChange).observe(doc.body, {childList: true, subtree: true});
  window.addEventListener('resize', onChange);
  doc.addEventListener('keydown', e => {
    const t = e.target;
    if (typing(t) || e.altKey || e.ctrlKey || e.metaKey) return;
    const onInput = t && t.tagName === 'INPUT';      // a toggle or checkbox
    let which = null;
    if (e.key === 'PageDown' || (e.key === ' ' && !(t && t.tagName === 'BUTTON'))) which = 'next';
    else if (e.key === 'PageUp') which = 'prev';
    else if (onInput && e.key === 'ArrowRight') which = 'next';
    else if (onInput && e.key === 'ArrowLeft') which = 'prev';
    if (which && press(which)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
}
"""

_SCRIPT = """<script>
const doc = window.parent.document;
if (!doc.getElementById(%s)) {
  const s = doc.createElement('script');
  s.id = %s;
  s.textContent = %s;
  doc.head.appendChild(s);
}
</script>"""


def inject(script_id, js):
    """Run `js` in the app's own document, once per browser tab: written there by a
    zero-height component whose content never changes (the browser keeps it across reruns;
    a script left in a frame that is rebuilt would stop running)."""
    st.iframe(_SCRIPT % (json.dumps(script_id), json.dumps(script_id), json.dumps(js)),
              height=1)


def install():
    """Add the key listener to the page."""
    inject("step-through-keys", _LISTENER)
