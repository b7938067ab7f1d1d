-- GetId creating a new unauthenticated identity on every request.
-- POOL=<pool id> wrk -s getid.lua http://127.0.0.1:9230/
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
cognito_request("GetId", '{"IdentityPoolId":"' .. os.getenv("POOL") .. '"}')
