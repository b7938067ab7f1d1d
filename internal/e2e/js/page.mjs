// The browser app of the headless-browser test (js_test.go bundles it with
// esbuild into app.js next to page.html). It does what a web app using
// Cognito does: an unauthenticated identity and its credentials through
// fromCognitoIdentityPool, then a Sync round trip with those credentials.
// The page's query string names the server, pool, region, dataset, key and
// value; the outcome is shown on the page, where the driver (drive.mjs)
// reads it.
import { CognitoSyncClient, ListRecordsCommand, UpdateRecordsCommand } from "@aws-sdk/client-cognito-sync";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";

const $ = (id) => document.getElementById(id);

async function main() {
  const q = new URLSearchParams(location.search);
  const need = (k) => {
    const v = q.get(k);
    if (!v) throw new Error(`query parameter ${k} missing`);
    return v;
  };
  const endpoint = need("endpoint");
  const region = need("region");
  const poolId = need("pool");
  const datasetName = need("dataset");
  const key = need("key");
  const value = need("value");

  const credentials = fromCognitoIdentityPool({
    identityPoolId: poolId,
    clientConfig: { region, endpoint, maxAttempts: 1 },
  });
  const creds = await credentials();
  $("identity").textContent = creds.identityId;
  $("credentials").textContent = `${creds.accessKeyId.slice(0, 4)}… until ${creds.expiration.toISOString()}`;

  const sync = new CognitoSyncClient({ region, endpoint, credentials, maxAttempts: 1 });
  const dataset = { IdentityPoolId: poolId, IdentityId: creds.identityId, DatasetName: datasetName };
  const before = await sync.send(new ListRecordsCommand(dataset));
  const known = (before.Records ?? []).find((r) => r.Key === key);
  await sync.send(new UpdateRecordsCommand({
    ...dataset,
    SyncSessionToken: before.SyncSessionToken,
    RecordPatches: [{ Op: "replace", Key: key, Value: value, SyncCount: known?.SyncCount ?? 0 }],
  }));
  const after = await sync.send(new ListRecordsCommand(dataset));
  const rec = (after.Records ?? []).find((r) => r.Key === key);
  if (!rec) throw new Error(`record ${key} not read back`);
  $("record").textContent = `${rec.Key} = ${rec.Value} (SyncCount ${rec.SyncCount})`;
  $("record").dataset.key = rec.Key;
  $("record").dataset.value = rec.Value;
  $("record").dataset.syncCount = String(rec.SyncCount);
}

main().then(
  () => {
    $("status").textContent = "done";
    $("status").dataset.state = "done";
  },
  (e) => {
    // The SDK's error name and HTTP status say more than the message alone.
    const status = e?.$metadata?.httpStatusCode;
    $("status").textContent = `error: ${e?.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}: ${e?.message ?? e}`;
    $("status").dataset.state = "error";
  },
);
