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
  const keyBox = which => [...doc.querySelectorAll('[class*="st-key-"]')].find(el =>
    [...el.classList].some(c => c.startsWith('st-key-') && c.endsWith('_' + which)));
  const press = which => {
    const box = keyBox(which);
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
    const box = leaving ? doc.querySelector(`.st-key-${leaving.prefix}_stage_ahead`)
                        : [...doc.querySelectorAll('[class*="_current"]')].find(el =>
      [...el.classList].some(c => c.startsWith('st-key-') && c.endsWith('_current')));
    const head = box && box.querySelector('h3');
    const stage = head && head.textContent;
    if (!stage || stage === shownStage) return;
    const samePage = shownPage === location.pathname;
    shownStage = stage;
    shownPage = location.pathname;
    if (samePage) box.scrollIntoView({block: 'nearest'});
  };
  // Next shows the next stage at once: the stepper draws it hidden (st-key-*_stage_ahead,
  // ui/stepper.py), and the run the click starts draws it again as the current stage. Until
  // then html[data-stage-ahead] (app.py's CSS) shows it in place of the current one, and the
  // stage's number and trail move on here. The run updates the boxes in page order: the box
  // of the stage left closes ("placed"), the current box gets the new stage, then the hidden
  // one the stage after it: at that change (or at the run's end) the current box is whole.
  const root = doc.documentElement;
  const APP = '[data-testid="stApp"]';
  let leaving = null;   // what Next left, until the run has drawn the new stage
  const showAhead = prefix => {
    if (root.hasAttribute('data-stage-ahead')) return;
    const current = doc.querySelector(`.st-key-${prefix}_current`);
    const ahead = doc.querySelector(`.st-key-${prefix}_stage_ahead h3`);
    if (!current || !ahead) return;
    const trail = doc.querySelector('p.trail'), number = doc.querySelector('.stage-no');
    leaving = {prefix, ahead: ahead.textContent, ran: false, wrapper: current.parentElement,
               before: current.parentElement.previousElementSibling,
               trail: trail && [trail, trail.innerHTML],
               number: number && [number, number.textContent]};
    root.setAttribute('data-stage-ahead', '');
    if (number) number.textContent = String(Number(number.textContent) + 1);
    const steps = trail ? [...trail.querySelectorAll('.step')] : [];
    const k = steps.findIndex(el => el.classList.contains('now'));
    if (k >= 0 && steps[k + 1]) {
      steps[k].className = 'step done';
      steps[k].removeAttribute('aria-current');
      steps[k + 1].className = 'step now';
      steps[k + 1].setAttribute('aria-current', 'step');
    }
    leaving.set = [trail && trail.innerHTML, number && number.textContent];
    const shown = leaving;
    setTimeout(() => { if (leaving === shown) settle(true); }, 5000);  // no run came
    onChange();
  };
  const settle = (late = false) => {
    if (!leaving) return;
    const app = doc.querySelector(APP);
    const state = app && app.getAttribute('data-test-script-state');
    const ahead = doc.querySelector(`.st-key-${leaving.prefix}_stage_ahead h3`);
    if (late || !ahead || ahead.textContent !== leaving.ahead ||
        (leaving.ran && state === 'notRunning')) {
      if (late) {   // no run came: the stage's number and trail as they were
        const [trail, number] = leaving.set;
        if (leaving.trail && leaving.trail[0].innerHTML === trail)
          leaving.trail[0].innerHTML = leaving.trail[1];
        if (leaving.number && leaving.number[0].textContent === number)
          leaving.number[0].textContent = leaving.number[1];
      }
      leaving = null;
      root.removeAttribute('data-stage-ahead');
    } else if (leaving.wrapper.previousElementSibling !== leaving.before) {
      root.setAttribute('data-stage-ahead', 'placed');
    }
  };
  const nextOf = el => {      // the lesson prefix when `el` is in its Next button
    const box = el && el.closest && el.closest('button') && el.closest('[class*="st-key-"]');
    const key = box && [...box.classList].find(c => c.startsWith('st-key-') && c.endsWith('_next'));
    return key && key.slice(7, -5);
  };
  doc.addEventListener('click', e => {
    const prefix = nextOf(e.target);
    if (prefix) showAhead(prefix);
  }, true);
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
  // settle before the browser paints: the run's stage replaces the one shown ahead unseen
  new MutationObserver(records => {
    if (leaving && records.some(r => r.attributeName === 'data-test-script-state'))
      leaving.ran = true;
    settle();
    onChange();
  }).observe(doc.body, {childList: true, subtree: true, characterData: true,
                        attributes: true, attributeFilter: ['data-test-script-state']});
  window.addEventListener('resize', onChange);
  doc.addEventListener('keydown', e => {
    const t = e.target;
    if (typing(t) || e.altKey || e.ctrlKey || e.metaKey) return;
    const onInput = t && t.tagName === 'INPUT';      // a toggle or checkbox
    let which = null;
    if (e.key === 'ArrowRight' && !onInput) {
      // Streamlit's own shortcut clicks Next; the next stage shows before its run starts
      const next = keyBox('next'), button = next && next.querySelector('button');
      if (button && !button.disabled) showAhead(nextOf(button));
    }
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
