// Sitrep's map: one Plotly map that lives across reruns (see lib/mapchart.py).
//
// Each rerun brings a new figure; Plotly.react updates the same map with it, so the
// MapLibre map is made once and the redraw is quick. Once the user has panned or zoomed,
// their view stays put across filter changes (see the default export). Clicks and box/lasso selections go back to Python as the trigger
// value "select": {points: [{lat, lon, customdata}, ...]}, a box reduced to its corners.

const loading = {};

function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading[url]) {
    loading[url] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () => (window.Plotly ? resolve(window.Plotly) : reject(new Error("no Plotly")));
      script.onerror = () => {
        delete loading[url];
        reject(new Error("could not load " + url));
      };
      document.head.appendChild(script);
    });
  }
  return loading[url];
}

function decode(data) {
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) {
    return JSON.parse(new TextDecoder().decode(data));
  }
  return typeof data === "string" ? JSON.parse(data) : data;
}

function point(p) {
  const out = { lat: p.lat, lon: p.lon };
  if (p.customdata !== undefined) out.customdata = p.customdata;
  return out;
}

// One point as it is; several as the two corners of the box around them, which is all the
// server uses (lib/views.selection_to_state), so a large selection stays a small message.
// Dots on both sides of the antimeridian (179.9 and -179.9) are taken the shorter way round:
// the east corner then runs past 180, as the map's own box corners do there.
function reduce(points) {
  if (points.length === 1) return [point(points[0])];
  let lat0 = Infinity, lat1 = -Infinity, lon0 = Infinity, lon1 = -Infinity, east0 = Infinity, east1 = -Infinity;
  for (const p of points) {
    const shifted = p.lon < 0 ? p.lon + 360 : p.lon;
    lat0 = Math.min(lat0, p.lat); lat1 = Math.max(lat1, p.lat);
    lon0 = Math.min(lon0, p.lon); lon1 = Math.max(lon1, p.lon);
    east0 = Math.min(east0, shifted); east1 = Math.max(east1, shifted);
  }
  if (east1 - east0 < lon1 - lon0) [lon0, lon1] = [east0, east1];
  return [{ lat: lat0, lon: lon0 }, { lat: lat1, lon: lon1 }];
}

// The centre and zoom that fit [west, south, east, north] in a width × height map (Web
// Mercator, 512 px tiles, as MapLibre draws it), with a margin: the figure's own framing
// assumes a ~900 px wide map, and on a narrower one it left events outside the view.
function frame([west, south, east, north], width, height) {
  const margin = 48; // px: the largest dots and cells are 40 px across, and a dot on the edge was cut in half
  const y = (lat) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  const zoomX = Math.log2(((width - 2 * margin) * 360) / (512 * Math.max(east - west, 1e-6)));
  const zoomY = Math.log2(((height - 2 * margin) * 2 * Math.PI) / (512 * Math.max(y(north) - y(south), 1e-6)));
  const middle = (y(north) + y(south)) / 2;
  return {
    // an extent across the antimeridian has its east past 180 (lib/figures.frame_bounds)
    center: { lon: ((((west + east) / 2 + 180) % 360) + 360) % 360 - 180, lat: (Math.atan(Math.sinh(middle)) * 180) / Math.PI },
    zoom: Math.max(0, Math.min(11, zoomX, zoomY)),
  };
}

function near(a, b) {
  return a && b && Math.abs(a.zoom - b.zoom) < 1e-3 && Math.abs(a.center.lon - b.center.lon) < 1e-6 &&
    Math.abs(a.center.lat - b.center.lat) < 1e-6;
}

