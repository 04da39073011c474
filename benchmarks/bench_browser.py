"""In headless chromium: time to open a shared Map link, time from moving the date slider to the map
redrawn, and the memory of the app process — for Sitrep and the naive baseline, beside each other.

Per size it serves the synthetic dataset (benchmarks/generate.py) with a real ``streamlit run``
on 127.0.0.1 and drives Debian's chromium with Playwright:

- open: from ``page.goto`` of ``/?dataset=synthetic-N`` to the map drawn (MapLibre has loaded
  every source and is still);
- slider: key presses on the range's start thumb, timed in the page: to the new figure
  computed by Plotly (and the page sentence changed), and to the new map drawn. First
  up to 9 steps of PageUp (the start a tenth of the range later: a state never seen, so no
  cache helps), then ``--moves`` presses alternating End / Home (narrow to the last day / widen to
  everything: two states, which Sitrep's map cache holds after their first visit); medians
  per kind, and the first narrow on its own (not cached yet);
- memory: RSS of the server process after the first load, after ``--changes`` filter
  changes (Sitrep only; the naive app gets ``--moves``), and per extra browser session.

The naive baseline (benchmarks/naive_app.py: pandas + px.scatter_map with hover data) runs
the same steps, at the sizes given by ``--naive-sizes``.

    python -m benchmarks.bench_browser --sizes 1000 10000 100000 200000 1000000 5000000 \
        --naive-sizes 1000 200000 --moves 10 --changes 200 --sessions 3
    python -m benchmarks.bench_browser --sizes 1000000 5000000 --changes 200 --memory-curve
    python -m benchmarks.bench_browser --floor --moves 20
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

from benchmarks.generate import ensure_dataset
from lib import store
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port

# The map subplot's MapLibre map, when there is one.
MAP_JS = """(gd) => gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
  && gd._fullLayout.map._subplot.map"""
# Drawn: MapLibre has loaded the style and every source, including the new points, and is still.
DRAWN_JS = f"""() => {{ const gd = document.querySelector('.js-plotly-plot'); const m = ({MAP_JS})(gd);
  return !!(gd && gd._fullData && m && m.loaded() && !m.isMoving()
            && !document.querySelector('[data-testid=stStatusWidget]')); }}"""
READY_JS = """() => { const gd = document.querySelector('.js-plotly-plot');
  return !!(gd && gd._fullData && !document.querySelector('[data-testid=stStatusWidget]')); }"""
# the page sentence ("…: 1,234 events", and what follows it: the spans its start cuts off) or the
# naive app's caption ("1,234 events")
SENTENCE_JS = """() => (Array.from(document.querySelectorAll("[data-testid='stCaptionContainer']"))
  .map(e => e.innerText).find(t => /(^|: )[\\d,]+ events?(\\. .*)?$/.test(t)) || '')"""
# Timed in the page, so Playwright's polling adds nothing. A key press on the slider starts the
# clock. "computed": the first animation frame where the page sentence has changed and Plotly has
# computed the new figure (Streamlit replaces the chart element; its _fullData is the new
# figure's). "drawn": the first frame after that where MapLibre has loaded every source, the new
# points included, and is not moving (the map is on screen).
TIMER_JS = f"""() => {{
  window.__timer = {{start: null, computed: null, drawn: null}};
  document.addEventListener('keydown', () => {{
    if (window.__timer.start === null) window.__timer.start = performance.now();
  }}, true);
  const tick = () => {{
    const t = window.__timer;
    if (t.start !== null && t.drawn === null) {{
      const gd = document.querySelector('.js-plotly-plot');
      if (t.computed === null) {{
        if (gd && gd._fullData && gd._fullData !== t.fd && ({SENTENCE_JS})() !== t.sentence)
          t.computed = performance.now();
      }} else {{
        const m = ({MAP_JS})(gd);
        if (m && m.loaded() && !m.isMoving()) t.drawn = performance.now();
      }}
    }}
    requestAnimationFrame(tick);
  }};
  requestAnimationFrame(tick);
}}"""
ARM_JS = f"""() => {{ window.__timer = {{start: null, computed: null, drawn: null,
  fd: (document.querySelector('.js-plotly-plot') || {{}})._fullData, sentence: ({SENTENCE_JS})()}}; }}"""
ELAPSED_JS = """() => { const t = window.__timer;
  return t.drawn !== null && [(t.computed - t.start) / 1000, (t.drawn - t.start) / 1000]; }"""


@contextlib.contextmanager
def serve(script: str, env: dict[str, str]):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        import urllib.request

        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", psutil.Process(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def rss_mb(process: psutil.Process) -> float:
    return process.memory_info().rss / 1e6


def open_map(browser, url: str) -> tuple[float, object, object]:
    """Seconds from ``page.goto`` to the map drawn, and the page and its context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.add_init_script(f"({TIMER_JS})()")
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(DRAWN_JS, timeout=600_000, polling=50)
    return time.perf_counter() - started, page, context


