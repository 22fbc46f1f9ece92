// A small time-series line chart on a canvas: at most the last `windowMs` of one or more series
// (the time axis spans what there is, at least a minute, so a fresh page already shows a shape).
// No library: axes, a few grid lines, a legend, one polyline per series.
'use strict';
window.lineChart = (function () {
  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function fmt(v) {
    if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
  }

  function ago(ms) {
    return ms === 0 ? 'now' : ms >= 60000 ? '-' + Math.round(ms / 60000) + 'm' : '-' + Math.round(ms / 1000) + 's';
  }

  // series: [{label, color, points: [[timeMs, value], ...]}]
  return function draw(canvas, series, maxWindowMs, now) {
    let first = now;
    for (const s of series) if (s.points.length && s.points[0][0] < first) first = s.points[0][0];
    const windowMs = Math.min(maxWindowMs, Math.max(60000, now - first));
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    const left = 44, right = 8, top = 18, bottom = 18;
    const from = now - windowMs;
    let max = 0;
    for (const s of series) for (const [t, v] of s.points) if (t >= from && v > max) max = v;
    max = niceMax(max);
    g.font = '11px system-ui, sans-serif';
    g.strokeStyle = '#e3e8ee';
    g.fillStyle = '#5d6b7a';
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) { // horizontal grid with the y labels
      const y = top + (h - top - bottom) * i / 4;
      g.beginPath(); g.moveTo(left, y); g.lineTo(w - right, y); g.stroke();
      g.textAlign = 'right'; g.textBaseline = 'middle';
      g.fillText(fmt(max * (4 - i) / 4), left - 4, y);
    }
    g.textAlign = 'center'; g.textBaseline = 'top';
    for (let i = 3; i >= 0; i--) { // x labels: time ago
      const x = left + (w - left - right) * (1 - i / 3);
      g.fillText(ago(windowMs * i / 3), Math.max(left + 10, Math.min(x, w - right - 12)), h - bottom + 4);
    }
    let legendX = left;
    for (const s of series) {
      g.strokeStyle = s.color; g.lineWidth = 1.6;
      g.beginPath();
      let started = false;
      for (const [t, v] of s.points) {
        if (t < from) continue;
        const x = left + (w - left - right) * (t - from) / windowMs;
        const y = top + (h - top - bottom) * (1 - v / max);
        if (started) g.lineTo(x, y); else { g.moveTo(x, y); started = true; }
      }
      g.stroke();
      const last = s.points.length ? s.points[s.points.length - 1][1] : 0;
      g.fillStyle = s.color; g.textAlign = 'left'; g.textBaseline = 'top';
      const text = s.label + ': ' + fmt(last);
      g.fillRect(legendX, 4, 8, 8);
      g.fillStyle = '#1b2430';
      g.fillText(text, legendX + 11, 2);
      legendX += g.measureText(text).width + 24;
    }
  };
})();
