// Makes sure the ffmpeg and ffprobe binaries the simulator renders with are installed. They come
// in npm packages per platform (@ffmpeg-installer/linux-x64 and so on), which the installer
// packages list as optional dependencies, and npm drops an optional dependency without a word when
// its download fails (a slow or flaky registry): every render would then fail with "Could not find
// ffmpeg executable". So before the tests, the local stack and the benchmarks, a missing platform
// package is installed once more, and if it is still missing the run stops here with what to do.
import { spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const platform = `${process.platform}-${process.arch}`;
const binaryName = (tool) => (process.platform === "win32" ? `${tool}.exe` : tool);

/** The platform package each tool needs here, at the version its installer package pins. */
function wantedPackages() {
  return ["ffmpeg", "ffprobe"].map((tool) => {
    const installer = path.join(root, "node_modules", `@${tool}-installer`, tool, "package.json");
    const pinned = JSON.parse(readFileSync(installer, "utf8")).optionalDependencies ?? {};
    const name = `@${tool}-installer/${platform}`;
    const version = pinned[name];
    if (!version) {
      console.error(
        `${tool}: @${tool}-installer/${tool} has no build for ${platform}; the simulator cannot render here`,
      );
      process.exit(1);
    }
    const directory = path.join(root, "node_modules", name);
    return { name, version, directory, binary: path.join(directory, binaryName(tool)) };
  });
}

function runnable(binary) {
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const missing = () => wantedPackages().filter((wanted) => !runnable(wanted.binary));

const before = missing();
if (before.length === 0) process.exit(0);

const specs = before.map(({ name, version }) => `${name}@${version}`);
console.log(`The simulator's media tools are missing (${specs.join(", ")}): fetching them…`);
// `npm pack` fetches just the tarball, unpacked in place. (`npm install --no-save` would also prune
// what the lockfile does not list, such as the Node 24 binary the `node` package installs.)
const scratch = mkdtempSync(path.join(tmpdir(), "media-tools-"));
let failure;
for (const wanted of before) {
  const spec = `${wanted.name}@${wanted.version}`;
  const packed = spawnSync("npm", ["pack", spec, "--pack-destination", scratch, "--json"], {
    cwd: scratch,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (packed.status !== 0) {
    failure = `npm pack ${spec} exited ${packed.status}`;
    break;
  }
  const [{ filename }] = JSON.parse(packed.stdout);
  mkdirSync(wanted.directory, { recursive: true });
  const unpacked = spawnSync(
    "tar",
    ["-xzf", path.join(scratch, filename), "-C", wanted.directory, "--strip-components=1"],
    {
      stdio: "inherit",
    },
  );
  if (unpacked.status !== 0) {
    failure = `unpacking ${filename} exited ${unpacked.status}`;
    break;
  }
  // What the package's own postinstall (`chmod u+x`) would have done.
  if (process.platform !== "win32") chmodSync(wanted.binary, 0o755);
}
rmSync(scratch, { recursive: true, force: true });
const after = missing();
if (failure || after.length > 0) {
  console.error(
    `Could not install ${after.map(({ name }) => name).join(", ") || specs.join(", ")}${failure ? ` (${failure})` : ""}. ` +
      "Run `npm install` again once the registry answers; the simulator renders videos with these binaries.",
  );
  process.exit(1);
}
console.log(`Installed ${specs.join(", ")}.`);
