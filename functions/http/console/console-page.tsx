/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */

/** The models a person picks from, by the names the API takes (docs/api.md). */
export const consoleModels = [
  { value: "hailuo/2-3-image-to-video-standard", label: "Hailuo 2.3" },
  { value: "hailuo/2-3-image-to-video-pro", label: "Hailuo 2.3 Pro" },
] as const;

/**
 * The console's one page, rendered on the server. It works before the script runs only as far as
 * showing the form; the script (console-script.ts) adds the key, the submit and the live list.
 */
export function ConsolePage(props: { scriptPath: string; stylePath: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Hailuo gateway console</title>
        <link rel="stylesheet" href={props.stylePath} />
        <script src={props.scriptPath} defer />
      </head>
      <body>
        <header class="top">
          <h1>Hailuo gateway</h1>
          <p id="usage" class="usage" aria-live="polite">
            Paste a key to see usage.
          </p>
        </header>
        <main>
          <KeyForm />
          <CreateForm />
          <section class="panel" aria-labelledby="tasks-title">
            <div class="row">
              <h2 id="tasks-title">Tasks</h2>
              <span id="list-state" class="muted" aria-live="polite" />
            </div>
            <p id="list-error" class="error" role="alert" hidden />
            <ol id="tasks" class="tasks" />
            <p id="tasks-empty" class="muted">
              No tasks yet.
            </p>
          </section>
        </main>
      </body>
    </html>
  );
}

function KeyForm() {
  return (
    <form id="key-form" class="panel" autocomplete="off">
      <h2>API key</h2>
      <p class="muted">Kept in this browser tab only (session storage); closing the tab forgets it.</p>
      <div class="row">
        <label for="api-key" class="grow">
          Key
          <input
            id="api-key"
            name="key"
            type="password"
            placeholder="hk_live_…"
            spellcheck={false}
            required
          />
        </label>
        <button type="submit">Use key</button>
        <button type="button" id="forget-key" class="secondary">
          Forget
        </button>
      </div>
      <p id="key-error" class="error" role="alert" hidden />
      <p id="key-state" class="muted" aria-live="polite" />
    </form>
  );
}

function CreateForm() {
  return (
    <form id="create-form" class="panel" novalidate>
      <h2>New video</h2>
      <div id="drop-zone" class="drop-zone">
        <label for="image-file">Image: drop a JPEG, PNG or WebP (up to 20 MB) here, or choose one</label>
        <input id="image-file" name="image" type="file" accept="image/jpeg,image/png,image/webp" />
        <img id="image-preview" class="preview" alt="preview of the chosen file" hidden />
        <p id="image-name" class="muted" aria-live="polite" />
      </div>
      <label for="image-url">
        …or an image URL
        <input id="image-url" name="image_url" type="url" placeholder="https://…" />
      </label>
      <label for="prompt">
        Prompt
        <textarea id="prompt" name="prompt" rows={3} maxlength={2000} placeholder="The dog turns its head" />
      </label>
      <label for="callback-url">
        Webhook URL (optional; else the account's default)
        <input id="callback-url" name="callback_url" type="url" placeholder="https://…" />
      </label>
      <div class="grid">
        <label for="model">
          Model
          <select id="model" name="model">
            {consoleModels.map((model) => (
              <option value={model.value}>{model.label}</option>
            ))}
          </select>
        </label>
        <label for="resolution">
          Resolution
          <select id="resolution" name="resolution" aria-describedby="rule">
            <option value="768P">768P</option>
            <option value="1080P">1080P</option>
          </select>
        </label>
        <label for="duration">
          Duration
          <select id="duration" name="duration" aria-describedby="rule">
            <option value="6">6 s</option>
            <option value="10">10 s</option>
          </select>
        </label>
      </div>
      <p id="rule" class="rule">
        1080P is 6 s only.
      </p>
      <p id="create-error" class="error" role="alert" hidden />
      <div class="row">
        <button type="submit" id="create">
          Generate
        </button>
        <span id="create-state" class="muted" aria-live="polite" />
      </div>
    </form>
  );
}
