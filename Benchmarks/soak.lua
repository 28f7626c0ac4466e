-- The request mix of Benchmarks/soak.sh, in turn on each connection. Answers other than
-- the expected statuses (200 for the pages and the API, 404 and 405 for the two wrong
-- requests) are counted and reported as "unexpected status" at the end.
local paths = {
    { "GET", "/healthcheck" },
    { "GET", "/" },
    { "GET", "/api/gifs/random" },
    { "GET", "/api/visitors" },
    { "GET", "/gifs/1" },
    { "GET", "/no/such/page" },
    { "DELETE", "/healthcheck" },
    { "GET", "/api/gifs?limit=5" },
}
local threads = {}
local index = 0
unexpected = 0

function setup(thread)
    table.insert(threads, thread)
end

function request()
    index = index % #paths + 1
    return wrk.format(paths[index][1], paths[index][2])
end

function response(status, headers, body)
    if status ~= 200 and status ~= 404 and status ~= 405 then
        unexpected = unexpected + 1
    end
end

function done(summary, latency, requests)
    local total = 0
    for _, thread in ipairs(threads) do
        total = total + thread:get("unexpected")
    end
    if total > 0 then
        io.write(string.format("unexpected status: %d answers\n", total))
    end
end
