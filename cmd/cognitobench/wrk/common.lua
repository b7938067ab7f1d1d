-- Shared by the wrk scripts: a JSON 1.1 Cognito Identity request with a
-- well-formed SigV4 Authorization header for account 123456789012.
-- cognitod under --auth any and moto_server accept it without checking the
-- signature; the bare handler ignores it. No signing per request: wrk
-- measures the server, not the client.
function cognito_request(target, body)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityService." .. target
  wrk.headers["X-Amz-Date"] = "20261123T000000Z"
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=123456789012/20261123/us-east-1/cognito-identity/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
  wrk.body = body
end

-- Print the first few failures, so that a non-2xx count has a cause.
local shown = 0
function response(status, headers, body)
  if (status < 200 or status > 299) and shown < 3 then
    shown = shown + 1
    io.stderr:write("HTTP " .. status .. ": " .. body .. "\n")
  end
end
