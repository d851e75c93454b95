"""Keys for a presentation clicker and the keyboard: PageDown / Space = Next, PageUp = Prev,
and → / ← also while a toggle or checkbox has focus (Streamlit's own button shortcuts skip
every focused input, so → did nothing right after switching presenter mode on).

One listener on the app's document, installed once from a zero-height component; it clicks
the lesson's own Next / Prev buttons, so every key goes through the same callback as a click.
"""
import streamlit as st

_SCRIPT = """<script>
const doc = window.parent.document;
if (!doc.__stepThroughKeys) {
  doc.__stepThroughKeys = true;
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
  // A formula wider than its column scrolls: let the keyboard reach it, and name it.
  const reachable = () => doc.querySelectorAll('.katex-display, [data-testid="stLatex"]')
    .forEach(el => {
      const scrolls = ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
      if ((scrolls || el.scrollWidth > el.clientWidth + 1) && !el.hasAttribute('tabindex')) {
        el.setAttribute('tabindex', '0');
        el.setAttribute('role', 'math');
        el.setAttribute('aria-label', 'formula (scrolls sideways)');
      }
    });
  new MutationObserver(() => requestAnimationFrame(reachable))
    .observe(doc.body, {childList: true, subtree: true});
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
</script>"""


_SCROLL = """<script>/* stage %s */
const box = window.parent.document.querySelector('.st-key-%s');
if (box) box.scrollIntoView({block: 'nearest'});
</script>"""


def install(current_key, stage):
    """Add the key listener to the page (once per browser tab; cheap to call every run), and
    keep the current stage's box in view when the stage changes."""
    st.iframe(_SCRIPT + _SCROLL % (stage, current_key), height=1)
