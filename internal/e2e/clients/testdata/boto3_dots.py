"""Cognito Sync datasets named "." and ".." (the model's pattern allows
both) through boto3, whose signer normalises the path it signs while the
request keeps the dot segments. Run by TestBoto3DotDatasets with the same
environment as boto3_session.py; prints "ok" or exits 1.
"""

import os
import sys

import boto3

kw = dict(endpoint_url=os.environ["COGNITOD_ENDPOINT"], region_name=os.environ["AWS_DEFAULT_REGION"])
ci = boto3.client("cognito-identity", **kw)
cs = boto3.client("cognito-sync", **kw)
pool = ci.create_identity_pool(IdentityPoolName="dots", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
iid = ci.get_id(IdentityPoolId=pool)["IdentityId"]
for name in (".", ".."):
    ds = {"IdentityPoolId": pool, "IdentityId": iid, "DatasetName": name}
    tok = cs.list_records(**ds)["SyncSessionToken"]
    cs.update_records(SyncSessionToken=tok, RecordPatches=[{"Op": "replace", "Key": "k", "Value": "v" + name, "SyncCount": 0}], **ds)
    got = cs.list_records(**ds)
    if not got["DatasetExists"] or [(r["Key"], r["Value"]) for r in got["Records"]] != [("k", "v" + name)]:
        sys.exit("dataset %r: %r" % (name, got))
names = sorted(d["DatasetName"] for d in cs.list_datasets(IdentityPoolId=pool, IdentityId=iid)["Datasets"])
if names != [".", ".."]:
    sys.exit("datasets %r" % names)
cs.delete_dataset(IdentityPoolId=pool, IdentityId=iid, DatasetName="..")
names = [d["DatasetName"] for d in cs.list_datasets(IdentityPoolId=pool, IdentityId=iid)["Datasets"]]
if names != ["."]:
    sys.exit("after deleting '..': %r" % names)
print("ok")
