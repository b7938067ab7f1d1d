-- ListIdentities, MaxResults 60: page 1, or the page TOKEN asks for
-- (cognitobench token --pool POOL --page 10000).
-- POOL=<pool id> [TOKEN=<NextToken>] wrk -s list.lua http://127.0.0.1:9230/
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local body = '{"IdentityPoolId":"' .. os.getenv("POOL") .. '","MaxResults":60'
local token = os.getenv("TOKEN")
if token and token ~= "" then
  body = body .. ',"NextToken":"' .. token .. '"'
end
cognito_request("ListIdentities", body .. "}")
