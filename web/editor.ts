/**
 * The program editor: a textarea over a layer that repeats its text invisibly, so that marks
 * drawn in that layer (errors, the line a canonical row came from) sit under the right
 * characters. No editor library: the page needs underlines and one highlighted line, no more.
 */

export interface Mark {
  line: number;
  column: number;
  length: number;
  message: string;
}

function escape(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[c]};`,
  );
}

/** One line's HTML with its marks (columns are 1-based; a mark past the end marks a space). */
function lineHtml(text: string, lineNo: number, marks: readonly Mark[]): string {
  const here = marks
    .filter((m) => m.line === lineNo)
    .map((m) => {
      const start = Math.min(Math.max(0, m.column - 1), text.length);
      return { ...m, start, end: Math.min(text.length, start + Math.max(1, m.length)) };
    })
    .sort((a, b) => a.start - b.start);
  let html = "";
  let at = 0;
  for (const m of here) {
    if (m.start < at) continue; // overlapping marks: the first one is drawn
    html += escape(text.slice(at, m.start));
    const marked = m.end > m.start ? escape(text.slice(m.start, m.end)) : " ";
    html +=
      `<mark class="error" data-line="${m.line}" data-column="${m.column}" ` +
      `title="${escape(m.message)}">${marked}</mark>`;
    at = Math.max(m.end, m.start);
  }
  return html + escape(text.slice(at));
}

export class Editor {
  readonly #text: HTMLTextAreaElement;
  readonly #layer: HTMLElement;
  #marks: Mark[] = [];
  #lit: number | null = null;

  constructor(text: HTMLTextAreaElement, layer: HTMLElement) {
    this.#text = text;
    this.#layer = layer;
    text.addEventListener("input", () => this.#render());
    text.addEventListener("scroll", () => {
      layer.scrollTop = text.scrollTop;
      layer.scrollLeft = text.scrollLeft;
    });
  }

  get value(): string {
    return this.#text.value;
  }

  set value(source: string) {
    this.#text.value = source;
    this.#render();
  }

  onInput(listener: () => void): void {
    this.#text.addEventListener("input", listener);
  }

  mark(marks: Mark[]): void {
    this.#marks = marks;
    this.#render();
  }

  /** Lights up one source line (or none), e.g. while a canonical row that came from it is pointed at. */
  light(line: number | null): void {
    this.#lit = line;
    this.#render();
  }

  /** Puts the cursor at the start of a line. */
  goTo(line: number): void {
    const lines = this.#text.value.split("\n");
    const offset = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    this.#text.focus();
    this.#text.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0));
  }

  #render(): void {
    const lines = this.#text.value.split("\n");
    // The extra line keeps a trailing newline as tall as in the textarea.
    this.#layer.innerHTML =
      lines
        .map((text, i) => {
          const html = lineHtml(text, i + 1, this.#marks);
          return i + 1 === this.#lit ? `<span class="lit">${html}</span>` : html;
        })
        .join("\n") + "\n ";
    this.#layer.scrollTop = this.#text.scrollTop;
  }
}
