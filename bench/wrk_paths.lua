-- wrk script for bench/load_while_publishing.py.
-- Each request asks for a random path from the file named by WRK_PATHS (one per line); every
-- thread counts the answers by status class and the pages the page cache served ("X-Page-Cache:
-- hit"), those it served with their part rendered again ("part"), and the pages it rendered
-- whole by kind (a story, a feed, any other page: told from the
-- answer, which does not carry its address), and the end prints one JSON line starting "RESULT ".
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  counts = { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0, ["hits"] = 0, ["parts"] = 0,
             ["story_misses"] = 0, ["feed_misses"] = 0, ["other_misses"] = 0 }
end

function request()
  return wrk.format(nil, paths[math.random(#paths)])
end

function response(status, headers, body)
  local class = tostring(math.floor(status / 100)) .. "xx"
  counts[class] = (counts[class] or 0) + 1
  local cached = headers["X-Page-Cache"]
  if cached == "hit" then
    counts["hits"] = counts["hits"] + 1
  elseif cached == "part" then
    counts["parts"] = counts["parts"] + 1
  elseif cached ~= nil then
    local kind = "other_misses"
    if string.find(headers["Content-Type"] or "", "xml", 1, true) then
      kind = "feed_misses"
    elseif string.find(body, '<article class="story">', 1, true) then
      kind = "story_misses"
    end
    counts[kind] = counts[kind] + 1
  end
end

function done(summary, latency, requests)
  local total = { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0, ["hits"] = 0, ["parts"] = 0,
                  ["story_misses"] = 0, ["feed_misses"] = 0, ["other_misses"] = 0 }
  for _, thread in ipairs(threads) do
    local counted = thread:get("counts")
    for class, n in pairs(counted) do total[class] = (total[class] or 0) + n end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.2f, "status_2xx": %d, "status_3xx": %d, ' ..
    '"status_4xx": %d, "status_5xx": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"cache_hits": %d, "parts": %d, "story_misses": %d, "feed_misses": %d, "other_misses": %d, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, total["2xx"], total["3xx"], total["4xx"],
    total["5xx"], e.connect + e.read + e.write, e.timeout, total["hits"], total["parts"],
    total["story_misses"], total["feed_misses"], total["other_misses"],
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
