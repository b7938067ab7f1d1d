// The flow a browser or Node app really runs: a developer sets up a pool,
// then the app gets an identity and temporary credentials through
// fromCognitoIdentityPool (GetId + GetCredentialsForIdentity) and syncs a
// record with THOSE credentials through the Cognito Sync client. Also checks
// that the temporary credentials are refused for a developer-only operation
// and that a wrong secret is refused as a bad signature.
import assert from "node:assert/strict";
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
  CognitoSyncClient,
  DescribeIdentityPoolUsageCommand,
  ListRecordsCommand,
  UpdateRecordsCommand,
} from "@aws-sdk/client-cognito-sync";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";
import { clientConfig, config, rejects, report, run, step } from "./lib.mjs";

const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

run(async () => {
  const cfg = config();
  const dev = { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey };
  const ci = new CognitoIdentityClient(clientConfig(cfg, dev));

  const pool = await ci.send(new CreateIdentityPoolCommand({
    IdentityPoolName: "js_sdk_sync",
    AllowUnauthenticatedIdentities: true,
  }));
  const poolId = pool.IdentityPoolId;
  assert.match(poolId, new RegExp(`^${cfg.region}:[0-9a-f-]{36}$`));
  const role = `arn:aws:iam::${cfg.accountId}:role/JsGuest`;
  await ci.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { unauthenticated: role } }));
  step(`pool ${poolId} with unauthenticated role`);

  // What apps pass as `credentials`: the provider, which the SDK calls (and
  // caches) itself. Called once here to look at what it returns.
  const provider = fromCognitoIdentityPool({
    identityPoolId: poolId,
    clientConfig: { region: cfg.region, endpoint: cfg.endpoint, maxAttempts: 1 },
  });
  const creds = await provider();
  const identityId = creds.identityId;
  assert.match(identityId, new RegExp(`^${cfg.region}:[0-9a-f-]{36}$`), "identityId");
  assert.match(creds.accessKeyId, /^ASIA/, "temporary access keys start with ASIA");
  assert.ok(creds.secretAccessKey && creds.sessionToken, "secret and session token");
  assert.ok(creds.expiration instanceof Date, "expiration is a Date");
  const left = creds.expiration.getTime() - Date.now();
  assert.ok(left > 50 * 60e3 && left <= 61 * 60e3, `credentials last an hour (${left} ms left)`);
  step(`identity ${identityId}, credentials ${creds.accessKeyId.slice(0, 4)}…`);

  const sync = new CognitoSyncClient(clientConfig(cfg, provider));
  const dataset = { IdentityPoolId: poolId, IdentityId: identityId, DatasetName: "settings" };

  const first = await sync.send(new ListRecordsCommand(dataset));
  assert.equal(first.DatasetExists, false, "new dataset: DatasetExists");
  assert.equal(first.DatasetSyncCount, 0, "new dataset: DatasetSyncCount");
  assert.deepEqual(first.Records ?? [], [], "new dataset: no records");
  assert.ok(first.SyncSessionToken, "ListRecords returns a SyncSessionToken");
  step("ListRecords on the new dataset");

  const value = `dark-${identityId.slice(-12)}`;
  const upd = await sync.send(new UpdateRecordsCommand({
    ...dataset,
    SyncSessionToken: first.SyncSessionToken,
    RecordPatches: [{ Op: "replace", Key: "theme", Value: value, SyncCount: 0 }],
  }));
  assert.equal(upd.Records.length, 1, "UpdateRecords returns the record written");
  assert.equal(upd.Records[0].Key, "theme");
  assert.equal(upd.Records[0].Value, value);
  assert.equal(upd.Records[0].SyncCount, 1);
  assert.ok(upd.Records[0].LastModifiedDate instanceof Date, "LastModifiedDate is a Date");
  step("UpdateRecords wrote theme");

  const second = await sync.send(new ListRecordsCommand(dataset));
  assert.equal(second.DatasetExists, true);
  assert.equal(second.DatasetSyncCount, 1);
  assert.deepEqual(second.Records.map((r) => [r.Key, r.Value, r.SyncCount]), [["theme", value, 1]]);
  assert.equal(second.LastModifiedBy, identityId, "LastModifiedBy names the writer");
  step("ListRecords reads it back");

  // A stale SyncCount: the whole update fails with 409 and AWS's wording.
  await rejects("stale SyncCount", () => sync.send(new UpdateRecordsCommand({
    ...dataset,
    SyncSessionToken: second.SyncSessionToken,
    RecordPatches: [{ Op: "replace", Key: "theme", Value: "light", SyncCount: 0 }],
  })), { name: "ResourceConflictException", status: 409, message: "Current SyncCount for: theme is: 1 not: 0" });

  await rejects("temporary credentials on DescribeIdentityPoolUsage",
    () => sync.send(new DescribeIdentityPoolUsageCommand({ IdentityPoolId: poolId })),
    { name: "NotAuthorizedException", status: 403 });

  const wrong = new CognitoSyncClient(clientConfig(cfg, {
    accessKeyId: creds.accessKeyId,
    // Another first character: a random secret may itself begin with "x".
    secretAccessKey: (creds.secretAccessKey[0] === "x" ? "y" : "x") + creds.secretAccessKey.slice(1),
    sessionToken: creds.sessionToken,
  }));
  await rejects("temporary key with a wrong secret", () => wrong.send(new ListRecordsCommand(dataset)),
    { name: "InvalidSignatureException", status: 403, message: SIGNATURE_MISMATCH });

  const wrongDev = new CognitoIdentityClient(clientConfig(cfg, { ...dev, secretAccessKey: dev.secretAccessKey + "x" }));
  await rejects("developer key with a wrong secret", () => wrongDev.send(new SetIdentityPoolRolesCommand({
    IdentityPoolId: poolId, Roles: { unauthenticated: role },
  })), { name: "InvalidSignatureException", status: 400, message: SIGNATURE_MISMATCH });

  report({ identityPoolId: poolId, identityId, dataset: dataset.DatasetName, key: "theme", value, syncCount: 1 });
});
