/**
 * The gateway's pollers in a process of their own, so that a fault scenario can kill them with
 * SIGKILL mid-work (mid-copy, mid-create, mid-webhook) and start new ones, as Lambda ends a run. The
 * settings come from the environment, exactly as a deployed poller gets them; it sweeps until killed.
 */
import { buildDeps } from "../../../functions/config/build-deps.js";
import { parseSettings } from "../../../functions/config/settings.js";
import { sweepDueWork } from "../../../functions/core/use-cases/run-poller.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const settings = parseSettings(process.env);
const pollers = Array.from({ length: Number(process.env.FAULT_POLLERS ?? 2) }, () =>
  buildDeps(settings, { serviceName: "poller", logger: quiet }),
);

// The scenario's process is gone (ended, or killed itself): its pollers must not sweep on alone.
process.on("disconnect", () => process.exit(1));
process.send?.("sweeping");
while (true) {
  await Promise.all(
    pollers.map((poller) =>
      sweepDueWork(poller, { limit: 100, concurrency: 8 }).catch((error: unknown) => {
        console.error(`poller process: a sweep failed: ${String(error)}`);
      }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
}
