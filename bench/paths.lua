-- wrk script for bench/run.py: spread requests over the data, so that no page is
-- measured on one hot cached row.
--   WRK_COOKIE  the Cookie header to send (a signed-in session), or empty
--   WRK_PATHS   a file of paths, one a line: each request takes one at random
--   WRK_MODE    "list-keyset": the bare page's keyset list at a random cursor
local cookie = os.getenv("WRK_COOKIE") or ""
local mode = os.getenv("WRK_MODE") or ""
local paths_file = os.getenv("WRK_PATHS") or ""
local NEWEST = 1767225600   -- 2026-01-01T00:00:00Z, the bare table's newest row
local OLDEST = 1735689600   -- 2025-01-01T00:00:00Z
local DAY = 86400
local paths = {}
local n = 0

if paths_file ~= "" then
  for line in io.lines(paths_file) do
    if line ~= "" then paths[#paths + 1] = line end
  end
end

function setup(thread)
  n = n + 1
  thread:set("tid", n)
end

function init(args)
  math.randomseed(1000 + (tid or 0))
  if cookie ~= "" then wrk.headers["Cookie"] = cookie end
end

function request()
  local path = wrk.path
  if mode == "list-keyset" then
    path = "/list/?before=" .. math.random(OLDEST + DAY, NEWEST)
  elseif #paths > 0 then
    path = paths[math.random(1, #paths)]
  end
  return wrk.format(nil, path)
end
