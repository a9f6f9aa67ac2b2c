-- /read with a product id picked by the client, the same seeded sequence for every
-- server, so each one serves the same products in the same order. The requests are
-- formatted once in init; request() only picks one, which keeps wrk's cost per request
-- low and equal across servers.
--
-- usage: wrk -s bench/lib/read-random.lua URL -- [PATTERN [COUNT [SEED]]]
--   PATTERN  request target with %d for the id (default /read?id=%d; nginx: /read/%d.json)
--   COUNT    products in the pool (default 500)
--   SEED     random seed (default 42)

local requests, count

function init(args)
   local pattern = args[1] or "/read?id=%d"
   count = tonumber(args[2]) or 500
   math.randomseed(tonumber(args[3]) or 42)
   requests = {}
   for id = 0, count - 1 do
      requests[id + 1] = wrk.format(nil, string.format(pattern, id))
   end
end

function request()
   return requests[math.random(count)]
end