function bind(root) {
  if (root.__sitrepBound) return;
  root.__sitrepBound = true;
  // the user panned or zoomed (Plotly reports it as a relayout of the map's view)
  // ("Reset view" in the toolbar goes back to the framing, and so to framing each new view)
  root.on("plotly_relayout", (ev) => {
    if (ev && Object.keys(ev).some((k) => /^map\.(center|zoom|bearing|pitch)/.test(k))) {
      const view = root.layout && root.layout.map;
      root.__sitrepMoved = !near(view && { center: view.center, zoom: view.zoom }, root.__sitrepFramed);
    }
  });
  const send = (points) => {
    if (!points || !points.length || !root.__sitrep) return;
    root.__sitrep.setTriggerValue("select", { points: reduce(points) });
  };
  root.on("plotly_click", (ev) => send(ev && ev.points ? ev.points.slice(0, 1) : []));
  // a click also selects (clickmode "event+select"); only box and lasso are sent from here
  root.on("plotly_selected", (ev) => {
    if (!ev || !(ev.range || ev.lassoPoints)) return;
    if (ev.points && ev.points.length) {
      note(root, "");
      // A box narrows to the box drawn, not to the dots inside it: with wider dates later, the
      // events in the drawn box count too. A lasso (no box) narrows to the box around its dots.
      const drawn = ev.range && (ev.range.map || Object.values(ev.range)[0]);
      send(drawn && drawn.length === 2 ? drawn.map(([lon, lat]) => ({ lat, lon })) : ev.points);
      return;
    }
    // A box or lasso around no dot: Plotly would leave it drawn and every dot dimmed, as if
    // something were selected. Nothing is narrowed, so say so and take the selection away.
    clearSelection(root);
    note(root, "No event inside the area you drew, so nothing was narrowed. Draw it around some dots.");
  });
}

// Narrow: the map spans the window (a phone, or columns stacked below 640 px), so the details
// sit below it, and a map that takes every scroll or one-finger drag traps the page.
function narrow(root) {
  return window.innerWidth < 640 || root.getBoundingClientRect().width >= 0.85 * window.innerWidth;
}

// Cooperative gestures on a narrow map or a touch screen: the page scrolls, and the map zooms
// with Ctrl + wheel or pans with two fingers (MapLibre says so on the map).
function gestures(root) {
  const map = mapOf(root);
  if (!map || !map.cooperativeGestures) return;
  const coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  if (narrow(root) || coarse) map.cooperativeGestures.enable();
  else map.cooperativeGestures.disable();
}

// When the selected event changes (a click on the map, "Answered by" or another event at the
// spot in the details), or the map opens with one chosen, bring the top of its details into
// view if it is not: below a narrow map they open out of sight, and after a button far down a
// long card the page stays there.
// Streamlit draws the details after the map, so they are looked for a moment.
function selectedKey(figure) {
  return (figure.layout && figure.layout.meta && figure.layout.meta.event) || "";
}

function showCard(root, figure) {
  const key = selectedKey(figure);
  // also on the map's first figure: a shared link with event=, or an event opened from the
  // Timeline or Events, lands here with the details below a narrow map and out of sight
  const changed = key !== root.__sitrepSelected;
  const closed = changed && !key && root.__sitrepSelected;
  root.__sitrepSelected = key;
  if (closed) {
    // "Close details" took its button, and the focus with it, off the page: keyboard users go
    // on from the map, not from the top of the page
    const focus = document.activeElement;
    const map = mapOf(root);
    if (map && (!focus || focus === document.body)) map.getCanvas().focus({ preventScroll: true });
    return;
  }
  if (!changed || !key) return;
  const started = Date.now();
  const look = () => {
    const close = Array.from(document.querySelectorAll("button")).find((b) => /Close details/.test(b.innerText));
    if (!close) {
      if (Date.now() - started < 5000) setTimeout(look, 100);
      return;
    }
    // Below Streamlit's fixed header, not under it (at the very top, "Close details" was hidden)
    const header = document.querySelector("header[data-testid='stHeader']");
    const offset = (header ? header.getBoundingClientRect().bottom : 0) + 8;
    const top = close.getBoundingClientRect().top;
    if (top < offset || top > window.innerHeight - 80) {
      close.style.scrollMarginTop = `${offset}px`;
      close.scrollIntoView({ block: "start" });
    }
    // Keyboard and screen-reader users land on the event's title (an event opened from the
    // Events table left the focus on the page's body, ten Tabs away from the details), unless
    // they are already in another control (a list just opened would close under them)
    const card = close.closest("[data-testid='stVerticalBlock']");
    const title = card && card.querySelector("h1, h2, h3");
    const focus = document.activeElement;
    if (title && (!focus || focus === document.body || root.contains(focus))) {
      title.tabIndex = -1;
      title.focus({ preventScroll: true });
    }
  };
  look();
}

