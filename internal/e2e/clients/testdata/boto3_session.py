"""A Cognito Identity + Cognito Sync session through boto3 against cognitod.

Run by boto3_test.go with the server's endpoint and a developer key in the
environment (COGNITOD_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION). On success it prints one JSON object describing what it
left on the server (the Go test checks that state through the Go SDK); on the
first failed expectation it exits 1 with a message naming the step.
"""

import base64
import json
import os
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["COGNITOD_ENDPOINT"]
REGION = os.environ["AWS_DEFAULT_REGION"]
ACCOUNT = os.environ["COGNITOD_ACCOUNT_ID"]
DEV_PROVIDER = "login.example.app"
FB = "graph.facebook.com"
AUTH_ROLE = "arn:aws:iam::%s:role/CognitoAuth" % ACCOUNT
UNAUTH_ROLE = "arn:aws:iam::%s:role/CognitoUnauth" % ACCOUNT
GHOST_POOL = REGION + ":00000000-0000-4000-8000-000000000000"

# No retries: every error checked below is the server's first answer.
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=120, connect_timeout=30)

checks = 0


class Failed(Exception):
    pass


def check(cond, what, got=None):
    global checks
    checks += 1
    if not cond:
        raise Failed(what if got is None else "%s: got %r" % (what, got))


def expect_error(step, code, status, fn, message=None, **kwargs):
    """Calls fn(**kwargs), which must raise a ClientError with code and HTTP status."""
    try:
        out = fn(**kwargs)
    except ClientError as e:
        err = e.response["Error"]
        got_status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        check(err["Code"] == code and got_status == status,
              "%s: want %s (%d)" % (step, code, status), (err["Code"], got_status, err.get("Message")))
        if message is not None:
            check(err.get("Message") == message, "%s: message" % step, err.get("Message"))
        check(e.response["ResponseMetadata"].get("RequestId"), "%s: no request ID on the error" % step)
        return
    raise Failed("%s: want %s (%d), got success %r" % (step, code, status, out))


def claims(token):
    parts = token.split(".")
    check(len(parts) == 3, "token is not a compact JWS", token)
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def client(service, key=None, secret=None, token=None):
    kw = {}
    if key is not None:
        kw = {"aws_access_key_id": key, "aws_secret_access_key": secret, "aws_session_token": token}
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, config=CONFIG, **kw)


