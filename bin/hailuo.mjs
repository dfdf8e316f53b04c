#!/usr/bin/env node
// `npx hailuo …`: npx puts node_modules/.bin first on PATH, so this runs on the project's Node 24
// (the `node` devDependency); tsx's loader lets it run the TypeScript sources as they are.
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  console.error(
    `hailuo needs Node 22 or later (this is ${process.version}); run it as npx hailuo in the repo`,
  );
  process.exit(2);
}
const { register } = await import("tsx/esm/api");
register();
const { runCli } = await import("../tools/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