// Country names over the borders, for a map with no tiles (tiles bear their own names).
// MapLibre draws text only from glyph files it fetches by URL, which a server without
// internet lacks; so the names are HTML laid over the map, placed at each move. They are
// data/basemap/labels.json, served beside the outlines: [name, lon, lat, minzoom], one per
// country shown from a zoom by its size, then more over each country from zoom 6 (so a name is
// in view when zoomed in); never catching the mouse.
const labelFiles = {};

function loadLabels(url) {
  if (!labelFiles[url]) {
    labelFiles[url] = fetch(url)
      .then((response) => (response.ok ? response.json() : []))
      .catch(() => []);
  }
  return labelFiles[url];
}

function drawLabels(root, bordersUrl) {
  const map = mapOf(root);
  if (!map) return;
  const box = map.getContainer();
  let layer = box.querySelector(".sitrep-labels");
  if (!bordersUrl) {
    if (layer) layer.style.display = "none";
    return;
  }
  if (!layer) {
    layer = document.createElement("div");
    layer.className = "sitrep-labels";
    layer.setAttribute("aria-hidden", "true"); // part of the picture: read aloud, a stray list of names
    layer.style.cssText = "position:absolute;inset:0;overflow:hidden;pointer-events:none;z-index:1";
    box.appendChild(layer);
  }
  layer.style.display = "";
  const url = new URL(bordersUrl, document.baseURI);
  url.pathname = url.pathname.replace(/[^/]*$/, "labels.json");
  loadLabels(url.href).then((labels) => {
    if (layer.__labels !== labels) {
      layer.__labels = labels;
      // A country's main place is its first entry in the file; the grid places after it show
      // from the same zoom, when the main place is out of view (Syria framed from its east).
      const mainZoom = new Map();
      layer.__main = labels.map(([name, , , minzoom]) => !mainZoom.has(name) && !!mainZoom.set(name, minzoom));
      layer.__minzoom = labels.map(([name, , , minzoom]) => Math.min(minzoom, mainZoom.get(name)));
      layer.textContent = "";
      layer.__spans = labels.map(([name]) => {
        const span = document.createElement("span");
        span.textContent = name;
        span.style.cssText =
          "position:absolute;left:0;top:0;white-space:nowrap;font:11px sans-serif;letter-spacing:0.04em;" +
          "color:#6e6e6e;text-shadow:0 0 2px #fff,0 0 2px #fff;display:none";
        layer.appendChild(span);
        return span;
      });
    }
    const place = () => {
      const zoom = map.getZoom();
      const width = box.clientWidth;
      const height = box.clientHeight;
      const b = map.getBounds(); // a cheap test first: most names are far outside the view
      const [west, east, south, north] = [b.getWest() - 2, b.getEast() + 2, b.getSouth() - 2, b.getNorth() + 2];
      // Where each name could go: in view, from its zoom, not cut by an edge (a name whose
      // middle is near an edge would be cut in half: it shows once further in).
      const spots = labels.map(([, lon, lat], i) => {
        // the view's longitudes run past ±180 when it is centred near the antimeridian
        const x = east - west >= 360 ? lon : [lon, lon + 360, lon - 360].find((v) => v >= west && v <= east);
        const near = lat >= south && lat <= north && x !== undefined;
        const p = near && zoom + 0.01 >= layer.__minzoom[i] ? map.project([x, lat]) : null;
        return p && p.x >= 30 && p.y >= 10 && p.x <= width - 30 && p.y <= height - 10 ? p : null;
      });
      // One name per country: its main place (the file's first entry for it) when in view, else
      // the grid place nearest the middle of the map (a country zoomed into still says its name,
      // but Iraq is not written nine times over Iraq).
      const chosen = new Map();
      labels.forEach(([name], i) => {
        const p = spots[i];
        if (!p) return;
        const best = chosen.get(name);
        const main = layer.__main[i];
        const distance = Math.hypot(p.x - width / 2, p.y - height / 2);
        if (main) chosen.set(name, { i, distance: -1 });
        else if (!best || (best.distance >= 0 && distance < best.distance)) chosen.set(name, { i, distance });
      });
      labels.forEach(([name], i) => {
        const span = layer.__spans[i];
        const best = chosen.get(name);
        if (!best || best.i !== i) {
          if (span.__shown) span.style.display = "none"; // only what changes is written to the page
          span.__shown = false;
          return;
        }
        const p = spots[i];
        if (!span.__shown) span.style.display = "";
        span.__shown = true;
        span.style.transform = `translate(${Math.round(p.x)}px, ${Math.round(p.y)}px) translate(-50%, -50%)`;
      });
    };
    if (!layer.__bound) {
      layer.__bound = true;
      map.on("move", () => layer.__place && layer.__place());
      map.on("resize", () => layer.__place && layer.__place());
    }
    layer.__place = place;
    place();
  });
}

