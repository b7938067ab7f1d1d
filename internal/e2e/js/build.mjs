// Bundles page.mjs for the browser into COGNITOD_BUNDLE (js_test.go points
// it into a temporary folder: build output is never committed). Through
// esbuild's JavaScript API, which finds its native binary (@esbuild/<platform>)
// whether or not npm ran esbuild's install script.
import { build } from "esbuild";
import { report, run, step } from "./lib.mjs";

run(async () => {
  const outfile = process.env.COGNITOD_BUNDLE;
  if (!outfile) throw new Error("COGNITOD_BUNDLE must be set (js_test.go sets it)");
  const res = await build({
    entryPoints: [new URL("./page.mjs", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile,
    logLevel: "warning",
    // The package's browser map names its browser entry point by a path
    // without extension ("./dist-es/index") while its module field has one
    // ("./dist-es/index.js"), so esbuild does not match them and would pull
    // in the Node-only providers (fs, child_process); name it directly.
    alias: { "@aws-sdk/credential-providers": "@aws-sdk/credential-providers/dist-es/index.browser.js" },
    metafile: true,
  });
  const bytes = Object.values(res.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  step(`bundled ${Object.keys(res.metafile.inputs).length} modules into ${outfile} (${bytes} bytes)`);
  report({ outfile, bytes });
});
