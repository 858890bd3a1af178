/* Pictures of the tracing console pages (issue #4 item 5; P5, G2): ECharts from static/vendor.
 * The data comes from json_script elements (no inline script under the CSP):
 *   #trace-data       -> #trace-chain (the supply chain in columns by stage) and #trace-graph
 *   #destination-data -> #destination-chart (quantities received by district)
 * Each chart box gets data-ready="1" when drawn (the browser tests wait for it). */
(function () {
  "use strict";

  var PALETTE = ["#1f6f5c", "#3d7fc1", "#c98a1b", "#b5473a", "#6b5ca5", "#6d7a86"];

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function short(text, size) {
    if (!text) return "";
    return text.length > size ? text.slice(0, size - 1) + "…" : text;
  }

  function draw(box, height, option) {
    box.style.height = height + "px";
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.on("finished", function () { box.dataset.ready = "1"; });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function nodeLabel(node) {
    return node.name || node.id;
  }

  function tooltipOf(node) {
    var lines = ["<strong>" + echarts.format.encodeHTML(nodeLabel(node)) + "</strong>"];
    if (node.name) lines.push(echarts.format.encodeHTML(node.id));
    if (node.districtName) lines.push(echarts.format.encodeHTML(node.districtName));
    if (node.party && node.party !== node.name) lines.push(echarts.format.encodeHTML(node.party));
    return lines.join("<br>");
  }

  /* Flows between places: each code's "at" edges in time order, from one place to the next. */
  function flows(data) {
    var visits = {};
    data.edges.forEach(function (edge) {
      if (edge.relation !== "at") return;
      (visits[edge.source] = visits[edge.source] || []).push(edge);
    });
    var links = {};
    Object.keys(visits).forEach(function (code) {
      var list = visits[code].sort(function (a, b) { return a.time < b.time ? -1 : a.time > b.time ? 1 : 0; });
      for (var i = 1; i < list.length; i++) {
        var from = list[i - 1].target, to = list[i].target;
        if (from === to) continue;
        var key = from + " " + to;
        var link = links[key] || (links[key] = { source: from, target: to, quantity: {}, codes: {} });
        if (list[i].quantity != null) {
          var unit = list[i].uom || "";
          link.quantity[unit] = Math.max(link.quantity[unit] || 0, list[i].quantity);
        }
        link.codes[code] = true;
      }
    });
    // A transformation links the place of its inputs to the place of its outputs.
    data.edges.forEach(function (edge) {
      if (edge.relation !== "transformed") return;
      var before = (visits[edge.source] || []).filter(function (e) { return e.time <= edge.time; }).pop();
      var after = (visits[edge.target] || []).filter(function (e) { return e.time >= edge.time; })[0];
      if (before && after && before.target !== after.target) {
        var key = before.target + " " + after.target;
        links[key] = links[key] || { source: before.target, target: after.target, quantity: {}, codes: {} };
      }
    });
    return Object.keys(links).map(function (key) { return links[key]; });
  }

  function chain(box, data) {
    var stages = data.stages.map(function (stage) { return stage.key; });
    var places = data.nodes.filter(function (node) { return node.kind === "location"; });
    var rows = {};
    var room = box.clientWidth < 560 ? 6 : 14; // characters of a name under its node
    var nodes = places.map(function (node) {
      var column = Math.max(0, stages.indexOf(node.stage || "wholesale"));
      var row = rows[column] = (rows[column] || 0) + 1;
      return {
        id: node.id,
        name: short(nodeLabel(node), room),
        value: [column, row - 1],
        raw: node,
        itemStyle: { color: PALETTE[column % PALETTE.length] },
        symbolSize: 18,
        // Neighbouring columns put their names on opposite sides, so that they do not run together.
        label: { position: column % 2 ? "top" : "bottom" },
      };
    });
    var depth = Math.max(1, Math.max.apply(null, Object.keys(rows).map(function (k) { return rows[k]; }).concat([1])));
    var links = flows(data).map(function (link) {
      var amounts = Object.keys(link.quantity).map(function (unit) { return link.quantity[unit] + " " + unit; });
      return {
        source: link.source,
        target: link.target,
        label: { show: amounts.length > 0, formatter: amounts.join(", "), fontSize: 10 },
        lineStyle: { width: 2, curveness: 0.15 },
      };
    });
    return draw(box, Math.max(260, depth * 70 + 80), {
      tooltip: {
        trigger: "item",
        formatter: function (params) {
          return params.dataType === "node" ? tooltipOf(params.data.raw) : (params.data.label.formatter || "");
        },
      },
      grid: { left: 24, right: 24, top: 40, bottom: 24, containLabel: true },
      xAxis: {
        type: "category",
        position: "top",
        data: data.stages.map(function (stage) { return stage.label; }),
        axisTick: { show: false },
        axisLine: { show: false },
        splitLine: { show: true },
      },
      yAxis: { type: "value", inverse: true, show: false, min: -0.5, max: depth - 0.5 },
      series: [
        {
          type: "graph",
          coordinateSystem: "cartesian2d",
          data: nodes,
          links: links,
          edgeSymbol: ["none", "arrow"],
          edgeSymbolSize: 8,
          label: { show: true, position: "bottom", fontSize: 11 },
          emphasis: { focus: "adjacency" },
        },
      ],
    });
  }

  function graph(box, data) {
    var kinds = ["class", "instance", "logistic_unit", "location", "party"];
    var columns = {};
    var maxDepth = 0;
    data.nodes.forEach(function (node) {
      if (node.depth != null) maxDepth = Math.max(maxDepth, node.depth);
    });
    var nodes = data.nodes.map(function (node) {
      var column = node.kind === "location" ? maxDepth + 1 : node.kind === "party" ? maxDepth + 2 : node.depth || 0;
      if (data.direction === "back" && node.depth != null) column = maxDepth - node.depth;
      var row = columns[column] = (columns[column] || 0) + 1;
      var kind = Math.max(0, kinds.indexOf(node.kind));
      return {
        id: node.id,
        name: short(nodeLabel(node), 18),
        x: column * 160,
        y: (row - 1) * 56,
        category: kind,
        raw: node,
        symbol: node.kind === "location" ? "rect" : node.kind === "party" ? "diamond" : "circle",
        symbolSize: node.id === data.start ? 22 : 14,
        // Many items of one lot: their codes would cover each other; the tooltip still names each.
        label: { show: node.kind !== "instance" || data.nodes.length < 40 },
      };
    });
    var seen = {};
    var links = [];
    data.edges.forEach(function (edge) {
      var key = edge.source + " " + edge.target + " " + edge.relation;
      if (seen[key]) return;
      seen[key] = true;
      links.push({
        source: edge.source,
        target: edge.target,
        raw: edge,
        lineStyle: { type: edge.relation === "at" ? "dashed" : "solid", opacity: edge.relation === "at" ? 0.45 : 0.9 },
      });
    });
    var tallest = Math.max.apply(null, Object.keys(columns).map(function (k) { return columns[k]; }).concat([1]));
    return draw(box, Math.min(900, Math.max(300, tallest * 48 + 80)), {
      tooltip: {
        trigger: "item",
        formatter: function (params) {
          if (params.dataType === "node") return tooltipOf(params.data.raw);
          var edge = params.data.raw;
          var text = echarts.format.encodeHTML(edge.relation + " · " + (edge.bizStep || edge.eventType));
          if (edge.quantity != null) text += "<br>" + data.labels.quantity + ": " + edge.quantity + " " + (edge.uom || "");
          return text + "<br>" + echarts.format.encodeHTML(edge.time);
        },
      },
      legend: [{ data: data.nodes.length ? kinds.map(function (k) { return labelOf(data, k); }) : [], bottom: 0 }],
      series: [
        {
          type: "graph",
          layout: "none",
          roam: true,
          data: nodes,
          links: links,
          categories: kinds.map(function (k, i) { return { name: labelOf(data, k), itemStyle: { color: PALETTE[i] } }; }),
          edgeSymbol: ["none", "arrow"],
          edgeSymbolSize: 7,
          label: { show: true, position: "right", fontSize: 10 },
          emphasis: { focus: "adjacency" },
        },
      ],
    });
  }

  function labelOf(data, kind) {
    var node = data.nodes.filter(function (n) { return n.kind === kind; })[0];
    return node ? node.kindLabel : kind;
  }

  function districts(box, data) {
    return draw(box, Math.max(260, data.districts.length * 44 + 90), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: data.units, bottom: 0 },
      grid: { left: 12, right: 24, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "value", name: data.labels.received },
      yAxis: { type: "category", data: data.districts, inverse: true },
      series: data.series.map(function (series, i) {
        return {
          type: "bar",
          name: series.name,
          data: series.data,
          itemStyle: { color: PALETTE[i % PALETTE.length] },
          label: { show: true, position: "right" },
        };
      }),
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var trace = read("trace-data");
    if (trace) {
      trace.start = (trace.nodes.filter(function (n) { return n.depth === 0; })[0] || {}).id;
      var chainBox = document.getElementById("trace-chain");
      if (chainBox) chain(chainBox, trace);
      var graphBox = document.getElementById("trace-graph");
      if (graphBox) graph(graphBox, trace);
    }
    var destination = read("destination-data");
    var destinationBox = document.getElementById("destination-chart");
    if (destination && destinationBox) districts(destinationBox, destination);
  });
})();
