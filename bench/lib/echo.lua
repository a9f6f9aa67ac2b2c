-- POST /echo with a small JSON body: exercises request bodies (Content-Length); the
-- server sends the body back with the request's Content-Type. The request is formatted
-- once in init (the standard wrk pattern for a fixed request with a body).
--
-- usage: wrk -s bench/lib/echo.lua URL -- [BODY [CONTENT_TYPE]]    (URL ends in /echo)

local req

function init(args)
   local body = args[1] or
      '{"order":12345,"items":[{"sku":"SKU-00042","qty":2},{"sku":"SKU-00007","qty":1}]}'
   local content_type = args[2] or "application/json"
   req = wrk.format("POST", nil, { ["Content-Type"] = content_type }, body)
end

function request()
   return req
end
