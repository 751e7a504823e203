/* codesign report: draws the payload embedded in #report-data with Plotly (inlined in the page).
 * Every plot is a <div data-plot="NAME">; once Plotly has drawn it the div gets
 * data-rendered="1" (the browser test checks both). */
(function () {
  "use strict";
  var R = JSON.parse(document.getElementById("report-data").textContent);
  var app = document.getElementById("app");
  var COMPONENTS = ["mac", "rf", "noc", "buffer", "dram", "vector", "leakage"];
  var COLORS = {mac: "#4c78a8", rf: "#f58518", noc: "#54a24b", buffer: "#b279a2", dram: "#e45756",
                vector: "#72b7b2", leakage: "#9d755d", compute: "#4c78a8", stall: "#e45756"};
  var CLASS_STYLE = {
    front: {name: "Pareto front", marker: {symbol: "diamond", size: 10, color: "#d62728", line: {width: 1, color: "#222"}}},
    dominated: {name: "dominated", marker: {symbol: "circle", size: 6, color: "rgba(80,110,160,0.45)"}},
    infeasible: {name: "infeasible", marker: {symbol: "x", size: 6, color: "rgba(150,150,150,0.7)"}}
  };
  var CONFIG = {displaylogo: false, responsive: true};

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "html") node.innerHTML = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }
  function fmt(v) {
    if (v === null || v === undefined) return "-";
    if (typeof v !== "number") return String(v);
    if (v === 0) return "0";
    var a = Math.abs(v);
    return (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "-";
    if (seconds < 10) return Number(seconds.toPrecision(2)) + " s";
    var s = Math.round(seconds);
    if (s >= 3600) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    if (s >= 60) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return s + " s";
  }
  function section(id, title, note) {
    var s = el("section", {id: id}, [el("h2", {text: title})]);
    if (note) s.appendChild(el("p", {"class": "note", text: note}));
    app.appendChild(s);
    return s;
  }
  function plotDiv(parent, name, cls) {
    var d = el("div", {"class": "plot " + (cls || ""), "data-plot": name});
    parent.appendChild(d);
    return d;
  }
  function draw(div, traces, layout) {
    layout = Object.assign({margin: {l: 60, r: 20, t: 50, b: 50}, font: {size: 12}}, layout);
    if (layout.title) layout.title = Object.assign({x: 0.01, xanchor: "left"}, layout.title);
    if (layout.height) div.style.height = layout.height + "px";
    return Plotly.react(div, traces, layout, CONFIG).then(function () {
      div.setAttribute("data-rendered", "1");
    });
  }
  function kvTable(rows) {
    var t = el("table", {"class": "kv"});
    rows.forEach(function (r) {
      t.appendChild(el("tr", {}, [el("th", {text: r[0]}), el("td", {html: r[1]})]));
    });
    return t;
  }
  var METRIC = {};
  (R.hover_metrics || []).forEach(function (m) { METRIC[m.name] = m; });
  function metricText(name, v) {
    var m = METRIC[name];
    return fmt(v) + (m && m.unit ? " " + m.unit : "");
  }

  /* ---------------------------------------------------------------- header and summary */
  document.title = R.title;
  app.appendChild(el("h1", {text: R.title}));
  app.appendChild(el("p", {"class": "note", text: "generated " + R.generated + (R.run_dir ? " from " + R.run_dir : "")
                                                  + (R.bundle ? " from bundle " + R.bundle : "")}));
  if (R.in_progress) {
    var st = R.status;
    app.appendChild(el("div", {"class": "banner", id: "in-progress", text:
      "This run is still in progress: " + st.finished + (st.budget_trials ? " of " + st.budget_trials : "") +
      " trials finished, " + st.running + " running, about " + duration(st.time_left_s) +
      " left. This page is a snapshot; run codesign report again to refresh it."}));
  }

  var TRIALS = R.trials || [];
  var BY_NUMBER = {};
  TRIALS.forEach(function (t) { BY_NUMBER[t.n] = t; });
  var E = R.experiment;

  function experimentSection() {
    var s = section("experiment", "Experiment");
    var c = E.counts;
    var rows = [
      ["name", esc(E.name) + (E.description ? " — " + esc(E.description) : "")],
      ["state", esc(E.state) + (E.time_left_s !== null && E.time_left_s !== undefined ? ", about " + duration(E.time_left_s) + " left" : "")]];
    E.subspaces.forEach(function (sub) {  // every registered sub-space the run has, generically
      var search = Object.keys(sub.search).map(function (k) { return esc(k) + " " + esc(sub.search[k]); }).join("<br>");
      rows.push([sub.title + " (" + sub.field + ")", esc(JSON.stringify(sub.options)).slice(0, 400) +
                 (search ? "<br><b>searched</b>:<br>" + search : "")]);
    });
    rows.push(["pipeline", E.stages.map(function (st) { return esc(st.name) + " " + esc(JSON.stringify(st.options)).slice(0, 200); }).join("<br>")]);
    s.appendChild(kvTable(rows.concat([
      ["objectives", E.objectives.map(function (o) { return esc(o.label) + " " + o.direction; }).join(", ")],
      ["constraints", E.constraints.length ? E.constraints.map(esc).join(", ") : "none"],
      ["strategy", esc(E.strategy.name) + " " + esc(JSON.stringify(E.strategy.options))],
      ["evaluator", esc(E.evaluator)],
      ["per-design detail", esc(E.detail_note)],
      ["budget", (E.budget.trials ? E.budget.trials + " trials" : "") + (E.budget.time_s ? " " + duration(E.budget.time_s) : "")],
      ["trials", E.trials + ": " + c.complete + " complete (" + c.feasible + " feasible, " + c.infeasible +
        " infeasible), " + c.failed + " failed, " + c.running + " running"],
      ["time", duration(E.span_s) + (E.rate_per_s ? ", " + fmt(E.rate_per_s) + " trials/s" : "") +
        (E.first_start ? ", started " + esc(E.first_start) : "")],
      ["front", R.front.length + " designs (per-layer detail for " + Object.keys(R.details).length + ")"]
    ])));
  }

  /* ---------------------------------------------------------------- Pareto scatter plots */
  function hoverText(t) {
    var lines = ["<b>trial " + t.n + "</b> (" + t.c + ")"];
    Object.keys(R.subspace_titles || {}).forEach(function (name) {  // parameters by sub-space ("NAME.dim")
      var p = Object.keys(t.p).filter(function (k) { return k.indexOf(name + ".") === 0; })
        .map(function (k) { return k.slice(name.length + 1) + "=" + t.p[k]; });
      if (p.length) lines.push(esc(name) + " " + esc(p.join(" ")));
    });
    Object.keys(t.m).forEach(function (k) { lines.push(k + ": " + metricText(k, t.m[k])); });
    if (t.why) lines.push("<i>" + esc(t.why.slice(0, 120)) + "</i>");
    return lines.join("<br>");
  }
  var scatterDivs = [];
  function classTrace(cls, dims, is3d) {
    var pts = TRIALS.filter(function (t) {
      return t.c === cls && dims.every(function (d) { return t.v[d] !== null && t.v[d] !== undefined; });
    });
    var tr = {
      type: is3d ? "scatter3d" : "scattergl", mode: "markers", name: CLASS_STYLE[cls].name + " (" + pts.length + ")",
      marker: Object.assign({}, CLASS_STYLE[cls].marker), customdata: pts.map(function (t) { return t.n; }),
      text: pts.map(hoverText), hovertemplate: "%{text}<extra></extra>",
      x: pts.map(function (t) { return t.v[dims[0]]; }), y: pts.map(function (t) { return t.v[dims[1]]; })
    };
    if (!is3d) tr.type = "scatter";  // SVG: crisp, selectable, and a few thousand points draw fast
    if (is3d) { tr.z = pts.map(function (t) { return t.v[dims[2]]; }); tr.marker.size = cls === "front" ? 5 : 3; }
    return tr;
  }
  function paretoSection() {
    var s = section("pareto", "Pareto front",
      "Every pair of objectives; red diamonds are the Pareto front (over all objectives), blue circles dominated " +
      "feasible designs, grey crosses infeasible ones (where they have both values). Hover a point for its design; " +
      "click it, or box/lasso-select points, to show the design below.");
    var objs = E.objectives;
    var grid = el("div", {"class": "grid"});
    s.appendChild(grid);
    for (var i = 0; i < objs.length; i++) {
      for (var j = i + 1; j < objs.length; j++) {
        var d = plotDiv(grid, "pareto-" + objs[i].name + "-" + objs[j].name, "half");
        var traces = ["infeasible", "dominated", "front"].map(function (c) { return classTrace(c, [i, j], false); });
        draw(d, traces, {title: {text: objs[i].name + " vs " + objs[j].name},
                         xaxis: {title: {text: objs[i].label + " (" + objs[i].direction + ")"}},
                         yaxis: {title: {text: objs[j].label + " (" + objs[j].direction + ")"}},
                         dragmode: "lasso", hovermode: "closest", legend: {orientation: "h", y: -0.2}});
        scatterDivs.push(d);
      }
    }
    if (objs.length === 1) {
      var d1 = plotDiv(grid, "pareto-" + objs[0].name, "half");
      var ok = TRIALS.filter(function (t) { return t.v[0] !== null && (t.c === "front" || t.c === "dominated"); });
      draw(d1, [{type: "scatter", mode: "markers", x: ok.map(function (t) { return t.n; }),
                 y: ok.map(function (t) { return t.v[0]; }), text: ok.map(hoverText), customdata: ok.map(function (t) { return t.n; }),
                 hovertemplate: "%{text}<extra></extra>"}],
           {title: {text: objs[0].label + " per trial"}, xaxis: {title: {text: "trial"}}, yaxis: {title: {text: objs[0].label}}});
      scatterDivs.push(d1);
    }
    if (objs.length === 3) {
      var d3 = plotDiv(s, "pareto-3d", "full tall");
      var traces3 = ["infeasible", "dominated", "front"].map(function (c) { return classTrace(c, [0, 1, 2], true); });
      draw(d3, traces3, {title: {text: "all three objectives"}, margin: {l: 0, r: 0, t: 40, b: 0},
                         scene: {xaxis: {title: {text: objs[0].label}}, yaxis: {title: {text: objs[1].label}},
                                 zaxis: {title: {text: objs[2].label}}}});
      scatterDivs.push(d3);
    }
    scatterDivs.forEach(function (d) {
      d.on("plotly_click", function (ev) { if (ev.points.length) select(ev.points[0].customdata); });
      d.on("plotly_selected", function (ev) {
        if (!ev || !ev.points.length) return;
        var ns = ev.points.map(function (p) { return p.customdata; });
        var front = ns.filter(function (n) { return R.details[n]; });
        select(front.length ? front[0] : ns[0], ns);
      });
    });
  }

  /* ---------------------------------------------------------------- convergence */
  function convergenceSection() {
    var s = section("convergence", "Convergence",
      "Hypervolume (normalised to the objective ranges seen so far, as the live progress shows it) and front size after each finished trial.");
    var c = R.convergence;
    var d = plotDiv(s, "convergence", "full");
    draw(d, [
      {type: "scatter", mode: "lines", name: "hypervolume", x: c.hv_finished, y: c.hypervolume, line: {color: "#4c78a8"},
       hovertemplate: "after %{x} trials<br>hypervolume %{y:.4f}<extra></extra>"},
      {type: "scatter", mode: "lines", name: "front size", x: c.finished, y: c.front_size, yaxis: "y2",
       line: {color: "#d62728", shape: "hv"}, customdata: c.trial,
       hovertemplate: "after %{x} trials (trial %{customdata})<br>front size %{y}<extra></extra>"}
    ], {xaxis: {title: {text: "finished trials"}}, yaxis: {title: {text: "hypervolume (fraction of reference box)"}, rangemode: "tozero"},
        yaxis2: {title: {text: "front size [designs]"}, overlaying: "y", side: "right", rangemode: "tozero"},
        legend: {orientation: "h", y: 1.1}, margin: {l: 60, r: 70, t: 50, b: 50}});
  }

  /* ---------------------------------------------------------------- parallel coordinates, importances */
  function parcoordsSection() {
    var s = section("parameters", "Parameters against objectives",
      "Parallel coordinates of the feasible trials (drag along an axis to filter); colour: the first objective.");
    var ok = TRIALS.filter(function (t) { return (t.c === "front" || t.c === "dominated") && t.v.every(function (v) { return v !== null; }); });
    var dims = R.params.map(function (p) {
      var vals = ok.map(function (t) { return t.p[p]; });
      var numeric = vals.every(function (v) { return typeof v === "number"; });
      if (numeric) return {label: p, values: vals};
      var cats = Array.from(new Set(vals.map(String))).sort();
      return {label: p, values: vals.map(function (v) { return cats.indexOf(String(v)); }),
              tickvals: cats.map(function (_, i) { return i; }), ticktext: cats};
    });
    E.objectives.forEach(function (o, i) { dims.push({label: o.label, values: ok.map(function (t) { return t.v[i]; })}); });
    var d = plotDiv(s, "parcoords", "full tall");
    draw(d, [{type: "parcoords", dimensions: dims, labelangle: -25, labelside: "top",
              line: {color: ok.map(function (t) { return t.v[0]; }), colorscale: "Viridis", showscale: true,
                     colorbar: {title: {text: E.objectives[0].label}}}}],
         {margin: {l: 80, r: 80, t: 110, b: 30}});
    var names = Object.keys(R.importances || {});
    if (!names.length) {
      s.appendChild(el("p", {"class": "note", text: "Parameter importances need at least a few feasible trials with varying parameters."}));
      return;
    }
    var d2 = plotDiv(s, "importances", "full");
    var params = Object.keys(R.importances[names[0]]).slice().reverse();
    draw(d2, names.map(function (n) {
      return {type: "bar", orientation: "h", name: n, y: params, x: params.map(function (p) { return R.importances[n][p] || 0; }),
              hovertemplate: n + ": %{y} %{x:.3f}<extra></extra>"};
    }), {title: {text: "parameter importance per objective (" + R.importance_evaluator + ", Optuna; " + R.importance_trials +
                 (R.importance_trials < R.importance_feasible ? " evenly spaced of " + R.importance_feasible : "") + " feasible trials)"}, barmode: "group",
         xaxis: {title: {text: "importance (share, sums to 1 per objective)"}}, margin: {l: 160, r: 20, t: 40, b: 50},
         height: 120 + 28 * params.length * Math.max(1, names.length / 2)});
  }

  /* ---------------------------------------------------------------- one design */
  var detailBox, detailSelect, selectionNote;
  function detailSection() {
    var keys = Object.keys(R.details);
    var s = section("design", R.kind === "bundle" ? "Design" : "Front design",
      (R.kind === "bundle" ? "" : "Per-layer detail of " + keys.length + " of " + R.detail_total +
      " front designs. Choose one, or click a point or a table row. ") + "Detail: " + R.detail_note + ".");
    if (R.kind !== "bundle") {
      detailSelect = el("select", {id: "design-select"});
      keys.forEach(function (k) {
        var t = BY_NUMBER[k];
        detailSelect.appendChild(el("option", {value: k, text: "trial " + k + (t ? " — " + E.objectives.map(function (o, i) {
          return o.name + " " + fmt(t.v[i]) + (o.unit ? " " + o.unit : ""); }).join(", ") : "")}));
      });
      detailSelect.addEventListener("change", function () { select(detailSelect.value); });
      s.appendChild(el("label", {text: "design "}, [detailSelect]));
      selectionNote = el("p", {"class": "note", id: "selection"});
      s.appendChild(selectionNote);
    }
    detailBox = el("div", {id: "design-detail"});
    s.appendChild(detailBox);
  }
  function stacked(div, title, layers, parts, value, unit, scale) {
    var x = layers.map(function (l, i) { return i + ":" + l.name; });
    return draw(div, parts.map(function (p) {
      return {type: "bar", name: p, x: x, y: layers.map(function (l) { return value(l, p) * scale; }),
              marker: {color: COLORS[p]}, hovertemplate: "%{x}<br>" + p + " %{y:.4g} " + unit + "<extra></extra>"};
    }), {title: {text: title}, barmode: "stack", xaxis: {title: {text: "layer"}, tickangle: -60, automargin: true},
         yaxis: {title: {text: unit}}, legend: {orientation: "h", y: 1.12}, margin: {l: 60, r: 20, t: 60, b: 110}});
  }
  function renderDetail(key) {
    var D = R.details[key];
    detailBox.innerHTML = "";
    var rows = D.parts.map(function (p) { return [p.title, esc(p.text)]; });
    var M = {};
    D.metrics.forEach(function (m) {  // every metric the pipeline produced, with its declared unit and meaning
      M[m.name] = m;
      rows.push([m.label, fmt(m.value) + ' <span class="note">' + esc(m.doc) + "</span>"]);
    });
    if (D.utilization !== null && D.utilization !== undefined) rows.push(["utilisation", fmt(100 * D.utilization) + " %"]);
    if (D.cycles) rows.push(["cycles", fmt(D.cycles)]);
    if (!D.feasible) rows.push(["feasible", "<b>no</b>: " + esc(D.error)]);
    if (R.kind !== "bundle") {
      rows.push(["export", "<code>codesign export " + esc(R.run_dir) + " --trial " + key + " --out design-" + key + "</code>"]);
    }
    detailBox.appendChild(kvTable(rows));
    var L = D.layers;
    if (!L.length) {
      detailBox.appendChild(el("p", {"class": "note", text: "No per-layer costs for this design" + (D.error ? ": " + D.error : "") + "."}));
      return;
    }
    var grid = el("div", {"class": "grid"});
    detailBox.appendChild(grid);
    stacked(plotDiv(grid, "layers-latency", "half"), "per-layer latency (compute vs. stalled on memory)", L,
            ["compute", "stall"], function (l, p) { return l[p + "_s"]; }, "µs", 1e6);
    stacked(plotDiv(grid, "layers-energy", "half"), "per-layer energy by component", L, COMPONENTS,
            function (l, p) { return l.energy_j[p]; }, "µJ", 1e6);
    draw(plotDiv(grid, "layers-utilization", "half"), [{type: "bar", x: L.map(function (l, i) { return i + ":" + l.name; }),
          y: L.map(function (l) { return l.utilization === null ? 0 : 100 * l.utilization; }), marker: {color: "#54a24b"},
          hovertemplate: "%{x}<br>%{y:.1f} %<extra></extra>"}],
         {title: {text: "PE utilisation per layer"}, xaxis: {title: {text: "layer"}, tickangle: -60, automargin: true},
          yaxis: {title: {text: "utilisation [%]"}, range: [0, 100]}, margin: {l: 60, r: 20, t: 40, b: 110}});
    var split = COMPONENTS.filter(function (c) { return D.energy_split_j[c]; });
    draw(plotDiv(grid, "energy-split", "half"), [{type: "pie", hole: 0.4, labels: split,
          values: split.map(function (c) { return D.energy_split_j[c] * 1e6; }),
          marker: {colors: split.map(function (c) { return COLORS[c]; })}, hovertemplate: "%{label}: %{value:.4g} µJ (%{percent})<extra></extra>"}],
         {title: {text: "energy split of the network"}});
    var rl = D.roofline || {peak_ops_s: NaN, dram_bytes_s: NaN};
    var pts = L.filter(function (l) { return l.intensity && l.throughput; });
    var xs = pts.map(function (l) { return l.intensity; });
    var lo = Math.min.apply(null, xs.concat([1])) / 4, hi = Math.max.apply(null, xs.concat([1])) * 4;
    var knee = rl.peak_ops_s / rl.dram_bytes_s;
    var roofX = [lo, Math.min(Math.max(knee, lo), hi), hi];
    draw(plotDiv(grid, "roofline", "half"), [
      {type: "scatter", mode: "lines", name: "roof", x: roofX, y: roofX.map(function (x) { return Math.min(rl.peak_ops_s, x * rl.dram_bytes_s) / 1e9; }),
       line: {color: "#222"}, hovertemplate: "attainable %{y:.4g} GOP/s at %{x:.3g} op/B<extra></extra>"},
      {type: "scatter", mode: "markers", name: "layers", x: xs, y: pts.map(function (l) { return l.throughput / 1e9; }),
       text: pts.map(function (l) { return l.name + " (" + l.op + ")"; }), marker: {color: "#d62728", size: 8},
       hovertemplate: "%{text}<br>%{x:.3g} op/B, %{y:.4g} GOP/s<extra></extra>"}
    ], {title: {text: "roofline (peak " + fmt(rl.peak_ops_s / 1e9) + " GOP/s, DRAM " + fmt(rl.dram_bytes_s / 1e9) + " GB/s)"},
        xaxis: {type: "log", title: {text: "operational intensity [op/DRAM byte]"}},
        yaxis: {type: "log", title: {text: "throughput [GOP/s]"}}, legend: {orientation: "h", y: -0.25}});
    var area = Object.keys(D.area_mm2);
    draw(plotDiv(grid, "area", "half"), [{type: "bar", x: area, y: area.map(function (k) { return D.area_mm2[k]; }),
          marker: {color: "#b279a2"}, hovertemplate: "%{x}: %{y:.4g} mm²<extra></extra>"}],
         {title: {text: "area breakdown" + (M.area ? " (total " + fmt(M.area.value) + " " + M.area.unit + ")" : "")}, yaxis: {title: {text: "area [mm²]"}}});
    if (D.split) {  // split computing: one inference across tiers
      draw(plotDiv(grid, "split-timeline", "full"), [{type: "bar", orientation: "h", y: D.split.map(function (s) { return s.tier; }),
            x: D.split.map(function (s) { return s.duration_s * 1e3; }), base: D.split.map(function (s) { return s.start_s * 1e3; }),
            hovertemplate: "%{y}: %{x:.4g} ms<extra></extra>"}],
           {title: {text: "one inference across tiers"}, xaxis: {title: {text: "time [ms]"}}});
    }
  }
  function select(n, among) {
    if (!detailBox) return;
    var key = String(n);
    if (selectionNote) {
      var t = BY_NUMBER[n];
      var text = among && among.length > 1 ? among.length + " points selected (trials " + among.slice(0, 20).join(", ") +
        (among.length > 20 ? ", …" : "") + "). " : "";
      if (!R.details[key]) {
        text += "Trial " + n + " (" + (t ? t.c : "?") + ") has no per-layer detail here" +
          (t && t.c === "front" ? " (beyond the detail limit: codesign report --detail all)" : " (not a front design)") +
          "; see it with codesign export " + R.run_dir + " --trial " + n + " --out DIR. " + (t ? hoverText(t).replace(/<[^>]+>/g, " ") : "");
        selectionNote.textContent = text;
        return;
      }
      selectionNote.textContent = text + "Showing trial " + n + ".";
      detailSelect.value = key;
    }
    renderDetail(key);
  }

  /* ---------------------------------------------------------------- front table */
  function frontSection() {
    var s = section("front", "Front table", "Click a row to show its design; each row's command exports it (network, ONNX, accelerator, per-layer CSV).");
    var t = el("table", {"class": "front", id: "front-table"});
    var names = Object.keys(R.subspace_titles);
    var head = ["trial"].concat(E.objectives.map(function (o) { return o.label; }),
      names.map(function (n) { return R.subspace_titles[n]; }), ["export"]);
    t.appendChild(el("tr", {}, head.map(function (h) { return el("th", {text: h}); })));
    R.front.forEach(function (f) {
      var cells = [String(f.trial)].concat(f.values.map(fmt), names.map(function (n) { return f.parts[n]; }));
      var tr = el("tr", {"data-trial": f.trial}, cells.map(function (c) { return el("td", {text: c}); }));
      tr.appendChild(el("td", {}, [el("code", {text: f.export})]));
      tr.addEventListener("click", function () { select(f.trial); document.getElementById("design").scrollIntoView(); });
      t.appendChild(tr);
    });
    s.appendChild(t);
  }

  function bundleSection() {
    var s = section("bundle", "Bundle");
    var src = R.source || {};
    s.appendChild(kvTable([["source", esc((src.run || "?") + (src.trial !== undefined ? ", trial " + src.trial : ""))],
                           ["pipeline", esc(JSON.stringify(R.pipeline)).slice(0, 600)],
                           ["re-score", "<code>codesign evaluate " + esc(R.bundle) + "</code>"]]));
  }

  if (R.kind === "bundle") {
    bundleSection();
    detailSection();
    if (R.details.bundle) renderDetail("bundle");
    else detailBox.appendChild(el("p", {"class": "note", text: R.detail_note}));
  } else {
    experimentSection();
    paretoSection();
    convergenceSection();
    parcoordsSection();
    detailSection();
    frontSection();
    // #trial=N in the address selects that trial (a link to one design).
    var wanted = /trial=(\d+)/.exec(location.hash);
    var first = wanted ? Number(wanted[1]) : Object.keys(R.details)[0];
    if (first !== undefined) select(first);
    else detailBox.appendChild(el("p", {"class": "note", text: R.front.length ? R.detail_note : "No feasible design yet: no front to detail."}));
  }
})();
