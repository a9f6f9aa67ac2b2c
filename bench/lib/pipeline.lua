-- HTTP/1.1 pipelining for wrk: every write carries DEPTH requests back to back (the
-- standard wrk pipeline.lua pattern). wrk counts each response, so "requests" and
-- "Requests/sec" are responses, and its latency is per batch, not per request.
--
-- usage: wrk -s bench/lib/pipeline.lua URL -- [DEPTH [PATH]]
--   DEPTH  requests per write (default 16)
--   PATH   request target (default: the URL's path)

local batch

function init(args)
   local depth = tonumber(args[1]) or 16
   local path = args[2] or wrk.path
   local requests = {}
   for i = 1, depth do
      requests[i] = wrk.format(nil, path)
   end
   batch = table.concat(requests)
end

function request()
   return batch
end
