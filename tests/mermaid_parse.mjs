// Parses Mermaid diagrams with Mermaid's own parser (the one GitHub and GitLab draw with).
// stdin: a JSON list of diagram texts; stdout: a JSON list of {ok, type} or {ok, error}.
// Run from the directory Mermaid is installed in (`make tools`: build/mermaid), as
// `node --input-type=module -e "$(cat tests/mermaid_parse.mjs)"`, so that its imports resolve.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

// mermaid.parse sanitises labels with DOMPurify, which needs a DOM: jsdom's, no browser.
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

const results = [];
for (const text of JSON.parse(readFileSync(0, "utf8"))) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String((error && error.message) || error) });
  }
}
process.stdout.write(JSON.stringify(results) + "\n");