def press(page, key: str) -> None:
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input").first
    thumb.focus()
    page.keyboard.press(key)


def move(page, key: str) -> tuple[float, float]:
    """Press ``key`` on the slider's start thumb: seconds, timed in the page, until the new map is
    computed and until it is drawn (see TIMER_JS).

    Waits for the previous change to settle first (map drawn, then a second), so a late delta or
    redraw of the previous change is neither taken for this one's nor delays it.
    """
    page.wait_for_function(DRAWN_JS, timeout=600_000, polling=100)
    page.wait_for_timeout(1000)
    page.wait_for_function(DRAWN_JS, timeout=600_000, polling=100)
    page.evaluate(ARM_JS)
    press(page, key)
    computed, drawn = page.wait_for_function(ELAPSED_JS, timeout=600_000, polling=50).json_value()
    return computed, drawn


def measure(browser, url: str, process: psutil.Process, moves: int, changes: int, sessions: int) -> dict:
    out: dict = {}
    out["open"], page, context = open_map(browser, url)
    out["open2"], page2, context2 = open_map(browser, url)  # warm: the link opened again
    context2.close()
    out["rss_loaded"] = rss_mb(process)
    # Steps first: each PageUp moves the start a tenth of the range later, a filter state no one
    # has asked for yet, so nothing comes from a cache (at most 9: the tenth would reach the end).
    # Then narrow / widen alternate between two states, which Sitrep's map cache holds after
    # their first visit (the default view since the open).
    steps = [move(page, "PageUp") for _ in range(min(moves, 9))]
    keys = ["End" if i % 2 == 0 else "Home" for i in range(moves)]
    times = [move(page, key) for key in keys]
    out["narrow_first"] = times[0]
    for label, index in (("computed", 0), ("drawn", 1)):
        out[f"step_{label}"] = statistics.median(t[index] for t in steps)
        for direction, key in (("narrow", "End"), ("widen", "Home")):
            out[f"{direction}_{label}"] = statistics.median(
                t[index] for t, k in zip(times, keys, strict=True) if k == key
            )
    for i in range(max(0, changes - moves)):  # untimed: for the memory reading only
        change(page, i)
    page.wait_for_function(DRAWN_JS, timeout=600_000, polling=100)
    out["rss_after_changes"] = rss_mb(process)
    extra = []
    for _ in range(sessions):
        _, other, other_context = open_map(browser, url)
        extra.append(other_context)
    out["rss_per_session"] = (rss_mb(process) - out["rss_after_changes"]) / max(1, sessions)
    for other_context in extra:
        other_context.close()
    context.close()
    return out


def change(page, i: int) -> None:
    """One untimed filter change, waited for: the start one day later (ArrowRight), so each is a
    state not seen before and every change misses the map cache, as a memory reading needs."""
    page.wait_for_function(READY_JS, timeout=600_000, polling=50)
    before = page.evaluate(SENTENCE_JS)
    press(page, "ArrowRight")
    page.wait_for_function(f"() => ({SENTENCE_JS})() !== {json.dumps(before)}", timeout=600_000, polling=50)


# The floor app: from a key press to the first animation frame with the caption changed.
FLOOR_ARM_JS = f"""() => {{
  const t = window.__floor = {{start: null, done: null, before: ({SENTENCE_JS})()}};
  document.addEventListener('keydown', () => {{ if (t.start === null) t.start = performance.now(); }},
                            {{capture: true, once: true}});
  const tick = () => {{
    if (t.start !== null && ({SENTENCE_JS})() !== t.before) {{ t.done = performance.now(); return; }}
    requestAnimationFrame(tick);
  }};
  requestAnimationFrame(tick);
}}"""


def floor(browser, moves: int) -> None:
    """What a Streamlit rerun costs here: benchmarks/floor_app.py, a slider and a caption; once with
    Streamlit's defaults, once with the garbage collector frozen after the first run, as Sitrep
    does (see floor_app.py). The second is the floor under Sitrep's own reruns."""
    for label, env in (("Streamlit's defaults", {}), ("GC frozen, as Sitrep", {"FLOOR_FREEZE": "1"})):
        with serve("benchmarks/floor_app.py", env) as (url, _):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(url)
            page.wait_for_function(f"() => ({SENTENCE_JS})() !== ''", timeout=60_000)
            times = []
            for i in range(moves):
                page.wait_for_timeout(1000)
                page.evaluate(FLOOR_ARM_JS)
                press(page, "End" if i % 2 == 0 else "Home")
                page.wait_for_function("() => window.__floor.done !== null", timeout=60_000, polling=50)
                times.append(page.evaluate("() => (window.__floor.done - window.__floor.start) / 1000"))
            context.close()
        print(f"floor app (slider + caption), {label}: key press → caption changed, median of {moves}: "
              f"{statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f})", flush=True)  # fmt: skip


