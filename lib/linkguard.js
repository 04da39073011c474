// A page link clicked while a text box (the search, the typed dates) holds typed text not yet
// applied: leaving the box sends its value and the click sends the page change in the same
// instant, and Streamlit then runs neither (the click is lost, and a typed date with it).
// Here such a click waits until the box's own rerun has gone out, then goes on.
const LINKS = '[data-testid="stSidebarNav"] a, a[data-testid="stPageLink-NavLink"]';
const SETTLE_MS = 150; // after the box's value went out, before the page change follows it
const GIVE_UP_MS = 3000; // a rerun still running by then: the click goes on anyway

const BOXES =
  '[data-testid="stTextInput"], [data-testid="stDateInput"], [data-testid="stNumberInput"], [data-testid="stTextArea"]';

export default function () {
  if (window.__sitrepLinkGuard) return; // once per page load: the listeners are the document's
  window.__sitrepLinkGuard = true;
  let typedIn = null; // the box (a widget's container) with typed, unapplied text
  let leftAt = -Infinity; // when such a box last lost the focus (its value then goes out)
  const running = () => document.querySelector('[data-testid="stStatusWidget"]') !== null;
  const boxOf = (node) => (node instanceof Element ? node.closest(BOXES) : null);
  document.addEventListener(
    "keydown",
    (ev) => {
      const box = boxOf(ev.target);
      if (!box) return;
      if (ev.key === "Enter") typedIn = null; // applied by Enter
      else if (ev.key.length === 1 || ev.key === "Backspace" || ev.key === "Delete") typedIn = box;
    },
    true,
  );
  document.addEventListener(
    "input",
    (ev) => {
      const box = boxOf(ev.target);
      if (box) typedIn = box; // pasted or dropped text too
    },
    true,
  );
  document.addEventListener(
    "focusout",
    (ev) => {
      // the date box's year, month and day are fields of one box: moving between them is not leaving it
      if (typedIn && boxOf(ev.target) === typedIn && boxOf(ev.relatedTarget) !== typedIn) {
        typedIn = null;
        leftAt = performance.now();
      }
    },
    true,
  );
  document.addEventListener(
    "click",
    (ev) => {
      const link = ev.target instanceof Element ? ev.target.closest(LINKS) : null;
      if (!link || link.__sitrepReplay || performance.now() - leftAt > GIVE_UP_MS) return;
      ev.preventDefault();
      ev.stopImmediatePropagation();
      const clicked = performance.now();
      const go = () => {
        const now = performance.now();
        if (now - clicked < GIVE_UP_MS && (now - leftAt < SETTLE_MS || running())) {
          setTimeout(go, 50);
          return;
        }
        leftAt = -Infinity;
        link.__sitrepReplay = true;
        try {
          link.click();
        } finally {
          link.__sitrepReplay = false;
        }
      };
      setTimeout(go, 50);
    },
    true,
  );
}
