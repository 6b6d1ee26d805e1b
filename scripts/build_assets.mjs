// Copy the pinned front-end packages from node_modules into the platform's static files (served offline).
import { cpSync, mkdirSync, existsSync } from "node:fs";
import { buildBoundaries } from "./build_boundaries.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "src/metrocoop/web/static/vendor");
const files = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  // accessibility checks: the browser tests inject it into every page (never loaded by the pages themselves)
  ["axe-core/axe.min.js", "axe-core/axe.min.js"],
];
for (const [from, to] of files) {
  const src = join(root, "node_modules", from);
  if (!existsSync(src)) {
    console.error(`missing ${src}: run npm ci first`);
    process.exit(1);
  }
  mkdirSync(dirname(join(vendor, to)), { recursive: true });
  cpSync(src, join(vendor, to));
}
buildBoundaries(join(root, "node_modules"), join(vendor, "china-cities"));
console.log(`front-end assets copied to ${vendor}`);