// The key under the map, drawn here rather than by Plotly: Plotly's legend draws every map
// marker as a filled dot, while events whose number killed is unknown are rings on the map (a
// coloured dot with a white centre, marked meta "ring" by lib/figures.py). Built from the
// figure's legend traces; the map above keeps its height whatever the legend holds.

// A trace name as written for Plotly, which reads a few HTML tags (lib/figures.safe escapes
// them), back to its text: a textarea's value is text, never markup.
function decoded(text) {
  const area = document.createElement("textarea");
  area.innerHTML = text;
  return area.value;
}

// the cells' colour scale, light to dark: figures.CELL_SCALE (each stop 3:1 or more on white)
const CELL_SCALE = ["#e34a33", "#b30000", "#4d0000"];

function drawLegend(root, figure) {
  const legend = root.parentElement && root.parentElement.querySelector(".sitrep-map-legend");
  if (!legend) return;
  legend.textContent = "";
  // the outline of spots holding several events is drawn first (under the dots), named last
  const traces = [...(figure.data || [])].sort((a, b) => (a && a.meta === "stack") - (b && b.meta === "stack"));
  for (const trace of traces) {
    if (!trace || trace.showlegend === false || !trace.name) continue;
    const colour = trace.marker && typeof trace.marker.color === "string" ? trace.marker.color : "#999";
    const item = document.createElement("span");
    item.setAttribute("role", "listitem");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.setAttribute("aria-hidden", "true");
    if (trace.meta === "ring") {
      swatch.style.border = `3px solid ${colour}`;
      swatch.style.background = "#fff";
      swatch.dataset.ring = "1";
    } else if (trace.meta === "stack") {
      // several events at one spot: a dot with the dark outline the map draws under it
      swatch.style.border = `3px solid ${colour}`;
      swatch.style.background = "#bdbdbd";
      swatch.dataset.stack = "1";
    } else if (trace.marker && trace.marker.color != null && typeof trace.marker.color !== "string") {
      // cells coloured by the people killed: the colour bar's scale (CELL_SCALE), not a grey
      // that looked like the grey rings of cells whose number killed is unknown
      swatch.style.background = `linear-gradient(90deg, ${CELL_SCALE.join(", ")})`;
      swatch.dataset.scale = "1";
    } else {
      swatch.style.background = colour;
    }
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(decoded(trace.name)));
    legend.appendChild(item);
  }
}

// A passing remark under the map (not an error); the next figure or selection clears it.
function note(root, text) {
  const el = root.parentElement && root.parentElement.querySelector(".sitrep-map-note");
  if (el) el.textContent = text;
}