def identity_flows(ci):
    """Pools, identities, developer identities, roles, tags; returns what the Go test checks."""
    pool = ci.create_identity_pool(
        IdentityPoolName="boto3 pool", AllowUnauthenticatedIdentities=True,
        DeveloperProviderName=DEV_PROVIDER, SupportedLoginProviders={FB: "123456789012345"},
        IdentityPoolTags={"team": "a"})
    pid = pool["IdentityPoolId"]
    check(pid.startswith(REGION + ":") and len(pid) == len(REGION) + 37, "pool ID", pid)
    d = ci.describe_identity_pool(IdentityPoolId=pid)
    check(d["IdentityPoolName"] == "boto3 pool" and d["AllowUnauthenticatedIdentities"] is True
          and d["DeveloperProviderName"] == DEV_PROVIDER and d["SupportedLoginProviders"] == {FB: "123456789012345"}
          and d["IdentityPoolTags"] == {"team": "a"}, "describe_identity_pool", d)
    u = ci.update_identity_pool(
        IdentityPoolId=pid, IdentityPoolName="boto3 renamed", AllowUnauthenticatedIdentities=True,
        DeveloperProviderName=DEV_PROVIDER, SupportedLoginProviders={FB: "123456789012345"})
    check(u["IdentityPoolName"] == "boto3 renamed", "update_identity_pool", u)
    expect_error("changing the developer provider", "InvalidParameterException", 400, ci.update_identity_pool,
                 IdentityPoolId=pid, IdentityPoolName="x", AllowUnauthenticatedIdentities=True,
                 DeveloperProviderName="other.provider")

    ci.set_identity_pool_roles(IdentityPoolId=pid, Roles={"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE})
    r = ci.get_identity_pool_roles(IdentityPoolId=pid)
    check(r["Roles"] == {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}, "get_identity_pool_roles", r)

    # Unauthenticated identity, OpenID token, credentials.
    guest = ci.get_id(IdentityPoolId=pid)["IdentityId"]
    tok = ci.get_open_id_token(IdentityId=guest)
    c = claims(tok["Token"])
    check(c["sub"] == guest and c["aud"] == pid and c["amr"] == ["unauthenticated"], "get_open_id_token claims", c)
    cr = ci.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    check(cr["AccessKeyId"].startswith("ASIA") and cr["SecretKey"] and cr["SessionToken"], "credentials", cr)
    # botocore parsed the Expiration into a timezone-aware datetime.
    import datetime
    left = cr["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    check(datetime.timedelta(minutes=30) < left < datetime.timedelta(hours=2), "credentials lifetime", left)

    # Facebook identity: stable, linked, then unlinked (disabled).
    fb = ci.get_id(IdentityPoolId=pid, Logins={FB: "fb-user-1"})["IdentityId"]
    check(ci.get_id(IdentityPoolId=pid, Logins={FB: "fb-user-1"})["IdentityId"] == fb and fb != guest, "stable Facebook identity")
    ci.get_credentials_for_identity(IdentityId=fb, Logins={FB: "fb-user-1"})
    expect_error("credentials without the login", "NotAuthorizedException", 400, ci.get_credentials_for_identity,
                 message="Logins don't match. Please include at least one valid login for this identity or identity pool.",
                 IdentityId=fb)
    check(ci.describe_identity(IdentityId=fb)["Logins"] == [FB], "describe_identity logins")
    ci.unlink_identity(IdentityId=fb, Logins={FB: "fb-user-1"}, LoginsToRemove=[FB])
    expect_error("disabled identity", "NotAuthorizedException", 400, ci.get_open_id_token,
                 message="Access to Identity '%s' is forbidden." % fb, IdentityId=fb)

    # Developer identity.
    dt = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pid, Logins={DEV_PROVIDER: "user-1"}, TokenDuration=600)
    dev_id = dt["IdentityId"]
    c = claims(dt["Token"])
    check(c["sub"] == dev_id and c["exp"] - c["iat"] == 600 and DEV_PROVIDER in c["amr"], "developer token claims", c)
    lk = ci.lookup_developer_identity(IdentityPoolId=pid, DeveloperUserIdentifier="user-1", MaxResults=10)
    check(lk["IdentityId"] == dev_id and lk["DeveloperUserIdentifierList"] == ["user-1"], "lookup_developer_identity", lk)
    expect_error("token duration too long", "ValidationException", 400, ci.get_open_id_token_for_developer_identity,
                 message="1 validation error detected: Value '86401' at 'tokenDuration' failed to satisfy constraint: "
                         "Member must have value less than or equal to 86400",
                 IdentityPoolId=pid, Logins={DEV_PROVIDER: "user-1"}, TokenDuration=86401)

    # Tags.
    arn = "arn:aws:cognito-identity:%s:%s:identitypool/%s" % (REGION, ACCOUNT, pid)
    ci.tag_resource(ResourceArn=arn, Tags={"stage": "test"})
    ci.untag_resource(ResourceArn=arn, TagKeys=["team"])
    check(ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"stage": "test"}, "tags")

    # 65 more identities: ListIdentities pages by NextToken (botocore has no
    # paginator for it), over a full page of 60.
    check(not ci.can_paginate("list_identities"), "botocore gained a list_identities paginator: use it here")
    extra = {ci.get_id(IdentityPoolId=pid)["IdentityId"] for _ in range(65)}
    seen, sizes, kw = [], [], {}
    while True:
        page = ci.list_identities(IdentityPoolId=pid, MaxResults=60, **kw)
        sizes.append(len(page["Identities"]))
        seen += [i["IdentityId"] for i in page["Identities"]]
        if not page.get("NextToken"):
            break
        kw = {"NextToken": page["NextToken"]}
        check(len(sizes) < 5, "ListIdentities does not end", sizes)
    everyone = extra | {guest, fb, dev_id}
    check(len(seen) == len(set(seen)) and set(seen) == everyone and sizes == [60, 8], "list_identities paging", sizes)
    hidden = ci.list_identities(IdentityPoolId=pid, MaxResults=60, HideDisabled=True)
    check(fb not in {i["IdentityId"] for i in hidden["Identities"]}, "HideDisabled shows the unlinked identity")
    expect_error("forged NextToken", "InvalidParameterException", 400, ci.list_identities,
                 IdentityPoolId=pid, MaxResults=60, NextToken="Zm9yZ2VkLXRva2Vu")

    gone = sorted(extra)[:2]
    out = ci.delete_identities(IdentityIdsToDelete=gone)
    check(out["UnprocessedIdentityIds"] == [], "delete_identities", out)
    expect_error("deleted identity", "ResourceNotFoundException", 400, ci.describe_identity,
                 message="Identity '%s' not found." % gone[0], IdentityId=gone[0])
    return {"pool": pid, "guest": guest, "disabled": fb, "developer": dev_id, "deleted": gone,
            "identities": len(everyone) - len(gone)}


def pool_paginator(ci, keep):
    """ListIdentityPools through boto3's paginator over more than 60 pools; deletes all but keep."""
    made = {ci.create_identity_pool(IdentityPoolName="p%d" % i, AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
            for i in range(62)}
    pages = ci.get_paginator("list_identity_pools").paginate(PaginationConfig={"PageSize": 25})
    ids, n = [], 0
    for page in pages:
        n += 1
        ids += [p["IdentityPoolId"] for p in page["IdentityPools"]]
    want = made | {keep}
    check(len(ids) == len(set(ids)) and set(ids) == want and n == 3, "list_identity_pools paginator", (n, len(ids)))
    # MaxItems truncates; the resume token continues where it stopped.
    first = ci.get_paginator("list_identity_pools").paginate(
        PaginationConfig={"PageSize": 25, "MaxItems": 30}).build_full_result()
    rest = ci.get_paginator("list_identity_pools").paginate(
        PaginationConfig={"PageSize": 25, "StartingToken": first["NextToken"]}).build_full_result()
    both = [p["IdentityPoolId"] for p in first["IdentityPools"] + rest["IdentityPools"]]
    check(len(first["IdentityPools"]) == 30 and len(both) == len(set(both)) and set(both) == want, "MaxItems/StartingToken",
          (len(first["IdentityPools"]), len(both)))
    for p in made:
        ci.delete_identity_pool(IdentityPoolId=p)
    expect_error("deleted pool", "ResourceNotFoundException", 400, ci.describe_identity_pool,
                 message="IdentityPool '%s' not found." % p, IdentityPoolId=p)


def sync_flows(ci, dev_sync, pid, guest):
    """Sync with the guest's TEMPORARY credentials (SigV4 with a session token)."""
    cr = ci.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    mine = client("cognito-sync", cr["AccessKeyId"], cr["SecretKey"], cr["SessionToken"])
    ds = {"IdentityPoolId": pid, "IdentityId": guest, "DatasetName": "settings"}

    l = mine.list_records(**ds)
    check(l["DatasetExists"] is False and l["Count"] == 0 and l["Records"] == [] and l["SyncSessionToken"], "fresh list_records", l)
    up = mine.update_records(SyncSessionToken=l["SyncSessionToken"], RecordPatches=[
        {"Op": "replace", "Key": "theme", "Value": "dark", "SyncCount": 0},
        {"Op": "replace", "Key": "volume", "Value": "7", "SyncCount": 0}], **ds)
    check(sorted((r["Key"], r["Value"], r["SyncCount"]) for r in up["Records"]) == [("theme", "dark", 1), ("volume", "7", 1)],
          "update_records", up["Records"])
    l = mine.list_records(**ds)
    check(l["DatasetExists"] is True and l["DatasetSyncCount"] == 1 and l["Count"] == 2, "list_records after the write", l)
    expect_error("stale SyncCount", "ResourceConflictException", 409, mine.update_records,
                 message="Current SyncCount for: theme is: 1 not: 0",
                 SyncSessionToken=l["SyncSessionToken"],
                 RecordPatches=[{"Op": "replace", "Key": "theme", "Value": "light", "SyncCount": 0}], **ds)
    expect_error("foreign session token", "InvalidParameterException", 400, mine.update_records,
                 message="SyncSessionToken not valid for these inputs",
                 SyncSessionToken=mine.list_records(IdentityPoolId=pid, IdentityId=guest, DatasetName="other")["SyncSessionToken"],
                 RecordPatches=[{"Op": "replace", "Key": "theme", "Value": "light", "SyncCount": 1}], **ds)
    mine.update_records(SyncSessionToken=l["SyncSessionToken"],
                        RecordPatches=[{"Op": "replace", "Key": "theme", "Value": "light", "SyncCount": 1}], **ds)

    dsets = mine.list_datasets(IdentityPoolId=pid, IdentityId=guest)
    check([d["DatasetName"] for d in dsets["Datasets"]] == ["settings"] and dsets["Datasets"][0]["NumRecords"] == 2,
          "list_datasets", dsets)
    dd = dev_sync.describe_dataset(**ds)["Dataset"]
    check(dd["IdentityId"] == guest and dd["NumRecords"] == 2 and dd["DataStorage"] > 0, "describe_dataset", dd)
    iu = dev_sync.describe_identity_usage(IdentityPoolId=pid, IdentityId=guest)["IdentityUsage"]
    check(iu["DatasetCount"] == 1 and iu["DataStorage"] == dd["DataStorage"], "describe_identity_usage", iu)
    pu = dev_sync.describe_identity_pool_usage(IdentityPoolId=pid)["IdentityPoolUsage"]
    check(pu["IdentityPoolId"] == pid and pu["SyncSessionsCount"] >= 1 and pu["DataStorage"] == dd["DataStorage"],
          "describe_identity_pool_usage", pu)
    lu = dev_sync.list_identity_pool_usage(MaxResults=10)
    check([p["IdentityPoolId"] for p in lu["IdentityPoolUsages"]] == [pid] and lu["Count"] == 1, "list_identity_pool_usage", lu)
    expect_error("developer-only with temporary credentials", "NotAuthorizedException", 403,
                 mine.list_identity_pool_usage, MaxResults=10)

    # Another identity's data is not this identity's to read.
    other = ci.get_id(IdentityPoolId=pid)["IdentityId"]
    expect_error("another identity's dataset", "NotAuthorizedException", 403, mine.list_records,
                 IdentityPoolId=pid, IdentityId=other, DatasetName="settings")

    app = "arn:aws:sns:%s:%s:app/GCM/MyApp" % (REGION, ACCOUNT)
    push = "arn:aws:iam::%s:role/PushRole" % ACCOUNT
    cfg = dev_sync.set_identity_pool_configuration(IdentityPoolId=pid, PushSync={"ApplicationArns": [app], "RoleArn": push})
    check(cfg["PushSync"] == {"ApplicationArns": [app], "RoleArn": push}, "set_identity_pool_configuration", cfg)
    check(dev_sync.get_identity_pool_configuration(IdentityPoolId=pid)["PushSync"]["ApplicationArns"] == [app],
          "get_identity_pool_configuration")
    lam = "arn:aws:lambda:%s:%s:function:onSync" % (REGION, ACCOUNT)
    dev_sync.set_cognito_events(IdentityPoolId=pid, Events={"SyncTrigger": lam})
    check(dev_sync.get_cognito_events(IdentityPoolId=pid)["Events"] == {"SyncTrigger": lam}, "get_cognito_events")

    device = mine.register_device(IdentityPoolId=pid, IdentityId=guest, Platform="GCM", Token="push-token")["DeviceId"]
    check(device, "register_device")
    mine.subscribe_to_dataset(DeviceId=device, **ds)
    mine.unsubscribe_from_dataset(DeviceId=device, **ds)
    expect_error("developer registering a device", "NotAuthorizedException", 403, dev_sync.register_device,
                 IdentityPoolId=pid, IdentityId=guest, Platform="GCM", Token="push-token")

    # A scratch dataset, deleted: later reads answer 404.
    scratch = dict(ds, DatasetName="scratch")
    tok = mine.list_records(**scratch)["SyncSessionToken"]
    mine.update_records(SyncSessionToken=tok, RecordPatches=[{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}], **scratch)
    check(mine.delete_dataset(**scratch)["Dataset"]["DatasetName"] == "scratch", "delete_dataset")
    expect_error("deleted dataset", "ResourceNotFoundException", 404, mine.describe_dataset, **scratch)
    return {"dataset": "settings", "records": {"theme": "light", "volume": "7"}, "device": device}


def main():
    ci = client("cognito-identity")
    dev_sync = client("cognito-sync")
    result = identity_flows(ci)
    pool_paginator(ci, result["pool"])
    result.update(sync_flows(ci, dev_sync, result["pool"], result["guest"]))

    # Failures every client must see with the right code and status.
    bad = client("cognito-identity", os.environ["AWS_ACCESS_KEY_ID"], "not-the-secret-key-0000000000000000000")
    expect_error("wrong secret", "InvalidSignatureException", 400, bad.list_identity_pools, MaxResults=10)
    bad_sync = client("cognito-sync", os.environ["AWS_ACCESS_KEY_ID"], "not-the-secret-key-0000000000000000000")
    expect_error("wrong secret on Sync", "InvalidSignatureException", 403, bad_sync.list_identity_pool_usage)
    expect_error("unknown pool", "ResourceNotFoundException", 400, ci.describe_identity_pool,
                 message="IdentityPool '%s' not found." % GHOST_POOL, IdentityPoolId=GHOST_POOL)
    expect_error("unknown pool on Sync", "ResourceNotFoundException", 404, dev_sync.describe_identity_pool_usage,
                 IdentityPoolId=GHOST_POOL)
    expect_error("pool name pattern", "ValidationException", 400, ci.create_identity_pool,
                 message="1 validation error detected: Value 'pool#name' at 'identityPoolName' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
                 IdentityPoolName="pool#name", AllowUnauthenticatedIdentities=False)

    result["checks"] = checks
    result["boto3"] = boto3.__version__
    result["botocore"] = botocore.__version__
    print(json.dumps(result))


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        print("boto3 session: check %d failed: %s" % (checks, e), file=sys.stderr)
        sys.exit(1)
    except ClientError as e:
        print("boto3 session: unexpected %s (HTTP %s): %s" % (
            e.response["Error"].get("Code"), e.response["ResponseMetadata"].get("HTTPStatusCode"),
            e.response["Error"].get("Message")), file=sys.stderr)
        import traceback
        traceback.print_exc()
        sys.exit(1)
