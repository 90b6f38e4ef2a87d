// Builds the console's web UI with esbuild's JS API:
//   src/main.tsx -> OUTDIR/assets/app.js (+ app.js.map)   ESM, minified, everything bundled
//   src/app.css  -> OUTDIR/assets/app.css (+ app.css.map)  @imports (uPlot's CSS) inlined
//   src/index.html -> OUTDIR/index.html
// Usage: node build.mjs --outdir DIR   (default: dist)
// Type checking is separate (esbuild strips types): npm --prefix services/console/web run typecheck
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

let esbuild;
try {
  esbuild = await import("esbuild");
} catch (e) {
  console.error(
    `build.mjs: esbuild is not installed (${e.code ?? e.message}).\n` +
      `  Run: npm ci --prefix services/console/web   (tools/bootstrap.sh does)`,
  );
  process.exit(1);
}

function parseArgs(argv) {
  let outdir = path.join(here, "dist");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--outdir" && i + 1 < argv.length) outdir = path.resolve(argv[++i]);
    else if (a.startsWith("--outdir=")) outdir = path.resolve(a.slice("--outdir=".length));
    else {
      console.error(`build.mjs: unknown argument ${a}\nusage: node build.mjs --outdir DIR`);
      process.exit(2);
    }
  }
  return { outdir };
}

const { outdir } = parseArgs(process.argv.slice(2));
const assets = path.join(outdir, "assets");
await mkdir(assets, { recursive: true });

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  sourcemap: "linked",
  logLevel: "warning",
  legalComments: "linked",
};

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: [path.join(here, "src/main.tsx")],
    outfile: path.join(assets, "app.js"),
    format: "esm",
    platform: "browser",
    target: ["es2020", "chrome109", "firefox115", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    define: { "process.env.NODE_ENV": '"production"' },
  }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(here, "src/app.css")],
    outfile: path.join(assets, "app.css"),
    target: ["chrome109", "firefox115", "safari16"],
  }),
  copyFile(path.join(here, "src/index.html"), path.join(outdir, "index.html")),
]);
console.log(`build.mjs: built the console UI into ${outdir}`);