function clearSelection(root) {
  const Plotly = window.Plotly;
  if (!Plotly) return;
  Plotly.relayout(root, { selections: [] });
  Plotly.restyle(root, { selectedpoints: [null] });
}

// MapLibre eases paint changes over 300 ms (the style's "transition") and fades symbol
// placement over 300 ms after a zoom change (fadeDuration); it is not "loaded" until both end.
// Points that move or change colour need no easing, and this map has no text labels to fade,
// so both are set to 0 on the map itself (Plotly passes no map options). Set after every
// update, since a new style (say, tiles turned on) brings back its own transition.
function mapOf(root) {
  const sub = root._fullLayout && root._fullLayout.map && root._fullLayout.map._subplot;
  return sub && sub.map;
}

function noEasing(root) {
  const map = mapOf(root);
  if (!map) return;
  if (typeof map._fadeDuration === "number") map._fadeDuration = 0;
  if (map.style && map.style.stylesheet) map.style.stylesheet.transition = { duration: 0, delay: 0 };
}

// The country outlines (the layer named "sitrep-borders", lib/figures.py) are drawn by this
// component as a MapLibre source of its own rather than by Plotly. Plotly gives a GeoJSON
// source no options, so MapLibre cut the 1.7 MB of outlines into new tiles at every zoom
// change, ~0.2 s of each redraw that zooms; with "maxzoom: 6" it cuts them once, up to zoom
// 6, and enlarges those tiles beyond. Taken out of the figure before Plotly.react.
const BORDERS = "sitrep-borders";

function takeBorders(figure) {
  const layers = (figure.layout.map && figure.layout.map.layers) || [];
  const i = layers.findIndex((layer) => layer && layer.name === BORDERS);
  return i < 0 ? null : layers.splice(i, 1)[0];
}

function drawBorders(root, layer) {
  const map = mapOf(root);
  if (!map) return;
  if (!layer) {
    if (map.getLayer(BORDERS)) map.removeLayer(BORDERS);
    if (map.getSource(BORDERS)) map.removeSource(BORDERS);
    return;
  }
  if (!map.getSource(BORDERS)) {
    map.addSource(BORDERS, { type: "geojson", data: new URL(layer.source, document.baseURI).href, maxzoom: 6 });
  }
  if (!map.getLayer(BORDERS)) {
    const first = map.getStyle().layers.find((l) => l.id.startsWith("plotly-"));
    const paint = { "line-color": layer.color || "#888", "line-width": (layer.line && layer.line.width) || 1 };
    map.addLayer({ id: BORDERS, type: "line", source: BORDERS, paint }, first ? first.id : undefined);
  }
}

// The toolbar's camera. Plotly's own "Download plot as png" redraws the figure elsewhere,
// without what this component adds (the borders and country names, the key under the map),
// so it saved points on a blank square with no key. This one saves what the map shows, as
// drawn: the map (read in MapLibre's "render" event, while its drawing buffer still holds the
// frame), the country names, Plotly's own layers on top (the cells' colour bar), and around
// them the page's sentence, the key and the lines the page gives (sources, the link back).
const EXPORT_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

function wrap(ctx, text, width) {
  const lines = [];
  let line = "";
  for (const word of String(text).split(/\s+/)) {
    const next = line ? line + " " + word : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function svgImage(svg, defs) {
  const copy = svg.cloneNode(true);
  for (const hover of copy.querySelectorAll(".hoverlayer")) hover.remove();
  copy.style.background = "none";
  if (defs) copy.insertBefore(defs.cloneNode(true), copy.firstChild); // the colour bar's gradient
  const text = new XMLSerializer().serializeToString(copy);
  return new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => resolve(null); // the map without that layer, rather than no file
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  });
}

