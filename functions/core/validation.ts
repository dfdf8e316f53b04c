import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

/**
 * The domain's and the settings' validation build: `zod/mini`, the same parser as zod's full build
 * with a functional API and a fraction of its size and import time (see docs/benchmarks.md,
 * cold-start). It loads no messages of its own: English is set here, as the full build does, so an
 * issue reads the same whichever build made it.
 */
config(en());

// Imported as a namespace (`import * as z`), so that the bundler keeps only what is used.
export * from "zod/mini";
