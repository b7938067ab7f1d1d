-- UpdateRecords alone, durable and conflict-checked, across many identities:
-- each request replaces record "k" of one identity's "bench" dataset with
-- the SyncCount it holds (so the server reads it, checks it and writes the
-- record, the dataset and the usage counters; a wrong count would be a
-- ResourceConflictException, counted as non-2xx).
--
--   cognitobench sessions --endpoint URL --identities 2000 > sessions.tsv
--   SESSIONS=sessions.tsv THREADS=2 wrk -t2 -s updaterecords.lua URL
--
-- Each wrk thread writes its own share of the identities, round robin
-- (THREADS must be wrk's -t), so no identity has two writes in flight as
-- long as it has more identities than connections. Counts start at 0: use
-- fresh sessions for every run.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

local mine, counts, at = {}, {}, 0
local headers = {
  ["Content-Type"] = "application/json",
  ["X-Amz-Date"] = "20261123T000000Z",
  ["Authorization"] = "AWS4-HMAC-SHA256 Credential=123456789012/20261123/us-east-1/cognito-sync/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" .. string.rep("0", 64),
}

function init(args)
  local threads = tonumber(os.getenv("THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("SESSIONS")) do
    if n % threads == tid then
      local pool, id, token = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
      table.insert(mine, {
        path = "/identitypools/" .. pool:gsub(":", "%%3A") .. "/identities/" .. id:gsub(":", "%%3A") .. "/datasets/bench",
        token = token,
      })
      table.insert(counts, 0)
    end
    n = n + 1
  end
  if #mine == 0 then
    error("no sessions for thread " .. tid .. " in " .. tostring(os.getenv("SESSIONS")))
  end
  -- wrk calls the first thread's request() once, right after its init,
  -- to look at the request without sending it (script_verify_request):
  -- that call must not use up a SyncCount.
  verifying = tid == 0
end

function request()
  local s, c
  if verifying then
    verifying = false
    s, c = mine[1], counts[1]
  else
    at = at % #mine + 1
    s, c = mine[at], counts[at]
    counts[at] = c + 1
  end
  local body = '{"SyncSessionToken":"' .. s.token .. '","RecordPatches":[{"Op":"replace","Key":"k","Value":"v' .. c .. '","SyncCount":' .. c .. '}]}'
  return wrk.format("POST", s.path, headers, body)
end
