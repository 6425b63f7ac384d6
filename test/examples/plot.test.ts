import { describe, expect, it } from "vitest";
import { heatmapsSpec, lineChartSpec, renderSvg } from "../../examples/experiments/lib/plot.js";
import { formatTable } from "../../examples/experiments/lib/table.js";

describe("figures and tables", () => {
  it("renders a line chart to SVG with its title and legend entries", async () => {
    const svg = await renderSvg(
      lineChartSpec({
        title: "error by epoch",
        xTitle: "epoch",
        yTitle: "error",
        series: [
          {
            name: "OptNet test",
            points: [
              [0, 1],
              [1, 0.5],
            ],
          },
          {
            name: "Conv test",
            points: [
              [0, 1],
              [1, 0.7],
            ],
          },
        ],
      }),
    );
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("error by epoch");
    expect(svg).toContain("OptNet test");
    expect(svg).toContain("Conv test");
  });

  it("renders heatmaps side by side", async () => {
    const svg = await renderSvg(
      heatmapsSpec("two matrices", [
        {
          title: "left",
          matrix: [
            [1, -1],
            [0, 2],
          ],
        },
        {
          title: "right",
          matrix: [
            [0.5, 0],
            [0, -0.5],
          ],
        },
      ]),
    );
    expect(svg).toContain("left");
    expect(svg).toContain("right");
    // one rect per matrix entry (plus frames and legends)
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThanOrEqual(8);
  });

  it("aligns table columns", () => {
    const table = formatTable(
      ["model", "error"],
      [
        ["OptNet", "5.0%"],
        ["Conv", "45.0%"],
      ],
    );
    expect(table.split("\n")).toEqual([
      "model   error",
      "------  -----",
      "OptNet   5.0%",
      "Conv    45.0%",
    ]);
  });
});
