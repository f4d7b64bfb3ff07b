// Markdown edits for the toolbar and the shortcuts. Each takes the editor view, changes the
// document as one undoable step and returns true, as CodeMirror's commands do.
import { EditorSelection } from "@codemirror/state";

/** Wrap each selection in `mark` (** or _), or unwrap it if it is already wrapped. */
export function toggleMark(view, mark) {
  const { state } = view;
  const size = mark.length;
  view.dispatch(
    state.changeByRange((range) => {
      const before = state.sliceDoc(range.from - size, range.from);
      const after = state.sliceDoc(range.to, range.to + size);
      if (before === mark && after === mark) {
        return {
          changes: [
            { from: range.from - size, to: range.from },
            { from: range.to, to: range.to + size },
          ],
          range: EditorSelection.range(range.from - size, range.to - size),
        };
      }
      return {
        changes: [
          { from: range.from, insert: mark },
          { from: range.to, insert: mark },
        ],
        range: EditorSelection.range(range.from + size, range.to + size),
      };
    }),
    { scrollIntoView: true, userEvent: "input" },
  );
  view.focus();
  return true;
}

function selectedLines(state) {
  const seen = new Set();
  const lines = [];
  for (const range of state.selection.ranges) {
    for (let pos = range.from; pos <= range.to; ) {
      const line = state.doc.lineAt(pos);
      if (!seen.has(line.number)) {
        seen.add(line.number);
        lines.push(line);
      }
      pos = line.to + 1;
    }
  }
  return lines;
}

// Any block prefix a line may carry: heading, quote, bullet or number. Only one is kept.
const BLOCK_PREFIX = /^(#{1,6} |> ?|[-*+] |\d+[.)] )/;

/** Give every selected line the block prefix `kind` makes (a heading level, a quote, a list
 * item), or take it away when they all have it already. Lists and quotes get the blank line
 * Python-Markdown needs before them. */
export function toggleBlock(view, kind) {
  const { state } = view;
  const lines = selectedLines(state);
  const prefixFor = (index) =>
    kind === "numbers" ? `${index + 1}. ` : { bullets: "- ", quote: "> ", h2: "## ", h3: "### " }[kind];
  const matches = {
    numbers: /^\d+[.)] /,
    bullets: /^[-*+] /,
    quote: /^> ?/,
    h2: /^## /,
    h3: /^### /,
  }[kind];
  const removing = lines.every((line) => matches.test(line.text));
  const changes = lines.map((line, index) => {
    const current = line.text.match(BLOCK_PREFIX);
    const end = line.from + (current ? current[0].length : 0);
    return { from: line.from, to: end, insert: removing ? "" : prefixFor(index) };
  });
  const first = lines[0];
  if (!removing && kind !== "h2" && kind !== "h3" && first.number > 1) {
    const previous = state.doc.line(first.number - 1).text;
    if (previous.trim() && !matches.test(previous)) {
      changes.push({ from: first.from, insert: "\n" });
    }
  }
  view.dispatch({ changes, scrollIntoView: true, userEvent: "input" });
  view.focus();
  return true;
}

/** Cycle the selected lines through: paragraph, section heading (##), subheading (###). */
export function cycleHeading(view) {
  const line = view.state.doc.lineAt(view.state.selection.main.head);
  if (/^## /.test(line.text)) return toggleBlock(view, "h3");
  if (/^### /.test(line.text)) return toggleBlock(view, "h3");
  return toggleBlock(view, "h2");
}

/** Insert `block` as a paragraph of its own at `at` (the cursor by default): blank lines
 * around it, which also makes a lone library image a figure with its caption. */
export function insertBlock(view, block, at) {
  const { doc } = view.state;
  const pos = Math.min(at ?? view.state.selection.main.head, doc.length);
  const before = doc.sliceString(Math.max(0, pos - 2), pos);
  const after = doc.sliceString(pos, pos + 2);
  const opening = pos === 0 || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  const closing = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
  const insert = opening + block + closing;
  view.dispatch({
    changes: { from: pos, insert },
    selection: { anchor: pos + insert.length },
    scrollIntoView: true,
    userEvent: "input",
  });
  view.focus();
  return true;
}

/** Escape what would end a Markdown link or image text early. */
export function escapeLabel(text) {
  return text.replace(/\s+/g, " ").trim().replace(/([\\[\]])/g, "\\$1");
}

/** Markdown for a link; a space or parenthesis in the address is kept inside <...>. */
export function linkMarkdown(text, url) {
  const target = /[\s()<>]/.test(url) ? `<${url.replace(/[<>]/g, encodeURIComponent)}>` : url;
  return `[${escapeLabel(text || url)}](${target})`;
}

// A word as rendering.count_words counts one (Python's \w+(?:[-'’]\w+)*).
const WORD = /[\p{L}\p{N}_]+(?:[-'’][\p{L}\p{N}_]+)*/gu;

/** Words in rendered HTML, counted exactly as the server counts the story's (tags left out). */
export function countHtmlWords(html) {
  return (html.replace(/<[^>]+>/g, " ").match(WORD) || []).length;
}

/** An estimate from the Markdown while the preview is on its way: addresses, image
 * references and markup left out. */
export function countWords(markdown) {
  const text = markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, " ") // images are not read
    .replace(/\]\([^)]*\)/g, "] ") // link targets
    .replace(/<[^>]+>/g, " ") // raw HTML tags
    .replace(/^\[\^[^\]]+\]:/gm, " ") // footnote labels
    .replace(/^ {0,3}(#{1,6}|>|[-*+]|\d+[.)])(?= )/gm, " "); // block markers
  return (text.match(WORD) || []).length;
}
