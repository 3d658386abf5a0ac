-- wrk script for deploy/bench: each request carries the next key from the file named by
-- AEGIS_BENCH_KEYS, in turn, so the load spreads over every tenant as aegis-bench's does. Both
-- nginx runs (with and without auth) use it, so its cost is the same on both sides.

local path = os.getenv("AEGIS_BENCH_KEYS")
if path == nil or path == "" then
    error("AEGIS_BENCH_KEYS must name the keys file")
end

local requests = {}
local next_index = 0

-- Built in init, not at load: wrk sets the Host header's value only after loading the script.
function init(args)
    for line in io.lines(path) do
        if line ~= "" then
            requests[#requests + 1] = wrk.format("GET", "/bench", { ["X-Api-Key"] = line })
        end
    end
    if #requests == 0 then
        error("no key in " .. path)
    end
end

function request()
    next_index = next_index % #requests + 1
    return requests[next_index]
end
