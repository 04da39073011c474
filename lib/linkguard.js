// A page link clicked while a text box (the search, the typed dates) holds typed text not yet
// applied: leaving the box sends its value and the click sends the page change in the same
// instant, and Streamlit then runs neither (the click is lost, and a typed date with it).
// Here such a click waits until the box's own rerun has gone out, then goes on.
const LINKS = '[data-testid="stSidebarNav"] a, a[data-testid="stPageLink-NavLink"]';
const START_MS = 1000; // the box's rerun not begun by then (its value had not changed): the click goes on
const GIVE_UP_MS = 5000; // a rerun still running by then: the click goes on anyway
const SETTLE_MS = 250; // after the box's run, before the click: sooner, the page change carried the old date

const BOXES =
  '[data-testid="stTextInput"], [data-testid="stDateInput"], [data-testid="stNumberInput"], [data-testid="stTextArea"]';

export default function () {
  if (window.__sitrepLinkGuard) return; // once per page load: the listeners are the document's
  window.__sitrepLinkGuard = true;
  let typedIn = null; // the box (a widget's container) with typed, unapplied text
  let leftAt = -Infinity; // when such a box last lost the focus (its value then goes out)
  // the app's run state, as Streamlit marks it on its root (its status widget is hidden by the
  // minimal toolbar): the click waits for the box's rerun to begin and then to end
  const running = () => {
    const app = document.querySelector("[data-test-script-state]");
    return app ? app.getAttribute("data-test-script-state") === "running" : false;
  };
  let runStartedAt = -Infinity; // a run can be shorter than a poll: its start and end are watched
  let runEndedAt = -Infinity;
  new MutationObserver(() => {
    if (running()) runStartedAt = performance.now();
    else runEndedAt = performance.now();
  }).observe(document.documentElement, { attributes: true, subtree: true, attributeFilter: ["data-test-script-state"] });
  const boxOf = (node) => (node instanceof Element ? node.closest(BOXES) : null);
  document.addEventListener(
    "keydown",
    (ev) => {
      const box = boxOf(ev.target);
      if (!box) return;
      // Enter applies a text box's value; the date box takes its value only when the focus leaves it
      if (ev.key === "Enter" && !box.matches('[data-testid="stDateInput"]')) typedIn = null;
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
      // the box's rerun draws the page's links again, their addresses with its value: the click
      // goes to the link drawn now at the same place (the sidebar's, or the page's, to the same page)
      const kind = link.closest('[data-testid="stSidebarNav"]') ? "nav" : "page";
      const path = new URL(link.href, location.href).pathname;
      const current = () =>
        Array.from(document.querySelectorAll(LINKS)).find(
          (a) =>
            (a.closest('[data-testid="stSidebarNav"]') ? "nav" : "page") === kind &&
            new URL(a.href, location.href).pathname === path,
        ) || link;
      const go = () => {
        const now = performance.now();
        // wait while a run goes on, and for the box's own run to begin (none, if its value had not changed)
        const waiting =
          running() || (runStartedAt < leftAt && now - leftAt < START_MS) || now - runEndedAt < SETTLE_MS;
        if (now - clicked < GIVE_UP_MS && waiting) {
          setTimeout(go, 25);
          return;
        }
        leftAt = -Infinity;
        const target = current();
        target.__sitrepReplay = true;
        try {
          target.click();
        } finally {
          target.__sitrepReplay = false;
        }
      };
      setTimeout(go, 25);
    },
    true,
  );

  // The page's sentence ("…: 12 events"), said to a screen reader when a filter changes it
  // (WCAG 4.1.3): focus stays in the filter, and the caption under the title changed in silence.
  // React redraws that caption, so a live region of its own, outside the page, repeats it; not
  // on the first load, whose title and sentence are read anyway. It sits in a closed shadow
  // root: a screen reader reads it, and a search of the page's text (a browser's, a test's)
  // finds the sentence once, not twice.
  const host = document.createElement("div");
  host.id = "sitrep-live";
  host.style.cssText =
    "position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap";
  const live = document.createElement("div");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  host.attachShadow({ mode: "closed" }).appendChild(live);
  document.body.appendChild(host);
  const sentence = () => {
    const title = document.querySelector('[data-testid="stMain"] h1');
    const block = title && title.closest('[data-testid="stElementContainer"]');
    const below = block && block.nextElementSibling;
    const caption = below && below.querySelector("[data-testid='stCaptionContainer']");
    return caption ? caption.innerText.trim() : "";
  };
  let said = null; // what the page said last (null: not yet read)
  let pending = 0;
  const check = () => {
    pending = 0;
    if (running()) {
      pending = setTimeout(check, 300); // the run's new sentence is not all there yet
      return;
    }
    const now = sentence();
    if (!now || now === said) return;
    if (said !== null) live.textContent = now;
    said = now;
  };
  new MutationObserver((changes) => {
    if (pending || changes.every((c) => host.contains(c.target))) return;
    pending = setTimeout(check, 300);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}
