// Shared by the Node scripts that js_test.go runs: the server's address and
// developer key come from the environment the Go test sets, and every check
// fails loudly (node:assert) so that a script's exit status is its verdict.
import assert from "node:assert/strict";

/** The settings js_test.go passes; a missing one is a harness bug. */
export function config() {
  const get = (name) => {
    const v = process.env[name];
    assert.ok(v, `${name} must be set (js_test.go sets it)`);
    return v;
  };
  return {
    endpoint: get("COGNITOD_ENDPOINT"),
    region: get("COGNITOD_REGION"),
    accessKeyId: get("COGNITOD_ACCESS_KEY_ID"),
    secretAccessKey: get("COGNITOD_SECRET_ACCESS_KEY"),
    accountId: get("COGNITOD_ACCOUNT_ID"),
  };
}

/**
 * Client settings for one cognitod: no retries, so that a refused request
 * surfaces at once as the error the server sent instead of being retried
 * (and, for throttling errors, slowed down) by the SDK.
 */
export function clientConfig(cfg, credentials) {
  const c = { region: cfg.region, endpoint: cfg.endpoint, maxAttempts: 1 };
  if (credentials) c.credentials = credentials;
  return c;
}

/**
 * Runs fn, which must fail with the named service exception, HTTP status and,
 * when message is given, exactly that message (a RegExp is matched instead).
 * Returns the error for further checks.
 */
export async function rejects(what, fn, { name, status, message }) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: succeeded, want ${name}`);
  assert.equal(err.name, name, `${what}: error name (message: ${err.message})`);
  assert.equal(err.$metadata?.httpStatusCode, status, `${what}: HTTP status`);
  assert.ok(err.$metadata?.requestId, `${what}: the SDK read no x-amzn-RequestId`);
  if (message instanceof RegExp) assert.match(err.message, message, `${what}: message`);
  else if (message !== undefined) assert.equal(err.message, message, `${what}: message`);
  step(`${what}: ${name} (${status}) as expected`);
  return err;
}

/** Logs one passed step to stderr (the Go test shows it with -v). */
export function step(msg) {
  process.stderr.write(`ok: ${msg}\n`);
}

/**
 * Prints the script's findings as the last line of stdout, for the Go test
 * to check against the server's own view.
 */
export function report(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

/** Runs main, turning any failure into a non-zero exit with its cause. */
export function run(main) {
  main().catch((e) => {
    process.stderr.write(`FAIL: ${e?.stack ?? e}\n`);
    if (e?.$metadata) process.stderr.write(`metadata: ${JSON.stringify(e.$metadata)}\n`);
    process.exitCode = 1;
  });
}
