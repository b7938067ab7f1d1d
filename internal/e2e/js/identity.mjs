// The Cognito Identity client on paths apps and tools lean on: ListIdentities
// paging over more than one full page (MaxResults is at most 60), and errors
// as the SDK surfaces them: ResourceNotFoundException and ValidationException
// with AWS's exact message text.
import assert from "node:assert/strict";
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DescribeIdentityPoolCommand,
  GetIdCommand,
  ListIdentitiesCommand,
} from "@aws-sdk/client-cognito-identity";
import { clientConfig, config, rejects, report, run, step } from "./lib.mjs";

const IDENTITIES = 65; // one full page of 60 and then some

run(async () => {
  const cfg = config();
  const dev = new CognitoIdentityClient(clientConfig(cfg, {
    accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey,
  }));
  // GetId is unsigned by design: a client with no credentials at all.
  const anon = new CognitoIdentityClient(clientConfig(cfg));

  const { IdentityPoolId: poolId } = await dev.send(new CreateIdentityPoolCommand({
    IdentityPoolName: "js_sdk_paging", AllowUnauthenticatedIdentities: true,
  }));
  const made = new Set();
  for (let i = 0; i < IDENTITIES; i++) {
    const { IdentityId } = await anon.send(new GetIdCommand({ IdentityPoolId: poolId }));
    made.add(IdentityId);
  }
  assert.equal(made.size, IDENTITIES, "each unauthenticated GetId mints a new identity");
  step(`${IDENTITIES} identities in ${poolId}`);

  // Every identity exactly once, whatever the page size (60 is the most
  // MaxResults allows; 25 divides the pool unevenly).
  const pages = {};
  for (const max of [60, 25]) {
    const sizes = [];
    const seen = new Set();
    let next;
    do {
      const out = await dev.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: max, NextToken: next }));
      assert.equal(out.IdentityPoolId, poolId);
      sizes.push(out.Identities.length);
      for (const id of out.Identities) {
        assert.ok(!seen.has(id.IdentityId), `identity ${id.IdentityId} listed twice`);
        assert.ok(id.CreationDate instanceof Date && id.LastModifiedDate instanceof Date, "dates parsed");
        seen.add(id.IdentityId);
      }
      next = out.NextToken;
      assert.ok(sizes.length <= Math.ceil(IDENTITIES / max), `more pages than expected: ${sizes}`);
    } while (next);
    const want = [];
    for (let left = IDENTITIES; left > 0; left -= max) want.push(Math.min(left, max));
    assert.deepEqual(sizes, want, `page sizes with MaxResults ${max}`);
    assert.deepEqual([...seen].sort(), [...made].sort(), "paging lists every identity exactly once");
    pages[max] = sizes;
    step(`ListIdentities MaxResults ${max}: pages ${sizes.join("+")}`);
  }

  const ghost = `${cfg.region}:00000000-0000-4000-8000-000000000000`;
  await rejects("DescribeIdentityPool of an unknown pool",
    () => dev.send(new DescribeIdentityPoolCommand({ IdentityPoolId: ghost })),
    { name: "ResourceNotFoundException", status: 400, message: `IdentityPool '${ghost}' not found.` });

  const cases = [
    {
      what: "ListIdentities MaxResults 61",
      call: () => dev.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 61 })),
      message: "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
    },
    {
      what: "CreateIdentityPool with a bad name",
      call: () => dev.send(new CreateIdentityPoolCommand({ IdentityPoolName: "pool#name", AllowUnauthenticatedIdentities: false })),
      message: "1 validation error detected: Value 'pool#name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
    },
  ];
  for (const c of cases) {
    await rejects(c.what, c.call, { name: "ValidationException", status: 400, message: c.message });
  }

  report({ identityPoolId: poolId, identities: [...made].sort(), pages });
});
