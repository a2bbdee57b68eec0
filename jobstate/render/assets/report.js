// Draws a jobstate HTML page from the JSON document embedded in it (#data). Every string
// from the input goes onto the page through textContent or an attribute, never as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var app = document.getElementById("app");
  var SVG = "http://www.w3.org/2000/svg";
  var PAGE = 100;  // table rows shown at a time

  function el(tag, props) {
    var node = document.createElement(tag);
    var kids = Array.prototype.slice.call(arguments, 2);
    set(node, props);
    kids.forEach(function (kid) { add(node, kid); });
    return node;
  }
  function svg(tag, props) {
    var node = document.createElementNS(SVG, tag);
    var kids = Array.prototype.slice.call(arguments, 2);
    set(node, props);
    kids.forEach(function (kid) { add(node, kid); });
    return node;
  }
  function set(node, props) {
    Object.keys(props || {}).forEach(function (name) {
      var value = props[name];
      if (value === null || value === undefined) return;
      if (name === "text") node.textContent = String(value);
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, String(value));
    });
  }
  function add(node, kid) {
    if (kid === null || kid === undefined || kid === false) return;
    if (Array.isArray(kid)) { kid.forEach(function (k) { add(node, k); }); return; }
    node.appendChild(typeof kid === "object" ? kid : document.createTextNode(String(kid)));
  }
  function short(text, n) {
    text = String(text);
    return text.length > n ? text.slice(0, n - 1) + "\u2026" : text;
  }
  function seconds(s) {
    if (s === null || s === undefined) return "";
    if (s < 1) return (s * 1000).toFixed(0) + "ms";
    if (s < 60) return s.toFixed(2) + "s";
    var m = Math.floor(s / 60), r = Math.round(s - 60 * m);
    if (m < 60) return m + "m" + (r < 10 ? "0" : "") + r + "s";
    return Math.floor(m / 60) + "h" + (m % 60 < 10 ? "0" : "") + (m % 60) + "m";
  }
  function num(n) { return Number(n).toLocaleString("en"); }

  // -- colours: the spec's states, by outcome where terminal; values outside the spec apart --
  var OUTCOME = { success: "#2da44e", failure: "#cf222e", cancelled: "#8c959f", unfinished: "#bf8700" };
  var RUNNING = ["#54aeff", "#0969da", "#80ccff", "#218bff", "#b6e3ff", "#0550ae", "#33b3ae"];
  var colour = {};
  (data.states || []).forEach(function (pair, i) {
    colour[pair[0]] = pair[1] ? OUTCOME[pair[1]] || "#6e7781" : RUNNING[i % RUNNING.length];
  });
  function colourOf(status) { return colour[status] || "#e85aad"; }

  function verdict(job) {
    if (!job.ok) return "FAIL";  // an error, of the lifecycle or of the client
    return job.warnings || job.client_rules.length ? "WARN" : "OK";
  }

  // -- the check report ---------------------------------------------------------------------
  function report() {
    var t = data.totals;
    var names = data.inputs.map(function (i) { return i.name; }).join(", ");
    app.appendChild(el("h1", null, "jobstate check ", el("span", { "class": "badge " + (data.ok ? "OK" : "FAIL"), text: data.ok ? "OK" : "FAIL" })));
    app.appendChild(el("div", { "class": "muted" }, "spec " + data.spec + ", mode " + data.mode + ", fail on " + data.fail_on + " \u2014 " + short(names, 300)));
    data.unusable.forEach(function (m) { app.appendChild(el("div", { "class": "note", text: "unusable: " + short(m, 400) })); });
    summary(t);
    findings();
    jobs();
    diagram();
  }

  function summary(t) {
    app.appendChild(el("h2", { text: "Summary" }));
    var outcomes = Object.keys(t.outcomes).filter(function (o) { return t.outcomes[o]; });
    var bar = el("div", { "class": "bar", title: outcomes.map(function (o) { return o + " " + t.outcomes[o]; }).join(", ") });
    outcomes.forEach(function (o) {
      bar.appendChild(el("span", { style: "width:" + (100 * t.outcomes[o] / Math.max(t.jobs, 1)) + "%;background:" + OUTCOME[o] }));
    });
    app.appendChild(el("div", { "class": "cards" },
      el("div", { "class": "card" }, el("div", { "class": "n", text: num(t.jobs) }), el("div", { "class": "what", text: "jobs: " + num(t.jobs - t.jobs_with_errors) + " ok, " + num(t.jobs_with_errors) + " with errors" }), bar,
        el("div", { "class": "legend" }, outcomes.map(function (o) { return el("span", null, el("i", { style: "background:" + OUTCOME[o] }), o + " " + num(t.outcomes[o])); }))),
      el("div", { "class": "card" }, el("div", { "class": "n", text: num(t.errors) + " / " + num(t.warnings) }), el("div", { "class": "what", text: "lifecycle errors / warnings" })),
      el("div", { "class": "card" }, el("div", { "class": "n", text: num(t.client_errors) + " / " + num(t.client_warnings) }), el("div", { "class": "what", text: "client errors / warnings" })),
      el("div", { "class": "card" }, el("div", { "class": "n", text: num(t.read) }), el("div", { "class": "what", text: "read = " + num(t.observations) + " observations + " + num(t.rejected) + " rejected + " + num(t.blank) + " blank + " + num(t.skipped) + " skipped" }))));
    var d = t.duration_seconds;
    if (d && Object.keys(d).length) {
      app.appendChild(el("h3", { text: "Durations (first poll to the end, or to the last poll of an unfinished job)" }));
      app.appendChild(el("table", { style: "max-width:560px" },
        el("tr", null, ["outcome", "jobs", "p50", "p95", "max"].map(function (h, i) { return el("th", { "class": i ? "num" : null, text: h }); })),
        Object.keys(d).map(function (o) {
          return el("tr", null, el("td", { text: o }), el("td", { "class": "num", text: num(d[o].jobs) }),
            el("td", { "class": "num", text: seconds(d[o].p50) }), el("td", { "class": "num", text: seconds(d[o].p95) }), el("td", { "class": "num", text: seconds(d[o].max) }));
        })));
    }
  }

  function ruleTable(title, rows, kind) {
    var box = el("div", null, el("h3", { text: title }));
    if (!rows.length) { box.appendChild(el("div", { "class": "muted", text: "none" })); return box; }
    box.appendChild(el("table", null,
      el("tr", null, el("th", { text: "rule" }), el("th", { text: "severity" }), el("th", { "class": "num", text: kind === "client" ? "times" : "violations" })),
      rows.map(function (r) {
        return el("tr", { "class": "rule", title: "show the jobs with " + r[0], onclick: function () { state.rule = r[0]; ruleSelect.value = r[0]; redraw(); jobsHeading.scrollIntoView(); } },
          el("td", null, el("code", { text: r[0] })), el("td", null, el("span", { "class": "badge " + r[1], text: r[1] })), el("td", { "class": "num", text: num(r[2]) }));
      })));
    return box;
  }

  function findings() {
    app.appendChild(el("h2", { text: "Findings by rule" }));
    app.appendChild(el("div", { "class": "columns" },
      ruleTable("The lifecycle (what the service answered)", data.rules, "service"),
      ruleTable("The client (how it polled)", data.client_rules, "client")));
  }

  // -- the jobs table -------------------------------------------------------------------------
  var state = { outcome: "", rule: "", text: "", sort: null, desc: false, shown: PAGE };
  var ruleSelect, jobsHeading, tbody, counter, more;
  var COLUMNS = [
    ["verdict", function (j) { return ["FAIL", "WARN", "OK"].indexOf(verdict(j)); }],
    ["job", function (j) { return String(j.key); }],
    ["outcome", function (j) { return j.outcome; }],
    ["polls", function (j) { return j.observations; }, true],
    ["errors", function (j) { return j.errors; }, true],
    ["warnings", function (j) { return j.warnings; }, true],
    ["client", function (j) { return j.client ? j.client.findings.length : 0; }, true],
    ["duration", function (j) { return j.timing ? j.timing.duration_seconds : -1; }, true],
    ["rules", function (j) { return j.rules.concat(j.client_rules).join(" "); }]
  ];

  function matches(job) {
    if (state.outcome && job.outcome !== state.outcome) return false;
    if (state.rule && job.rules.indexOf(state.rule) < 0 && job.client_rules.indexOf(state.rule) < 0) return false;
    if (state.text) {
      var hay = [job.key, job.input].concat(job.violations.map(function (v) { return v.message; }))
        .concat(job.client ? job.client.findings.map(function (f) { return f.message; }) : []).join("\n").toLowerCase();
      if (hay.indexOf(state.text) < 0) return false;
    }
    return true;
  }

  function jobs() {
    jobsHeading = el("h2", { id: "jobs", text: "Jobs with findings, worst first" });
    app.appendChild(jobsHeading);
    var outcomeSelect = el("select", { "aria-label": "outcome", onchange: function () { state.outcome = this.value; redraw(); } },
      el("option", { value: "", text: "every outcome" }),
      Object.keys(data.totals.outcomes).map(function (o) { return el("option", { value: o, text: o }); }));
    ruleSelect = el("select", { "aria-label": "rule", onchange: function () { state.rule = this.value; redraw(); } },
      el("option", { value: "", text: "every rule" }),
      data.rules.concat(data.client_rules).map(function (r) { return el("option", { value: r[0], text: r[0] }); }));
    var search = el("input", { type: "search", placeholder: "text in a job key, input or message", "aria-label": "text",
      oninput: function () { state.text = this.value.trim().toLowerCase(); redraw(); } });
    counter = el("span", { "class": "muted" });
    app.appendChild(el("div", { "class": "filters" }, outcomeSelect, ruleSelect, search, counter));
    var head = el("tr", null, COLUMNS.map(function (c, i) {
      return el("th", { "class": "sortable" + (c[2] ? " num" : ""), title: "sort", onclick: function () {
        state.desc = state.sort === i ? !state.desc : !!c[2]; state.sort = i; redraw();
      } }, c[0]);
    }));
    tbody = el("tbody");
    app.appendChild(el("table", { id: "job-table" }, el("thead", null, head), tbody));
    more = el("button", { style: "margin-top:8px", onclick: function () { state.shown += PAGE; redraw(); } });
    app.appendChild(more);
    var left = data.flagged - data.jobs.length;
    var notes = [];
    if (data.full_jobs < data.jobs.length) notes.push("the first " + num(data.full_jobs) + " jobs are drawn with their polls; the next " + num(data.jobs.length - data.full_jobs) + " are listed without them");
    if (left > 0) notes.push(num(left) + " more jobs with findings are counted in the summary, not listed");
    if (notes.length) app.appendChild(el("div", { "class": "note", text: notes.join("; ") + "." }));
    var clean = Object.keys(data.clean);
    app.appendChild(el("div", { "class": "muted", id: "clean", text: clean.length
      ? "Clean jobs, counted, not listed: " + clean.map(function (o) { return num(data.clean[o]) + " " + o; }).join(", ") + "."
      : "No clean jobs." }));
    redraw();
  }

  function redraw() {
    var rows = data.jobs.filter(matches);
    if (state.sort !== null) {
      var key = COLUMNS[state.sort][1], sign = state.desc ? -1 : 1;
      rows = rows.map(function (j, i) { return [key(j), i, j]; }).sort(function (a, b) {
        return a[0] < b[0] ? -sign : a[0] > b[0] ? sign : a[1] - b[1];
      }).map(function (r) { return r[2]; });
    }
    tbody.textContent = "";
    rows.slice(0, state.shown).forEach(function (job) { tbody.appendChild(row(job)); });
    counter.textContent = num(rows.length) + " of " + num(data.jobs.length) + " jobs listed";
    more.textContent = "show " + Math.min(PAGE, Math.max(rows.length - state.shown, 0)) + " more";
    more.style.display = rows.length > state.shown ? "" : "none";
  }

  function row(job) {
    var v = verdict(job);
    var tr = el("tr", { "class": "job", tabindex: "0", "data-key": String(job.key) },
      el("td", null, el("span", { "class": "badge " + v, text: v })),
      el("td", { "class": "key mono", text: short(job.key === null ? job.input : job.key, 160), title: job.input }),
      el("td", { text: job.outcome }),
      el("td", { "class": "num", text: num(job.observations) }),
      el("td", { "class": "num", text: num(job.errors) }),
      el("td", { "class": "num", text: num(job.warnings) }),
      el("td", { "class": "num", text: job.client ? num(job.client.findings.length) : "" }),
      el("td", { "class": "num", text: job.timing ? seconds(job.timing.duration_seconds) : "" }),
      el("td", null, job.rules.concat(job.client_rules).map(function (r) { return el("code", { text: r + " " }); })));
    function toggle() {
      var next = tr.nextSibling;
      if (next && next.className === "detail") { tbody.removeChild(next); tr.classList.remove("open"); return; }
      tr.classList.add("open");
      tbody.insertBefore(el("tr", { "class": "detail" }, el("td", { colspan: String(COLUMNS.length) }, detail(job))), tr.nextSibling);
    }
    tr.addEventListener("click", toggle);
    tr.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
    return tr;
  }

  // -- one job: its timeline, its findings, its polls -----------------------------------------
  function detail(job) {
    var box = el("div", { "class": "job-detail" });
    box.appendChild(el("div", { "class": "muted" }, short(job.input || "", 200),
      job.lines ? " (units " + job.lines[0] + "\u2013" + job.lines[1] + ")" : "",
      job.http_status ? "; HTTP " + Object.keys(job.http_status).map(function (c) { return c + "\u00d7" + job.http_status[c]; }).join(", ") : ""));
    if (job.steps && job.steps.length) box.appendChild(timeline(job));
    else if (job.steps) box.appendChild(el("div", { "class": "note", text: "No poll of this job was read." }));
    else box.appendChild(el("div", { "class": "note", text: job.steps === null
      ? "This run kept no polls of its jobs (an input over the size up to which the HTML report keeps them): the findings are listed below."
      : "Listed without its polls: only the first " + num(data.full_jobs) + " jobs are drawn." }));
    if (job.steps && job.steps_total > job.steps.length) box.appendChild(el("div", { "class": "note", text: "The first " + num(job.steps.length) + " of " + num(job.steps_total) + " polls are drawn." }));
    var items = job.violations.map(function (x) {
      return el("li", null, el("span", { "class": "badge " + x.severity, text: x.severity }), " ", el("code", { text: x.rule }),
        " poll " + (x.index + 1) + (x.line ? " (unit " + x.line + ")" : "") + (x.http_status ? " HTTP " + x.http_status : "") + ": ", short(x.message, 600));
    });
    if (job.violations_not_kept) items.push(el("li", { "class": "muted", text: "not kept in full: " + Object.keys(job.violations_not_kept).map(function (r) { return job.violations_not_kept[r] + " " + r; }).join(", ") }));
    if (items.length) box.appendChild(el("div", null, el("h3", { text: "Lifecycle" }), el("ul", { "class": "findings" }, items)));
    if (job.client && job.client.findings.length) {
      box.appendChild(el("div", null, el("h3", { text: "Client" }), el("ul", { "class": "findings" }, job.client.findings.map(function (f) {
        return el("li", null, el("span", { "class": "badge client", text: f.severity }), " ", el("code", { text: f.id }),
          (f.first_poll ? " from poll " + f.first_poll : " before any poll") + (f.count > 1 ? " (" + f.count + " times)" : "") + ": ", short(f.message, 600));
      }))));
    }
    var stalls = job.timing ? job.timing.stalls : [];
    if (stalls.length) {
      box.appendChild(el("div", null, el("h3", { text: "Stalls" }), el("ul", { "class": "findings" }, stalls.map(function (s) {
        return el("li", { text: "no change for " + seconds(s.seconds) + " in '" + short(s.status, 80) + "'" + (s.progress !== null ? " at " + s.progress + "%" : "") + " from poll " + s.poll + (s.ongoing ? ", still so at the last poll" : "") });
      }))));
    }
    if (job.steps && job.steps.length) {
      var polls = el("div");
      box.appendChild(el("button", { "class": "show-polls", onclick: function () {
        if (polls.firstChild) { polls.textContent = ""; this.textContent = "show the polls"; return; }
        polls.appendChild(pollTable(job)); this.textContent = "hide the polls";
      } }, "show the polls"));
      box.appendChild(polls);
    }
    return box;
  }

  function pollTable(job) {
    var t0 = job.steps.length && job.steps[0][3] !== null ? job.steps[0][3] : null;
    return el("table", { "class": "polls", style: "margin-top:6px" },
      el("tr", null, ["poll", "unit", "HTTP", "status", "change", "progress", "time"].map(function (h) { return el("th", { text: h }); })),
      job.steps.map(function (s, i) {
        return el("tr", null, el("td", { text: i + 1 }), el("td", { text: s[5] === null ? "" : s[5] }), el("td", { text: s[4] === null ? "" : s[4] }),
          el("td", { "class": "mono", text: s[0] === null ? "" : short(s[0], 80) }), el("td", { text: s[1] }),
          el("td", { text: s[2] === null ? "" : s[2] + "%" }), el("td", { text: t0 !== null && s[3] !== null ? "+" + seconds(s[3] - t0) : "" }));
      }));
  }

  function timeline(job) {
    var steps = job.steps, n = steps.length;
    var W = 1100, L = 90, R = 20, H = 170;
    var timed = n > 1 && steps.every(function (s) { return s[3] !== null; });
    var t0 = timed ? steps[0][3] : 0, span = timed ? Math.max(steps[n - 1][3] - t0, 1e-9) : Math.max(n, 1);
    function x(i) {
      var at = timed ? (i < n ? steps[i][3] - t0 : span) : i;
      return L + (W - L - R) * at / (timed ? span * 1.04 : span);
    }
    var root = svg("svg", { "class": "timeline", viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "timeline of " + short(job.key, 80) });
    root.appendChild(svg("text", { x: 4, y: 14, text: "findings" }));
    root.appendChild(svg("text", { x: 4, y: 44, text: "status" }));
    root.appendChild(svg("text", { x: 4, y: 94, text: "progress" }));
    root.appendChild(svg("text", { x: 4, y: 148, text: "HTTP" }));
    function right(i) { return i + 1 < n ? x(i + 1) : Math.min(x(i) + Math.max((W - L - R) / Math.max(n, 8), 6), W - R); }
    function at(i) { return timed ? x(i) : (x(i) + right(i)) / 2; }  // where poll i sits
    // one band per run of polls with the same status
    for (var a = 0; a < n; a = b) {
      var b = a + 1;
      while (b < n && steps[b][0] === steps[a][0]) b++;
      var x0 = x(a), x1 = right(b - 1), label = steps[a][0] === null ? "(no status)" : String(steps[a][0]);
      var p0 = steps[a][2], p1 = steps[b - 1][2];
      root.appendChild(svg("rect", { x: x0, y: 30, width: Math.max(x1 - x0, 1), height: 20, fill: colourOf(steps[a][0]), "class": "band" },
        svg("title", { text: (b - a > 1 ? "polls " + (a + 1) + "\u2013" + b : "poll " + (a + 1)) + ": " + short(label, 80) +
          (p0 !== null ? " " + p0 + "%" + (p1 !== p0 && p1 !== null ? " \u2192 " + p1 + "%" : "") : "") })));
      if (x1 - x0 > 7 * Math.min(label.length, 14)) {
        root.appendChild(svg("text", { x: x0 + 3, y: 44, style: "fill:#fff", text: short(label, 14) }));
      }
    }
    steps.forEach(function (s, i) {
      if (s[4] !== null && s[4] !== 200 && s[4] !== 202) {
        root.appendChild(svg("text", { x: at(i), y: 148, "class": "http", "text-anchor": "middle", text: String(s[4]) },
          svg("title", { text: "poll " + (i + 1) + ": HTTP " + s[4] })));
      }
    });
    // the percentage, 0 at y 120 and 100 at y 64
    var points = [];
    steps.forEach(function (s, i) { if (typeof s[2] === "number" && isFinite(s[2])) points.push(at(i) + "," + (120 - 0.56 * Math.max(0, Math.min(100, s[2])))); });
    root.appendChild(svg("line", { x1: L, y1: 120, x2: W - R, y2: 120, "class": "axis", stroke: "#d1d9e0" }));
    if (points.length) root.appendChild(svg("polyline", { points: points.join(" "), "class": "pct" }));
    // stalls: shaded from the poll where nothing changed on, for the time it lasted
    (job.timing ? job.timing.stalls : []).forEach(function (st) {
      if (st.poll < 1 || st.poll > n) return;
      var a = x(st.poll - 1), b = timed ? L + (W - L - R) * (steps[st.poll - 1][3] - t0 + st.seconds) / (span * 1.04) : x(n);
      root.appendChild(svg("rect", { x: a, y: 26, width: Math.max(b - a, 2), height: 100, "class": "stall" },
        svg("title", { text: "stalled: no change for " + seconds(st.seconds) })));
    });
    // markers: a lifecycle violation (triangle), a client finding (diamond)
    job.violations.forEach(function (v) {
      var cx = at(Math.min(v.index, n - 1));
      root.appendChild(svg("path", { d: "M" + (cx - 6) + ",6 L" + (cx + 6) + ",6 L" + cx + ",18 Z", fill: v.severity === "error" ? "#cf222e" : "#bf8700", "class": "marker violation" },
        svg("title", { text: v.rule + ": " + short(v.message, 300) })));
    });
    (job.client ? job.client.findings : []).forEach(function (f) {
      var cx = at(Math.min(Math.max(f.first_poll - 1, 0), n - 1));
      root.appendChild(svg("path", { d: "M" + cx + ",4 L" + (cx + 6) + ",12 L" + cx + ",20 L" + (cx - 6) + ",12 Z", fill: "#8250df", "class": "marker client" },
        svg("title", { text: f.id + ": " + short(f.message, 300) })));
    });
    root.appendChild(svg("text", { x: L, y: 165, "class": "muted", text: timed ? "0s" : "poll 1" }));
    root.appendChild(svg("text", { x: W - R, y: 165, "text-anchor": "end", text: timed ? seconds(span) : "poll " + n }));
    var seen = {};
    steps.forEach(function (s) { seen[s[0]] = true; });
    var legend = el("div", { "class": "legend" }, Object.keys(seen).map(function (k) {
      return el("span", null, el("i", { style: "background:" + colourOf(k === "null" ? null : k) }), short(k === "null" ? "(no status)" : k, 40));
    }), el("span", null, el("i", { style: "background:#0969da" }), "progress %"),
      el("span", null, el("i", { style: "background:#cf222e" }), "violation"),
      el("span", null, el("i", { style: "background:#8250df" }), "client finding"));
    return el("div", null, root, legend);
  }

  function diagram() {
    app.appendChild(el("h2", { text: "The spec, with what was observed on it" }));
    var source = document.getElementById("diagram");
    if (source) app.appendChild(el("div", { "class": "diagram" }, document.importNode(source.content, true)));
    if (data.diagram_note) app.appendChild(el("div", { "class": "note", text: data.diagram_note }));
  }

  // -- the conformance table ------------------------------------------------------------------
  function conform() {
    var failed = data.cases.filter(function (c) { return !c.ok; }).length;
    app.appendChild(el("h1", null, "jobstate conform ", el("span", { "class": "badge " + (failed ? "FAIL" : "OK"), text: failed ? "FAIL" : "OK" })));
    app.appendChild(el("div", { "class": "muted mono", text: short(data.command.join(" "), 400) }));
    app.appendChild(el("div", { "class": "cards" }, el("div", { "class": "card" }, el("div", { "class": "n", text: (data.cases.length - failed) + " / " + data.cases.length }), el("div", { "class": "what", text: "cases passed" }))));
    var body = el("tbody");
    data.cases.forEach(function (c) {
      var tr = el("tr", { "class": "job", tabindex: "0" },
        el("td", { "class": "mono", text: c.scenario }),
        el("td", { text: c.expected + (c.expected_resource ? " " + c.expected_resource : "") }),
        el("td", { text: c.concluded === null ? "(" + c.fate + ")" : short(c.concluded + (c.resource ? " " + c.resource : ""), 120) }),
        el("td", null, c.findings.map(function (f) { return el("code", { text: f.id + " " }); })),
        el("td", { "class": "num", text: seconds(c.seconds) }),
        el("td", null, el("span", { "class": "badge " + (c.ok ? "OK" : "FAIL"), text: c.ok ? "ok" : "FAIL" })));
      body.appendChild(tr);
      if (c.ok && !c.findings.length) return;
      var d = el("td", { colspan: "6" },
        c.problems.length ? el("ul", { "class": "findings" }, c.problems.map(function (p) { return el("li", { text: short(p, 600) }); })) : null,
        c.ok && c.findings.length ? el("ul", { "class": "findings" }, c.findings.map(function (f) { return el("li", null, el("code", { text: f.id }), ": " + short(f.message, 600)); })) : null,
        c.exchanges && c.exchanges.length ? el("table", { "class": "polls" }, el("tr", null, ["#", "request", "answer", "body"].map(function (h) { return el("th", { text: h }); })),
          c.exchanges.map(function (x, i) { return el("tr", null, el("td", { text: i + 1 }), el("td", { "class": "mono", text: short(x.request, 200) }), el("td", { text: x.status + (x.location ? " \u2192 " + short(x.location, 120) : "") }), el("td", { "class": "mono", text: short(x.body, 300) })); })) : null,
        c.stderr_tail.length ? el("pre", { "class": "tail", text: c.stderr_tail.join("\n") }) : null);
      var detailRow = el("tr", { "class": "detail" }, d);
      detailRow.style.display = c.ok ? "none" : "";
      body.appendChild(detailRow);
      tr.addEventListener("click", function () { detailRow.style.display = detailRow.style.display ? "" : "none"; });
    });
    app.appendChild(el("table", { id: "case-table" }, el("thead", null, el("tr", null, ["scenario", "expected", "concluded", "traffic findings", "time", "verdict"].map(function (h) { return el("th", { text: h }); }))), body));
  }

  if (app.getAttribute("data-kind") === "conform") conform(); else report();
})();
