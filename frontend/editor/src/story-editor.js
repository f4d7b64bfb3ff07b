// The story's writing surface: CodeMirror 6 over the body's Markdown textarea, which stays the
// submitted field (every change is copied into it, so autosave and the server see it); a live
// preview rendered by the site's own renderer; image and link dialogs; word count, reading
// time and the autosave state; full screen. Without JavaScript the textarea is all there is.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { markdownKeymap, markdownLanguage } from "@codemirror/lang-markdown";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, drawSelection, keymap, placeholder } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import {
  countHtmlWords,
  countWords,
  cycleHeading,
  escapeLabel,
  insertBlock,
  linkMarkdown,
  toggleBlock,
  toggleMark,
} from "./markdown-commands.js";

const PREVIEW_DELAY_MS = 500;
const SEARCH_DELAY_MS = 200;
// Words a minute of a reader of Spanish news text.
const READING_SPEED = 200;

const markdownStyle = HighlightStyle.define([
  { tag: tags.heading1, fontSize: "1.5em", fontWeight: "bold" },
  { tag: tags.heading2, fontSize: "1.3em", fontWeight: "bold" },
  { tag: tags.heading3, fontSize: "1.15em", fontWeight: "bold" },
  { tag: [tags.heading4, tags.heading5, tags.heading6], fontWeight: "bold" },
  { tag: tags.strong, fontWeight: "bold" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.strikethrough, textDecoration: "line-through" },
  { tag: tags.link, color: "var(--link-fg)", textDecoration: "underline" },
  { tag: tags.url, color: "var(--body-quiet-color)" },
  { tag: tags.quote, color: "var(--body-quiet-color)", fontStyle: "italic" },
  { tag: [tags.monospace], fontFamily: "ui-monospace, Menlo, Consolas, monospace" },
  { tag: [tags.processingInstruction, tags.contentSeparator, tags.labelName, tags.meta], color: "var(--body-quiet-color)" },
  { tag: [tags.angleBracket, tags.tagName, tags.attributeName], color: "var(--body-quiet-color)" },
]);

// CodeMirror's own styles rank above the page's style sheets (they are adopted style sheets),
// so the writing surface's look is set here, in the admin's colour variables.
const surfaceTheme = EditorView.theme({
  // The text grows with the story and the page scrolls it: a box scrolling inside the page
  // would be a scrollable region that cannot take focus (axe, WCAG 2.1.1).
  "&": {
    minHeight: "28rem",
    border: "1px solid var(--border-color)",
    backgroundColor: "var(--body-bg)",
    color: "var(--body-fg)",
    fontSize: "1.0625rem",
  },
  "&.cm-focused": { outline: "2px solid var(--primary)", outlineOffset: "-1px" },
  ".cm-scroller": { fontFamily: 'Georgia, "Times New Roman", serif', lineHeight: "1.6" },
  ".cm-content": { padding: "0.75rem 1rem", caretColor: "var(--body-fg)" },
  ".cm-cursor": { borderLeftColor: "var(--body-fg)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground": {
    backgroundColor: "var(--selected-row)",
  },
  ".cm-placeholder": { color: "var(--body-quiet-color)" },
});

function csrfToken(form) {
  const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// The templates' strings carry {name} where a number or a time goes (blocktranslate's output).
function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

function clockTime(date) {
  return date.toLocaleTimeString(document.documentElement.lang || undefined, {
    hour: "2-digit",
    minute: "2-digit",
  });
}

async function answerOf(response, fallback) {
  let payload = null;
  try {
    payload = await response.json();
  } catch (error) {
    payload = null;
  }
  if (!response.ok) throw new Error((payload && payload.error) || fallback);
  return payload;
}

function debounce(fn, delay) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), delay);
  };
}