def memory_curve(sizes: list[int], catalog: Path, changes: int) -> None:
    """The app server's RSS after opening the Map, then after every 20 filter changes."""
    print("| events | server RSS (MB): loaded, then after every 20 filter changes |\n|---:|---|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in sizes:
            name, _ = ensure_dataset(size, catalog)
            with serve("dashboard.py", {"SITREP_STORE": str(catalog)}) as (url, process):
                _, page, context = open_map(browser, f"{url}/?dataset={name}")
                curve = [rss_mb(process)]
                for i in range(changes):
                    change(page, i)
                    if i % 20 == 19:
                        page.wait_for_function(DRAWN_JS, timeout=600_000, polling=50)
                        curve.append(rss_mb(process))
                context.close()
            print(f"| {size:,} | {', '.join(f'{mb:.0f}' for mb in curve)} |", flush=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 200_000, 1_000_000])
    parser.add_argument("--naive-sizes", type=int, nargs="*", default=[1_000, 200_000])
    parser.add_argument("--store", type=Path, default=Path("benchmarks/data/catalog.json"))
    parser.add_argument("--moves", type=int, default=6, help="slider moves timed per size")
    parser.add_argument("--changes", type=int, default=6, help="filter changes before the memory reading")
    parser.add_argument("--sessions", type=int, default=3, help="extra browser sessions for the per-session memory")
    parser.add_argument("--floor", action="store_true",
                        help="only the floor: benchmarks/floor_app.py, a slider and a caption "
                             "(Streamlit's defaults, then GC frozen)")  # fmt: skip
    parser.add_argument("--memory-curve", action="store_true",
                        help="only the server's RSS every 20 of --changes filter changes, per Sitrep size")  # fmt: skip
    args = parser.parse_args()
    catalog = args.store.resolve()
    if args.floor:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            floor(browser, max(args.moves, 20))
            browser.close()
        return
    if args.memory_curve:
        memory_curve(args.sizes, catalog, args.changes)
        return
    print(f"# bench_browser — {time.strftime('%Y-%m-%d %H:%M')}, {psutil.cpu_count()} cores, headless chromium; "
          "SYNTHETIC data")  # fmt: skip
    print("| app | events | open a link → map drawn (s) | open it again (s) "
          "| step the start a tenth later: computed / drawn (s) "
          "| narrow to the last day: computed / drawn (s) | widen to all: computed / drawn (s) "
          "| first narrow (s) | RSS loaded (MB) | RSS after changes (MB) | MB per extra session |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results: dict[tuple[str, int], dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in sorted(set(args.sizes) | set(args.naive_sizes)):
            name, _ = ensure_dataset(size, catalog)
            runs = []
            if size in args.sizes:
                runs.append(("Sitrep", "dashboard.py", {"SITREP_STORE": str(catalog)}, f"/?dataset={name}"))
            if size in args.naive_sizes:
                parquet = catalog.parent / store.Catalog(catalog).read()["datasets"][name]["file"]
                runs.append(("naive", "benchmarks/naive_app.py", {"NAIVE_PARQUET": str(parquet)}, "/"))
            for label, script, env, path in runs:
                with serve(script, env) as (url, process):
                    changes = args.changes if label == "Sitrep" else args.moves  # the naive app is too slow for 200
                    r = measure(browser, url + path, process, args.moves, changes, args.sessions)
                results[label, size] = r
                print(
                    f"| {label} | {size:,} | {r['open']:.2f} | {r['open2']:.2f} | "
                    f"{r['step_computed']:.2f} / {r['step_drawn']:.2f} | "
                    f"{r['narrow_computed']:.2f} / {r['narrow_drawn']:.2f} | "
                    f"{r['widen_computed']:.2f} / {r['widen_drawn']:.2f} | "
                    f"{r['narrow_first'][0]:.2f} / {r['narrow_first'][1]:.2f} | "
                    f"{r['rss_loaded']:.0f} | {r['rss_after_changes']:.0f} | {r['rss_per_session']:.1f} |",
                    flush=True,
                )  # fmt: skip
            if ("Sitrep", size) in results and ("naive", size) in results:
                ours, naive = results["Sitrep", size], results["naive", size]
                r = {key: naive[key] / ours[key] for key in ours if key.endswith(("_computed", "_drawn"))}
                first = [naive["narrow_first"][i] / ours["narrow_first"][i] for i in (0, 1)]
                print(f"| naive ÷ Sitrep | {size:,} | {naive['open'] / ours['open']:.1f}× | "
                      f"{naive['open2'] / ours['open2']:.1f}× | {r['step_computed']:.0f}× / {r['step_drawn']:.0f}× | "
                      f"{r['narrow_computed']:.0f}× / {r['narrow_drawn']:.0f}× | "
                      f"{r['widen_computed']:.0f}× / {r['widen_drawn']:.0f}× | "
                      f"{first[0]:.0f}× / {first[1]:.0f}× | | | |",
                      flush=True)  # fmt: skip
        browser.close()


if __name__ == "__main__":
    main()
