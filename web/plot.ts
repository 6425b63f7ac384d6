/** Bar charts in SVG: one panel per vector, drawn side by side on a shared vertical scale. */

export interface Series {
  label: string;
  values: readonly number[];
}

const SVG = "http://www.w3.org/2000/svg";
const PANEL_WIDTH = 320;
const HEIGHT = 180;
const PAD = 22;

function element<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

export function barChart(series: readonly Series[]): SVGSVGElement {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const top = Math.max(0, ...all);
  const bottom = Math.min(0, ...all);
  const span = top - bottom || 1;
  const y = (v: number) => PAD + ((top - v) / span) * (HEIGHT - 2 * PAD);
  const svg = element("svg", {
    width: PANEL_WIDTH * series.length,
    height: HEIGHT,
    viewBox: `0 0 ${PANEL_WIDTH * series.length} ${HEIGHT}`,
    role: "img",
  });
  series.forEach((s, k) => {
    const left = k * PANEL_WIDTH + PAD;
    const width = PANEL_WIDTH - 2 * PAD;
    const bar = width / Math.max(1, s.values.length);
    const panel = element("g", { class: "panel", "data-label": s.label });
    const title = element("text", { x: left, y: 14, class: "label" });
    title.textContent = s.label;
    panel.append(
      title,
      element("line", { x1: left, x2: left + width, y1: y(0), y2: y(0), class: "axis" }),
    );
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const rect = element("rect", {
        x: left + i * bar + bar * 0.1,
        width: Math.max(0.5, bar * 0.8),
        y: Math.min(y(v), y(0)),
        height: Math.max(0.5, Math.abs(y(v) - y(0))),
        class: "bar",
      });
      const tip = element("title", {});
      tip.textContent = `${s.label}[${i}] = ${v}`;
      rect.append(tip);
      panel.append(rect);
    });
    svg.append(panel);
  });
  return svg;
}