function setUp(root) {
  const textarea = root.querySelector("textarea");
  const form = textarea.form;
  const toolbar = root.querySelector(".story-editor-toolbar");
  const preview = root.querySelector(".story-editor-preview");
  const previewBody = preview.querySelector(".markdown-preview-body");
  const previewWarnings = preview.querySelector(".markdown-preview-warnings");
  const status = root.querySelector(".story-editor-status");
  const wordCount = status.querySelector("[data-word-count]");
  const readingTime = status.querySelector("[data-reading-time]");
  const autosaveState = status.querySelector("[data-autosave-state]");
  const imageDialog = root.querySelector("[data-dialog=image]");
  const linkDialog = root.querySelector("[data-dialog=link]");

  function post(url, data, signal) {
    const headers = { "X-CSRFToken": csrfToken(form) };
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers, signal });
  }

  // ---- Preview, counts and the textarea, after every change ----
  let previewRequest = null;
  function showWarnings(items, level) {
    previewWarnings.replaceChildren(
      ...items.map((text) => {
        const item = document.createElement("li");
        item.className = level;
        item.textContent = text;
        return item;
      }),
    );
  }
  async function refreshPreview() {
    if (previewRequest) previewRequest.abort();
    const request = (previewRequest = new AbortController());
    const data = new FormData();
    data.append("body", textarea.value);
    try {
      const response = await post(root.dataset.previewUrl, data, request.signal);
      const payload = await answerOf(response, root.dataset.previewError);
      // The site's renderer sanitized this HTML, exactly as for readers.
      previewBody.innerHTML = payload.html;
      showWarnings(payload.warnings, "warning");
      updateCounts(countHtmlWords(payload.html));
    } catch (error) {
      if (error.name === "AbortError") return;
      // The last good preview stays; the message says why it is not current.
      const offline = error instanceof TypeError || !navigator.onLine;
      showWarnings([offline ? root.dataset.offline : error.message], "error");
    }
  }
  const refreshPreviewSoon = debounce(refreshPreview, PREVIEW_DELAY_MS);

  function updateCounts(words) {
    wordCount.textContent =
      words === 1 ? wordCount.dataset.one : format(wordCount.dataset.many, { count: words.toLocaleString() });
    readingTime.textContent = format(readingTime.dataset.template, {
      minutes: Math.max(1, Math.ceil(words / READING_SPEED)),
    });
  }

  // ---- Autosave state, from workflow.js's events and the browser's connection ----
  let savedAt = null;
  // What the page opened with is kept already; then, what the last successful autosave sent.
  let keptText = textarea.value;
  let sendingText = null;
  function showAutosave(state) {
    const time = savedAt ? clockTime(savedAt) : "";
    const key = state === "offline" && !savedAt ? "offlineNever" : state;
    autosaveState.textContent = format(autosaveState.dataset[key], { time });
    autosaveState.dataset.state = state;
  }
  function showKeptOrNot() {
    showAutosave(textarea.value !== keptText ? "dirty" : savedAt ? "saved" : "idle");
  }
  document.addEventListener("newsroom:autosave", (event) => {
    const { state } = event.detail;
    if (state === "saving") sendingText = textarea.value;
    if (state === "saved") {
      savedAt = new Date(event.detail.savedAt || Date.now());
      keptText = sendingText;
      showKeptOrNot(); // typed while it was on its way: still unsaved
      return;
    }
    showAutosave(state);
  });
  window.addEventListener("offline", () => showAutosave("offline"));
  window.addEventListener("online", showKeptOrNot);

  // ---- The editor ----
  let copying = false;
  function copyToTextarea(update) {
    if (!update.docChanged) return;
    textarea.value = update.state.doc.toString();
    copying = true;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    copying = false;
    updateCounts(countWords(textarea.value));
    if (autosaveState.dataset.state !== "offline") showAutosave("dirty");
    refreshPreviewSoon();
  }

  const shortcuts = [
    { key: "Mod-b", run: (view) => toggleMark(view, "**") },
    { key: "Mod-i", run: (view) => toggleMark(view, "_") },
    { key: "Mod-k", run: () => openLinkDialog() },
    { key: "Mod-Alt-2", run: (view) => toggleBlock(view, "h2") },
    { key: "Mod-Alt-3", run: (view) => toggleBlock(view, "h3") },
    { key: "Mod-Shift-7", run: (view) => toggleBlock(view, "numbers") },
    { key: "Mod-Shift-8", run: (view) => toggleBlock(view, "bullets") },
    { key: "Mod-Shift-9", run: (view) => toggleBlock(view, "quote") },
    { key: "Mod-Shift-i", run: () => openImageDialog() },
    { key: "Mod-Shift-f", run: () => toggleFullscreen() },
    { key: "Escape", run: () => (root.classList.contains("is-fullscreen") ? toggleFullscreen() : false) },
  ];

  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const view = new EditorView({
    parent: textarea.parentElement,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        history(),
        drawSelection(),
        EditorView.lineWrapping,
        // The language alone, not markdown(): that one also bundles HTML, CSS and JavaScript
        // support for raw HTML blocks, which tripled the script.
        markdownLanguage,
        syntaxHighlighting(markdownStyle),
        surfaceTheme,
        placeholder(textarea.placeholder || ""),
        keymap.of([...shortcuts, ...markdownKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.updateListener.of(copyToTextarea),
        EditorView.contentAttributes.of({
          "aria-label": label ? label.textContent.replace(/:$/, "") : "",
          "aria-multiline": "true",
          spellcheck: "true",
          lang: document.documentElement.lang || "es",
        }),
        EditorView.domEventHandlers({ drop: dropFiles, paste: pasteFiles }),
      ],
    }),
  });
  // The textarea stays in the form, out of sight and out of the tab order; a hidden required
  // field would block the submit with no message, so the server alone checks it.
  textarea.classList.add("story-editor-mirror");
  textarea.tabIndex = -1;
  textarea.setAttribute("aria-hidden", "true");
  textarea.required = false;
  textarea.after(view.dom);
  if (label) label.addEventListener("click", () => view.focus());

  // Text written into the textarea by someone else (the autosave offer, a browser extension,
  // a test) comes back into the editor.
  function takeFromTextarea() {
    if (textarea.value !== view.state.doc.toString()) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: textarea.value } });
    }
  }
  textarea.addEventListener("input", () => copying || takeFromTextarea());
  // The autosave offer sets the value without an event.
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-autosave-restore]")) setTimeout(takeFromTextarea);
  });

  // ---- Toolbar ----
  const commands = {
    heading: () => cycleHeading(view),
    bold: () => toggleMark(view, "**"),
    italic: () => toggleMark(view, "_"),
    link: () => openLinkDialog(),
    quote: () => toggleBlock(view, "quote"),
    bullets: () => toggleBlock(view, "bullets"),
    numbers: () => toggleBlock(view, "numbers"),
    image: () => openImageDialog(),
    rule: () => insertBlock(view, "---"),
    fullscreen: () => toggleFullscreen(),
  };
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-command]");
    if (button) commands[button.dataset.command]();
  });

  function toggleFullscreen() {
    const on = root.classList.toggle("is-fullscreen");
    document.documentElement.classList.toggle("story-editor-fullscreen", on);
    toolbar.querySelector("[data-command=fullscreen]").setAttribute("aria-pressed", String(on));
    // Set through the CSSOM, which the Content-Security-Policy allows (style="" it would not).
    view.dom.style.flex = on ? "1 1 auto" : "";
    view.dom.style.minHeight = on ? "0" : "";
    view.focus();
    return true;
  }

  // ---- Dialogs ----
  function showError(dialog, message) {
    const note = dialog.querySelector("[data-dialog-error]");
    note.textContent = message || "";
    note.hidden = !message;
  }
  function closeDialog(dialog) {
    if (dialog.open) dialog.close();
  }
  for (const dialog of [imageDialog, linkDialog]) {
    // Closed by a button or by Escape, the writer goes on where the text was left.
    dialog.addEventListener("close", () => view.focus());
    dialog.querySelector("[data-dialog-cancel]").addEventListener("click", () => closeDialog(dialog));
    // The dialogs sit inside the story's form: Enter in a search box must not submit it.
    dialog.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.matches("input")) event.preventDefault();
    });
  }

  function searcher(input, url, show) {
    const search = debounce(async () => {
      try {
        const response = await fetch(`${url}?${new URLSearchParams({ q: input.value })}`, {
          credentials: "same-origin",
        });
        show(await answerOf(response, root.dataset.previewError));
      } catch (error) {
        showError(input.closest("dialog"), navigator.onLine ? error.message : root.dataset.offline);
      }
    }, SEARCH_DELAY_MS);
    input.addEventListener("input", search);
    return search;
  }

  // Images: pick from the library or upload; the alt text is asked for before inserting.
  const imageResults = imageDialog.querySelector("[data-image-results]");
  const imageAlt = imageDialog.querySelector("[data-image-alt]");
  // Made here: an <img> with no address yet would not be valid HTML in the page.
  const imageChosen = document.createElement("img");
  imageChosen.className = "story-editor-chosen";
  imageChosen.alt = "";
  imageDialog.querySelector("[data-step=describe]").prepend(imageChosen);
  const imageInsert = imageDialog.querySelector("[data-image-insert]");
  const imageFile = imageDialog.querySelector("[data-image-file]");
  let placing = null; // {id} for a library image, {file} for an upload; and where it goes

  function showImageStep(step) {
    for (const part of imageDialog.querySelectorAll("[data-step]")) part.hidden = part.dataset.step !== step;
    imageInsert.hidden = step !== "describe";
  }
  const searchImages = searcher(imageDialog.querySelector("[data-image-search]"), root.dataset.imagesUrl, (answer) => {
    showError(imageDialog, "");
    imageResults.replaceChildren();
    if (!answer.results.length) {
      const empty = document.createElement("li");
      empty.textContent = imageResults.dataset.empty;
      imageResults.append(empty);
    }
    for (const image of answer.results) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.imageId = image.id;
      const thumbnail = document.createElement("img");
      thumbnail.src = image.thumbnail || "";
      thumbnail.alt = "";
      const caption = document.createElement("span");
      caption.textContent = `${image.id}: ${image.alt || image.caption || "—"}`;
      button.append(thumbnail, caption);
      button.addEventListener("click", () => describeImage({ id: image.id, preview: image.thumbnail, alt: image.alt }));
      item.append(button);
      imageResults.append(item);
    }
  });

  function openImageDialog(file, at) {
    placing = { at: at ?? view.state.selection.main.head };
    showError(imageDialog, "");
    imageFile.value = "";
    if (!imageDialog.open) imageDialog.showModal();
    if (file) {
      describeImage({ file, preview: URL.createObjectURL(file), alt: "" });
    } else {
      showImageStep("choose");
      searchImages();
      imageDialog.querySelector("[data-image-search]").focus();
    }
    return true;
  }
  function describeImage(choice) {
    Object.assign(placing, choice);
    imageChosen.src = choice.preview || "";
    imageChosen.hidden = !choice.preview;
    imageAlt.value = choice.alt || "";
    showImageStep("describe");
    imageAlt.focus();
  }
  imageFile.addEventListener("change", () => {
    const file = imageFile.files[0];
    if (file) describeImage({ file, preview: URL.createObjectURL(file), alt: "" });
  });
  imageAlt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      imageInsert.click();
    }
  });
  imageInsert.addEventListener("click", async () => {
    const alt = imageAlt.value.trim();
    if (!alt) {
      showError(imageDialog, imageAlt.closest("label").textContent.trim());
      imageAlt.focus();
      return;
    }
    let id = placing.id;
    if (placing.file) {
      const data = new FormData();
      data.append("file", placing.file);
      data.append("alt", alt);
      imageInsert.disabled = true;
      try {
        const response = await post(root.dataset.uploadUrl, data);
        id = (await answerOf(response, root.dataset.previewError)).id;
      } catch (error) {
        showError(imageDialog, navigator.onLine ? error.message : root.dataset.offline);
        return;
      } finally {
        imageInsert.disabled = false;
      }
    }
    closeDialog(imageDialog);
    insertBlock(view, `![${escapeLabel(alt)}](image:${id})`, placing.at);
  });

  function imageFiles(transfer) {
    return transfer ? [...transfer.files].filter((file) => file.type.startsWith("image/")) : [];
  }
  function dropFiles(event, editorView) {
    const files = imageFiles(event.dataTransfer);
    if (!files.length) return false;
    event.preventDefault();
    const at = editorView.posAtCoords({ x: event.clientX, y: event.clientY });
    openImageDialog(files[0], at ?? undefined);
    return true;
  }
  function pasteFiles(event) {
    const files = imageFiles(event.clipboardData);
    if (!files.length) return false;
    event.preventDefault();
    openImageDialog(files[0]);
    return true;
  }

  // Links: typed, or found among our published stories and the organizations.
  const linkText = linkDialog.querySelector("[data-link-text]");
  const linkUrl = linkDialog.querySelector("[data-link-url]");
  const linkSearch = linkDialog.querySelector("[data-link-search]");
  const linkResults = linkDialog.querySelector("[data-link-results]");
  let linkRange = null;

  searcher(linkSearch, root.dataset.linksUrl, (answer) => {
    showError(linkDialog, "");
    linkResults.replaceChildren();
    const groups = [
      [linkResults.dataset.stories, answer.stories],
      [linkResults.dataset.organizations, answer.organizations],
    ];
    for (const [title, found] of groups) {
      if (!found.length) continue;
      const heading = document.createElement("li");
      heading.className = "story-editor-links-group";
      heading.textContent = title;
      linkResults.append(heading);
      for (const choice of found) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.url = choice.url;
        button.textContent = choice.detail ? `${choice.title} (${choice.detail})` : choice.title;
        button.addEventListener("click", () => {
          linkUrl.value = choice.url;
          if (!linkText.value.trim()) linkText.value = choice.title;
          linkDialog.querySelector("[data-link-insert]").focus();
        });
        item.append(button);
        linkResults.append(item);
      }
    }
    if (!linkResults.children.length && linkSearch.value.trim()) {
      const empty = document.createElement("li");
      empty.textContent = linkResults.dataset.empty;
      linkResults.append(empty);
    }
  });

  function openLinkDialog() {
    const range = view.state.selection.main;
    linkRange = { from: range.from, to: range.to };
    linkText.value = view.state.sliceDoc(range.from, range.to);
    linkUrl.value = "";
    linkSearch.value = "";
    linkResults.replaceChildren();
    showError(linkDialog, "");
    linkDialog.showModal();
    (linkText.value ? linkUrl : linkText).focus();
    return true;
  }
  linkDialog.querySelector("[data-link-insert]").addEventListener("click", () => {
    const url = linkUrl.value.trim();
    if (!url) {
      showError(linkDialog, linkUrl.closest("label").textContent.trim());
      linkUrl.focus();
      return;
    }
    const insert = linkMarkdown(linkText.value, url);
    closeDialog(linkDialog);
    view.dispatch({
      changes: { ...linkRange, insert },
      selection: { anchor: linkRange.from + insert.length },
      userEvent: "input",
    });
  });
  for (const input of [linkText, linkUrl]) {
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        linkDialog.querySelector("[data-link-insert]").click();
      }
    });
  }

  // ---- Ready ----
  toolbar.hidden = false;
  status.hidden = false;
  preview.hidden = false;
  root.classList.add("is-live");
  updateCounts(countWords(textarea.value));
  showAutosave(navigator.onLine ? "idle" : "offline");
  if (textarea.value.trim()) refreshPreview();
  root.storyEditor = view; // for tests and for the browser's console
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".story-editor").forEach(setUp);
});
