// Builds static/editor/ from src/: one minified script (CodeMirror 6 and the editor's own
// code) and LICENSES.txt with the licence of every package inside it. Deterministic: the same
// package-lock.json gives the same bytes. Run ./build.sh (npm ci, then this).
import { build } from "esbuild";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "static", "editor");
mkdirSync(out, { recursive: true });

// CodeMirror injects its styles with a <style> element in the page, which the site's
// Content-Security-Policy (style-src 'self') refuses. style-mod already uses a constructed
// stylesheet (document.adoptedStyleSheets, which CSP allows) inside shadow roots: this makes
// it do so in the document too. The build stops if style-mod no longer reads as expected.
const STYLE_MOD_CHECK = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
const adoptedStyles = {
  name: "adopted-styles",
  setup(builder) {
    builder.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes(STYLE_MOD_CHECK)) throw new Error(`style-mod changed: ${args.path}`);
      const patched = source.replace(STYLE_MOD_CHECK, "if (root.adoptedStyleSheets && win.CSSStyleSheet) {");
      return { contents: patched, loader: "js" };
    });
  },
};

const result = await build({
  plugins: [adoptedStyles],
  entryPoints: [join(here, "src", "story-editor.js")],
  outfile: join(out, "story-editor.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  charset: "utf8",
  metafile: true,
  banner: { js: "/* Built from frontend/editor/ by build.sh; licences in LICENSES.txt. */" },
});

// The packages with code in the bundle (esbuild's inputs that left bytes in the output).
const packages = new Set();
const [output] = Object.values(result.metafile.outputs);
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
  if (!bytesInOutput) continue;
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}
const sections = [...packages].sort().map((name) => {
  const folder = join(here, "node_modules", name);
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const licenceFile = readdirSync(folder).find((file) => /^licen[cs]e/i.test(file));
  const text = licenceFile ? readFileSync(join(folder, licenceFile), "utf8").trim() : manifest.license;
  return `${name} ${manifest.version} (${manifest.license})\n\n${text}\n`;
});
writeFileSync(
  join(out, "LICENSES.txt"),
  "The story editor bundle (story-editor.js) contains these packages:\n\n" +
    sections.join("\n" + "-".repeat(72) + "\n\n"),
);
const bytes = readFileSync(join(out, "story-editor.js")).length;
console.log(`${relative(process.cwd(), join(out, "story-editor.js"))}: ${bytes} bytes, ${packages.size} packages`);
