-- wrk script of bench/pages.py: every request asks for an address of its own (a parameter
-- `uncached` that no page reads), so that no cached copy can answer it and the page is
-- measured as it costs when it has to be made.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local count = 0

function request()
  count = count + 1
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  local path = wrk.path .. separator .. "uncached=" .. thread_number .. "-" .. count
  return wrk.format(nil, path)
end
