-- wrk script of bench/pages.py: every request asks for an address of its own (a parameter
-- `uncached` that no page reads: the run's start, the thread and a count), so that no cached
-- copy can answer it, in this run or in a later one, and the page is measured as it costs
-- when it has to be made. It counts the answers that came from the page cache all the same
-- (X-Page-Cache: hit) and prints them; bench/pages.py reports any.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

local run = os.time()
local count = 0
hits = 0

function request()
  count = count + 1
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  local path = wrk.path .. separator .. "uncached=" .. run .. "-" .. thread_number .. "-" .. count
  return wrk.format(nil, path)
end

function response(status, headers, body)
  if headers["X-Page-Cache"] == "hit" then
    hits = hits + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("hits")
  end
  io.write("Page cache hits: " .. total .. "\n")
end