function grabMap(map) {
  return new Promise((resolve) => {
    map.once("render", () => {
      const source = map.getCanvas();
      const copy = document.createElement("canvas");
      copy.width = source.width;
      copy.height = source.height;
      copy.getContext("2d").drawImage(source, 0, 0);
      resolve(copy);
    });
    map.triggerRepaint();
  });
}

async function exportPng(root) {
  const map = mapOf(root);
  if (!map) return;
  const info = root.__sitrepExport || {};
  const box = map.getContainer();
  // the picture is the chart's box: the map, and beside it Plotly's colour bar for cells
  const rootBox = root.getBoundingClientRect();
  const mapBox = box.getBoundingClientRect();
  const width = Math.round(rootBox.width);
  const height = Math.round(rootBox.height);
  const shot = await grabMap(map);
  const scale = shot.width / box.clientWidth || 1;
  const overlays = await Promise.all(
    // the layer above the map (the first one is the page's white background, the last the hovers)
    [...root.querySelectorAll(".main-svg")]
      .filter((svg) => svg.querySelector(".infolayer"))
      .map((svg) => svgImage(svg, root.querySelector(".main-svg > defs")).then((image) => [svg, image])),
  );
  const pad = 16;
  const measure = document.createElement("canvas").getContext("2d");
  const titleFont = `600 16px ${EXPORT_FONT}`;
  const textFont = `12px ${EXPORT_FONT}`;
  measure.font = titleFont;
  const title = info.title ? wrap(measure, info.title, width - 2 * pad) : [];
  measure.font = textFont;
  const lines = (info.lines || []).flatMap((line) => wrap(measure, line, width - 2 * pad));
  // the key: the legend under the map, item by item, in rows
  const items = [...((root.parentElement && root.parentElement.querySelectorAll(".sitrep-map-legend > span")) || [])];
  const keyRows = [];
  let row = [];
  let x = pad;
  for (const item of items) {
    const swatch = item.querySelector(".swatch");
    const label = item.textContent;
    const w = 18 + measure.measureText(label).width + 18;
    if (row.length && x + w > width - pad) {
      keyRows.push(row);
      row = [];
      x = pad;
    }
    row.push({
      x,
      label,
      colour: swatch ? swatch.style.background : "",
      ring: swatch && swatch.dataset.ring,
      stack: swatch && swatch.dataset.stack,
      scale: swatch && swatch.dataset.scale,
      border: swatch ? swatch.style.borderColor : "",
    });
    x += w;
  }
  if (row.length) keyRows.push(row);
  const top = pad + title.length * 22 + (title.length ? 8 : 0);
  const below = top + height + 10;
  const total = below + keyRows.length * 20 + (keyRows.length ? 6 : 0) + lines.length * 17 + pad;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(total * scale);
  const ctx = canvas.getContext("2d");
  ctx.scale(scale, scale);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, total);
  ctx.fillStyle = "#111";
  ctx.textBaseline = "top";
  ctx.font = titleFont;
  title.forEach((line, i) => ctx.fillText(line, pad, pad + i * 22));
  ctx.drawImage(shot, mapBox.left - rootBox.left, top + mapBox.top - rootBox.top, mapBox.width, mapBox.height);
  // the country names, where the map shows them
  const labels = box.querySelector(".sitrep-labels");
  if (labels && labels.style.display !== "none") {
    const origin = rootBox;
    ctx.font = `11px ${EXPORT_FONT}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "#fff";
    ctx.fillStyle = "#6e6e6e"; // the labels' grey: 5.1:1 on white (#8a8a8a was 3.45:1)
    for (const span of labels.children) {
      if (span.style.display === "none") continue;
      const r = span.getBoundingClientRect();
      const cx = r.left - origin.left + r.width / 2;
      const cy = top + r.top - origin.top + r.height / 2;
      ctx.strokeText(span.textContent, cx, cy);
      ctx.fillText(span.textContent, cx, cy);
    }
    ctx.textAlign = "left";
  }
  // Plotly's layers over the map (the cells' colour bar, a selection's outline), hovers left out
  for (const [svg, image] of overlays) {
    if (!image) continue;
    const r = svg.getBoundingClientRect();
    ctx.drawImage(image, r.left - rootBox.left, top + r.top - rootBox.top, r.width, r.height);
  }
  ctx.strokeStyle = "#ccc";
  ctx.lineWidth = 1;
  ctx.strokeRect(mapBox.left - rootBox.left + 0.5, top + mapBox.top - rootBox.top + 0.5, mapBox.width - 1, mapBox.height - 1);
  // the key, drawn as under the map: dots, and rings where the number killed is unknown
  ctx.font = textFont;
  ctx.textBaseline = "middle";
  keyRows.forEach((items, i) => {
    const y = below + i * 20 + 8;
    for (const item of items) {
      ctx.beginPath();
      ctx.arc(item.x + 6, y, 6, 0, 2 * Math.PI);
      if (item.ring || item.stack) {
        // a ring: white inside; several events at one spot: grey inside a dark outline
        ctx.fillStyle = item.ring ? "#fff" : "#bdbdbd";
        ctx.fill();
        ctx.lineWidth = 3;
        ctx.strokeStyle = item.border;
        ctx.beginPath();
        ctx.arc(item.x + 6, y, 4.5, 0, 2 * Math.PI);
        ctx.stroke();
      } else if (item.scale) {
        const scale = ctx.createLinearGradient(item.x, 0, item.x + 12, 0);
        CELL_SCALE.forEach((c, j) => scale.addColorStop(j / (CELL_SCALE.length - 1), c));
        ctx.fillStyle = scale;
        ctx.fill();
      } else {
        ctx.fillStyle = item.colour;
        ctx.fill();
      }
      ctx.fillStyle = "#111";
      ctx.fillText(item.label, item.x + 18, y);
    }
  });
  ctx.fillStyle = "#444";
  ctx.textBaseline = "top";
  const linesTop = below + keyRows.length * 20 + (keyRows.length ? 6 : 0);
  lines.forEach((line, i) => ctx.fillText(line, pad, linesTop + i * 17));
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = info.filename || "sitrep-map.png";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// Made once per map and reused: Plotly.react compares the config it is given with the last
// one, and a new button object (a new click function) would make it build a new map each time.
function toolbar(root, config, Plotly) {
  const key = JSON.stringify(config);
  if (root.__sitrepToolbar && root.__sitrepToolbar.key === key) return root.__sitrepToolbar.config;
  const camera = {
    name: "sitrep-png",
    title: "Download the map as PNG (with the key, the sentence and the link)",
    icon: Plotly.Icons.camera,
    click: () => {
      exportPng(root).catch((err) => note(root, "The map could not be saved as PNG (" + err + ")."));
    },
  };
  const merged = { ...config, modeBarButtonsToRemove: ["toImage"], modeBarButtonsToAdd: [camera] };
  root.__sitrepToolbar = { key, config: merged };
  return merged;
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".sitrep-map");
  const message = parentElement.querySelector(".sitrep-map-message");
  root.__sitrep = component; // the latest, for the event handlers bound on the first render
  let payload;
  try {
    payload = decode(data);
  } catch (err) {
    message.textContent = "The map could not be read (" + err + "). Reload the page.";
    return;
  }
  root.__sitrepExport = payload.export || {};
  // to a screen reader, the map is named by what it shows (the page's sentence)
  root.setAttribute("role", "figure");
  // and where its text version is (the page gives "label"; else its sentence, else "Map")
  const named = root.__sitrepExport.label || (root.__sitrepExport.title ? `Map: ${root.__sitrepExport.title}` : "Map");
  root.setAttribute("aria-label", named);
  const figure = payload.figure;
  const borders = takeBorders(figure);
  root.style.height = (figure.layout && figure.layout.height ? figure.layout.height : 600) + "px";
  // Each figure is framed on its own events. Once the user has panned or zoomed, the view is
  // theirs until the dataset changes (layout.uirevision): a filter change keeps it. Plotly's
  // uirevision alone would not, since the new framing is a "different value in the new figure".
  if (root.__sitrepDataset !== figure.layout.uirevision) {
    root.__sitrepDataset = figure.layout.uirevision;
    root.__sitrepMoved = false;
  }
  // This view's framing, fitted to the map's real size ("Reset view" in the toolbar returns to it)
  const bounds = figure.layout.meta && figure.layout.meta.bounds;
  // The map's size is known once drawn: the figure's height less the legend below it, which
  // changes with the figure. Frame on the last size (or a guess), and again once drawn if it
  // turned out different.
  const last = mapOf(root);
  const size = last
    ? [last.getContainer().clientWidth, last.getContainer().clientHeight]
    : [root.clientWidth || 900, (figure.layout.height || 600) - 70];
  const framed = bounds && figure.layout.map ? frame(bounds, ...size) : null;
  const current = root.layout && root.layout.map;
  if (root.__sitrepMoved && current && figure.layout.map) {
    for (const k of ["center", "zoom", "bearing", "pitch"]) {
      if (current[k] !== undefined) figure.layout.map[k] = current[k];
    }
  } else if (framed) {
    Object.assign(figure.layout.map, framed);
  }
  figure.layout.showlegend = false; // the key is drawn under the map (drawLegend)
  drawLegend(root, figure);
  // a new figure clears the last box or lasso (its filter is now in the view itself)
  root.__sitrepDraw = (root.__sitrepDraw || 0) + 1;
  figure.layout.selectionrevision = root.__sitrepDraw;
  // One draw at a time, in order; a figure that a newer one overtook while waiting is skipped.
  root.__sitrepLatest = figure;
  root.__sitrepQueue = (root.__sitrepQueue || Promise.resolve()).then(() =>
    loadPlotly(payload.plotly).then(
      (Plotly) => {
        if (root.__sitrepLatest !== figure) return;
        root.__sitrepFramed = framed;
        const moved = root.__sitrepMoved;
        return Plotly.react(root, figure.data, figure.layout, toolbar(root, payload.config, Plotly)).then(() => {
          message.textContent = "";
          note(root, "");
          drawBorders(root, borders);
          drawLabels(root, borders && borders.source);
          noEasing(root);
          const map = mapOf(root);
          if (map && framed) {
            const box = map.getContainer();
            const exact = frame(bounds, box.clientWidth, box.clientHeight);
            root.__sitrepFramed = exact;
            if (!moved && !near(exact, framed)) map.jumpTo({ center: [exact.center.lon, exact.center.lat], zoom: exact.zoom });
            // the toolbar's "Reset view" returns to this view's framing, not to the first figure's
            const sub = root._fullLayout.map._subplot;
            sub.viewInitial = { ...sub.viewInitial, ...exact, bearing: 0, pitch: 0 };
          }
          bind(root);
          gestures(root);
          // Plotly's drawing layers are pictures with no name: the figure's label says what they show
          root.querySelectorAll(".main-svg").forEach((svg) => svg.setAttribute("aria-hidden", "true"));
          // A control the keyboard was on went with this rerun (the "Clear the map selection"
          // button): focus goes on from the map, not from the top of the page. Not on a page's
          // first map, where nothing has the focus yet.
          const focus = document.activeElement;
          if (root.__sitrepShown && map && (!focus || focus === document.body)) {
            map.getCanvas().focus({ preventScroll: true });
          }
          root.__sitrepShown = true;
          showCard(root, figure);
          // done with this figure, framing included: what tests and benchmarks wait for
          root.dataset.drawn = String(figure.layout.selectionrevision);
        });
      },
      (err) => {
        message.textContent =
          "The map cannot be drawn: the browser could not load the map library from this server (" +
          err.message + "). Reload the page; if it persists, tell whoever runs this server.";
      },
    ),
  ).catch((err) => {
    // whatever failed, the chain goes on, so the next figure is drawn
    message.textContent = "The map could not be drawn (" + err + "). Reload the page.";
  });
}
